"""Worker of benchmarks/scale.py: one data-parallel fit under torchrun.

Usage: torchrun --nproc-per-node=N _ddp_fit.py MEMMAP N_ROWS TEST.npy OUT.json
EPOCHS BATCH HIDDEN,SIZES N_COMPONENTS {skae,raw}

``skae``: ``StackedAE`` with that network (no held-out split, no weight
decay: every row trains); ``raw``: a hand-written loop over the same
network, rows, batches and optimizer, wrapped in
``DistributedDataParallel`` as torch's DDP tutorial does. Writes the time
per epoch, rows per second, held-out MSE (skae), and the largest
difference between any two processes' weights.
"""

import json
import sys
import time
import warnings

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from overhead import sequential
from skae import StackedAE

LR = 3e-3  # StackedAE's default learning rate


def fit_skae(X, epochs, batch, hidden, n_components):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = StackedAE(hidden_layer_sizes=hidden, n_components=n_components,
                        max_iter=epochs, batch_size=batch, alpha=0.0,
                        early_stopping=False, random_state=0).fit(X)
    return est, est.module_, est.n_iter_


def fit_raw(X, epochs, batch, hidden, n_components):
    rank, size = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    model = sequential(hidden, n_components)
    wrapped = (nn.parallel.DistributedDataParallel(
        model, gradient_as_bucket_view=True) if size > 1 else model)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR, fused=True)
    n = len(X) // size
    data = torch.from_numpy(np.asarray(X[rank * n:(rank + 1) * n]))
    per_process = batch // size
    generator = torch.Generator().manual_seed(rank)
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, per_process):
            rows = data[order[start:start + per_process]]
            optimizer.zero_grad()
            loss = (wrapped(rows) - rows).square().mean()
            loss.backward()
            optimizer.step()
    return None, model, epochs


def main(path, n_rows, test_path, out, epochs, batch, hidden, n_components,
         how):
    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    X = np.memmap(path, dtype=np.float32, mode="r", shape=(int(n_rows), 784))
    X_test = np.load(test_path)
    fit = {"skae": fit_skae, "raw": fit_raw}[how]
    start = time.perf_counter()
    est, module, n_iter = fit(X, int(epochs), int(batch),
                              tuple(int(h) for h in hidden.split(",")),
                              int(n_components))
    seconds = time.perf_counter() - start
    result = {"processes": dist.get_world_size(), "how": how,
              "seconds_per_epoch": seconds / n_iter,
              "rows_per_second": int(n_rows) * n_iter / seconds,
              "epochs": n_iter}
    if est is not None:
        result["held_out_mse"] = float(np.mean(
            (est.inverse_transform(est.transform(X_test)) - X_test) ** 2))
        result["data_parallel"] = type(est.net_.__dict__.get("_ddp")).__name__
    weights = torch.cat([p.detach().flatten() for p in module.parameters()])
    gathered = [torch.empty_like(weights)
                for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, weights)
    result["max_weight_difference"] = max(
        float((g - weights).abs().max()) for g in gathered)
    if dist.get_rank() == 0:
        with open(out, "w") as f:
            json.dump(result, f)
    dist.destroy_process_group()


if __name__ == "__main__":
    main(*sys.argv[1:])
