"""Data bigger than memory: arrays on disk read by blocks, and partial_fit."""

import threading

import numpy as np
import pytest
from numpy.testing import assert_allclose

import skae
from skae import AdversarialAE, StackedAE, VariationalAE

#: The fits here are deliberately short.
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(n_components=16, hidden_layer_sizes=(64,), random_state=0)


def _mse(est, X):
    return float(np.mean((est.inverse_transform(est.transform(X)) - X) ** 2))


@pytest.fixture
def on_disk(mnist, tmp_path):
    """The 4,000 MNIST training digits as a read-only float32 memmap."""
    X_train = mnist[0].astype(np.float32)
    path = tmp_path / "train.f32"
    X_train.tofile(path)
    return np.memmap(path, dtype=np.float32, mode="r",
                     shape=X_train.shape), X_train


def test_memmap_fit_trains_as_well_as_in_memory(mnist, on_disk):
    X_disk, X_train = on_disk
    X_test = mnist[1]
    memory = StackedAE(max_iter=5, **FAST).fit(X_train)
    disk = StackedAE(max_iter=5, **FAST).fit(X_disk)
    # batches are shuffled by blocks on disk, by rows in memory: the two
    # models differ, but not in quality
    assert _mse(disk, X_test) < 1.1 * _mse(memory, X_test)
    assert disk.n_features_in_ == 784 and disk.n_iter_ == 5
    # transform and scoring read the memmap by blocks; same rows, same model
    assert_allclose(disk.transform(X_disk), disk.transform(X_train),
                    rtol=1e-5, atol=1e-6)
    assert disk.transform(X_disk).dtype == np.float32
    assert disk.score(X_disk) == pytest.approx(disk.score(X_train), rel=1e-5)


def _rss_anon():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    pytest.skip("no RssAnon in /proc/self/status")


def test_memmap_fit_does_not_load_the_array(tmp_path, monkeypatch):
    """Anonymous memory during fit and transform grows by a fraction of the
    array (blocks in flight), not by the array."""
    monkeypatch.setattr("skae._training._rows.BLOCK_BYTES", 2**16)
    rng = np.random.default_rng(0)
    n, d = 40_000, 784  # 125 MB of float32
    X = np.memmap(tmp_path / "big.f32", dtype=np.float32, mode="w+",
                  shape=(n, d))
    for start in range(0, n, 5000):
        X[start:start + 5000] = rng.random((5000, d), dtype=np.float32)
    X.flush()
    X = np.memmap(tmp_path / "big.f32", dtype=np.float32, mode="r",
                  shape=(n, d))
    est = StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=1,
                    batch_size=64, random_state=0)
    est.fit(X[:1000])  # torch's own allocations happen before the baseline
    baseline, peak, done = _rss_anon(), [0], threading.Event()

    def poll():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_anon())
            done.wait(0.005)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        est.fit(X)
        codes = est.transform(X)
    finally:
        done.set()
        poller.join()
    growth = peak[0] - baseline
    assert codes.shape == (n, 8)
    # an in-memory copy alone would be 1.0x; 0.05x measured here (the
    # blocks in flight and the allocator's slack)
    assert growth < 0.35 * X.nbytes, f"{growth / X.nbytes:.2f}x the array"


@pytest.mark.parametrize("kind", ["h5py", "zarr"])
def test_hdf5_and_zarr_arrays_fit_like_a_memmap(kind, on_disk, tmp_path):
    X_disk, X_train = on_disk
    X_small = X_train[:1000]
    if kind == "h5py":
        h5py = pytest.importorskip("h5py")
        handle = h5py.File(tmp_path / "x.h5", "w")
        data = handle.create_dataset("X", data=X_small, chunks=(100, 784))
    else:
        zarr = pytest.importorskip("zarr")
        data = zarr.open_array(tmp_path / "x.zarr", mode="w",
                               shape=X_small.shape, chunks=(100, 784),
                               dtype="float32")
        data[:] = X_small
    est = StackedAE(max_iter=2, **FAST).fit(data)
    reference = StackedAE(max_iter=2, **FAST).fit(X_disk[:1000])
    # the same rows in the same block order: the same model
    assert_allclose(est.transform(data), reference.transform(X_small),
                    rtol=1e-4, atol=1e-5)
    assert est.score_samples(data).shape == (1000,)


def test_bad_arrays_on_disk_are_refused_before_training(tmp_path):
    X = np.memmap(tmp_path / "bad.f32", dtype=np.float32, mode="w+",
                  shape=(300, 5))
    X[:] = 0.5
    X[250, 3] = np.inf  # (NaN is a missing value, which it takes)
    est = StackedAE(n_components=2, max_iter=1)
    with pytest.raises(ValueError, match="infinity.*row 250"):
        est.fit(X)
    assert not hasattr(est, "n_features_in_")
    cube = np.memmap(tmp_path / "cube.f32", dtype=np.float32, mode="w+",
                     shape=(10, 2, 2))
    with pytest.raises(ValueError, match="Expected a 2D array"):
        est.fit(cube)
    fitted = StackedAE(n_components=2, max_iter=1).fit(np.ones((20, 4)))
    with pytest.raises(ValueError, match="X has 5 features"):
        fitted.transform(np.memmap(tmp_path / "bad.f32", dtype=np.float32,
                                   mode="r", shape=(300, 5)))


