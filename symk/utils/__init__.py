"""`symk.utils`: to_categorical, normalize, set_random_seed, the data helpers fit takes (PyDataset,
pad_sequences, timeseries_dataset_from_array, split_dataset, pack/unpack_x_y_sample_weight), Progbar,
clear_session, get_source_inputs, is_keras_tensor (and plot_model from [viz])."""
from __future__ import annotations

import numpy as np

from ..random_state import set_seed as set_random_seed  # noqa: F401
from . import np_utils  # noqa: F401  (Keras 2: keras.utils.np_utils.to_categorical)
from .np_utils import normalize, to_categorical  # noqa: F401
from ..viz.plot import model_to_dot, plot_model  # noqa: F401
from ..saving.registry import (CustomObjectScope, custom_object_scope, get_custom_objects,  # noqa: F401,E402
                               get_registered_name, register_keras_serializable)
from .progbar import Progbar  # noqa: F401,E402
from ..backend import clear_session, is_keras_tensor  # noqa: F401,E402
from .data_utils import (PyDataset, Sequence, pack_x_y_sample_weight, split_dataset,  # noqa: F401,E402
                         unpack_x_y_sample_weight)
from .sequence_utils import pad_sequences  # noqa: F401,E402
from .timeseries import timeseries_dataset_from_array  # noqa: F401,E402
from .source_inputs import get_source_inputs  # noqa: F401,E402
from .. import preprocessing  # noqa: F401,E402  (keras.preprocessing.sequence.pad_sequences)
