"""EfficientNetV2B0-B3, S, M and L (`keras.applications.efficientnet_v2`), with Keras 3.15's layer names, order
and arguments, so Keras's weight files (efficientnetv2-b0.h5, efficientnetv2-s_notop.h5, ...) load by name.

    model = EfficientNetV2B0(weights=None, input_shape=(224, 224, 3))   # inputs: pixels in [0, 255]
"""
from __future__ import annotations

import copy
import math

from .. import config
from ..initializers import Constant
from ..layers import (Activation, BatchNormalization, Conv2D, Dense, DepthwiseConv2D, Dropout, GlobalAveragePooling2D,
                      Normalization, Rescaling, add)
from . import imagenet_utils
from .common import check_pooling, finish_model, global_pooling, image_input
from .efficientnet import CONV_KERNEL_INITIALIZER, DENSE_KERNEL_INITIALIZER, squeeze_excite
from .weights import check_weights_arguments

__all__ = ["EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3", "EfficientNetV2S",
           "EfficientNetV2M", "EfficientNetV2L"]


def _stages(rows):
    """Keras's block arguments from rows (kernel, repeats, filters in/out, expand, se ratio, strides, fused)."""
    return [dict(kernel_size=k, num_repeat=r, input_filters=fi, output_filters=fo, expand_ratio=e, se_ratio=se,
                 strides=s, conv_type=fused) for k, r, fi, fo, e, se, s, fused in rows]


# the B variants share one table (Keras repeats it four times); width and depth scale it
_B_STAGES = [(3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1), (3, 2, 32, 48, 4, 0, 2, 1),
             (3, 3, 48, 96, 4, 0.25, 2, 0), (3, 5, 96, 112, 6, 0.25, 1, 0), (3, 8, 112, 192, 6, 0.25, 2, 0)]
DEFAULT_BLOCKS_ARGS = {
    "efficientnetv2-s": _stages([(3, 2, 24, 24, 1, 0, 1, 1), (3, 4, 24, 48, 4, 0, 2, 1), (3, 4, 48, 64, 4, 0, 2, 1),
                                 (3, 6, 64, 128, 4, 0.25, 2, 0), (3, 9, 128, 160, 6, 0.25, 1, 0),
                                 (3, 15, 160, 256, 6, 0.25, 2, 0)]),
    "efficientnetv2-m": _stages([(3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1), (3, 5, 48, 80, 4, 0, 2, 1),
                                 (3, 7, 80, 160, 4, 0.25, 2, 0), (3, 14, 160, 176, 6, 0.25, 1, 0),
                                 (3, 18, 176, 304, 6, 0.25, 2, 0), (3, 5, 304, 512, 6, 0.25, 1, 0)]),
    "efficientnetv2-l": _stages([(3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1), (3, 7, 64, 96, 4, 0, 2, 1),
                                 (3, 10, 96, 192, 4, 0.25, 2, 0), (3, 19, 192, 224, 6, 0.25, 1, 0),
                                 (3, 25, 224, 384, 6, 0.25, 2, 0), (3, 7, 384, 640, 6, 0.25, 1, 0)]),
    **{f"efficientnetv2-b{i}": _stages(_B_STAGES) for i in range(4)},
}

# constructor -> (model name, width coefficient, depth coefficient, default input side)
VARIANTS = {
    "EfficientNetV2B0": ("efficientnetv2-b0", 1.0, 1.0, 224), "EfficientNetV2B1": ("efficientnetv2-b1", 1.0, 1.1, 240),
    "EfficientNetV2B2": ("efficientnetv2-b2", 1.1, 1.2, 260), "EfficientNetV2B3": ("efficientnetv2-b3", 1.2, 1.4, 300),
    "EfficientNetV2S": ("efficientnetv2-s", 1.0, 1.0, 384), "EfficientNetV2M": ("efficientnetv2-m", 1.0, 1.0, 480),
    "EfficientNetV2L": ("efficientnetv2-l", 1.0, 1.0, 480),
}


