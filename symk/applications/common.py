"""The building steps every application architecture shares: its input (from `input_shape` or an
`input_tensor`), global pooling of a headless network, and the final Model with its weights.

    img_input = image_input(input_tensor, input_shape)
    ...
    return finish_model(input_tensor, img_input, x, "resnet50", weights, imagenet_file_name)
"""
from __future__ import annotations

from .. import config, layers
from ..backend import is_keras_tensor
from ..models import Model
from ..utils.source_inputs import get_source_inputs
from . import weights as weights_lib

__all__ = ["channel_axis", "image_input", "global_pooling", "check_pooling", "finish_model", "make_divisible",
           "square_weights_size"]


def channel_axis() -> int:
    """The channel axis of 4D image tensors under the global image data format (BatchNorm's axis)."""
    return 1 if config.image_data_format() == "channels_first" else -1


def image_input(input_tensor, input_shape):
    """The network's first tensor: a new Input of `input_shape`, or `input_tensor` (wrapped in an Input
    when it is not already a symbolic tensor), as Keras's applications do."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not is_keras_tensor(input_tensor):
        return layers.Input(tensor=input_tensor, shape=input_shape)
    return input_tensor


def check_pooling(pooling, include_top: bool) -> None:
    if not include_top and pooling not in (None, "avg", "max"):
        raise ValueError(f"`pooling` should be None, 'avg' or 'max' (used when include_top=False). "
                         f"Received: pooling={pooling!r}")


def global_pooling(x, pooling, avg_name: str | None = None, max_name: str | None = None):
    """Keras's optional pooling of a headless network: None keeps the 4D feature map (names: None for
    Keras's automatic ones, as VGG and DenseNet use)."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x


def _source_input_tensors(tensor) -> list:
    """The Input tensors `tensor` was computed from, as the very objects Input() returned.
    NOTE: a workaround: symk.utils.get_source_inputs returns fresh handles of the placeholder nodes, which
    Model's layer walk does not recognise as its inputs (it compares tensor identity)."""
    found, seen, stack = [], set(), [tensor]
    while stack:
        current = stack.pop()
        history = getattr(current, "_keras_history", None)
        if history is None or id(current) in seen:
            continue
        seen.add(id(current))
        layer, index, _ = history
        if type(layer).__name__ == "InputLayer":
            found.append(current)
            continue
        stack.extend(reversed(layer._inbound_nodes[index].input_tensors))
    if not found:  # not built from layers: fall back to the graph's placeholders
        return get_source_inputs(tensor)
    unique = {id(t): t for t in found}
    return list(unique.values())


def finish_model(input_tensor, img_input, outputs, name: str, weights, imagenet_file_name):
    """Model(inputs, outputs, name) over the source inputs of `input_tensor` (so its predecessors stay
    part of the model), then `weights` loaded (see weights.load_weights)."""
    inputs = _source_input_tensors(input_tensor) if input_tensor is not None else img_input
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    model = Model(inputs, outputs, name=name)
    return weights_lib.load_weights(model, weights, imagenet_file_name)


def make_divisible(value, divisor: int = 8, min_value=None) -> int:
    """Round a channel count to a multiple of `divisor`, never more than 10% below (the MobileNet rule)."""
    min_value = divisor if min_value is None else min_value
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def square_weights_size(input_shape, input_tensor, sizes, fallback: int = 224) -> int:
    """The image side a MobileNet's ImageNet weight file is published for: the input's side when square
    and one of `sizes`, else `fallback` (Keras then warns and loads the 224 weights)."""
    shape = input_shape
    if shape is None and input_tensor is not None and is_keras_tensor(input_tensor):
        shape = tuple(input_tensor.shape[1:])
    if shape is None or len(shape) != 3:
        return fallback
    rows, cols = (shape[1], shape[2]) if config.image_data_format() == "channels_first" else (shape[0], shape[1])
    return rows if rows == cols and rows in sizes else fallback
