"""The version of skae: its one source (``setup.cfg`` reads it too)."""

__version__ = "0.1.0"
