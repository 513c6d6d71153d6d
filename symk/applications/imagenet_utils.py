"""`keras.applications.imagenet_utils`: preprocess_input (caffe/tf/torch), decode_predictions, and the
argument checks every architecture shares (obtain_input_shape, validate_activation, correct_pad).

    x = imagenet_utils.preprocess_input(images, mode="caffe")     # numpy in, numpy out; symbolic in, symbolic out
"""
from __future__ import annotations

import json
import warnings

import numpy as np

from .. import activations, config
from .. import ops
from ..graph import SymbolicTensor
from .weights import find_in_keras_cache

__all__ = ["preprocess_input", "decode_predictions", "obtain_input_shape", "validate_activation", "correct_pad"]

CLASS_INDEX_FILE = "imagenet_class_index.json"
_CLASS_INDEX = None  # loaded once, as Keras does

PREPROCESS_INPUT_DOC = """Preprocesses a batch of images for the {name} architecture (Keras's `preprocess_input`).

    x: a float numpy array or symbolic tensor of RGB images in [0, 255], 3D or 4D.
    data_format: None (the global image data format), "channels_last" or "channels_first".
"""

# mean and std per mode (RGB order; caffe converts to BGR first and has no std)
_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
_TORCH_MEAN, _TORCH_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def _check_data_format(data_format):
    if data_format is None:
        data_format = config.image_data_format()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(f"preprocess_input: data_format must be 'channels_first' or 'channels_last'. "
                         f"Received: data_format={data_format!r}")
    return data_format


def preprocess_input(x, data_format=None, mode="caffe"):
    """Scale images as a network's training did: "caffe" (BGR minus the ImageNet mean), "tf" ([-1, 1]) or
    "torch" ([0, 1], then ImageNet mean and std). Unlike Keras, a numpy input is never modified in place."""
    if mode not in {"caffe", "tf", "torch"}:
        raise ValueError(f"preprocess_input: mode must be one of 'caffe', 'tf' or 'torch'. Received: mode={mode!r}")
    data_format = _check_data_format(data_format)
    if isinstance(x, SymbolicTensor):
        return _preprocess_symbolic(x, data_format, mode)
    x = np.array(x, copy=True)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(config.floatx())
    return _preprocess_numpy(x, data_format, mode)


def _channel_view(x, data_format):
    """x with the channel axis moved last (a view, so writes reach x)."""
    if data_format == "channels_first":
        return np.moveaxis(x, 0 if x.ndim == 3 else 1, -1)
    return x


def _preprocess_numpy(x, data_format, mode):
    if mode == "tf":
        return x / x.dtype.type(127.5) - x.dtype.type(1.0)
    if mode == "torch":
        x = x / x.dtype.type(255.0)
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        channels_last = _channel_view(x, data_format)
        x = np.ascontiguousarray(np.moveaxis(channels_last[..., ::-1], -1, 0 if x.ndim == 3 else 1)
                                 if data_format == "channels_first" else channels_last[..., ::-1])
        mean, std = _CAFFE_MEAN_BGR, None
    view = _channel_view(x, data_format)
    for channel in range(3):
        view[..., channel] -= mean[channel]
        if std is not None:
            view[..., channel] /= std[channel]
    return x


def _preprocess_symbolic(x, data_format, mode):
    if not str(x.dtype).startswith("float"):
        x = ops.cast(x, config.floatx())
    if mode == "tf":
        return x / 127.5 - 1.0
    channel_axis = -1 if data_format == "channels_last" else (0 if len(x.shape) == 3 else 1)
    if mode == "torch":
        x = x / 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = ops.flip(x, axis=channel_axis)
        mean, std = _CAFFE_MEAN_BGR, None
    shape = [1] * len(x.shape)
    shape[channel_axis] = 3
    x = x - np.asarray(mean, config.floatx()).reshape(shape)
    if std is not None:
        x = x / np.asarray(std, config.floatx()).reshape(shape)
    return x


def decode_predictions(preds, top: int = 5) -> list:
    """[[(class_id, class_name, score), ...] per sample], the `top` best first. Reads Keras's
    imagenet_class_index.json from the Keras cache directory (never downloads it)."""
    global _CLASS_INDEX
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape "
                         f"(samples, 1000)). Received array with shape: {preds.shape}")
    if _CLASS_INDEX is None:
        path = find_in_keras_cache(CLASS_INDEX_FILE, what="the ImageNet class index for decode_predictions")
        with open(path) as f:
            _CLASS_INDEX = json.load(f)
    results = []
    for pred in preds:
        best = pred.argsort()[-top:][::-1]
        result = [tuple(_CLASS_INDEX[str(i)]) + (pred[i],) for i in best]
        result.sort(key=lambda item: item[2], reverse=True)
        results.append(result)
    return results


def obtain_input_shape(input_shape, default_size: int, min_size: int, data_format: str, require_flatten: bool,
                       weights=None):
    """The image shape (without batch) a model is built for, checked as Keras checks it."""
    if input_shape is not None:
        input_shape = tuple(input_shape)
    channels_first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if channels_first else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn(f"This model usually expects 1 or 3 input channels. However, it was passed an "
                          f"input_shape with {channels} input channels.", stacklevel=3)
        default_shape = (channels, default_size, default_size) if channels_first else (
            default_size, default_size, channels)
    else:
        default_shape = (3, default_size, default_size) if channels_first else (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, `input_shape` should "
                             f"be {default_shape}.  Received: input_shape={input_shape}")
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError(f"`input_shape` must be a tuple of three integers. Received: input_shape={input_shape}")
        channels = input_shape[0] if channels_first else input_shape[-1]
        spatial = input_shape[1:] if channels_first else input_shape[:2]
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
        if any(side is not None and side < min_size for side in spatial):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                             f"input_shape={input_shape}")
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if channels_first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return input_shape


def validate_activation(classifier_activation, weights) -> None:
    """Pretrained classifiers end in softmax (or logits): any other activation is refused, as Keras does."""
    if weights is None:
        return
    activation = activations.get(classifier_activation)
    if activation not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError("Only `None` and `softmax` activations are allowed for the `classifier_activation` argument "
                         "when using pretrained weights, with `include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")


def correct_pad(inputs, kernel_size):
    """The ZeroPadding2D padding that makes a strided 'valid' convolution match TF's 'same' (Keras's rule)."""
    first = 2 if config.image_data_format() == "channels_first" else 1
    size = inputs.shape[first:first + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


