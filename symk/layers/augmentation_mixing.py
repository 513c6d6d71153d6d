"""Mixing and composite augmentation layers: CutMix and MixUp (each image mixed with another of the batch),
AugMix and RandAugment (random chains of the other augmentation layers), Pipeline (layers in turn) and
MaxNumBoundingBoxes (a bounding-box utility: images pass unchanged).

CutMix and MixUp draw what Keras 3 draws, in Keras's order, so a layer seeded alike gives Keras's numbers.
AugMix and RandAugment pick their operations in the graph (a random index per step, the candidates joined
by `where`), so every compiled step draws new ones.

    >>> Pipeline([RandomFlip(seed=1), MixUp(alpha=0.4, seed=2)])(images, training=True)
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..random import beta as random_beta
from ..random import gamma as random_gamma
from ..random import randint as random_randint
from ..random import shuffle as random_shuffle
from .augmentation_base import (INTERPOLATIONS, BaseImagePreprocessingLayer, RandomImageLayer, check_choice,
                                check_value_range, parse_factor)
from .augmentation_color import RandomBrightness, RandomColorDegeneration, RandomContrast
from .augmentation_geometry import RandomRotation, RandomShear, RandomTranslation
from .augmentation_histogram import Equalization
from .augmentation_pixels import AutoContrast, RandomPosterization, RandomSharpness, Solarization
from .augmentation_warp import running_index
from .base import Layer

__all__ = ["CutMix", "MixUp", "AugMix", "RandAugment", "Pipeline", "MaxNumBoundingBoxes"]


def _batch_permutation(layer, images):
    """A random order of the batch (Keras's shuffle of arange(batch))."""
    return random_shuffle(running_index(images[:, 0, 0, 0]), seed=layer.generator)


class CutMix(RandomImageLayer):
    """Pastes into each image a box cut from another image of the batch (the same box in both); the box
    covers a fraction 1 - w of the image, w drawn per image from Beta(a, a), a drawn per batch from `factor`."""

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, (0, 1), "CutMix")

    def call(self, inputs, training=None):
        if self._check_images(inputs):
            return super().call(inputs, training=training)
        return self._cast(inputs)  # as in Keras, a single image has nothing to mix with

    def _augment(self, images):
        images = self._cast(images)
        height, width = self._known_spatial_sizes(images)
        batch = self._batch_size(images)
        alpha = self._uniform((), self.factor[0], self.factor[1], dtype=self.compute_dtype) + 1e-6
        mix_weight = random_beta((batch,), alpha, alpha, seed=self.generator, dtype=self.compute_dtype)
        ratio = ops.sqrt(1.0 - mix_weight)
        x0, x1 = self._crop_bounds(batch, width, ratio)
        y0, y1 = self._crop_bounds(batch, height, ratio)
        permutation = _batch_permutation(self, images)
        rows = np.arange(height, dtype=self.compute_dtype).reshape(_along(self._height_axis, height))
        cols = np.arange(width, dtype=self.compute_dtype).reshape(_along(self._width_axis, width))
        x0, x1, y0, y1 = (ops.reshape(v, (-1, 1, 1, 1)) for v in (x0, x1, y0, y1))
        box = (cols >= x0) & (cols < x1) & (rows >= y0) & (rows < y1)
        return ops.where(box, ops.take(images, permutation, axis=0), images)

    def _crop_bounds(self, batch, length: int, ratio):
        crop = ops.cast(ratio * float(length), self.compute_dtype)
        start = self._uniform((batch,), 0, 1, dtype=self.compute_dtype) * (float(length) - crop)
        return start, start + crop

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}


def _along(axis: int, size: int) -> tuple:
    shape = [1, 1, 1, 1]
    shape[axis] = size
    return tuple(shape)


class MixUp(RandomImageLayer):
    """Blends each image with another of the batch: w x + (1 - w) x[perm], w drawn per image from
    Beta(alpha, alpha). At inference the images pass as they are (as in Keras)."""

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha > 0:
            raise ValueError(f"MixUp: `alpha` (the Beta distribution's parameter) must be a positive number. "
                             f"Received: alpha={alpha!r}")
        self.alpha = alpha

    def _augment(self, images):
        images = self._cast(images)
        permutation = _batch_permutation(self, images)
        mix_weight = random_beta((self._batch_size(images),), self.alpha, self.alpha, seed=self.generator)
        mix_weight = ops.cast(ops.reshape(mix_weight, (-1, 1, 1, 1)), self.compute_dtype)
        return mix_weight * images + (1.0 - mix_weight) * ops.take(images, permutation, axis=0)

    def _inference(self, images):
        return images

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "seed": self.seed}


