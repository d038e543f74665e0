"""skae.plotting: every function renders, and shows the data it claims to."""

import io
import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.image  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from numpy.testing import assert_allclose, assert_array_equal  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402

from skae import (  # noqa: E402
    AutoencoderOutlierDetector,
    ConvAE,
    StackedAE,
    plotting,  # noqa: E402
)
from skae.nn import MLPAutoencoder  # noqa: E402
from skae.plotting import (  # noqa: E402
    maximize_activation,
    plot_features,
    plot_interpolation,
    plot_latent_space,
    plot_loss_curve,
    plot_most_activating,
    plot_reconstructions,
    plot_samples,
    plot_score_histogram,
)

#: The fits here are deliberately short: the stopping rule's warning is
#: expected (tests that check it catch it with pytest.warns).
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

SHAPE = (8, 8)
FAST = dict(hidden_layer_sizes=(32,), max_iter=30, learning_rate=1e-2,
            alpha=1e-4, early_stopping=False, random_state=0)


@pytest.fixture(autouse=True)
def _close_figures():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield
    plt.close("all")


@pytest.fixture(scope="module")
def ae(digits):
    """8-D codes, trained with a validation split (for the loss curves)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return StackedAE(n_components=8, **{**FAST, "early_stopping": True}).fit(
            digits[0])


@pytest.fixture(scope="module")
def ae2d(digits):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return StackedAE(n_components=2, **FAST).fit(digits[0])


def _png(fig):
    """Render ``fig`` to PNG with Agg and read the pixels back."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=50)
    buf.seek(0)
    return matplotlib.image.imread(buf, format="png")


def _check_rendered(fig, n_axes):
    assert isinstance(fig, matplotlib.figure.Figure)
    assert len(fig.axes) == n_axes
    pixels = _png(fig)
    assert pixels.ndim == 3 and min(pixels.shape[:2]) > 20
    assert pixels[..., :3].std() > 0.01  # not a blank canvas
    for ax in fig.axes:
        drawn = ax.images or ax.collections or ax.lines or ax.patches
        assert drawn, f"empty axes {ax.get_title()!r}"
        for image in ax.images:
            assert np.ptp(image.get_array()) > 0  # not a constant image


def _images(fig):
    return [ax.images[0].get_array() for ax in fig.axes]


# ----------------------------------------------------------------------
# every plotting function renders to PNG with the expected axes
CASES = {
    "plot_reconstructions": (lambda ae, X, y: plot_reconstructions(
        ae, X, SHAPE, n=7), 14),
    "plot_latent_space": (lambda ae, X, y: plot_latent_space(ae, X, y), 1),
    "plot_samples": (lambda ae, X, y: plot_samples(
        ae, 13, SHAPE, random_state=0), 13),
    "plot_interpolation": (lambda ae, X, y: plot_interpolation(
        ae, X[:2], X[2:4], 6, SHAPE), 12),
    "plot_features": (lambda ae, X, y: plot_features(ae, SHAPE, n=12), 12),
    "plot_most_activating": (lambda ae, X, y: plot_most_activating(
        ae, X, [0, 3, 5], SHAPE, n=4), 12),
    "plot_loss_curve": (lambda ae, X, y: plot_loss_curve(ae), 1),
    "plot_score_histogram": (lambda ae, X, y: plot_score_histogram(
        ae, X, y == 0), 1),
}


def test_every_plotting_function_is_covered():
    public = {name for name in plotting.__all__ if name.startswith("plot_")}
    assert public == set(CASES)


def test_public_names_are_the_modules_functions():
    # the API that skae.plotting had as one module: these functions, named
    # skae.plotting.<name> (the API docs and the examples' links use it)
    public = {"maximize_activation", *CASES}
    assert set(plotting.__all__) == public
    assert {name for name in vars(plotting)
            if not name.startswith("_")} == public
    for name in public:
        assert getattr(plotting, name).__module__ == "skae.plotting"


def test_import_does_not_import_matplotlib():
    # matplotlib is optional: it is imported when a figure is drawn
    code = ("import sys, skae.plotting; print(sorted(m for m in sys.modules "
            "if m.startswith('matplotlib')))")
    result = subprocess.run([sys.executable, "-c", code], check=True,
                            capture_output=True, text=True, timeout=300)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("name", sorted(CASES))
