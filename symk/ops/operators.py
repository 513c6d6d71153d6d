"""Python operators on symbolic tensors and variables (+ - * / @ ** neg, <, indexing)."""
from __future__ import annotations

from ..graph import SymbolicTensor
from ..variables import Variable
from .array import encode_index
from .registry import apply


def _binary(op_name, reflected=False):
    if reflected:
        return lambda self, other: apply(op_name, [other, self])
    return lambda self, other: apply(op_name, [self, other])


_BINARY = {
    "add": "add", "sub": "subtract", "mul": "multiply", "truediv": "divide", "floordiv": "floor_divide",
    "mod": "mod", "pow": "power", "matmul": "matmul", "and": "logical_and", "or": "logical_or",
    "xor": "logical_xor",
}
_COMPARE = {"lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal"}


def _getitem(self, key):
    return apply("getitem", [self], key=encode_index(key))


def install(cls) -> None:
    for dunder, op_name in _BINARY.items():
        setattr(cls, f"__{dunder}__", _binary(op_name))
        setattr(cls, f"__r{dunder}__", _binary(op_name, reflected=True))
    for dunder, op_name in _COMPARE.items():
        setattr(cls, f"__{dunder}__", _binary(op_name))
    cls.__neg__ = lambda self: apply("negative", [self])
    cls.__pos__ = lambda self: self
    cls.__abs__ = lambda self: apply("abs", [self])
    cls.__invert__ = lambda self: apply("logical_not", [self])
    cls.__getitem__ = _getitem


install(SymbolicTensor)
install(Variable)
SymbolicTensor.T = property(lambda self: apply("transpose", [self], axes=None))
