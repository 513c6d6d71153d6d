"""model.summary(): Keras's table (Layer (type), Output Shape, Param #, Connected to)."""
from __future__ import annotations

from ..layers.input_layer import InputLayer


def _format_shape(shape) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(_format_shape(s) for s in shape)
    return str(tuple(shape)).replace(",)", ")") if len(shape) != 1 else f"({shape[0]},)"


def _site_in_model(layer, model):
    """The call site of `layer` that belongs to `model`'s graph (its outputs are in the graph)."""
    graph = model._graph
    for site in layer._inbound_nodes:
        outs = site.output_tensors
        if outs and graph is not None and outs[0].node in graph.nx:
            return site
    return layer._inbound_nodes[0] if layer._inbound_nodes else None


def display_type(layer) -> str:
    """Keras shows functional models as 'Functional' (symk's class is Model)."""
    if type(layer).__name__ == "Model" and getattr(layer, "_functional", False):
        return "Functional"
    return type(layer).__name__


def _params(layer) -> int:
    try:
        return layer.count_params()
    except ValueError:
        return 0


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False):
    print_fn = print_fn or print
    layers = model.layers
    graph_like = model._functional and not _is_chain(model)
    if model._graph is not None and not type(model).__name__ == "Sequential":
        layers = [l for l in model.layers]
    headers = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if graph_like else [])
    line_length = line_length or (98 if graph_like else 65)
    positions = positions or ([0.33, 0.55, 0.67, 1.0] if graph_like else [0.45, 0.85, 1.0])
    stops = [int(line_length * p) if p <= 1 else int(p) for p in positions]

    def row(fields):
        line = ""
        for i, field in enumerate(fields):
            if i > 0:
                line = line[: stops[i - 1] - 1] + " "
            line += str(field)
            line = line[: stops[i]]
            line += " " * (stops[i] - len(line))
        print_fn(line.rstrip())

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    row(headers)
    print_fn("=" * line_length)
    for i, layer in enumerate(layers):
        site = _site_in_model(layer, model)
        if site is not None and model._graph is not None:
            shape = _format_shape([t.shape for t in site.output_tensors]
                                  if len(site.output_tensors) > 1 else site.output_tensors[0].shape)
        else:
            shape = "multiple" if layer.built else "(unbuilt)"
        fields = [f"{layer.name} ({display_type(layer)})", shape, f"{_params(layer):,}"]
        if graph_like:
            inbound = []
            if site is not None and not isinstance(layer, InputLayer):
                for t in site.input_tensors:
                    h = t._keras_history
                    if h is not None:
                        inbound.append(f"{h[0].name}[{h[1]}][{h[2]}]")
            fields.append(inbound[0] if inbound else "")
            row(fields)
            for extra in inbound[1:]:
                row(["", "", "", extra])
        else:
            row(fields)
        print_fn(("=" if i == len(layers) - 1 else "_") * line_length)
    if not layers:
        print_fn("=" * line_length)
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    total = sum(int(w.numpy().size) for w in model.weights)
    print_fn(f"Total params: {total:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {total - trainable:,}")
    print_fn("_" * line_length)


def _is_chain(model) -> bool:
    """Sequential-looking graphs (each layer fed by the previous one) print without 'Connected to'."""
    if type(model).__name__ == "Sequential":
        return True
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        return False
    previous = None
    for layer in model.layers:
        site = _site_in_model(layer, model)
        if site is None:
            return False
        if isinstance(layer, InputLayer):
            previous = layer
            continue
        inputs = site.input_tensors
        if len(inputs) != 1 or inputs[0]._keras_history is None or inputs[0]._keras_history[0] is not previous:
            return False
        previous = layer
    return True
