"""VGG16 (keras.applications.vgg16), and the VGG builder VGG19 shares: blocks of 3x3 ReLU convolutions
and 2x2 max pooling, then Flatten and two 4096-unit Dense layers.

    model = VGG16(weights=None, include_top=False, input_shape=(32, 32, 3), pooling="avg")
"""
from __future__ import annotations

from .. import config, layers
from . import imagenet_utils
from .common import check_pooling, finish_model, global_pooling, image_input
from .weights import check_weights_arguments

__all__ = ["VGG16"]


def build_vgg(convs_per_block, name, include_top, weights, input_tensor, input_shape, pooling, classes,
              classifier_activation, file_prefix):
    check_weights_arguments(weights, include_top, classes, name)
    check_pooling(pooling, include_top)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = image_input(input_tensor, input_shape)
    x = img_input
    for block, (convs, filters) in enumerate(zip(convs_per_block, (64, 128, 256, 512, 512)), start=1):
        for conv in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same", name=f"block{block}_conv{conv}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = global_pooling(x, pooling)
    file_name = f"{file_prefix}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    return finish_model(input_tensor, img_input, x, name, weights, file_name)


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg16"):
    """VGG16 (Simonyan & Zisserman, 2015) with Keras 3.15's layers and weight layout."""
    return build_vgg((2, 2, 3, 3, 3), name, include_top, weights, input_tensor, input_shape, pooling, classes,
                     classifier_activation, "vgg16")


def preprocess_input(x, data_format=None):
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    return imagenet_utils.decode_predictions(preds, top=top)


preprocess_input.__doc__ = imagenet_utils.PREPROCESS_INPUT_DOC.format(name="VGG16") + "    Mode: caffe.\n"
