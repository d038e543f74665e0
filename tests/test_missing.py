"""Missing values: every autoencoder trains and scores on data with NaN,
taking its loss over the observed entries only; AutoencoderImputer fills
them in."""

import io
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import MissingIndicator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

import skae
from skae import AutoencoderImputer, DenoisingAE, StackedAE, VariationalAE
from skae._conditional import ConditionalMixin
from skae.nn import MLPAutoencoder
from test_common import fast_instance

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

SMALL = dict(n_components=8, hidden_layer_sizes=(32,), max_iter=10,
             batch_size=64, random_state=0)
AUTOENCODERS = [cls for cls in skae.all_estimators()
                if issubclass(cls, skae._base.BaseAutoencoder)]


def _with_holes(X, share=0.3, seed=0):
    X = X.copy()
    X[np.random.RandomState(seed).rand(*X.shape) < share] = np.nan
    return X


def test_a_missing_entry_never_reaches_the_loss():
    torch.manual_seed(0)
    net = MLPAutoencoder(6, (4,), 2)
    x = torch.randn(5, 6)
    mask = torch.rand(5, 6) > 0.4
    logits = net(x)["logits"].detach().requires_grad_()
    loss = net.loss_terms({"logits": logits}, x, mask=mask)["loss"]
    (grad,) = torch.autograd.grad(loss, logits)
    # the gradient of a missing entry is 0, an observed one's is not
    assert (grad[~mask] == 0).all() and (grad[mask] != 0).all()
    # whatever the target holds at a missing entry, the loss is the same
    other = torch.where(mask, x, torch.full_like(x, 1e6))
    assert torch.equal(net.loss_terms({"logits": logits}, other,
                                      mask=mask)["loss"], loss)


@pytest.mark.parametrize("cls", AUTOENCODERS, ids=lambda c: c.__name__)
def test_every_autoencoder_fits_and_scores_with_missing_values(cls, digits):
    X = _with_holes(digits[0][:300], 0.2)
    est = fast_instance(cls, batch_size=64)
    if cls.__name__ == "ConvAE":
        est.set_params(image_shape=(8, 8))
    conditional = isinstance(est, ConditionalMixin)  # learns from labels
    labels = digits[2][:300] if conditional else None
    est.fit(X, labels)
    codes = est.transform(X)
    assert np.isfinite(codes).all() and np.isfinite(est.score_samples(X)).all()
    as_class = {"y": labels} if conditional else {}
    assert est.inverse_transform(codes, **as_class).shape == X.shape
    assert_allclose(est.fill_values_, np.nanmean(X, axis=0), rtol=1e-5,
                    atol=1e-6)


def test_the_score_of_a_row_is_its_error_on_the_observed_entries(digits):
    X_train, X_test = digits[0], _with_holes(digits[1])
    ae = StackedAE(**SMALL).fit(_with_holes(X_train))
    filled = np.where(np.isnan(X_test), ae.fill_values_, X_test)
    error = (ae.inverse_transform(ae.transform(X_test)) - filled) ** 2
    observed = ~np.isnan(X_test)
    expected = (error * observed).sum(1) / observed.sum(1)
    assert_allclose(-ae.score_samples(X_test), expected, rtol=1e-4,
                    atol=1e-7)
    # the network saw which values were missing; transform is the same on
    # the filled-in values with their mask
    assert ae.missing_indicator_ and ae.module_.mask_input
    assert not StackedAE(**SMALL).fit(X_train).missing_indicator_


def test_training_on_missing_values_serves_data_with_missing_values(
        digits):
    X_train, X_test = digits[0], _with_holes(digits[1], 0.3, seed=1)
    settings = dict(SMALL, max_iter=60)
    complete = StackedAE(**settings).fit(X_train)
    holes = StackedAE(**settings).fit(_with_holes(X_train, 0.3))
    # held-out samples with 30% missing: the autoencoder trained with
    # missing values reconstructs their observed entries better than the
    # one trained on complete data (measured 0.93x the error)
    assert -holes.score(X_test) < -complete.score(X_test)


def test_encoder_module_fills_in_as_transform_does(digits):
    X = _with_holes(digits[0][:200])
    for est in (StackedAE(**SMALL), VariationalAE(**SMALL)):
        est.fit(X)
        with torch.no_grad():
            codes = est.encoder_module()(torch.from_numpy(X)).numpy()
        assert_allclose(codes, est.transform(X), rtol=1e-5, atol=1e-5)


def test_what_has_no_observed_value_is_refused(digits):
    X = _with_holes(digits[0][:200], 0.1)
    ae = StackedAE(**SMALL).fit(X)
    state = dict(vars(ae))
    column = X.copy()
    column[:, 5] = np.nan
    with pytest.raises(ValueError, match="features of X have no observed"):
        ae.fit(column)
    assert all(vars(ae)[k] is v for k, v in state.items())
    row = X[:3].copy()
    row[1] = np.nan
    with pytest.raises(ValueError, match="rows of X have no observed"):
        ae.score_samples(row)
    # transform encodes such a row from the fill values and an empty mask
    assert np.isfinite(ae.transform(row)).all()
    infinite = X[:20].copy()
    infinite[2, 3] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        StackedAE(**SMALL).fit(infinite)


