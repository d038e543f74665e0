"""The device path: no host read per training step (checked on the CPU,
where a read is what a host synchronisation is on a GPU), and fits on CUDA
where there is one (skipped elsewhere)."""

import numpy as np
import pytest
import torch

import skae
from skae import StackedAE, VariationalAE

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason="needs CUDA")

#: Tensor methods that copy a value to the host: on a GPU each one waits
#: for every kernel queued before it.
HOST_READS = ("item", "tolist", "numpy", "cpu", "__bool__", "__float__",
              "__int__", "__array__")


@pytest.fixture
def host_reads(monkeypatch):
    """Counts the calls of ``HOST_READS`` on tensors."""
    counts = {"n": 0}
    for name in HOST_READS:
        original = getattr(torch.Tensor, name)

        def counted(self, *args, _original=original, **kwargs):
            counts["n"] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, counted)
    return counts


@pytest.mark.parametrize("cls", [StackedAE, VariationalAE])
def test_training_reads_nothing_back_per_step(cls, digits, host_reads):
    X = digits[0]
    est = cls(n_components=8, hidden_layer_sizes=(32,), batch_size=32,
              max_iter=6, early_stopping=False, random_state=0)
    est.fit(X)
    steps = sum(row["train_batch_count"] for row in est.net_.history)
    assert steps >= 6 * 40
    # the losses are read back once per epoch; anything read per step
    # would make at least one read per step
    assert host_reads["n"] < 0.25 * steps, host_reads["n"]


@needs_cuda
@pytest.mark.parametrize("cls", [
    cls for cls in skae.all_estimators()
    if cls.__name__ not in ("AutoencoderImputer",
                            "AutoencoderOutlierDetector", "CustomAE")])
def test_every_estimator_fits_on_cuda(cls, digits):
    X_train, X_test, y_train, _ = digits
    est = cls(device="cuda", max_iter=3, random_state=0)
    args = (X_train, y_train) if cls.__name__ in (
        "ConditionalVAE", "ConditionalAdversarialAE",
        "PretrainedClassifier") else (X_train,)
    est.fit(*args)
    assert next(est.module_.parameters()).device.type == "cuda"
    if hasattr(est, "transform"):
        codes = est.transform(X_test)
        assert isinstance(codes, np.ndarray) and codes.dtype == np.float32


@needs_cuda
def test_cuda_learns_as_well_as_the_cpu(digits):
    X_train, X_test = digits[0], digits[1]
    errors = {}
    for device in ("cpu", "cuda"):
        est = StackedAE(n_components=8, hidden_layer_sizes=(64,),
                        max_iter=40, batch_size=64, random_state=0,
                        device=device).fit(X_train)
        errors[device] = -est.score(X_test)
    assert errors["cuda"] < 1.1 * errors["cpu"]


@needs_cuda
def test_no_host_synchronisation_per_step_on_cuda(digits):
    import warnings

    est = StackedAE(n_components=8, hidden_layer_sizes=(32,), batch_size=32,
                    max_iter=4, early_stopping=False, random_state=0,
                    device="cuda")
    torch.cuda.set_sync_debug_mode("warn")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            est.fit(digits[0])
    finally:
        torch.cuda.set_sync_debug_mode("default")
    syncs = sum("synchroniz" in str(w.message).lower() for w in caught)
    steps = sum(row["train_batch_count"] for row in est.net_.history)
    assert syncs < 0.25 * steps, syncs
