"""A model's host prefix: the host-side layers between its string Inputs and the first graph layer.

    text = Input(shape=(1,), dtype="string")          # a model input: what users feed
    ids = vectorize(text)                             # host layer: a placeholder, where the graph starts
    model = Model(text, head(ids))                    # model.inputs == [text]; the graph's input is `ids`

When a functional model is built, `split_host_prefix` follows the graph's placeholders back through the
host layers' call sites (symk/layers/host_call.py) to the model's inputs. The compiled graph starts at
those placeholders; `HostPrefix.run` turns the data users pass (strings, in numpy) into the arrays the
graph takes, on each batch or once for a whole array dataset. A model without host layers has no prefix.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..errors import GraphError
from ..graph import reachable
from ..layers.host_call import host_call_of


def holds_text(x) -> bool:
    """Whether data given to a model is text (a str, a list of str, or a numpy array of str/bytes/objects)."""
    if isinstance(x, (str, bytes)):
        return True
    if isinstance(x, (list, tuple)):
        if not x or isinstance(x[0], (str, bytes)):
            return bool(x)
        if isinstance(x[0], (list, tuple)):
            return holds_text(x[0])  # rows of a nested Python list: the first one tells
        return any(holds_text(v) for v in x if isinstance(v, (np.ndarray, dict, list, tuple)))  # several inputs
    if isinstance(x, dict):
        return any(holds_text(v) for v in x.values())
    if not isinstance(x, np.ndarray) or x.dtype.kind not in "USO":
        return False
    return x.dtype.kind in "US" or x.size > 0 and isinstance(x.reshape(-1)[0], (str, bytes))


class ComputedInputs(list):
    """Arrays the host prefix already produced (fit's validation_split slices them): run() passes them on."""


class HostPrefix:
    """The host steps (call sites, in run order) from the model inputs to the graph's inputs."""

    def __init__(self, model_name: str, model_inputs: list, graph_inputs: list, steps: list):
        self.model_name = model_name
        self.model_inputs, self.graph_inputs, self.steps = model_inputs, graph_inputs, steps

    # -- data -----------------------------------------------------------------------------
    def arrange(self, x, input_names: list) -> list:
        """The data as one value per model input, from an array, a list of strings, a list or a dict by name."""
        if isinstance(x, dict):
            missing = [n for n in input_names if n not in x]
            if missing:
                raise ValueError(f"Model {self.model_name!r} expects inputs named {input_names}; the dict given has "
                                 f"keys {sorted(x)} (missing {missing})")
            return [x[n] for n in input_names]
        if isinstance(x, (list, tuple)) and len(self.model_inputs) == 1 and (
                not x or all(isinstance(v, (str, bytes)) for v in x)):
            return [np.array(list(x), dtype=object)]  # predict(["some text", ...]): one input of sentences
        if isinstance(x, (list, tuple)):
            if len(x) != len(self.model_inputs):
                raise ValueError(f"Model {self.model_name!r} expects {len(self.model_inputs)} input(s) "
                                 f"({input_names}), but received {len(x)}.")
            return list(x)
        return [x]

    def _checked(self, tensor, value, name: str) -> np.ndarray:
        """One input's data as numpy, rank and kind checked against its Input."""
        array = np.asarray(value, dtype=object if isinstance(value, (str, bytes)) else None)
        expected = tuple(tensor.shape)
        if array.ndim == len(expected) - 1 and expected[-1] == 1:
            array = array[..., None]  # a flat array of sentences for Input(shape=(1,)), as Keras takes it
        if array.ndim != len(expected) or any(e is not None and e != d for e, d in zip(expected[1:], array.shape[1:])):
            raise ValueError(f"Input {name!r} of model {self.model_name!r} takes shape {expected} (None = any size), "
                             f"but the data has shape {array.shape}. Pass one row per example, e.g. "
                             f"np.array([['first text'], ['second text']]) for Input(shape=(1,), dtype='string').")
        text = array.dtype.kind in "USO"
        if tensor.dtype == "string" and not text:
            raise ValueError(f"Input {name!r} of model {self.model_name!r} takes strings (dtype='string'); received "
                             f"{array.dtype} values. Feed the raw text: the model's host layers turn it into numbers.")
        if tensor.dtype != "string" and text:
            raise ValueError(f"Input {name!r} of model {self.model_name!r} takes numbers ({tensor.dtype}); received "
                             "text. Declare it Input(..., dtype='string') and put a host layer (StringLookup, "
                             "TextVectorization, Hashing) after it.")
        return array.astype(object) if array.dtype.kind in "US" else array

    def run(self, x, input_names: list) -> list:
        """The arrays the graph takes (in the order of `graph_inputs`), computed on the host from `x`."""
        if isinstance(x, ComputedInputs):
            return list(x)
        texts = [t.name for t in self.graph_inputs if t.dtype == "string"]
        if texts:
            raise ValueError(f"Model {self.model_name!r} outputs strings ({texts}) with no graph layer to compute; "
                             "end its host layers with numbers (e.g. StringLookup without invert=True) and add "
                             "the layers that use them.")
        values = {}
        for tensor, value, name in zip(self.model_inputs, self.arrange(x, input_names), input_names):
            values[tensor.node] = self._checked(tensor, value, name)
        lengths = {len(v) for v in values.values()}
        if len(lengths) > 1:
            raise ValueError(f"All input arrays must have the same number of samples; got "
                             f"{[len(v) for v in values.values()]}")
        for site in self.steps:
            if isinstance(site.inputs, (list, tuple)):
                args = type(site.inputs)(values[t.node] for t in site.input_tensors)
            else:
                args = values[site.inputs.node]
            values[site.outputs.node] = np.asarray(site.layer(args))
        out = []
        for tensor in self.graph_inputs:
            array = values[tensor.node]
            if tensor.dtype != "string" and array.dtype != np.dtype(tensor.dtype):
                array = array.astype(tensor.dtype)  # int64 ids -> the graph's int32 (x64 off, as Keras on JAX)
            out.append(array)
        return out


def split_host_prefix(model_name: str, graph, inputs: list, outputs: list) -> Optional[HostPrefix]:
    """The host prefix of a model with these inputs and outputs, or None when no host layer feeds its graph."""
    input_nodes = {t.node: t for t in inputs}
    needed = reachable(graph.nx.predecessors, [t.node for t in outputs])
    feeds = [n for n in sorted(needed) if host_call_of(graph, n) is not None]
    if not feeds and not any(t.dtype == "string" for t in inputs):
        return None
    steps, seen = [], set()

    def visit(node: int) -> None:  # depth first: a step after the steps it reads
        if node in seen or node in input_nodes:
            return
        site = host_call_of(graph, node)
        if site is None:
            raise GraphError(f"Graph disconnected: host layer input {graph.node(node)['name']!r} is not one of the "
                             f"inputs of model {model_name!r} ({[t.name for t in inputs]}). Pass that Input in "
                             "`inputs=[...]` too.")
        for parent in site.input_tensors:
            visit(parent.node)
        seen.add(node)
        steps.append(site)

    for node in feeds:
        visit(node)
    # NOTE: a string tensor can reach the graph's inputs only as a model output itself (a Sequential holding
    # just its Input, while it is being built); run() refuses such a model by name
    graph_inputs = [t for t in inputs if t.node in needed]
    graph_inputs += [host_call_of(graph, n).outputs for n in feeds if n not in input_nodes]
    return HostPrefix(model_name, list(inputs), graph_inputs, steps)
