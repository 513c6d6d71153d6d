"""`symk.layers`: the layer catalog. Each family lives in its own module."""
from .base import Layer  # noqa: F401
from .core import Activation, Dense, Dropout, Flatten, Lambda, Permute, RepeatVector, Reshape  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .input_spec import InputSpec  # noqa: F401
from .merge import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add,  # noqa: F401
                    average, concatenate, dot, maximum, minimum, multiply, subtract)
from .catalog import *  # noqa: F401,F403  (conv, pooling, normalization, recurrent, ... from [layers])
from .augmentation_histogram import *  # noqa: F401,F403  (Equalization, ContrastLimitedAdaptiveHistogramEqualization)
from .augmentation_warp import *  # noqa: F401,F403  (RandomPerspective, RandomElasticTransform)
from .augmentation_mixing import *  # noqa: F401,F403  (CutMix, MixUp, AugMix, RandAugment, Pipeline, ...)
from .spectral_normalization import SpectralNormalization  # noqa: F401
from .jax_layer import JaxLayer  # noqa: F401
from .serialization import deserialize, serialize  # noqa: F401
