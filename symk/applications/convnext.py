"""ConvNeXtTiny/Small/Base/Large/XLarge (`keras.applications.convnext`), with Keras 3.15's layer names, order
and arguments (the stem and downsampling blocks are nested Sequentials, as Keras's), so Keras's weight files
(convnext_tiny.h5, convnext_tiny_notop.h5, ...) load by name.

    model = ConvNeXtTiny(weights=None, input_shape=(224, 224, 3))   # inputs: pixels in [0, 255]
"""
from __future__ import annotations

import numpy as np

from .. import config
from ..layers import (Activation, Conv2D, Dense, GlobalAveragePooling2D, GlobalMaxPooling2D, LayerNormalization,
                      Normalization)
from ..models import Sequential
from . import imagenet_utils
from .common import check_pooling, finish_model, image_input
from .convnext_layers import LayerScale, LinearActivation, StochasticDepth
from .weights import check_weights_arguments

# LayerScale and StochasticDepth stay module attributes (keras.applications.convnext.LayerScale), as Keras's
__all__ = ["ConvNeXtTiny", "ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtXLarge"]

MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "small": {"depths": [3, 3, 27, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "base": {"depths": [3, 3, 27, 3], "projection_dims": [128, 256, 512, 1024], "default_size": 224},
    "large": {"depths": [3, 3, 27, 3], "projection_dims": [192, 384, 768, 1536], "default_size": 224},
    "xlarge": {"depths": [3, 3, 27, 3], "projection_dims": [256, 512, 1024, 2048], "default_size": 224},
}


def ConvNeXtBlock(projection_dim, drop_path_rate=0.0, layer_scale_init_value=1e-6, name=None):
    """Depthwise 7x7, LayerNorm, pointwise MLP (as Dense layers, like the original), scale, residual.
    Returns `apply(inputs)`."""

    def apply(inputs):
        x = Conv2D(filters=projection_dim, kernel_size=7, padding="same", groups=projection_dim,
                   name=f"{name}_depthwise_conv")(inputs)
        x = LayerNormalization(epsilon=1e-6, name=f"{name}_layernorm")(x)
        x = Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
        x = Activation("gelu", name=f"{name}_gelu")(x)
        x = Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
        if layer_scale_init_value is not None:
            x = LayerScale(layer_scale_init_value, projection_dim, name=f"{name}_layer_scale")(x)
        if drop_path_rate:
            last = StochasticDepth(drop_path_rate, name=f"{name}_stochastic_depth")
        else:
            last = LinearActivation(name=f"{name}_identity")  # Activation("linear"), listed as Keras lists it
        # NOTE: a plain `+` (an op, not an Add layer), as Keras's: the model's layer list has no add layers
        return inputs + last(x)

    return apply


def PreStem(name=None):
    """Normalizes [0, 255] pixels with the ImageNet-1k mean and std. Returns `apply(x)`."""

    def apply(x):
        return Normalization(mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
                             variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2],
                             name=f"{name}_prestem_normalization")(x)

    return apply


def Head(num_classes=1000, classifier_activation=None, name=None):
    """Global average pooling, LayerNorm, the classifier. Returns `apply(x)`."""

    def apply(x):
        x = GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = LayerNormalization(epsilon=1e-6, name=f"{name}_head_layernorm")(x)
        return Dense(num_classes, activation=classifier_activation, name=f"{name}_head_dense")(x)

    return apply


