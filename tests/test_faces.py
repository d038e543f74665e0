"""load_faces: real faces offline, Olivetti only from scikit-learn's cache."""

import numpy as np
import pytest
import sklearn.datasets
from sklearn.utils import Bunch

from skae.datasets import load_faces

#: The fits here are deliberately short: the stopping rule's warning is
#: expected (tests that check it catch it with pytest.warns).
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")


def test_lfw_subset_faces_ship_with_scikit_image():
    from skimage.data import lfw_subset

    faces = load_faces(source="lfw_subset")
    assert faces.source == "lfw_subset"
    assert faces.images.shape == (100, 25, 25)
    assert faces.data.shape == (100, 625)
    assert faces.data.dtype == faces.images.dtype == np.float32
    assert faces.data.min() >= 0 and faces.data.max() <= 1
    np.testing.assert_array_equal(faces.images[3].ravel(), faces.data[3])
    # the first 100 images of lfw_subset are the faces, the rest are not
    np.testing.assert_allclose(faces.images, lfw_subset()[:100], atol=1e-6)
    assert "LFW" in faces.DESCR or "Labeled Faces" in faces.DESCR


def test_auto_never_downloads_and_falls_back(monkeypatch, tmp_path):
    calls = []
    real_fetch = sklearn.datasets.fetch_olivetti_faces

    def spy(**kwargs):
        calls.append(kwargs)
        return real_fetch(**kwargs)

    monkeypatch.setattr(sklearn.datasets, "fetch_olivetti_faces", spy)
    faces = load_faces(data_home=tmp_path)  # an empty cache
    assert calls == [{"data_home": tmp_path, "download_if_missing": False}]
    assert faces.source == "lfw_subset"
    assert faces.data.shape == (100, 625)


def test_olivetti_from_the_cache_when_it_is_there(monkeypatch):
    cached = np.random.RandomState(0).rand(400, 64, 64).astype(np.float32)

    def fetch(data_home=None, download_if_missing=True, **kwargs):
        assert download_if_missing is False
        return Bunch(images=cached, data=cached.reshape(400, -1))

    monkeypatch.setattr(sklearn.datasets, "fetch_olivetti_faces", fetch)
    faces = load_faces()
    assert faces.source == "olivetti"
    assert faces.images.shape == (400, 64, 64)
    assert faces.data.shape == (400, 4096)
    np.testing.assert_array_equal(faces.images, cached)
    assert "Olivetti" in faces.DESCR
    # asking for the bundled faces skips the cache
    assert load_faces(source="lfw_subset").source == "lfw_subset"


def test_olivetti_missing_from_the_cache_is_a_clear_error(tmp_path):
    with pytest.raises(OSError, match="not in scikit-learn's data cache"):
        load_faces(source="olivetti", data_home=tmp_path)
    with pytest.raises(ValueError, match="source must be one of"):
        load_faces(source="lfw")