def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    """Scale by width, round to a multiple of depth_divisor (no 10% guard, unlike EfficientNet)."""
    filters *= width_coefficient
    return int(max(min_depth or depth_divisor, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def round_repeats(repeats, depth_coefficient):
    return int(math.ceil(depth_coefficient * repeats))


def _channel_axis() -> int:
    return 3 if config.image_data_format() == "channels_last" else 1


def _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name):
    if strides == 1 and input_filters == output_filters:
        if survival_probability:
            # NOTE: Keras passes the survival probability as the drop rate; kept, so the layers match
            x = Dropout(survival_probability, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = add([x, inputs], name=f"{name}add")
    return x


def MBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1, se_ratio=0.0,
                bn_momentum=0.9, activation="swish", survival_probability=0.8, name=None):
    """Mobile inverted bottleneck: 1x1 expand, depthwise, squeeze-and-excite, 1x1 project (returns `apply`)."""
    bn_axis = _channel_axis()

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = Conv2D(filters, 1, strides=1, kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                       data_format=config.image_data_format(), use_bias=False, name=f"{name}expand_conv")(x)
            x = BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}expand_bn")(x)
            x = Activation(activation, name=f"{name}expand_activation")(x)
        x = DepthwiseConv2D(kernel_size, strides=strides, depthwise_initializer=CONV_KERNEL_INITIALIZER,
                            padding="same", data_format=config.image_data_format(), use_bias=False,
                            name=f"{name}dwconv2")(x)
        x = BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}bn")(x)
        x = Activation(activation, name=f"{name}activation")(x)
        if 0 < se_ratio <= 1:
            x = squeeze_excite(x, filters, max(1, int(input_filters * se_ratio)), activation, name)
        x = Conv2D(output_filters, 1, strides=1, kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                   data_format=config.image_data_format(), use_bias=False, name=f"{name}project_conv")(x)
        x = BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}project_bn")(x)
        return _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name)

    return apply


def FusedMBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1, se_ratio=0.0,
                     bn_momentum=0.9, activation="swish", survival_probability=0.8, name=None):
    """The expansion and depthwise convolutions fused into one full convolution (returns `apply`)."""
    bn_axis = _channel_axis()

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = Conv2D(filters, kernel_size=kernel_size, strides=strides, kernel_initializer=CONV_KERNEL_INITIALIZER,
                       data_format=config.image_data_format(), padding="same", use_bias=False,
                       name=f"{name}expand_conv")(x)
            x = BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}expand_bn")(x)
            x = Activation(activation=activation, name=f"{name}expand_activation")(x)
        if 0 < se_ratio <= 1:
            x = squeeze_excite(x, filters, max(1, int(input_filters * se_ratio)), activation, name)
        # without expansion, the projection is the block's only (full-size, strided) convolution
        x = Conv2D(output_filters, kernel_size=1 if expand_ratio != 1 else kernel_size,
                   strides=1 if expand_ratio != 1 else strides, kernel_initializer=CONV_KERNEL_INITIALIZER,
                   padding="same", use_bias=False, name=f"{name}project_conv")(x)
        x = BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}project_bn")(x)
        if expand_ratio == 1:
            x = Activation(activation=activation, name=f"{name}project_activation")(x)
        return _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name)

    return apply


