"""Special functions, elementwise (fusible) like those in symk/ops/elementwise.py: erfc and erfinv.

Integer and bool inputs give float32, as in Keras (erf itself is in elementwise.py).

    >>> symk.ops.erfinv(np.array([0.0, 0.5]))   # [0, 0.4769...]
"""
from __future__ import annotations

import jax.scipy.special as jss

from .api import export_op
from .elementwise import _to_float, float_unary_rule
from .registry import def_op

SPECIAL = {"erfc": jss.erfc, "erfinv": jss.erfinv}

for _name, _fn in SPECIAL.items():
    def_op(_name, float_unary_rule, (lambda f: lambda x: f(_to_float(x)))(_fn), elementwise=True)
    export_op("math", _name)
