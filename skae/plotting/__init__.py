"""Looking inside a fitted autoencoder: reconstructions, codes, features,
curves.

Every ``plot_*`` function takes a fitted estimator (and data), draws a new
matplotlib figure (or into ``ax``) and returns the
:class:`~matplotlib.figure.Figure`; none calls ``plt.show()``.
:func:`maximize_activation` returns an image, not a figure.

The functions that only need ``transform`` / ``inverse_transform``
(:func:`plot_reconstructions`, :func:`plot_latent_space`,
:func:`plot_most_activating`, :func:`plot_interpolation`) also accept a
fitted :class:`~sklearn.decomposition.PCA` or a
:class:`~sklearn.pipeline.Pipeline`, so an autoencoder and PCA can be shown
side by side; so do :func:`plot_samples` (PCA's samples are decoded draws of
a Gaussian over its codes) and :func:`plot_features` (PCA's
``components_``). :func:`plot_score_histogram` takes any estimator with
``score_samples``: an :class:`~skae.AutoencoderOutlierDetector`, an
autoencoder, or scikit-learn's outlier detectors.

Images: the shape of a sample is, in this order, the ``image_shape``
argument, the shape of 3-D or 4-D input arrays, a fitted
:class:`~skae.ConvAE`'s ``image_shape_`` (``(C, H, W)``), the estimator's
``image_shape`` parameter, or a square of side 8 or more. Other data are
tabular: :func:`plot_reconstructions` then draws features, not images.

Why functions returning figures, and no ``Display`` classes (scikit-learn's
``RocCurveDisplay.from_estimator`` convention): most of these plots are grids
of images, one axes per sample or unit, which a single-axes ``Display``
with a ``line_`` to restyle does not describe; the single-axes ones
(:func:`plot_latent_space`, :func:`plot_loss_curve`,
:func:`plot_score_histogram`) take ``ax=`` to draw into a figure of yours and
leave every artist on the returned figure to restyle, and what a
``Display`` would cache (codes, scores) is one ``transform`` or
``score_samples`` call away. Where a standard restylable plot exists,
scikit-learn's display is the one to use: the ROC curve of a detector is
``RocCurveDisplay.from_predictions(is_inlier, detector.score_samples(X))``
(its ``from_estimator`` takes classifiers only). One convention for the
whole module keeps it predictable.

matplotlib is an optional dependency: ``pip install skae[plot]``.
"""

from ._curves import plot_loss_curve, plot_score_histogram
from ._features import maximize_activation, plot_features, plot_most_activating
from ._latent import (
    _generate,  # noqa: F401 (the tests draw samples with it)
    plot_interpolation,
    plot_latent_space,
    plot_samples,
)
from ._reconstructions import plot_reconstructions

__all__ = [
    "maximize_activation",
    "plot_features",
    "plot_interpolation",
    "plot_latent_space",
    "plot_loss_curve",
    "plot_most_activating",
    "plot_reconstructions",
    "plot_samples",
    "plot_score_histogram",
]

# The public functions are documented, pickled and cross-referenced as
# skae.plotting.<name>, wherever in the package they are written.
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
