"""Weight regularizers (l1, l2, l1_l2): a penalty term added to the training loss."""
from __future__ import annotations

from .keras_objects import Configurable, deserialize_object, lookup_by_name_or_config, serialize_object
from .ops.registry import apply


class Regularizer(Configurable):
    def __call__(self, x):
        return 0.0


class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        total = 0.0
        if self.l1:
            total = total + self.l1 * apply("sum", [apply("abs", [x])])
        if self.l2:
            total = total + self.l2 * apply("sum", [apply("square", [x])])
        return total

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


def l1_l2(l1=0.01, l2=0.01):
    return L1L2(l1, l2)


l1, l2 = L1, L2
ALL = {"L1L2": L1L2, "L1": L1, "L2": L2, "l1": L1, "l2": L2, "l1_l2": l1_l2}


def serialize(obj):
    """Keras 3's serialized form (`keras.regularizers.serialize`)."""
    return serialize_object(obj)


def deserialize(config, custom_objects=None):
    """The regularizer a serialized form describes; registered classes resolve too."""
    return deserialize_object(config, ALL, "regularizer", custom_objects)


def get(identifier):
    return lookup_by_name_or_config(identifier, Regularizer, ALL, "regularizer")
