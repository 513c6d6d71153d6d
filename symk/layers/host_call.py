"""Host-side layers (TextVectorization, StringLookup, Hashing, HashedCrossing) called on symbolic tensors.

A compiled graph carries numbers only, so a host layer never adds ops. Called on a model input
(`Input(shape=(1,), dtype="string")`) or on another host layer's output, it records a call site and
returns a fresh numeric placeholder that stands for its result; the model later splits these calls off
as its host prefix (symk/models/host_prefix.py) and runs them in numpy on each batch of data:

    text = Input(shape=(1,), dtype="string")
    ids = vectorize(text)               # a placeholder (None, 200) int32: where the graph starts
    model = Model(text, Dense(1)(GlobalAveragePooling1D()(Embedding(20000, 16)(ids))))
"""
from __future__ import annotations

from ..errors import GraphError
from ..graph import graph_scope, layer_scope, recording_call_sites
from .call_site import CallSite, _flatten

HOST_CALL = "host_call"   # node attribute of a host layer's output placeholder: the CallSite that made it


def host_call_of(graph, node: int):
    """The CallSite of the host layer whose output is `node`, or None for any other node."""
    return graph.nx.nodes[node].get(HOST_CALL)


def symbolic_host_call(layer, inputs):
    """`layer(inputs)` on symbolic tensors: a placeholder for the host result, and a recorded call site."""
    tensors = _flatten(inputs)
    for t in tensors:
        if t.op_name != "placeholder":
            raise GraphError(
                f"Layer {layer.name!r} ({type(layer).__name__}) runs on the host, in numpy, before the compiled graph "
                f"starts, so it can only take a model input (Input(..., dtype='string')) or another host layer's "
                f"output; it was called on {t.name!r}, which the graph op {t.op_name!r} computes. Put the host layers "
                "first in the model, or apply this layer to the data and feed the model its result.")
    allowed = layer._host_input_kinds()
    for t in tensors:
        kind = "string" if t.dtype == "string" else "int" if "int" in t.dtype else t.dtype
        if kind not in allowed:
            raise TypeError(f"Layer {layer.name!r} ({type(layer).__name__}) runs on the host and takes "
                            f"{' or '.join(sorted(allowed))} inputs; it was called on {t.name!r} of dtype {t.dtype}. "
                            f"Declare the input Input(..., dtype={'string' if 'string' in allowed else 'int32'!r}).")
    shapes = [tuple(t.shape) for t in tensors]
    input_shape = shapes if isinstance(inputs, (list, tuple)) else shapes[0]  # HashedCrossing takes a tuple
    layer._check_host_input_shape(input_shape)
    output_shape = layer.compute_output_shape(input_shape)
    from .input_layer import make_placeholder

    with graph_scope(tensors[0].graph), layer_scope(layer):
        output = make_placeholder(tuple(output_shape), layer._host_output_dtype(), name=layer.name)
    site = CallSite(layer, inputs, output, {}, len(layer._inbound_nodes))
    output.graph.nx.nodes[output.node][HOST_CALL] = site
    if recording_call_sites():
        layer._inbound_nodes.append(site)
        output._keras_history = (layer, site.index, 0)
    layer.built = True
    return output


def refuse_string_tensors(layer, tensors) -> None:
    """A graph layer called on a string tensor: say where strings belong."""
    text = [t for t in tensors if t.dtype == "string"]
    if text:
        raise GraphError(
            f"Layer {layer.name!r} ({type(layer).__name__}) was called on the string tensor {text[0].name!r}; a "
            "compiled graph carries numbers only. Put a host-side layer that turns strings into numbers "
            "(TextVectorization, StringLookup, Hashing) between the string Input and this layer.")
