"""`symk.viz`: see a model's graph — layer and op views, exports (DOT, GraphML, JSON, images), plots.

    from symk.viz import export, layer_view, op_view
    export(model, "model.graphml", level="ops")
    view, report = model_diff(model, level="layers")   # which layers the inference passes removed/folded/fused
"""
from .formats import (FORMATS, GraphvizNotFoundError, export, format_for, read_json, render,  # noqa: F401
                      to_pydot, write_view)
from .layer_view import layer_view  # noqa: F401
from .op_view import op_view  # noqa: F401
from .plot import model_to_dot, plot_model  # noqa: F401
from .diff import model_diff, pass_diff  # noqa: F401
from .layer_diff import layer_model_diff, layer_pass_diff  # noqa: F401
from .html import write_html  # noqa: F401
from .model_explorer_api import explore  # noqa: F401  (Model Explorer itself is imported only when called)