def test_renders_to_png(ae, digits, name):
    draw, n_axes = CASES[name]
    fig = draw(ae, digits[1], digits[3])
    _check_rendered(fig, n_axes)


def test_functions_never_show(ae, digits, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("plt.show() was called")

    monkeypatch.setattr(plt, "show", fail)
    for draw, _ in CASES.values():
        draw(ae, digits[1], digits[3])


# ----------------------------------------------------------------------
# each figure shows what it says
def test_reconstructions_show_inputs_above_their_reconstructions(ae, digits):
    X = digits[1][:5]
    images = _images(plot_reconstructions(ae, X, n=5))  # square: inferred
    rec = ae.inverse_transform(ae.transform(X))
    for j in range(5):
        assert_allclose(images[j], X[j].reshape(SHAPE))
        assert_allclose(images[5 + j], rec[j].reshape(SHAPE), rtol=1e-5)


def test_reconstructions_images_need_a_shape(digits):
    X = digits[1]
    with pytest.raises(ValueError, match="image_shape"):
        plot_reconstructions(PCA(2).fit(X[:, :10]), X[:, :10], kind="image")
    with pytest.raises(ValueError, match="does not fit 64 features"):
        plot_reconstructions(PCA(8).fit(X), X, image_shape=(4, 4))
    with pytest.raises(ValueError, match="kind"):
        plot_reconstructions(PCA(8).fit(X), X, kind="images")


def test_latent_space_of_2d_codes_is_the_codes_by_label(ae2d, digits):
    X, y = digits[1], digits[3]
    fig = plot_latent_space(ae2d, X, y)
    ax = fig.axes[0]
    points = np.vstack([c.get_offsets() for c in ax.collections])
    codes = ae2d.transform(X)
    expected = np.vstack([codes[y == label] for label in np.unique(y)])
    assert_allclose(points, expected, rtol=1e-6)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        str(d) for d in range(10)]
    assert ax.get_xlabel() == "stackedae0"


def test_latent_space_projects_wider_codes_with_pca(ae, digits):
    X = digits[1]
    fig = plot_latent_space(ae, X)
    ax = fig.axes[0]
    assert "PC 1" in ax.get_xlabel() and "PCA" in ax.get_title()
    expected = PCA(2).fit_transform(ae.transform(X).astype(float))
    assert_allclose(ax.collections[0].get_offsets(), expected, rtol=1e-5,
                    atol=1e-6)


def test_latent_space_continuous_labels_get_a_colour_bar(digits):
    from skae.datasets import make_curved_plane

    X, t = make_curved_plane(100, random_state=0)
    fig = plot_latent_space(PCA(2).fit(X), X, t)
    _check_rendered(fig, 2)  # the scatter and its colour bar
    with pytest.raises(ValueError, match="labels"):
        plot_latent_space(PCA(2).fit(X), X, t[:5])


def test_samples_are_the_estimators_samples(ae):
    images = _images(plot_samples(ae, 4, SHAPE, random_state=3))
    expected = ae.sample(4, random_state=3)
    for image, sample in zip(images, expected):
        assert_allclose(image, sample.reshape(SHAPE))


def test_interpolation_runs_between_the_two_reconstructions(ae, digits):
    a, b = digits[1][0], digits[1][1]
    images = _images(plot_interpolation(ae, a, b, n_steps=5))
    codes = ae.transform(np.vstack([a, b]))
    ends = ae.inverse_transform(codes)
    middle = ae.inverse_transform(codes.mean(0, keepdims=True))[0]
    assert_allclose(images[0], ends[0].reshape(SHAPE), rtol=1e-5, atol=1e-6)
    assert_allclose(images[-1], ends[1].reshape(SHAPE), rtol=1e-5, atol=1e-6)
    assert_allclose(images[2], middle.reshape(SHAPE), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="n_steps"):
        plot_interpolation(ae, a, b, n_steps=1)
    with pytest.raises(ValueError, match="same shape"):
        plot_interpolation(ae, digits[1][:2], b)


