"""`mnist.load_data()` as in Keras, from the file Keras caches (~/.keras/datasets/mnist.npz).

symk never downloads: where the file is missing, the error says where to put it.
"""
from __future__ import annotations

import os

import numpy as np


def load_data(path: str = "mnist.npz"):
    """((x_train, y_train), (x_test, y_test)) from Keras's cached mnist.npz."""
    candidates = [path] if os.path.isabs(path) else [
        os.path.join(os.environ.get("KERAS_HOME", os.path.expanduser("~/.keras")), "datasets", path), path]
    for candidate in candidates:
        if os.path.exists(candidate):
            with np.load(candidate, allow_pickle=False) as f:
                return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    raise FileNotFoundError(
        f"mnist.load_data: no local copy of {path!r} (looked in {', '.join(candidates)}). symk does not download "
        "data sets; copy Keras's mnist.npz (keys x_train, y_train, x_test, y_test) to the first of those paths.")