def EfficientNetV2(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2, drop_connect_rate=0.2,
                   depth_divisor=8, min_depth=8, bn_momentum=0.9, activation="swish", blocks_args="default",
                   name="efficientnetv2", include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                   pooling=None, classes=1000, classifier_activation="softmax", include_preprocessing=True,
                   weights_name=None):
    """The EfficientNetV2 family from scaling coefficients (Keras's `EfficientNetV2`)."""
    if blocks_args == "default":
        if name not in DEFAULT_BLOCKS_ARGS:
            raise ValueError(f"EfficientNetV2: blocks_args='default' needs one of Keras's variant names "
                             f"{sorted(DEFAULT_BLOCKS_ARGS)} as `name`; received name={name!r}. Pass blocks_args.")
        blocks_args = DEFAULT_BLOCKS_ARGS[name]
    check_weights_arguments(weights, include_top, classes, name)
    check_pooling(pooling, include_top)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = image_input(input_tensor, input_shape)
    bn_axis = _channel_axis()

    def filters_of(n):
        return round_filters(n, width_coefficient, min_depth, depth_divisor)

    x = img_input
    if include_preprocessing:
        if name.split("-")[-1].startswith("b") and input_shape[bn_axis - 1] == 3:
            # the B variants were trained on ImageNet-normalized [0, 1] images, S/M/L on [-1, 1]
            x = Rescaling(scale=1.0 / 255)(x)
            x = Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229**2, 0.224**2, 0.225**2], axis=bn_axis)(x)
        else:
            x = Rescaling(scale=1.0 / 128.0, offset=-1)(x)
    x = Conv2D(filters_of(blocks_args[0]["input_filters"]), kernel_size=3, strides=2,
               kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same", use_bias=False, name="stem_conv")(x)
    x = BatchNormalization(axis=bn_axis, momentum=bn_momentum, name="stem_bn")(x)
    x = Activation(activation, name="stem_activation")(x)

    blocks_args = copy.deepcopy(blocks_args)
    total_blocks = float(sum(args["num_repeat"] for args in blocks_args))  # unscaled, as Keras counts
    done = 0
    for i, args in enumerate(blocks_args):
        if args["num_repeat"] <= 0:
            raise ValueError(f"The number of repeats in `EfficientNetV2` must be > 0. "
                             f"Received: num_repeat={args['num_repeat']}")
        args["input_filters"] = filters_of(args["input_filters"])
        args["output_filters"] = filters_of(args["output_filters"])
        block = {0: MBConvBlock, 1: FusedMBConvBlock}[args.pop("conv_type")]
        for j in range(round_repeats(args.pop("num_repeat"), depth_coefficient)):
            if j > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = block(activation=activation, bn_momentum=bn_momentum,
                      survival_probability=drop_connect_rate * done / total_blocks, name=f"block{i + 1}{chr(j + 97)}_",
                      **args)(x)
            done += 1

    x = Conv2D(filters_of(1280), kernel_size=1, strides=1, kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
               data_format=config.image_data_format(), use_bias=False, name="top_conv")(x)
    x = BatchNormalization(axis=bn_axis, momentum=bn_momentum, name="top_bn")(x)
    x = Activation(activation=activation, name="top_activation")(x)
    if include_top:
        x = GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = Dense(classes, activation=classifier_activation, kernel_initializer=DENSE_KERNEL_INITIALIZER,
                  bias_initializer=Constant(0.0), name="predictions")(x)
    else:
        x = global_pooling(x, pooling, avg_name="avg_pool", max_name="max_pool")
    return finish_model(input_tensor, img_input, x, name, weights, name + (".h5" if include_top else "_notop.h5"))


def _variant(constructor_name: str):
    model_name, width, depth, size = VARIANTS[constructor_name]

    def constructor(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                    classes=1000, classifier_activation="softmax", include_preprocessing=True, name=model_name):
        return EfficientNetV2(width_coefficient=width, depth_coefficient=depth, default_size=size, name=name,
                              include_top=include_top, weights=weights, input_tensor=input_tensor,
                              input_shape=input_shape, pooling=pooling, classes=classes,
                              classifier_activation=classifier_activation,
                              include_preprocessing=include_preprocessing,
                              weights_name=model_name[len("efficientnetv2"):])

    constructor.__name__ = constructor.__qualname__ = constructor_name
    constructor.__doc__ = (f"Instantiates {constructor_name} (default input {size}x{size}x3, pixels in [0, 255]; "
                           "include_preprocessing=False expects [-1, 1]).")
    return constructor


EfficientNetV2B0 = _variant("EfficientNetV2B0")
EfficientNetV2B1 = _variant("EfficientNetV2B1")
EfficientNetV2B2 = _variant("EfficientNetV2B2")
EfficientNetV2B3 = _variant("EfficientNetV2B3")
EfficientNetV2S = _variant("EfficientNetV2S")
EfficientNetV2M = _variant("EfficientNetV2M")
EfficientNetV2L = _variant("EfficientNetV2L")


def preprocess_input(x, data_format=None):
    """A pass-through, as Keras's: the model rescales its inputs itself (unless include_preprocessing=False)."""
    return x


def decode_predictions(preds, top=5):
    """[[(class_id, class_name, score), ...] per sample], best first (see imagenet_utils.decode_predictions)."""
    return imagenet_utils.decode_predictions(preds, top=top)
