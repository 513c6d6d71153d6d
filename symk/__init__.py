"""symk — Keras-style models as symbolic dataflow graphs, lowered to JAX.

    import symk as keras
    model = keras.Sequential([keras.layers.Dense(10, input_shape=(20,))])
"""
from __future__ import annotations

import jax as _jax

# NOTE: symk computes in float32 and int32, as Keras on JAX does by default
_jax.config.update("jax_enable_x64", False)

from . import config  # noqa: E402,F401  (the settings everything below reads)
from . import ops  # noqa: E402,F401  (declares every op first)
from . import random, tree  # noqa: E402,F401
from . import activations, backend, constraints, initializers, regularizers  # noqa: E402,F401
from . import datasets, engine, layers, models, utils  # noqa: E402,F401
from . import callbacks, losses, metrics, optimizers, preprocessing  # noqa: E402,F401
from . import applications  # noqa: E402,F401  (the standard architectures, built from layers and models)
from . import distribution  # noqa: E402,F401  (Keras 3's distribution API on jax.sharding)
from . import dtype_policies, mixed_precision  # noqa: E402,F401  (policies: mixed precision)
from . import onnx  # noqa: E402,F401  (ONNX import and export; the onnx package is imported only when used)
from .errors import GraphError, ShapeError  # noqa: E402,F401
from .graph import Graph, SymbolicTensor  # noqa: E402,F401
from .layers import Input, InputLayer, Layer  # noqa: E402,F401
from .models import Model, Sequential  # noqa: E402,F401
from .stateless_scope import StatelessScope  # noqa: E402,F401
from .variables import Variable  # noqa: E402,F401

__version__ = "0.1.0"
