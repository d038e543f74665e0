"""Run by tests/test_distributed.py under torchrun: each process fits the
same estimators, one after the other, inside a gloo process group and
saves what each learned (one launch for all the cases: starting torchrun
and importing torch in each process cost about 8 s a launch)."""

import sys
import warnings

import numpy as np
import torch
import torch.distributed as dist
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import skae


def main(out_dir, *names):
    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    for name in names:
        fit_and_save(out_dir, name)
    dist.barrier()  # leave together: no rank tears down mid-collective
    dist.destroy_process_group()


def fit_and_save(out_dir, name):
    rank = dist.get_rank()
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=400, random_state=0, stratify=y)
    # "weighted", "variant": only the digits 0-4 count (sample_weight 1, the
    # others 0)
    weighted = name in ("weighted", "variant")
    sample_weight = (y_train < 5).astype(float) if weighted else None
    est = make("stacked" if name == "weighted" else name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X_train, sample_weight=sample_weight)
    weights = {f"w{i}": p.detach().numpy()
               for i, p in enumerate(est.module_.parameters())}
    errors = ((est.inverse_transform(est.transform(X_test)) - X_test) ** 2
              ).mean(1)
    history = est.net_.history
    norm_curve = history[:, "train_norm"] if name == "variant" else []
    # the training steps went through DistributedDataParallel
    wrapped = est.net_.__dict__.get("_ddp")
    ddp = isinstance(wrapped, torch.nn.parallel.DistributedDataParallel) \
        and wrapped.module is est.net_.objective_
    np.savez(f"{out_dir}/{name}-{rank}.npz", mse=errors.mean(), ddp=ddp,
             norm_curve=np.asarray(norm_curve),
             mse_low=errors[y_test < 5].mean(),
             mse_high=errors[y_test >= 5].mean(), n_iter=est.n_iter_,
             curve=np.asarray(est.loss_curve_), **weights)


def make(name, batch_size=64):
    if name == "stacked":
        return skae.StackedAE(n_components=16, hidden_layer_sizes=(64,),
                              max_iter=15, batch_size=batch_size,
                              random_state=0)
    if name == "linear":  # full-batch L-BFGS
        return skae.LinearAE(n_components=8, max_iter=30, random_state=0)
    if name == "variant":  # defined in a test: a loss term and a batch field
        from test_variant import NormAE

        return NormAE(n_components=16, hidden_layer_sizes=(64,), max_iter=15,
                      batch_size=batch_size, random_state=0)
    if name == "vq":  # codebook rows restarted at the end of each epoch
        # one code per sample: a fit whose variance across seeds is small
        # enough to compare two processes with one
        return skae.VQVAE(n_components=8, n_codes=64, n_groups=1,
                          hidden_layer_sizes=(64,), max_iter=15,
                          batch_size=batch_size, random_state=0)
    if name == "adversarial":
        return skae.AdversarialAE(n_components=2, hidden_layer_sizes=(32,),
                                  discriminator_layer_sizes=(16,),
                                  max_iter=3, batch_size=batch_size,
                                  random_state=0)
    raise ValueError(name)


if __name__ == "__main__":
    main(sys.argv[1], *sys.argv[2:])