def test_sparse_and_on_disk_data_with_missing_values(digits, tmp_path,
                                                     monkeypatch):
    X = _with_holes(digits[0][:400], 0.2)
    in_memory = StackedAE(**SMALL).fit(X)
    sparse = StackedAE(**SMALL).fit(sp.csr_matrix(X))
    assert_allclose(sparse.transform(sp.csr_matrix(X)), in_memory.transform(X),
                    rtol=1e-4, atol=1e-4)
    on_disk = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+",
                                        dtype=np.float32, shape=X.shape)
    on_disk[:] = X
    on_disk.flush()
    # blocks of 5 rows, batches of 16, 8 blocks shuffled together: the
    # array is never read whole
    monkeypatch.setattr("skae._training._rows.BLOCK_BYTES",
                        5 * X.shape[1] * 4)
    reads = []
    original = skae._training._rows.RowArray.rows

    def rows(self, start, stop):
        reads.append(min(stop, self.shape[0]) - start)
        return original(self, start, stop)

    monkeypatch.setattr(skae._training._rows.RowArray, "rows", rows)
    from_disk = StackedAE(**{**SMALL, "batch_size": 16}).fit(
        np.load(tmp_path / "X.npy", mmap_mode="r"))
    assert max(reads) < len(X)
    assert_allclose(from_disk.fill_values_, in_memory.fill_values_,
                    rtol=1e-5)
    assert np.isfinite(from_disk.score_samples(X)).all()


def test_the_outlier_detector_takes_missing_values(digits):
    X = _with_holes(digits[0][:300], 0.2)
    detector = skae.AutoencoderOutlierDetector(StackedAE(**SMALL)).fit(X)
    assert set(detector.predict(X)) <= {-1, 1}


# -- AutoencoderImputer ------------------------------------------------------
FAST_IMPUTER = dict(estimator=DenoisingAE(**SMALL, noise="masking"),
                    random_state=0)


@pytest.fixture(scope="module")
def table():
    from sklearn.datasets import load_diabetes

    X = load_diabetes().data
    return X, _with_holes(X, 0.3)


def test_imputer_returns_every_observed_entry_exactly(table):
    X, X_missing = table
    imputer = AutoencoderImputer(**FAST_IMPUTER).fit(X_missing)
    filled = imputer.transform(X_missing)
    observed = ~np.isnan(X_missing)
    assert_array_equal(filled[observed], X_missing[observed])
    assert not np.isnan(filled).any()
    # in the input's units: the filled-in values lie in the data's range
    missing = ~observed
    low, high = X.min(0), X.max(0)
    inside = (filled >= low - X.std(0)) & (filled <= high + X.std(0))
    assert inside[missing].mean() > 0.99


def test_imputer_beats_the_mean(table):
    # the first 200 of the 442 rows (all of them: 7-8 s, now ~3 s)
    X, X_missing = table[0][:200], table[1][:200]
    missing = np.isnan(X_missing)
    imputer = AutoencoderImputer(random_state=0).fit(X_missing)
    error = ((imputer.transform(X_missing) - X) / X.std(0))[missing]
    mean_error = ((np.nanmean(X_missing, 0) - X) / X.std(0))[missing]
    # measured 0.806 against 1.037 for the mean (ratio 0.777; 0.776 / 0.770
    # at seeds 1 / 2; 0.763-0.769 with all 442 rows)
    assert np.sqrt(np.mean(error ** 2)) < 0.9 * np.sqrt(
        np.mean(mean_error ** 2))


def test_the_default_imputer_sees_about_a_million_rows(monkeypatch):
    # a 5,000-row table trains for 200 epochs, not 400 (its fit time would
    # grow with its rows); a table of 2,500 rows or fewer keeps 400
    from skae import _impute

    assert _impute._default_estimator(569).max_iter == 400
    assert _impute._default_estimator(2500).max_iter == 400
    assert _impute._default_estimator(3000).max_iter == 334
    assert _impute._default_estimator(5000).max_iter == 200
    assert _impute._default_estimator(10 ** 7).max_iter == 1
    # fit applies the rule to the rows it is given (a budget of 600 rows
    # seen here: 2 epochs of 300 rows)
    monkeypatch.setattr(_impute, "_DEFAULT_ROWS_SEEN", 600)
    X = np.random.RandomState(0).rand(300, 3)
    X[::3, 0] = np.nan
    with pytest.warns(ConvergenceWarning):
        imputer = AutoencoderImputer(random_state=0).fit(X)
    assert imputer.estimator_.max_iter == imputer.estimator_.n_iter_ == 2
    assert imputer.estimator is None


