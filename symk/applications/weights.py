"""Resolving an application's `weights=` argument: None, a local weights file, or "imagenet" looked up
in Keras's local cache directory under Keras's own file name (never downloaded).

    check_weights_arguments(weights, include_top, classes)      # before building
    load_weights(model, weights, "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5")   # after
"""
from __future__ import annotations

import os

__all__ = ["keras_cache_dirs", "find_in_keras_cache", "check_weights_arguments", "load_weights"]


def keras_cache_dirs() -> list[str]:
    """Where Keras's `get_file(..., cache_subdir="models")` puts files: `$KERAS_HOME/models` (default
    `~/.keras/models`), and `/tmp/.keras/models`, Keras's fallback when that home is not writable."""
    home = os.path.expanduser(os.environ.get("KERAS_HOME", os.path.join("~", ".keras")))
    dirs = [os.path.join(home, "models")]
    fallback = os.path.join("/tmp", ".keras", "models")
    if fallback not in dirs:
        dirs.append(fallback)
    return dirs


def find_in_keras_cache(file_name: str, what: str) -> str:
    """The path of `file_name` in Keras's cache directory, or a FileNotFoundError saying where to put it."""
    dirs = keras_cache_dirs()
    for folder in dirs:
        path = os.path.join(folder, file_name)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        f"symk never downloads files: {what} needs Keras's file {file_name!r}, which is not in the Keras cache "
        f"directory (looked in {', '.join(repr(d) for d in dirs)}). Download it once (e.g. with Keras, or from "
        "https://storage.googleapis.com/tensorflow/keras-applications/) and put it at "
        f"{os.path.join(dirs[0], file_name)!r} "
        "(set $KERAS_HOME to use another cache directory), or pass its path as `weights=`.")


def check_weights_arguments(weights, include_top: bool, classes: int, model_name: str = "this model") -> None:
    """Keras's checks on the `weights`/`include_top`/`classes` combination, as clear ValueErrors."""
    if not (weights in {"imagenet", None} or (isinstance(weights, (str, os.PathLike)) and os.path.exists(weights))):
        raise ValueError("The `weights` argument should be either `None` (random initialization), 'imagenet' "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded. "
                         f"Received: weights={weights!r} (for {model_name}; a path must name an existing file)")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000. "
                         f"Received: classes={classes} (for {model_name}; use include_top=False and your own "
                         "classifier for another number of classes)")


def load_weights(model, weights, imagenet_file_name: str | None):
    """Load `weights` into a freshly built application model: a path loads with `model.load_weights`
    (Keras's legacy .h5 layout, by position), "imagenet" loads Keras's cached file `imagenet_file_name`
    (None: Keras publishes no ImageNet weights for this configuration)."""
    if weights is None:
        return model
    if weights == "imagenet":
        if imagenet_file_name is None:
            raise ValueError(f"Keras publishes no ImageNet weights for {model.name!r} with these arguments "
                             "(input size, alpha, ...): use weights=None or a weights file path.")
        path = find_in_keras_cache(imagenet_file_name, what=f"weights='imagenet' for {model.name!r}")
    else:
        path = os.fspath(weights)
    model.load_weights(path)
    return model