def test_interpolation_uses_skae_interpolate(ae, digits, monkeypatch):
    calls = []

    def interpolate(estimator, x_start, x_end, n_steps):
        calls.append(n_steps)
        return np.tile(np.linspace(0, 1, 64), (n_steps, 1))

    monkeypatch.setattr(plotting._latent, "interpolate", interpolate)
    images = _images(plot_interpolation(ae, digits[1][0], digits[1][1], 3))
    assert calls == [3]
    assert_allclose(images[1], np.linspace(0, 1, 64).reshape(SHAPE))


def test_features_are_the_first_layer_weights(ae, digits):
    images = _images(plot_features(ae, units=[3, 5]))
    weights = ae.module_.encoder[0].weight.detach().numpy()
    assert_allclose(images[0], weights[3].reshape(SHAPE))
    assert_allclose(images[1], weights[5].reshape(SHAPE))
    pca = PCA(4).fit(digits[0])
    images = _images(plot_features(pca, n=10))
    assert len(images) == 4  # PCA has only 4 components
    assert_allclose(images[2], pca.components_[2].reshape(SHAPE))
    with pytest.raises(ValueError, match="units"):
        plot_features(ae, units=[32])
    with pytest.raises(TypeError, match="encoder"):
        plot_features(StandardScaler().fit(digits[0]))


def test_most_activating_rows_are_the_top_inputs_of_each_unit(ae, digits):
    X = digits[1]
    fig = plot_most_activating(ae, X, [2, 6], n=3)
    codes = ae.transform(X)
    images = _images(fig)
    for row, unit in enumerate([2, 6]):
        top = np.argsort(-codes[:, unit])[:3]
        for col, i in enumerate(top):
            assert_allclose(images[3 * row + col], X[i].reshape(SHAPE))
        shown = [float(ax.get_title()) for ax in fig.axes[3 * row:3 * row + 3]]
        assert shown == sorted(shown, reverse=True)
        assert shown[0] == pytest.approx(codes[:, unit].max(), abs=0.006)


def test_maximize_activation_beats_every_real_input(ae, digits):
    X = digits[1]
    before = ae.transform(X)
    image = maximize_activation(ae, 4, bounds=(0, 1), random_state=0)
    assert image.shape == (64,) and image.dtype == np.float32
    assert image.min() >= 0 and image.max() <= 1
    activation = ae.transform(image.reshape(1, -1))[0, 4]
    assert activation > before[:, 4].max()
    assert_array_equal(ae.transform(X), before)  # the estimator is unchanged
    again = maximize_activation(ae, 4, bounds=(0, 1), random_state=0,
                                image_shape=SHAPE)
    assert_array_equal(again, image.reshape(SHAPE))
    other = maximize_activation(ae, 5, bounds=(0, 1), random_state=0)
    assert not np.allclose(other, image)
    with pytest.raises(ValueError, match="units"):
        maximize_activation(ae, 8)
    with pytest.raises(ValueError, match="bounds"):
        maximize_activation(ae, 0, bounds=(1, 0))
    with pytest.raises(TypeError, match="skae autoencoder"):
        maximize_activation(PCA(2).fit(X), 0)


def test_loss_curve_draws_the_history(ae):
    ax = plot_loss_curve(ae).axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"train loss (= reconstruction)",
                          "valid loss (= reconstruction)"}
    history = ae.net_.history
    assert_allclose(lines["train loss (= reconstruction)"].get_ydata(),
                    history[:, "train_loss"])
    assert_allclose(lines["valid loss (= reconstruction)"].get_ydata(),
                    history[:, "valid_loss"])
    assert ax.get_yscale() == "log"
    with pytest.raises(TypeError, match="net_"):
        plot_loss_curve(PCA(2).fit(np.eye(3)))


class _ActivityNet(MLPAutoencoder):
    """A network with a second loss term (an L1 penalty on the codes)."""

    loss_term_names = ("reconstruction", "activity")

    def loss_terms(self, out, target):
        terms = super().loss_terms(out, target)
        terms["activity"] = 0.1 * out["code"].abs().mean()
        terms["loss"] = terms["loss"] + terms["activity"]
        return terms


