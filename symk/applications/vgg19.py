"""VGG19 (keras.applications.vgg19): VGG16's builder with four convolutions in blocks 3 to 5.

    model = VGG19(weights=None, include_top=False, input_shape=(32, 32, 3))
"""
from __future__ import annotations

from .vgg16 import build_vgg, decode_predictions, preprocess_input  # noqa: F401  (Keras's module API)

__all__ = ["VGG19"]


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg19"):
    """VGG19 (Simonyan & Zisserman, 2015) with Keras 3.15's layers and weight layout."""
    return build_vgg((2, 2, 4, 4, 4), name, include_top, weights, input_tensor, input_shape, pooling, classes,
                     classifier_activation, "vgg19")


