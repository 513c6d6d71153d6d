"""Graph-structure ops: placeholders, parameters, constants and state assignments.

Codegen binds these itself (inputs, weights, constants, new state); they have no lowering.
"""
from ..shapes import TensorSpec
from .registry import def_op


def _from_attrs(specs, attrs):
    return TensorSpec.of(attrs.shape, attrs.dtype)


def_op("placeholder", _from_attrs, None, attrs=dict(shape=(), dtype="float32"), inputs=0,
       foldable=False, doc="A model input, fed at run time.")
def_op("parameter", _from_attrs, None, attrs=dict(path="", shape=(), dtype="float32"), inputs=0,
       foldable=False, doc="A variable's value, read from the weights pytree.")
def_op("constant", _from_attrs, None, attrs=dict(shape=(), dtype="float32", digest=""), inputs=0,
       doc="A constant array stored on the node as `value`.")
def_op("assign", lambda specs, attrs: (), None, attrs=dict(path="", variable_id=-1), inputs=1,
       stateful=True, foldable=False, doc="Writes its input to a variable as new state (no outputs).")

STRUCTURAL = ("placeholder", "parameter", "constant", "assign")