class _ActivityAE(StackedAE):
    def _build_module(self, n_features):
        return _ActivityNet(n_features, **self._module_kwargs())


def test_loss_curve_draws_each_loss_term(digits):
    est = _ActivityAE(n_components=4, **{**FAST, "max_iter": 5}).fit(
        digits[0])
    ax = plot_loss_curve(est).axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"train loss", "train reconstruction",
                          "train activity"}
    history = est.net_.history
    for term in ("reconstruction", "activity"):
        assert_allclose(lines[f"train {term}"].get_ydata(),
                        history[:, f"train_{term}"])
    assert lines["train activity"].get_color() != lines["train loss"].get_color()


def test_missing_matplotlib_says_how_to_install_it(ae, digits, monkeypatch):
    for name in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"pip install skae\[plot\]"):
        plot_reconstructions(ae, digits[1])
    # maximize_activation needs only torch
    assert maximize_activation(ae, 0, n_steps=2, random_state=0).shape == (64,)
    assert torch.is_grad_enabled()


@pytest.mark.parametrize("shape", [(1, 8, 8), (8, 8, 1)])
def test_single_channel_shapes_show_as_grey_images(ae, digits, shape):
    images = _images(plot_reconstructions(ae, digits[1], shape, n=2))
    assert_allclose(images[0], digits[1][0].reshape(SHAPE))


def test_colour_images_channels_first_or_last(digits):
    rng = np.random.RandomState(0)
    X = rng.rand(20, 75)  # 5x5 RGB images
    pca = PCA(5).fit(X)
    last = _images(plot_reconstructions(pca, X, (5, 5, 3), n=2))
    first = _images(plot_reconstructions(pca, X, (3, 5, 5), n=2))
    assert last[0].shape == first[0].shape == (5, 5, 3)
    assert_allclose(last[0], X[0].reshape(5, 5, 3))
    assert_allclose(first[0], np.moveaxis(X[0].reshape(3, 5, 5), 0, -1))


# ----------------------------------------------------------------------
# PCA in every function that needs only transform / inverse_transform
@pytest.fixture(scope="module")
def pca(digits):
    return PCA(8, random_state=0).fit(digits[0])


def test_pca_reconstructions_are_pcas(pca, digits):
    X = digits[1][:4]
    fig = plot_reconstructions(pca, X, n=4)
    _check_rendered(fig, 8)
    rec = pca.inverse_transform(pca.transform(X))
    for j, image in enumerate(_images(fig)[4:]):
        assert_allclose(image, rec[j].reshape(SHAPE))


def test_pca_latent_space_is_pcas_codes(digits):
    X, y = digits[1], digits[3]
    pca2 = PCA(2).fit(digits[0])
    ax = plot_latent_space(pca2, X, y).axes[0]
    points = np.vstack([c.get_offsets() for c in ax.collections])
    codes = pca2.transform(X)
    expected = np.vstack([codes[y == label] for label in np.unique(y)])
    assert_allclose(points, expected, rtol=1e-6)
    assert ax.get_xlabel() == "pca0"


def test_pca_interpolation_decodes_the_line_between_codes(pca, digits):
    a, b = digits[1][0], digits[1][1]
    images = _images(plot_interpolation(pca, a, b, n_steps=3))
    codes = pca.transform(np.vstack([a, b]))
    middle = pca.inverse_transform(codes.mean(0, keepdims=True))[0]
    assert_allclose(images[1], middle.reshape(SHAPE), rtol=1e-5, atol=1e-6)


def test_pca_most_activating_are_the_top_inputs_per_component(pca, digits):
    X = digits[1]
    images = _images(plot_most_activating(pca, X, [0, 1], n=2))
    codes = pca.transform(X)
    top = np.argsort(-codes[:, 1])[:2]
    assert_allclose(images[2], X[top[0]].reshape(SHAPE))
    assert_allclose(images[3], X[top[1]].reshape(SHAPE))


