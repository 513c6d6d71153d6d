"""The base of the image preprocessing and augmentation layers: data_format, factor and value_range
arguments as Keras checks them, and the training switch (random in training, Keras's inference form otherwise).

A subclass writes `_augment(images)` (the training result) and, where Keras's inference output is not
the images cast to the compute dtype, `_inference(images)`; both get a 4-D batch (a 3-D image is given a
batch axis of one and loses it again). In a model the two are joined by a "training_select" node, so
fit augments and predict does not; `training=True`/`False` at the call picks one.

    class RandomInvertAll(BaseImagePreprocessingLayer):
        def _augment(self, images):
            return 255.0 - images
"""
from __future__ import annotations

import math
import numbers
import random as _pyrandom

import numpy as np

from .. import ops
from ..ops.registry import apply
from ..random import uniform as random_uniform
from ..random.seed_generator import SeedGenerator
from .base import Layer
from .conv import normalize_data_format

__all__ = []


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def parse_factor(factor, bounds, layer: str, name: str = "factor") -> tuple:
    """Keras's `_set_factor`: a number f gives (max(-|f|, low), |f|), a pair is sorted; (lower, upper).

    NOTE: a pair is checked as loosely as Keras checks it (its lower end must not exceed the upper
    bound, its upper end must reach the lower bound), so every config Keras writes loads here."""
    message = (f"{layer}: the `{name}` argument should be a number (or a list of two numbers) in the range "
               f"[{bounds[0]}, {bounds[1]}]. Received: {name}={factor!r}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(_is_number(f) for f in factor):
            raise ValueError(message)
        if factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        lower, upper = sorted(factor)
    elif _is_number(factor):
        if factor < bounds[0] or factor > bounds[1]:
            raise ValueError(message)
        factor = abs(factor)
        lower, upper = max(-factor, bounds[0]), factor
    else:
        raise ValueError(message)
    return _plain(lower), _plain(upper)


def parse_symmetric_factor(factor, layer: str, name: str, lowest_open: bool = False, low: float = -1.0) -> tuple:
    """The height/width factors of RandomZoom, RandomTranslation and RandomShear: a number f gives
    (-|f|, |f|); every entry must lie in [low, 1] ((-1, 1] for RandomZoom: `lowest_open`)."""
    interval = f"({low}, 1.0]" if lowest_open else f"[{low}, 1.0]"
    message = (f"{layer}: the `{name}` argument should be a number (or a list of two numbers) in the range "
               f"{interval}. Received: {name}={factor!r}")

    def check(value):
        if not _is_number(value) or value > 1.0 or value < low or (lowest_open and value == low):
            raise ValueError(message)

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(message)
        check(factor[0])
        check(factor[1])
        lower, upper = sorted(factor)
    elif _is_number(factor):
        check(factor)
        lower, upper = -abs(factor), abs(factor)
    else:
        raise ValueError(message)
    return _plain(lower), _plain(upper)


def parse_value_range(value_range, layer: str) -> list:
    """Keras's `_set_value_range`: two numbers, sorted (a list, as Keras keeps it)."""
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2 or \
            not all(_is_number(v) for v in value_range):
        raise ValueError(f"{layer}: the `value_range` argument should be a list of two numbers, e.g. (0, 255) or "
                         f"(0, 1). Received: value_range={value_range!r}")
    return sorted(_plain(v) for v in value_range)


def check_value_range(value_range, layer: str):
    """The layers that keep value_range as given (RandomContrast, RandomHue, ...) check it all the same."""
    parse_value_range(value_range, layer)
    return value_range


def _plain(value):
    """A Python int or float (configs are JSON)."""
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def default_seed() -> int:
    """Keras's make_default_seed, for the layers that store a seed even when none is given."""
    return _pyrandom.randint(1, int(1e9))


class BaseImagePreprocessingLayer(Layer):
    """Image layers taking 3-D images or 4-D batches in `data_format` order.

    `_RANDOM`: the layer augments only in training (calls on arrays default to training=True, as in Keras).
    """

    _RANDOM = True

    def __init__(self, data_format=None, bounding_box_format=None, **kwargs):
        super().__init__(**kwargs)
        if bounding_box_format is not None:
            raise ValueError(f"{type(self).__name__}: bounding_box_format={bounding_box_format!r} is not supported: "
                             "symk's image layers transform image tensors only (no bounding boxes, labels or "
                             "segmentation masks). Leave bounding_box_format=None.")
        self.bounding_box_format = None
        self.data_format = normalize_data_format(data_format, type(self).__name__)

    # -- axes of a 4-D batch --------------------------------------------------------
    @property
    def _height_axis(self) -> int:
        return 1 if self.data_format == "channels_last" else 2

    @property
    def _width_axis(self) -> int:
        return 2 if self.data_format == "channels_last" else 3

    @property
    def _channels_axis(self) -> int:
        return 3 if self.data_format == "channels_last" else 1

    def _spatial_sizes(self, images) -> tuple:
        """(height, width) of a batch: ints, or run-time sizes (dim_size tensors) where unknown."""
        shape = ops.shape(images)
        return shape[self._height_axis], shape[self._width_axis]

    def _known_spatial_sizes(self, images) -> tuple:
        height, width = images.shape[self._height_axis], images.shape[self._width_axis]
        if height is None or width is None:
            raise ValueError(f"Layer {self.name!r} ({type(self).__name__}) needs the height and width of its input "
                             f"to be known; received images of shape {tuple(images.shape)}. Give Input a full "
                             "image shape, e.g. Input((224, 224, 3)), or put a Resizing layer first.")
        return height, width

    @staticmethod
    def _batch_size(images):
        """The batch size: an int, or a run-time size for an unknown batch (accepted by random shapes)."""
        return ops.shape(images)[0]

    def _cast(self, images):
        return ops.cast(images, self.compute_dtype)

    # -- calling --------------------------------------------------------------------
    def _eager_call(self, inputs, *args, **kwargs):
        # Keras's image layers default to training=True when called directly on arrays
        if self._RANDOM and kwargs.get("training") is None:
            kwargs["training"] = True
        if not isinstance(inputs, dict) and np.ndim(inputs) == 3:
            # a single image: traced as a batch of one, since an eager trace leaves the first axis unknown
            return super()._eager_call(np.asarray(inputs)[None], *args, **kwargs)[0]
        return super()._eager_call(inputs, *args, **kwargs)

    def _check_images(self, inputs):
        if isinstance(inputs, dict):
            raise ValueError(f"Layer {self.name!r} ({type(self).__name__}) got a dict of "
                             f"{sorted(inputs)}: symk's image layers take an image tensor only (no bounding boxes, "
                             "labels or segmentation masks); pass the images.")
        rank = len(inputs.shape)
        if rank not in (3, 4):
            raise ValueError(f"Layer {self.name!r} ({type(self).__name__}) expects images of rank 3 (one image) or "
                             f"rank 4 (a batch of images); received input shape {tuple(inputs.shape)}")
        return rank == 4

    def call(self, inputs, training=None):
        batched = self._check_images(inputs)
        images = inputs if batched else ops.expand_dims(inputs, 0)
        outputs = self._transform(images, training)
        return outputs if batched else ops.squeeze(outputs, 0)

    def _transform(self, images, training):
        if not self._RANDOM:
            return self._augment(images)
        if training is False:
            return self._inference(images)
        augmented = self._augment(images)
        if training is True:
            return augmented
        return apply("training_select", [augmented, self._inference(images)])

    def _augment(self, images):
        raise NotImplementedError(f"{type(self).__name__} must define _augment(images)")

    def _inference(self, images):
        """Keras's inference output: the images in the compute dtype."""
        return self._cast(images)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class RandomImageLayer(BaseImagePreprocessingLayer):
    """An augmentation layer drawing from its own SeedGenerator (Keras's `seed=` argument)."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def _uniform(self, shape, minval=0.0, maxval=1.0, dtype=None):
        return random_uniform(shape, minval, maxval, dtype=dtype, seed=self.generator)

    def _draws(self, images, count: int) -> list:
        """`count` independent [0, 1) draws per image, each a (batch, 1, 1, 1) tensor.

        NOTE: one random node per call, not one per parameter: every draw is a threefry computation that
        XLA compiles separately, and a layer's parameters need not come from separate keys."""
        unit = self._uniform((self._batch_size(images), count))
        return [ops.reshape(unit[:, i], (-1, 1, 1, 1)) for i in range(count)]


def between(unit, lower, upper):
    """A [0, 1) draw mapped onto [lower, upper) (exactly `lower` when the range is one value)."""
    return unit * (upper - lower) + lower


def to_unit_range(images, value_range):
    """Keras's _transform_value_range(images, value_range, (0, 1))."""
    low, high = value_range
    return images if (low, high) == (0, 1) else (images - low) / (high - low)


def transform_value_range(images, original, target):
    """Keras's _transform_value_range: map `original` = (low, high) linearly onto `target`."""
    if tuple(original) == tuple(target):
        return images
    unit = (images - original[0]) / (original[1] - original[0])
    return unit * (target[1] - target[0]) + target[0]


def affine_matrix(angle_degrees, height, width, translate_x=0.0, translate_y=0.0, scale=1.0, shear_x_degrees=0.0,
                  shear_y_degrees=0.0):
    """Keras's _compute_affine_matrix about the image centre: a (batch, 8) tensor of inverse transforms
    [a0, a1, a2, b0, b1, b2, 0, 0] for ops.image.affine_transform. `angle_degrees` is (batch,)."""
    radians = angle_degrees * (math.pi / 180.0)
    shear_x = ops.tan(ops.zeros_like(radians) + shear_x_degrees * (math.pi / 180.0))
    shear_y = ops.tan(ops.zeros_like(radians) + shear_y_degrees * (math.pi / 180.0))
    center_x = 0.5 * (ops.cast(width, radians.dtype) - 1.0)
    center_y = 0.5 * (ops.cast(height, radians.dtype) - 1.0)
    cos, sin = ops.cos(radians), ops.sin(radians)
    a0 = scale * (cos + shear_x * sin)
    a1 = scale * (-sin + shear_x * cos)
    a2 = translate_x + center_x - center_x * a0 - center_y * a1
    b0 = scale * (shear_y * cos + sin)
    b1 = scale * (shear_y * -sin + cos)
    b2 = translate_y + center_y - center_x * b0 - center_y * b1
    zeros = ops.zeros_like(a0)
    return ops.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def check_choice(value, choices, layer: str, name: str) -> str:
    if value not in choices:
        raise ValueError(f"{layer}: unknown `{name}` {value!r}; expected one of {', '.join(map(repr, choices))}")
    return value


FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")