def _downsampling_layers(projection_dims, name):
    stem = Sequential([Conv2D(projection_dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv"),
                       LayerNormalization(epsilon=1e-6, name=f"{name}_stem_layernorm")], name=f"{name}_stem")
    blocks = [Sequential([LayerNormalization(epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"),
                          Conv2D(projection_dims[i + 1], kernel_size=2, strides=2,
                                 name=f"{name}_downsampling_conv_{i}")], name=f"{name}_downsampling_block_{i}")
              for i in range(3)]
    return [stem] + blocks


def ConvNeXt(depths, projection_dims, drop_path_rate=0.0, layer_scale_init_value=1e-6, default_size=224,
             name="convnext", include_preprocessing=True, include_top=True, weights=None, input_tensor=None,
             input_shape=None, pooling=None, classes=1000, classifier_activation="softmax", weights_name=None):
    """A ConvNeXt of four stages of `depths` blocks with `projection_dims` channels (Keras's `ConvNeXt`)."""
    if config.image_data_format() == "channels_first":
        raise ValueError("ConvNeXt does not support the `channels_first` image data format. Switch to "
                         "`channels_last` (symk.config.set_image_data_format('channels_last')).")
    check_weights_arguments(weights, include_top, classes, name)
    check_pooling(pooling, include_top)
    if weights == "imagenet":
        _check_imagenet_variant(depths, projection_dims, name, weights_name)
    # NOTE: Keras passes no `weights` here, so imagenet weights accept any input size
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top)
    img_input = image_input(input_tensor, input_shape)
    x = img_input
    if include_preprocessing and input_shape[-1] == 3:
        x = PreStem(name=name)(x)

    rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    first = 0
    for i, downsample in enumerate(_downsampling_layers(projection_dims, name)):
        x = downsample(x)
        for j in range(depths[i]):
            x = ConvNeXtBlock(projection_dim=projection_dims[i], drop_path_rate=rates[first + j],
                              layer_scale_init_value=layer_scale_init_value, name=f"{name}_stage_{i}_block_{j}")(x)
        first += depths[i]

    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = Head(num_classes=classes, classifier_activation=classifier_activation, name=name)(x)
    else:
        # Keras's automatic names here (global_average_pooling2d, layer_normalization)
        if pooling == "avg":
            x = GlobalAveragePooling2D()(x)
        elif pooling == "max":
            x = GlobalMaxPooling2D()(x)
        x = LayerNormalization(epsilon=1e-6)(x)
    return finish_model(input_tensor, img_input, x, name, weights, name + (".h5" if include_top else "_notop.h5"))


def _check_imagenet_variant(depths, projection_dims, name, weights_name):
    variant = (weights_name or "").split("convnext_")[-1]
    expected = MODEL_CONFIGS.get(variant)
    if expected is None:
        raise ValueError(f"ConvNeXt: no ImageNet weights for weights_name={weights_name!r}; use one of "
                         f"{['convnext_' + v for v in MODEL_CONFIGS]} or weights=None")
    if list(depths) != expected["depths"] or list(projection_dims) != expected["projection_dims"]:
        raise ValueError(f"Architecture configuration does not match {weights_name} variant: the pretrained "
                         f"weights need depths={expected['depths']} and projection_dims="
                         f"{expected['projection_dims']}; got depths={list(depths)}, "
                         f"projection_dims={list(projection_dims)}.")
    if weights_name not in name:
        raise ValueError(f'Model name "{name}" does not match weights variant "{weights_name}": with imagenet '
                         f'weights the name must contain it (e.g. "{weights_name}").')


def _variant(size: str):
    settings = MODEL_CONFIGS[size]
    model_name = f"convnext_{size}"

    def constructor(include_top=True, include_preprocessing=True, weights="imagenet", input_tensor=None,
                    input_shape=None, pooling=None, classes=1000, classifier_activation="softmax", name=model_name):
        return ConvNeXt(weights_name=model_name, depths=settings["depths"],
                        projection_dims=settings["projection_dims"], drop_path_rate=0.0, layer_scale_init_value=1e-6,
                        default_size=settings["default_size"], name=name, include_top=include_top,
                        include_preprocessing=include_preprocessing, weights=weights, input_tensor=input_tensor,
                        input_shape=input_shape, pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation)

    constructor.__name__ = constructor.__qualname__ = f"ConvNeXt{'XLarge' if size == 'xlarge' else size.title()}"
    constructor.__doc__ = (f"Instantiates {constructor.__name__} (default input 224x224x3, pixels in [0, 255]: the "
                           "model normalizes them itself unless include_preprocessing=False).")
    return constructor


ConvNeXtTiny = _variant("tiny")
ConvNeXtSmall = _variant("small")
ConvNeXtBase = _variant("base")
ConvNeXtLarge = _variant("large")
ConvNeXtXLarge = _variant("xlarge")


def preprocess_input(x, data_format=None):
    """A pass-through, as Keras's: ConvNeXt's normalization is the model's own first layer."""
    return x


def decode_predictions(preds, top=5):
    """[[(class_id, class_name, score), ...] per sample], best first (see imagenet_utils.decode_predictions)."""
    return imagenet_utils.decode_predictions(preds, top=top)
