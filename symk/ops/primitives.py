"""Every registered op as a function of (inputs..., attrs...): symk's own vocabulary below Keras's names.

Layers and passes use these (or `registry.apply`); users reach them as `symk.ops.primitives.conv(...)`.
Ops declared later (the fused ops of symk.passes) appear here too.

    >>> symk.ops.primitives.relu_general(x, negative_slope=0.1, max_value=6.0, threshold=0.0)
"""
from .api import op_function
from .registry import OPS
from .structural import STRUCTURAL


def __getattr__(name: str):
    if name in OPS and name not in STRUCTURAL:
        return op_function(name)
    raise AttributeError(f"symk.ops.primitives has no op {name!r}; registered ops: {', '.join(__dir__())}")


def __dir__():
    return sorted(name for name in OPS if name not in STRUCTURAL)
