"""The image augmentation layers (Keras's keras.layers.Random*, Solarization, AutoContrast), gathered
from their family modules for symk.layers.

    >>> augment = Sequential([RandomFlip("horizontal"), RandomRotation(0.1), RandomZoom(0.2)])

Random in training (drawing from the layer's SeedGenerator, Keras's `seed=`), unchanged at inference.
"""
from .augmentation_color import *  # noqa: F401,F403
from .augmentation_color import __all__ as _color
from .augmentation_geometry import *  # noqa: F401,F403
from .augmentation_geometry import __all__ as _geometry
from .augmentation_pixels import *  # noqa: F401,F403
from .augmentation_pixels import __all__ as _pixels

__all__ = [*_geometry, *_color, *_pixels]