class _ChainedAugmentation(RandomImageLayer):
    """AugMix's and RandAugment's pool of augmentation layers, built as Keras builds them (each from this
    layer's factor, value_range and interpolation). All of them draw from this layer's generator, as in Keras,
    so that sub-layers sharing one seed do not draw alike."""

    def _make_pool(self, names: list, data_format):
        factor, value_range, interpolation = self.factor, self.value_range, self.interpolation
        makers = {
            "random_shear": lambda: RandomShear(x_factor=factor, y_factor=factor, interpolation=interpolation,
                                                seed=self.seed, data_format=data_format),
            "random_translation": lambda: RandomTranslation(height_factor=factor, width_factor=factor,
                                                            interpolation=interpolation, seed=self.seed,
                                                            data_format=data_format),
            "random_rotation": lambda: RandomRotation(factor=factor, interpolation=interpolation, seed=self.seed,
                                                      data_format=data_format),
            "random_posterization": lambda: RandomPosterization(factor=max(1, int(8 * factor[1])),
                                                                value_range=value_range, seed=self.seed,
                                                                data_format=data_format),
            "solarization": lambda: Solarization(addition_factor=factor, threshold_factor=factor,
                                                 value_range=value_range, seed=self.seed, data_format=data_format),
            "auto_contrast": lambda: AutoContrast(value_range=value_range, data_format=data_format),
            "equalization": lambda: Equalization(value_range=value_range, data_format=data_format),
            "random_brightness": lambda: RandomBrightness(factor=factor, value_range=value_range, seed=self.seed,
                                                          data_format=data_format),
            "random_color_degeneration": lambda: RandomColorDegeneration(factor=factor, value_range=value_range,
                                                                         seed=self.seed, data_format=data_format),
            "random_contrast": lambda: RandomContrast(factor=factor, value_range=value_range, seed=self.seed,
                                                      data_format=data_format),
            "random_sharpness": lambda: RandomSharpness(factor=factor, value_range=value_range, seed=self.seed,
                                                        data_format=data_format),
        }
        pool = []
        for name in names:
            layer = makers[name]()
            if hasattr(layer, "generator"):
                layer.generator = self.generator
            setattr(self, name, layer)
            pool.append(layer)
        return pool

    @staticmethod
    def _apply(layer, images):
        """One pool layer's training transform (Keras's transform_images with training=True)."""
        return layer._cast(layer._augment(images))

    def _pick(self, index, images, pool):
        """The image batch through pool[index] (index == len(pool): unchanged); every candidate is computed
        and `where` keeps the chosen one, since the index is drawn in the graph."""
        result = images
        for position, layer in enumerate(pool):
            result = ops.where(ops.equal(index, position), self._apply(layer, images), result)
        return result


AUGMIX_LAYERS_ALL = ["random_shear", "random_translation", "random_rotation", "random_posterization", "solarization",
                     "auto_contrast", "equalization", "random_brightness", "random_color_degeneration",
                     "random_contrast", "random_sharpness"]
AUGMIX_LAYERS = AUGMIX_LAYERS_ALL[:7]


class AugMix(_ChainedAugmentation):
    """AugMix: num_chains chains of up to chain_depth operations (each step one of the pool's layers, or
    none), mixed with weights drawn from Dirichlet(alpha); the mix is blended with the original images by
    a weight drawn from Beta(alpha, alpha) and clipped to value_range.

    NOTE: Keras picks each step's operation on the host (Python's random) once per trace, so a compiled Keras
    model repeats its picks; here each step's pick is a draw in the graph, new every call. Every candidate
    is computed (num_chains * chain_depth * pool size layer applications): keep chains short for large images."""

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3, alpha=1.0, all_ops=True,
                 interpolation="bilinear", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = check_value_range(value_range, "AugMix")
        self.num_chains = _count(num_chains, "AugMix", "num_chains")
        self.chain_depth = _count(chain_depth, "AugMix", "chain_depth")
        self.factor = parse_factor(factor, (0, 1), "AugMix")
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha > 0:
            raise ValueError(f"AugMix: `alpha` must be a positive number. Received: alpha={alpha!r}")
        self.alpha = alpha
        self.all_ops = bool(all_ops)
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, "AugMix", "interpolation")
        self._pool = self._make_pool(AUGMIX_LAYERS_ALL if self.all_ops else AUGMIX_LAYERS, data_format)

    def _augment(self, images):
        images = self._cast(images)
        gamma = random_gamma((self.num_chains,), self.alpha, seed=self.generator)
        chain_weights = ops.cast(gamma / ops.sum(gamma, axis=-1, keepdims=True), self.compute_dtype)
        weight = ops.cast(random_beta((), self.alpha, self.alpha, seed=self.generator), self.compute_dtype)
        mixed = ops.zeros_like(images)
        for chain in range(self.num_chains):
            picks = random_randint((self.chain_depth,), 0, len(self._pool) + 1, seed=self.generator)
            chained = images
            for step in range(self.chain_depth):
                chained = self._pick(picks[step], chained, self._pool)
            mixed = mixed + chained * chain_weights[chain]
        images = weight * images + (1 - weight) * mixed
        return ops.clip(images, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range, "num_chains": self.num_chains,
                "chain_depth": self.chain_depth, "factor": self.factor, "alpha": self.alpha, "all_ops": self.all_ops,
                "interpolation": self.interpolation, "seed": self.seed}