def test_pca_samples_decode_gaussian_codes_of_pcas_variances(pca, digits):
    images = _images(plot_samples(pca, 4, random_state=3))
    rng = np.random.RandomState(3)
    codes = rng.standard_normal((4, 8)) * np.sqrt(pca.explained_variance_)
    expected = pca.inverse_transform(codes)
    for image, sample in zip(images, expected):
        assert_allclose(image, sample.reshape(SHAPE), rtol=1e-5, atol=1e-7)
    # the codes of many samples have the variances of the training codes
    samples = plotting._generate(pca, 20_000, np.random.RandomState(0))
    assert_allclose(np.var(pca.transform(samples), axis=0),
                    pca.explained_variance_, rtol=0.05)
    # whitened codes have unit variance: the samples are the same model's
    white = PCA(8, whiten=True, random_state=0).fit(digits[0])
    samples = plotting._generate(white, 20_000, np.random.RandomState(0))
    assert_allclose(np.var(pca.transform(samples), axis=0),
                    pca.explained_variance_, rtol=0.05)


def test_samples_of_a_pipeline_go_back_through_its_steps(digits):
    X = digits[0]
    pipe = make_pipeline(StandardScaler(), PCA(8, random_state=0)).fit(X)
    samples = plotting._generate(pipe, 5, np.random.RandomState(1))
    scaler, pca = pipe
    expected = scaler.inverse_transform(
        plotting._generate(pca, 5, np.random.RandomState(1)))
    assert_allclose(samples, expected)
    _check_rendered(plot_samples(pipe, 5, random_state=1), 5)


def test_samples_need_a_generative_model(digits):
    with pytest.raises(TypeError, match="sample"):
        plot_samples(StandardScaler().fit(digits[0]))
    with pytest.raises(NotFittedError):
        plot_samples(PCA(2))


# ----------------------------------------------------------------------
# a ConvAE's fitted image shape (C, H, W)
@pytest.fixture(scope="module")
def colour_conv():
    """A ConvAE fitted on 64 random 3x6x6 colour images (108 features)."""
    images = np.random.RandomState(0).rand(64, 3, 6, 6).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        conv = ConvAE(n_components=4, filters=(4,), max_iter=2, batch_size=16,
                      random_state=0).fit(images)
    assert conv.image_shape_ == (3, 6, 6)
    return conv, images


@pytest.mark.parametrize("layout", ["flat", "images"])
def test_conv_image_shape_is_used(colour_conv, layout):
    conv, images = colour_conv
    X = images.reshape(64, -1) if layout == "flat" else images
    fig = plot_reconstructions(conv, X, n=3)  # 108 features: not a square
    _check_rendered(fig, 6)
    shown = _images(fig)
    assert shown[0].shape == (6, 6, 3)
    assert_allclose(shown[0], np.moveaxis(images[0], 0, -1))
    rec = conv.inverse_transform(conv.transform(images[:3].reshape(3, -1)))
    assert_allclose(shown[3], np.moveaxis(rec[0].reshape(3, 6, 6), 0, -1),
                    rtol=1e-5)
    images_of = [_images(plot_samples(conv, 2, random_state=0)),
                 _images(plot_most_activating(conv, X, [0], n=2)),
                 _images(plot_interpolation(conv, X[0].reshape(-1),
                                            X[1].reshape(-1), 3))]
    for drawn in images_of:
        assert all(image.shape == (6, 6, 3) for image in drawn)


def test_conv_image_shape_inside_a_pipeline(colour_conv):
    conv, images = colour_conv
    flat = images.reshape(64, -1)
    pipe = make_pipeline(MinMaxScaler(), conv)  # (already fitted steps)
    pipe[0].fit(flat)
    assert _images(plot_reconstructions(pipe, flat, n=2))[0].shape == (
        6, 6, 3)


