"""`symk.datasets`: Keras's dataset loaders, reading the files Keras caches (no downloads here)."""
from . import mnist  # noqa: F401
