"""Worker of benchmarks/scale.py: one data-parallel fit under torchrun.

Usage: torchrun --nproc-per-node=N _ddp_fit.py MEMMAP N_ROWS TEST.npy OUT.json
EPOCHS BATCH
"""

import json
import sys
import time
import warnings

import numpy as np
import torch
import torch.distributed as dist

from skae import StackedAE


def main(path, n_rows, test_path, out, epochs, batch):
    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    X = np.memmap(path, dtype=np.float32, mode="r", shape=(int(n_rows), 784))
    X_test = np.load(test_path)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = StackedAE(max_iter=int(epochs), batch_size=int(batch),
                        random_state=0).fit(X)
    seconds = time.perf_counter() - start
    mse = float(np.mean((est.inverse_transform(est.transform(X_test))
                         - X_test) ** 2))
    if dist.get_rank() == 0:
        with open(out, "w") as f:
            json.dump({"processes": dist.get_world_size(),
                       "seconds_per_epoch": seconds / est.n_iter_,
                       "held_out_mse": mse, "epochs": est.n_iter_}, f)
    dist.destroy_process_group()


if __name__ == "__main__":
    main(*sys.argv[1:])