# ----------------------------------------------------------------------
# tabular data
@pytest.fixture(scope="module")
def cancer():
    data = load_breast_cancer(as_frame=True)
    X = StandardScaler().set_output(transform="pandas").fit_transform(
        data.data)
    ae = StackedAE(n_components=4, hidden_layer_sizes=(16,), max_iter=20,
                   random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ae.fit(X), X


def test_tabular_reconstructions_show_features_not_images(cancer):
    ae, X = cancer  # 30 features: not an image
    fig = plot_reconstructions(ae, X, n=3)
    _check_rendered(fig, 4)
    bars, *samples = fig.axes
    rec = ae.inverse_transform(ae.transform(X))
    values = X.to_numpy()
    heights = [patch.get_height() for patch in bars.patches]
    assert_allclose(heights, np.mean((rec - values) ** 2, axis=0), rtol=1e-5)
    assert [t.get_text() for t in bars.get_xticklabels()] == list(X.columns)
    for k, ax in enumerate(samples):
        dots, line = ax.get_lines()
        assert_allclose(dots.get_ydata(), values[k])
        assert_allclose(line.get_ydata(), rec[k], rtol=1e-5)
    assert not fig.axes[1].images


def test_tabular_is_chosen_for_small_squares_and_on_request(ae, digits):
    X = digits[1]
    pca = PCA(2).fit(X[:, :16])  # 16 features: a table, not a 4x4 image
    _check_rendered(plot_reconstructions(pca, X[:, :16], n=2), 3)
    _check_rendered(plot_reconstructions(pca, X[:, :16], (4, 4), n=2), 4)
    fig = plot_reconstructions(ae, X, n=2, kind="tabular")  # 8x8 digits
    _check_rendered(fig, 3)
    assert not any(ax.images for ax in fig.axes)


def test_one_dimensional_signals_are_drawn_as_tabular(digits):
    X = digits[1][:, :30]
    conv = ConvAE(n_components=2, image_shape=(1, -1), filters=(4,),
                  max_iter=1, random_state=0).fit(X)
    assert conv.image_shape_ == (1, 1, 30)
    fig = plot_reconstructions(conv, X, n=2)
    _check_rendered(fig, 3)
    assert not any(ax.images for ax in fig.axes)


# ----------------------------------------------------------------------
# score histograms
@pytest.fixture(scope="module")
def zero_detector(digits):
    X_train, _, y_train, _ = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return AutoencoderOutlierDetector(
            StackedAE(n_components=8, **{**FAST, "max_iter": 10}),
            contamination=0.05).fit(X_train[y_train == 0])


def _threshold_lines(ax):
    return [line for line in ax.get_lines() if "threshold" in line.get_label()]


def test_score_histogram_by_label_with_the_threshold(zero_detector, digits):
    X, y = digits[1], digits[3]
    is_inlier = np.where(y == 0, 1, -1)
    fig = plot_score_histogram(zero_detector, X, is_inlier, density=False)
    _check_rendered(fig, 1)
    ax = fig.axes[0]
    scores = zero_detector.score_samples(X)
    edges = np.histogram_bin_edges(scores, bins=50)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[:2] == [f"outlier ({np.sum(y != 0)})",
                          f"inlier ({np.sum(y == 0)})"]
    for patch, label in zip(ax.patches, [-1, 1]):
        counts, _ = np.histogram(scores[is_inlier == label], edges)
        assert patch.get_xy()[:, 1].max() == counts.max()
        assert patch.get_xy()[:, 0].min() == pytest.approx(edges[0])
    (line,) = _threshold_lines(ax)
    assert line.get_xdata()[0] == pytest.approx(zero_detector.offset_)
    below = np.mean(scores < zero_detector.offset_)
    assert f"({100 * below:.0f}% below)" in line.get_label()
    assert ax.get_ylabel() == "samples"


def test_score_histogram_of_other_estimators(zero_detector, ae, digits):
    X, y = digits[1], digits[3]
    ax = plot_score_histogram(ae, X).axes[0]  # an autoencoder: no threshold
    assert not _threshold_lines(ax) and len(ax.patches) == 1
    assert ax.get_ylabel() == "density"
    iforest = IsolationForest(random_state=0).fit(X)
    (line,) = _threshold_lines(plot_score_histogram(iforest, X, y).axes[0])
    assert line.get_xdata()[0] == pytest.approx(iforest.offset_)
    pipe = make_pipeline(MinMaxScaler(), zero_detector)  # a fitted step
    pipe[0].fit(X)
    ax = plot_score_histogram(pipe, X, y).axes[0]
    assert len(ax.patches) == 10  # one histogram per digit
    (line,) = _threshold_lines(ax)
    assert line.get_xdata()[0] == pytest.approx(zero_detector.offset_)
    with pytest.raises(ValueError, match="labels"):
        plot_score_histogram(ae, X, y[:5])
