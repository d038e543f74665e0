"""Real face images without the network: Olivetti when cached, else LFW."""

import numpy as np
from sklearn.utils import Bunch

SOURCES = ("auto", "olivetti", "lfw_subset")

_DESCR = {
    "olivetti": (
        "The Olivetti faces (AT&T Laboratories Cambridge): 400 images, 64x64, "
        "ten of each of 40 people, grey levels in [0, 1]; read from "
        "scikit-learn's data cache (fetch_olivetti_faces)."
    ),
    "lfw_subset": (
        "100 faces from Labeled Faces in the Wild, cropped and resized to "
        "25x25, grey levels in [0, 1]; shipped in the scikit-image wheel "
        "(skimage.data.lfw_subset, its first 100 images)."
    ),
}


def _olivetti(data_home):
    from sklearn.datasets import fetch_olivetti_faces

    # never downloads: raises OSError when the data is not in the cache
    faces = fetch_olivetti_faces(data_home=data_home,
                                 download_if_missing=False)
    return np.asarray(faces.images, dtype=np.float32)


def _lfw_subset():
    try:
        from skimage.data import lfw_subset
    except ImportError:
        raise ImportError(
            "load_faces needs scikit-image for its offline faces (or the "
            "Olivetti faces in scikit-learn's data cache); install it with "
            "`pip install scikit-image` (or `pip install skae[datasets]`)."
        ) from None
    return np.asarray(lfw_subset()[:100], dtype=np.float32)


def load_faces(*, source="auto", data_home=None):
    """Load real face images, offline.

    The seeds' convolutional autoencoder uses the Olivetti faces, which
    scikit-learn downloads. skae never downloads: with ``source="auto"`` the
    Olivetti faces are used when they are already in scikit-learn's data
    cache (``fetch_olivetti_faces(download_if_missing=False)``), and
    otherwise the 100 face images (25x25) that scikit-image ships in its
    wheel (``skimage.data.lfw_subset()``, whose first 100 images are faces).

    ==================  ===================  =================
    source              olivetti             lfw_subset
    ==================  ===================  =================
    Samples             400                  100
    Image size          64x64                25x25
    Features            float32, [0, 1]      float32, [0, 1]
    ==================  ===================  =================

    Parameters
    ----------
    source : {"auto", "olivetti", "lfw_subset"}, default="auto"
        Where the faces come from. ``"olivetti"`` raises an error when they
        are not in the cache (fetch them once with
        ``sklearn.datasets.fetch_olivetti_faces()`` on a machine with a
        network); ``"auto"`` falls back to ``"lfw_subset"`` then.
    data_home : str or path-like, default=None
        scikit-learn's data cache folder (default ``~/scikit_learn_data``).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (n_faces, H*W) float32, the flattened ``images``
        (n_faces, H, W) float32, ``source`` (``"olivetti"`` or
        ``"lfw_subset"``) and ``DESCR``.

    See Also
    --------
    sklearn.datasets.fetch_olivetti_faces : the seeds' faces (downloads).
    skimage.data.lfw_subset : the bundled faces and non-faces.
    load_mnist : 5,000 real MNIST digits, offline.

    Examples
    --------
    >>> from skae.datasets import load_faces
    >>> faces = load_faces(source="lfw_subset")
    >>> faces.data.shape, faces.images.shape, faces.source
    ((100, 625), (100, 25, 25), 'lfw_subset')
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}; got {source!r}.")
    images = None
    if source in ("auto", "olivetti"):
        try:
            images = _olivetti(data_home)
            found = "olivetti"
        except OSError as error:
            if source == "olivetti":
                raise OSError(
                    "The Olivetti faces are not in scikit-learn's data cache "
                    f"({error}); skae does not download. Run "
                    "sklearn.datasets.fetch_olivetti_faces() once with a "
                    "network, or use source='auto' or 'lfw_subset'."
                ) from error
    if images is None:
        images = _lfw_subset()
        found = "lfw_subset"
    return Bunch(
        data=images.reshape(len(images), -1),
        images=images,
        source=found,
        DESCR=_DESCR[found],
    )
