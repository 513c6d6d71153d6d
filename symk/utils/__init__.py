"""`symk.utils`: to_categorical, normalize, set_random_seed (and plot_model from [viz])."""
from __future__ import annotations

import numpy as np

from ..random_state import set_seed as set_random_seed  # noqa: F401
from . import np_utils  # noqa: F401  (Keras 2: keras.utils.np_utils.to_categorical)
from .np_utils import normalize, to_categorical  # noqa: F401
from ..viz.plot import model_to_dot, plot_model  # noqa: F401
from ..saving.registry import (CustomObjectScope, custom_object_scope, get_custom_objects,  # noqa: F401,E402
                               get_registered_name, register_keras_serializable)
