"""Dask: streaming fit of a dask array, parallel transform, and searches on
a dask.distributed cluster (LocalCluster with 2 worker processes)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

dask_ml = pytest.importorskip("dask_ml")
distributed = pytest.importorskip("distributed")
import dask.array as da  # noqa: E402
import joblib  # noqa: E402
from dask_ml.wrappers import Incremental, ParallelPostFit  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from skae import StackedAE  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_layer_sizes=(32,), random_state=0, batch_size=64)


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True,
            dashboard_address=None, silence_logs=50)
        client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def _torch_threads():
    import torch

    return torch.get_num_threads()


def test_workers_do_not_oversubscribe_the_cores(client):
    # the nanny starts workers with OMP_NUM_THREADS=1: one torch thread per
    # single-threaded worker
    threads = client.run(_torch_threads)
    assert set(threads.values()) == {1}


def test_incremental_streams_a_dask_array_through_partial_fit(digits):
    X_train, X_test = digits[0], digits[1]
    X = da.from_array(X_train, chunks=(350, 64))
    inc = Incremental(StackedAE(n_components=8, learning_rate=1e-2, **FAST))
    for _ in range(4):  # one partial_fit per block per call
        inc.partial_fit(X)
    est = inc.estimator_
    assert est.n_iter_ == 4 * X.numblocks[0]
    baseline = np.mean((X_test - X_train.mean(0)) ** 2)
    mse = np.mean((est.inverse_transform(est.transform(X_test))
                   - X_test) ** 2)
    assert mse < 0.5 * baseline


def test_dask_arrays_are_transformed_block_by_block_on_the_workers(
        client, digits):
    X_train = digits[0]
    est = StackedAE(n_components=8, max_iter=3, **FAST).fit(X_train)
    X = da.from_array(X_train, chunks=(300, 32))
    codes = est.transform(X)  # lazy: nothing computed yet
    assert isinstance(codes, da.Array) and codes.shape == (len(X_train), 8)
    assert codes.dtype == np.float32 and codes.numblocks == (5, 1)
    # float32 in other processes with one thread: close, not bit-equal
    assert_allclose(codes.compute(), est.transform(X_train),
                    rtol=1e-4, atol=1e-5)
    back = est.inverse_transform(codes)
    assert back.shape == X_train.shape
    scores = est.score_samples(X)
    assert scores.shape == (len(X_train),)
    assert_allclose(scores.compute(), est.score_samples(X_train), rtol=1e-4)
    # dask-ml's wrapper gives the same values (its lazy shape keeps the
    # input's width; computing gives the codes' width)
    wrapped = ParallelPostFit(est).transform(X).compute()
    assert_allclose(wrapped, est.transform(X_train), rtol=1e-4, atol=1e-5)


def test_grid_search_on_the_cluster_matches_the_serial_search(client, digits):
    X = digits[0][:600]
    search = GridSearchCV(StackedAE(max_iter=5, **FAST),
                          {"n_components": [2, 8], "alpha": [0.0, 1e-2]},
                          cv=2, n_jobs=-1)
    serial = GridSearchCV(StackedAE(max_iter=5, **FAST),
                          search.param_grid, cv=2, n_jobs=1).fit(X)
    with joblib.parallel_backend("dask"):
        search.fit(X)
    assert search.best_params_ == serial.best_params_
    assert_allclose(search.cv_results_["mean_test_score"],
                    serial.cv_results_["mean_test_score"], rtol=1e-4)
