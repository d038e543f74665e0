"""Data sets that need no network: real MNIST digits, faces and the seeds' toy
data."""

from ._faces import load_faces
from ._mnist import load_mnist
from ._synthetic import make_curved_plane

__all__ = ["load_faces", "load_mnist", "make_curved_plane"]