def test_imputer_indicator_and_empty_features(table):
    _, X_missing = table
    X = X_missing[:200].copy()
    X[:, 2] = np.nan
    imputer = AutoencoderImputer(add_indicator=True, **FAST_IMPUTER).fit(X)
    out = imputer.transform(X)
    indicator = MissingIndicator().fit(X).transform(X)
    assert out.shape == (200, 9 + indicator.shape[1])
    assert_array_equal(out[:, 9:], indicator)
    names = imputer.get_feature_names_out()
    assert "x2" not in names[:9] and names[9].startswith("missingindicator")
    kept = AutoencoderImputer(keep_empty_features=True,
                              **FAST_IMPUTER).fit(X).transform(X)
    assert kept.shape == (200, 10) and (kept[:, 2] == 0).all()


def test_imputer_placeholders(table):
    _, X_missing = table
    sentinel = np.where(np.isnan(X_missing), -1.0, X_missing)
    imputer = AutoencoderImputer(missing_values=-1.0,
                                 **FAST_IMPUTER).fit(sentinel)
    out = imputer.transform(sentinel)
    assert (out != -1).all()
    by_nan = AutoencoderImputer(**FAST_IMPUTER).fit(X_missing)
    assert_allclose(out, by_nan.transform(X_missing), rtol=1e-5, atol=1e-6)
    # a placeholder that never occurs: nothing to fill, X comes back
    complete = np.abs(sentinel[:50]) + 1
    assert_array_equal(imputer.transform(complete), complete)
    # with a number as placeholder NaN is not a missing value
    with pytest.raises(ValueError, match="NaN"):
        imputer.fit(X_missing)
    # pandas' NA of nullable dtypes is a missing value
    frame = pd.DataFrame(X_missing[:100]).astype("Float64")
    assert frame.isna().any().any()
    filled = AutoencoderImputer(**FAST_IMPUTER).fit_transform(frame)
    assert not np.isnan(filled).any()
    with pytest.raises(ValueError):
        AutoencoderImputer(**FAST_IMPUTER).fit(
            np.array([["a", 1.0], ["b", np.nan]], dtype=object))


def test_bad_input_leaves_a_fitted_imputer_unchanged(table):
    _, X_missing = table
    imputer = AutoencoderImputer(**FAST_IMPUTER).fit(X_missing)
    state = dict(vars(imputer))
    with pytest.raises(ValueError):
        imputer.fit(np.full((20, 3), np.inf))
    assert all(vars(imputer)[k] is v for k, v in state.items())


def test_imputer_round_trips_bit_identically(table):
    _, X_missing = table
    imputer = AutoencoderImputer(add_indicator=True,
                                 **FAST_IMPUTER).fit(X_missing)
    expected = imputer.transform(X_missing)
    restored = pickle.loads(pickle.dumps(imputer))
    assert_array_equal(restored.transform(X_missing), expected)
    buffer = io.BytesIO()
    skae.save(imputer, buffer)
    buffer.seek(0)
    assert_array_equal(skae.load(buffer).transform(X_missing), expected)


def test_imputer_in_pipelines_and_column_transformers(digits):
    X, X_test, y, y_test = digits
    X_missing = _with_holes(X, 0.3)
    pipe = Pipeline([("impute", AutoencoderImputer(**FAST_IMPUTER)),
                     ("clf", LogisticRegression(max_iter=500))])
    assert pipe.fit(X_missing, y).score(_with_holes(X_test, 0.3),
                                        y_test) > 0.8
    frame = pd.DataFrame(X_missing[:, :10],
                         columns=[f"pixel{i}" for i in range(10)])
    frame["label"] = y.astype(str)
    columns = ColumnTransformer(
        [("pixels", AutoencoderImputer(**FAST_IMPUTER),
          [f"pixel{i}" for i in range(10)])]).set_output(transform="pandas")
    out = columns.fit_transform(frame)
    assert list(out.columns) == [f"pixels__pixel{i}" for i in range(10)]
    assert not out.isna().any().any()


def test_multiple_imputation_draws_from_the_posterior(table):
    _, X_missing = table
    imputer = AutoencoderImputer(VariationalAE(**SMALL),
                                 sample_posterior=True,
                                 random_state=0).fit(X_missing)
    first, again = (imputer.transform(X_missing) for _ in range(2))
    other = imputer.set_params(random_state=1).transform(X_missing)
    missing = np.isnan(X_missing)
    assert_array_equal(first, again)  # a draw per random_state
    assert not np.allclose(first[missing], other[missing])
    assert_array_equal(first[~missing], other[~missing])
    with pytest.raises(ValueError, match="sample_posterior=True"):
        AutoencoderImputer(sample_posterior=True,
                           **FAST_IMPUTER).fit(X_missing)


def test_imputer_without_standardising_for_features_in_one_unit(digits):
    X = _with_holes(digits[0][:300], 0.3)
    imputer = AutoencoderImputer(standardize=False, **FAST_IMPUTER).fit(X)
    assert (imputer.mean_ == 0).all() and (imputer.scale_ == 1).all()
    filled = imputer.transform(X)
    observed = ~np.isnan(X)
    assert_array_equal(filled[observed], X[observed])
    # pixels in [0, 1]: the autoencoder saw them as they are
    assert_allclose(imputer.estimator_.fill_values_,
                    np.nanmean(X, axis=0)[imputer._keep], rtol=1e-5)