RAND_AUGMENT_LAYERS = ["random_shear", "random_translation", "random_rotation", "random_brightness",
                       "random_color_degeneration", "random_contrast", "random_sharpness", "random_posterization",
                       "solarization", "auto_contrast", "equalization"]


class RandAugment(_ChainedAugmentation):
    """RandAugment: num_ops operations in turn, each one of 11 augmentation layers picked at random (one
    pick per batch and operation), all at the strength `factor`.

    NOTE: Keras draws each pool layer's parameters once per call and reuses them if the layer is picked
    twice; here each operation draws its own."""

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = check_value_range(value_range, "RandAugment")
        self.num_ops = _count(num_ops, "RandAugment", "num_ops")
        self.factor = parse_factor(factor, (0, 1), "RandAugment")
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, "RandAugment", "interpolation")
        self._pool = self._make_pool(RAND_AUGMENT_LAYERS, data_format)

    def _augment(self, images):
        images = self._cast(images)
        if self.num_ops == 0:
            return images
        picks = random_randint((self.num_ops,), 0, len(self._pool), seed=self.generator)
        for step in range(self.num_ops):
            images = self._pick(picks[step], images, self._pool)
        return images

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range, "num_ops": self.num_ops,
                "factor": self.factor, "interpolation": self.interpolation, "seed": self.seed}


def _count(value, layer: str, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{layer}: `{name}` must be a non-negative integer. Received: {name}={value!r}")
    return int(value)


class Pipeline(Layer):
    """Applies `layers` in turn, passing the training flag on (Keras's keras.layers.Pipeline: a Sequential
    for preprocessing that is a layer, not a model).

        Pipeline([RandomFlip(seed=1), RandomRotation(0.1, seed=2)])
    """

    def __init__(self, layers, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(layers, (list, tuple)) or not all(isinstance(layer, Layer) for layer in layers):
            raise ValueError(f"Pipeline: `layers` must be a list of layers. Received: layers={layers!r}")
        self._pipeline_layers = list(layers)

    @property
    def layers(self) -> list:
        return self._pipeline_layers

    def _eager_call(self, inputs, *args, **kwargs):
        # Keras's Pipeline.call defaults to training=True, like the image layers it usually holds
        if kwargs.get("training") is None:
            kwargs["training"] = True
        return super()._eager_call(inputs, *args, **kwargs)

    def call(self, inputs, training=None):
        for layer in self._pipeline_layers:
            inputs = layer(inputs, training=training) if training is not None else layer(inputs)
        return inputs

    def compute_output_shape(self, input_shape):
        for layer in self._pipeline_layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    @classmethod
    def from_config(cls, config):
        from .serialization import deserialize

        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("`Pipeline` config must contain a `layers` key mapping to a list of serialized layers. "
                             f"Received config with layers={layers!r}.")
        return cls(**{**config, "layers": [deserialize(layer) for layer in layers]})

    def get_config(self):
        from .serialization import serialize

        # as Keras: the layers and the name only
        return {"layers": [serialize(layer) for layer in self._pipeline_layers], "name": self.name}


class MaxNumBoundingBoxes(BaseImagePreprocessingLayer):
    """Pads or cuts a batch's bounding boxes to `max_number` per image; images pass unchanged.

    NOTE: symk's image layers carry image tensors only, so this layer is the identity on them (which is all
    Keras does to images); bounding boxes are not supported."""

    _RANDOM = False

    def __init__(self, max_number, fill_value=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(max_number, bool) or not isinstance(max_number, (int, float, np.number)) or max_number < 1:
            raise ValueError(f"MaxNumBoundingBoxes: `max_number` must be a positive integer. "
                             f"Received: max_number={max_number!r}")
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)

    def _augment(self, images):
        return images

    def get_config(self):
        # as Keras: fill_value is not part of the config
        return {**super().get_config(), "max_number": self.max_number}