def test_partial_fit_streams_chunks_as_well_as_fit(mnist, on_disk):
    X_disk, X_train = on_disk
    X_test = mnist[1]
    fitted = StackedAE(max_iter=3, batch_size=100, **FAST).fit(X_train)
    streamed = StackedAE(batch_size=100, **FAST)
    for _ in range(3):  # three passes over four chunks
        for start in range(0, 4000, 1000):
            streamed.partial_fit(X_disk[start:start + 1000])
    assert streamed.n_iter_ == len(streamed.loss_curve_) == 12
    # unshuffled across chunks, but the same number of steps
    assert _mse(streamed, X_test) < 1.15 * _mse(fitted, X_test)
    baseline = np.mean((X_test - X_train.mean(0)) ** 2)
    assert _mse(streamed, X_test) < 0.7 * baseline  # 0.60 after 3 passes


def test_partial_fit_keeps_the_optimizer_between_calls(digits):
    X = digits[0]
    est = StackedAE(**FAST)
    est.partial_fit(X[:500])
    net = est.net_
    steps = [float(s["step"]) for s in net.optimizer_.state.values()]
    assert steps, "Adam's moments after the first pass"
    est.partial_fit(X[500:])
    # Adam's moments go on from the first pass's (its step count adds up);
    # the pass trained a copy of the net, and left the first one as it was
    n_steps = -(-len(X[500:]) // est.net_.batch_size)
    assert [float(s["step"]) for s in est.net_.optimizer_.state.values()] \
        == [step + n_steps for step in steps]
    assert [float(s["step"]) for s in net.optimizer_.state.values()] == steps
    assert est.n_iter_ == 2
    # the first pass starts from the network fit would build
    first = StackedAE(max_iter=1, **FAST).fit(X[:500])
    again = StackedAE(**FAST).partial_fit(X[:500])
    assert_allclose(again.transform(X), first.transform(X),
                    rtol=1e-5, atol=1e-6)
    # partial_fit after fit continues the fitted network and its curve
    est = StackedAE(max_iter=2, **FAST).fit(X)
    curve = list(est.loss_curve_)
    est.partial_fit(X)
    assert est.loss_curve_[:2] == curve and est.n_iter_ == 3
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(X[:, :10])


def test_partial_fit_of_phased_training(digits):
    X = digits[0]
    vae = VariationalAE(n_components=4, kl_warmup=4, random_state=0)
    for start in range(0, 1200, 200):
        vae.partial_fit(X[start:start + 200])
    # the KL weight counts passes across calls
    assert list(vae.net_.history[:, "kl_weight"]) == pytest.approx(
        [0, 0.25, 0.5, 0.75, 1, 1])
    assert np.isfinite(vae.score(X))
    aae = AdversarialAE(n_components=2, hidden_layer_sizes=(32,),
                        random_state=0)
    for start in range(0, 1200, 400):
        aae.partial_fit(X[start:start + 400])
    assert {"train_discriminator", "train_generator"} <= set(
        aae.net_.history[-1])
    assert aae.sample(3, random_state=0).shape == (3, 64)


def test_partial_fit_refuses_greedy_pretraining(digits):
    est = StackedAE(pretraining="greedy")
    with pytest.raises(ValueError, match="pretraining='none'"):
        est.partial_fit(digits[0])
    assert not hasattr(est, "net_")


def test_history_is_per_epoch_unless_verbose(digits):
    X = digits[0][:300]
    est = StackedAE(max_iter=2, **FAST).fit(X)
    epoch = est.net_.history[-1]
    assert epoch["batches"] == [] or "train_loss" not in epoch["batches"][0]
    assert {"train_loss", "train_loss_best", "train_reconstruction"} <= \
        set(epoch)
    assert est.loss_curve_ == [float(v) for v in
                               est.net_.history[:, "train_loss"]]


def test_partial_fit_through_save_and_load(digits, tmp_path):
    X = digits[0]
    est = StackedAE(**FAST).partial_fit(X)
    skae.save(est, tmp_path / "ae.skae")
    loaded = skae.load(tmp_path / "ae.skae")
    loaded.partial_fit(X)
    assert loaded.n_iter_ == 2 and len(loaded.loss_curve_) == 2


def test_pretrained_classifier_partial_fit_streams_labels(digits):
    from skae import PretrainedClassifier

    X_train, X_test, y_train, y_test = digits
    ae = StackedAE(n_components=16, hidden_layer_sizes=(48,), max_iter=20,
                   learning_rate=1e-2, random_state=0)
    clf = PretrainedClassifier(autoencoder=ae, random_state=0)
    with pytest.raises(ValueError, match="classes must be given"):
        clf.partial_fit(X_train, y_train)
    assert not hasattr(clf, "net_")
    chunks = np.array_split(np.arange(len(X_train)), 4)
    for _ in range(5):
        for rows in chunks:
            clf.partial_fit(X_train[rows], y_train[rows],
                            classes=np.arange(10))
    assert clf.n_iter_ == 20 and list(clf.classes_) == list(range(10))
    # the autoencoder was fitted once, on the first chunk
    assert clf.autoencoder_.n_features_in_ == 64
    assert clf.score(X_test, y_test) > 0.85
    with pytest.raises(ValueError, match="not in classes"):
        clf.partial_fit(X_train[:10], np.full(10, 11))
    # a chunk without labels trains nothing but is accepted
    before = clf.predict_proba(X_test)
    clf.partial_fit(X_train[:10], np.full(10, -1))
    assert_allclose(clf.predict_proba(X_test), before)
