"""Mixed tables: categorical_features on the fully connected autoencoders,
on the Palmer penguins (a real table: 344 penguins, three categorical
columns, numeric columns in millimetres and grams, missing values)."""

import io
import warnings

import numpy as np
import pytest

import skae
from skae import (
    AutoencoderOutlierDetector,
    DenoisingAE,
    StackedAE,
    VariationalAE,
)

pd = pytest.importorskip("pandas")
palmerpenguins = pytest.importorskip("palmerpenguins")

CATEGORICAL = ["species", "island", "sex"]
FAST = dict(n_components=3, hidden_layer_sizes=(32,), max_iter=40,
            random_state=0)


@pytest.fixture(scope="module")
def penguins():
    """The penguins as pandas gives them: strings as object columns,
    missing values (NaN) in the numeric columns and in ``sex``."""
    return palmerpenguins.load_penguins()


@pytest.fixture(scope="module")
def typed(penguins):
    """The penguins with categorical dtypes."""
    return penguins.astype({c: "category" for c in CATEGORICAL})


@pytest.fixture(scope="module")
def stacked(typed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter
        return StackedAE(categorical_features="from_dtype", **FAST).fit(typed)


def _accuracy(reconstructed, frame, column):
    seen = frame[column].notna()
    return float((reconstructed[column].astype(object)[seen]
                  == frame[column].astype(object)[seen]).mean())


def test_dataframe_in_dataframe_out_with_dtypes(stacked, typed):
    out = stacked.inverse_transform(stacked.transform(typed))
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(typed.columns)
    assert out.dtypes.to_dict() == typed.dtypes.to_dict()
    assert out.notna().all().all()  # every cell reconstructed
    np.testing.assert_array_equal(stacked.is_categorical_,
                                  typed.columns.isin(CATEGORICAL))
    # categories come back as categories: far better than the mode
    for column in CATEGORICAL:
        mode = typed[column].value_counts(normalize=True).iloc[0]
        assert _accuracy(out, typed, column) > max(0.9, mode + 0.2)
    # numbers come back on their own scales (grams, millimetres)
    error = (out["body_mass_g"] - typed["body_mass_g"]).abs().median()
    assert error < 0.5 * typed["body_mass_g"].std()


@pytest.mark.parametrize("estimator", [
    StackedAE(categorical_features="from_dtype", **FAST),
    VariationalAE(categorical_features="from_dtype", **FAST),
], ids=["StackedAE", "VariationalAE"])
def test_sampled_categories_are_training_categories(estimator, penguins):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(penguins)
    samples = estimator.sample(500, random_state=0)
    assert samples.dtypes.to_dict() == penguins.dtypes.to_dict()
    for column in CATEGORICAL:
        assert set(samples[column]) <= set(penguins[column].dropna())
    # drawn, not only the most likely: every species appears, in about
    # its share of the training rows
    share = samples["species"].value_counts(normalize=True)
    expected = penguins["species"].value_counts(normalize=True)
    assert set(share.index) == set(expected.index)
    assert np.abs(share - expected).max() < 0.15
    assert np.array_equal(samples["year"], samples["year"].round())
    # the same seed gives the same table
    pd.testing.assert_frame_equal(
        samples, estimator.sample(500, random_state=0))


def test_vae_samples_numeric_columns_from_its_likelihood(penguins):
    """A VAE's sampled numbers are draws of p(x|z), not only its mean:
    their spread matches the data's, and a draw differs from the
    decoder's mean of the same codes."""
    vae = VariationalAE(categorical_features="from_dtype", **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vae.fit(penguins)
    samples = vae.sample(1000, random_state=0)
    ratio = samples["flipper_length_mm"].std() / penguins[
        "flipper_length_mm"].std()
    assert 0.7 < ratio < 1.3
    codes = np.random.RandomState(0).standard_normal((1000, 3))
    means = vae.inverse_transform(codes)
    assert not np.allclose(samples["bill_depth_mm"], means["bill_depth_mm"])


def test_arrays_with_indices_mask_or_names(penguins):
    """Columns declared by index (a numpy object array), by mask or by
    name; an array in gives an array out."""
    X = penguins.to_numpy(dtype=object)
    est = StackedAE(categorical_features=[0, 1, 6], **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X)
    out = est.inverse_transform(est.transform(X))
    assert isinstance(out, np.ndarray) and out.dtype == object
    assert set(out[:, 0]) <= {"Adelie", "Chinstrap", "Gentoo"}
    assert [len(c) for c in est.categories_] == [3, 3, 2]
    by_mask = StackedAE(categorical_features=penguins.columns.isin(
        CATEGORICAL), **FAST)
    by_name = StackedAE(categorical_features=CATEGORICAL, **FAST)
    for other in (by_mask, by_name):
        other.set_params(max_iter=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            other.fit(penguins)
        np.testing.assert_array_equal(other.is_categorical_,
                                      est.is_categorical_)
    # pandas output for an array in, as set_output asks
    est.set_output(transform="pandas")
    frame = est.inverse_transform(est.transform(X))
    assert list(frame.columns) == [f"x{j}" for j in range(8)]


def test_missing_and_unseen_categories(stacked, typed):
    # a missing category is a missing value: transform and score it
    rows = typed[typed["sex"].isna()]
    assert len(rows) and np.isfinite(stacked.transform(rows)).all()
    assert np.isfinite(stacked.score_samples(rows)).all()
    # an unseen one is treated as missing, with a warning
    odd = typed.iloc[:5].astype({"island": object}).copy()
    odd["island"] = "Anvers"
    with pytest.warns(UserWarning, match="did not see.*'Anvers'"):
        codes = stacked.transform(odd)
    missing = odd.copy()
    missing["island"] = np.nan
    np.testing.assert_allclose(codes, stacked.transform(missing), rtol=1e-6)


def test_mixed_loss_weighs_each_column_once(stacked, typed):
    """score_samples is the mean over the columns of each column's loss: a
    numeric column's squared error (standardised), a categorical column's
    cross-entropy over log K."""
    rows = typed.dropna().iloc[:20]
    codes = stacked.transform(rows)
    out = stacked.module_.decode(
        __import__("torch").from_numpy(codes)).detach().numpy()
    layout = stacked.module_.table
    target = stacked._validate_X(rows)
    numeric = (out[:, :layout.n_numeric]
               - target[:, :layout.n_numeric]) ** 2
    entropy = [-np.log((out[:, a:b] * target[:, a:b]).sum(1)) / np.log(
        max(b - a, 2)) for a, b in layout.blocks]
    expected = np.column_stack([numeric, *entropy]).mean(1)
    np.testing.assert_allclose(-stacked.score_samples(rows), expected,
                               rtol=1e-3, atol=1e-5)


def test_categorical_loss_is_float32_under_bfloat16():
    """Under bfloat16 autocast the categorical cross-entropies are computed
    in float32 (CPU autocast leaves log_softmax in bfloat16, 3 digits):
    the loss of bfloat16 logits matches float64 arithmetic on the same
    logits, soft targets (filled-in missing categories) included."""
    import torch

    from skae.nn._table import TableLayout

    layout = TableLayout(2, [2, 5, 3])
    gen = torch.Generator().manual_seed(0)
    logits = (4 * torch.randn(64, layout.n_features, generator=gen)).to(
        torch.bfloat16)
    target = torch.randn(64, layout.n_features, generator=gen)
    for a, b in layout.blocks:
        target[:, a:b] = target[:, a:b].softmax(-1)
        target[:32, a:b] = torch.nn.functional.one_hot(
            target[:32, a:b].argmax(-1), b - a)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = layout.column_loss(logits, target)
    exact = logits.double()
    expected = [(exact[:, :2] - target[:, :2].double()) ** 2]
    for (a, b), k in zip(layout.blocks, layout.n_categories):
        log_p = exact[:, a:b].log_softmax(-1)
        expected.append(-(target[:, a:b] * log_p).sum(1, keepdim=True)
                        / np.log(k))
    assert loss.dtype == torch.float32
    np.testing.assert_allclose(loss.double(), torch.cat(expected, 1),
                               rtol=1e-5, atol=1e-5)


def test_save_load_keeps_categories(stacked, typed):
    buffer = io.BytesIO()
    skae.save(stacked, buffer)
    buffer.seek(0)
    loaded = skae.load(buffer)
    for a, b in zip(loaded.categories_, stacked.categories_):
        np.testing.assert_array_equal(a, b)
    assert loaded.feature_dtypes_ == stacked.feature_dtypes_
    pd.testing.assert_frame_equal(
        loaded.inverse_transform(loaded.transform(typed)),
        stacked.inverse_transform(stacked.transform(typed)))
    pd.testing.assert_frame_equal(loaded.sample(20, random_state=1),
                                  stacked.sample(20, random_state=1))


def _bad_inputs(penguins):
    many = pd.DataFrame({"x": np.random.RandomState(0).rand(10_000),
                         "y": np.arange(10_000.0)})
    lists = penguins.iloc[:50].copy()
    lists["island"] = [[1, 2]] * 50
    return {
        "index out of range": (dict(categorical_features=[8]), penguins,
                               "index 8, out of range"),
        "10,000 distinct values": (dict(categorical_features=["x"]), many,
                                   "10000 distinct values"),
        "not hashable": (dict(categorical_features="from_dtype"), lists,
                         "not hashable"),
        "from_dtype with an array": (
            dict(categorical_features="from_dtype"),
            penguins.to_numpy(dtype=object), "pandas DataFrame"),
        "a name X lacks": (dict(categorical_features=["colour"]), penguins,
                           "not columns of X"),
        "bce loss": (dict(categorical_features="from_dtype", loss="bce",
                          out_activation="sigmoid"), penguins, "loss='bce'"),
        "text declared numeric": (dict(categorical_features=["sex"]),
                                  penguins, "Column 'species' is not numeric"),
    }


@pytest.mark.parametrize("case", [
    "index out of range", "10,000 distinct values", "not hashable",
    "from_dtype with an array", "a name X lacks", "bce loss",
    "text declared numeric"])
def test_bad_input_leaves_a_fitted_estimator_unchanged(case, stacked,
                                                       penguins, typed):
    params, X, message = _bad_inputs(penguins)[case]
    est = skae.load(_saved(stacked))
    before = est.inverse_transform(est.transform(typed))
    est.set_params(**params)
    with pytest.raises(ValueError, match=message):
        est.fit(X)
    assert est.n_features_in_ == 8
    pd.testing.assert_frame_equal(
        est.inverse_transform(est.transform(typed)), before)


def _saved(estimator):
    buffer = io.BytesIO()
    skae.save(estimator, buffer)
    buffer.seek(0)
    return buffer


def test_default_leaves_numeric_data_as_it_is(penguins):
    """categorical_features=None: no table, no standardisation; text
    columns are refused as before, with the way out in the message."""
    est = StackedAE(**FAST)
    with pytest.raises(ValueError, match="could not convert"):
        est.fit(penguins)
    numeric = penguins.select_dtypes("number").dropna().to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.set_params(max_iter=2).fit(numeric)
    assert not hasattr(est, "is_categorical_")
    assert est.inverse_transform(est.transform(numeric)).dtype == np.float64


def test_refit_without_categories_forgets_the_table(stacked, penguins):
    est = skae.load(_saved(stacked))
    numeric = penguins.select_dtypes("number").dropna().to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.set_params(categorical_features=None, max_iter=2).fit(numeric)
    assert not hasattr(est, "categories_")
    assert est.module_.table is None
    assert est.inverse_transform(est.transform(numeric)).shape == (
        numeric.shape)


def test_warm_start_keeps_the_encoding(stacked, typed):
    est = skae.load(_saved(stacked))
    mean = est.numeric_mean_.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.set_params(warm_start=True, max_iter=2).fit(typed.iloc[:100])
    np.testing.assert_array_equal(est.numeric_mean_, mean)


def test_denoising_chain_and_outlier_detector_on_a_table(typed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dae = DenoisingAE(categorical_features="from_dtype", **FAST).fit(
            typed)
        samples = dae.sample(50, random_state=0, n_steps=5)
        assert set(samples["island"]) <= set(typed["island"].dropna())
        detector = AutoencoderOutlierDetector(
            StackedAE(categorical_features="from_dtype", **FAST),
            random_state=0).fit(typed)
    # a penguin of an impossible kind (a Gentoo of 40 kg on Torgersen)
    odd = typed.dropna().iloc[:1].copy()
    odd["species"], odd["body_mass_g"] = "Gentoo", 40_000.0
    normal = detector.score_samples(typed.dropna())
    assert detector.score_samples(odd)[0] < np.percentile(normal, 1)
    assert detector.predict(odd)[0] == -1


@pytest.mark.filterwarnings(  # the one-epoch fit that shows the warning
    "ignore:.*reached max_iter:sklearn.exceptions.ConvergenceWarning")
def test_columns_in_different_units_warn(penguins):
    """Raw columns in millimetres and grams: a warning that says what to
    do; with categorical_features=[] they are standardised inside and
    reconstructed far better than their means."""
    X = penguins.select_dtypes("number").dropna().to_numpy()
    with pytest.warns(UserWarning, match="StandardScaler.*categorical_"):
        StackedAE(**dict(FAST, max_iter=1)).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no scale warning
        warnings.filterwarnings("ignore", ".*reached max_iter")
        est = StackedAE(categorical_features=[], **dict(
            FAST, n_components=2)).fit(X)
    out = est.inverse_transform(est.transform(X))
    assert out.dtype == np.float64
    rmse = np.sqrt((((out - X) / X.std(0)) ** 2).mean())
    assert rmse < 0.7
