"""Weight regularizers (l1, l2, l1_l2): a penalty term added to the training loss."""
from __future__ import annotations

from .ops.registry import apply


class Regularizer:
    def __call__(self, x):
        return 0.0

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


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


def serialize(reg):
    return {"module": "keras.regularizers", "class_name": type(reg).__name__, "config": reg.get_config(),
            "registered_name": None}


def get(identifier):
    if identifier is None or isinstance(identifier, Regularizer) or callable(identifier) and not isinstance(identifier, (str, dict, type)):
        return identifier
    if isinstance(identifier, str):
        if identifier not in ALL:
            raise ValueError(f"unknown regularizer {identifier!r}; known: {', '.join(sorted(ALL))}")
        return ALL[identifier]()
    if isinstance(identifier, dict):
        cls = ALL.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"unknown regularizer config {identifier}")
        return cls(**identifier.get("config", {}))
    raise ValueError(f"cannot interpret {identifier!r} as a regularizer")
