"""`symk.ops`: Keras 3's `keras.ops`, on symbolic tensors (graph nodes) and on arrays (run at once).

    >>> symk.ops.sum(x, axis=1, keepdims=True)
    >>> symk.ops.nn.relu(x); symk.ops.linalg.inv(a); symk.ops.image.resize(images, (64, 64))

Keras's namespaces are modules here too (numpy, nn, linalg, math, image, core); `symk.ops`
holds all of their functions but image's, as Keras does. Every registered op, Keras name or
not, is a function in `symk.ops.primitives`; the registry itself is `symk.ops.registry`.
"""
from __future__ import annotations

import importlib as _importlib
import pkgutil as _pkgutil

from .api import KERAS_API, NAMESPACES, TOP_LEVEL

# Every other module of this package is an op family: it declares its ops and publishes its
# Keras functions (symk/ops/api.py). Importing them all here is what fills the namespaces.
_NOT_FAMILIES = {"api", "registry", "primitives", *NAMESPACES}
for _module in _pkgutil.iter_modules(__path__):
    if _module.name not in _NOT_FAMILIES:
        _importlib.import_module(f"{__name__}.{_module.name}")

from . import core, image, linalg, math, nn, numpy, primitives  # noqa: E402,F401

for _namespace in TOP_LEVEL:
    globals().update(KERAS_API[_namespace])

__all__ = sorted({name for ns in TOP_LEVEL for name in KERAS_API[ns]} | set(NAMESPACES) | {"primitives"})
del _namespace, _module
