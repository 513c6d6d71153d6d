"""ResNet50V2/101V2/152V2 (keras.applications.resnet_v2): ResNet's builder with pre-activation blocks.

    model = ResNet50V2(weights=None, include_top=False, input_shape=(32, 32, 3))
"""
from __future__ import annotations

from . import imagenet_utils
from .resnet import ResNet, stack_residual_blocks_v2

__all__ = ["ResNet50V2", "ResNet101V2", "ResNet152V2"]


def _v2_stages(blocks_per_stage):
    def stack_fn(x):
        for stage, (filters, blocks) in enumerate(zip((64, 128, 256, 512), blocks_per_stage), start=2):
            x = stack_residual_blocks_v2(x, filters, blocks, stride1=1 if stage == 5 else 2, name=f"conv{stage}")
        return x
    return stack_fn


def _resnet_v2(blocks, weights_name, include_top, weights, input_tensor, input_shape, pooling, classes,
               classifier_activation, name):
    return ResNet(_v2_stages(blocks), True, True, name, include_top, weights, input_tensor, input_shape, pooling,
                  classes, classifier_activation, weights_name)


def ResNet50V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
               classes=1000, classifier_activation="softmax", name="resnet50v2"):
    """ResNet50V2 (He et al., 2016, identity mappings) with Keras 3.15's layers and weight layout."""
    return _resnet_v2((3, 4, 6, 3), "resnet50v2", include_top, weights, input_tensor, input_shape, pooling,
                      classes, classifier_activation, name)


def ResNet101V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="resnet101v2"):
    """ResNet101V2 with Keras 3.15's layers and weight layout."""
    return _resnet_v2((3, 4, 23, 3), "resnet101v2", include_top, weights, input_tensor, input_shape, pooling,
                      classes, classifier_activation, name)


def ResNet152V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="resnet152v2"):
    """ResNet152V2 with Keras 3.15's layers and weight layout."""
    return _resnet_v2((3, 8, 36, 3), "resnet152v2", include_top, weights, input_tensor, input_shape, pooling,
                      classes, classifier_activation, name)


def preprocess_input(x, data_format=None):
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    return imagenet_utils.decode_predictions(preds, top=top)


preprocess_input.__doc__ = imagenet_utils.PREPROCESS_INPUT_DOC.format(name="ResNetV2") + "    Mode: tf.\n"
