"""User-written recurrent cells (Keras's custom-cell API), run by unrolling time in the graph.

A custom cell is a Layer with `state_size` (an int, a shape, or a list of them), an optional
`output_size`, an optional `get_initial_state(batch_size)`, and `call(inputs, states)`
returning `(output, new_states)`. The `rnn` op only knows the built-in cells, so RNN(cell)
with a custom cell traces the cell's call once per time step (as Keras's unroll=True does);
the number of timesteps must therefore be known when the layer is called.

    class MinimalRNNCell(Layer):
        state_size = 4
        def call(self, x, states): h = x @ self.kernel + states[0] @ self.recurrent; return h, [h]
    RNN(MinimalRNNCell(), return_sequences=True)(Input(shape=(10, 8)))
"""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..ops.registry import apply, is_symbolic
from .rnn_cells import RecurrentCell, StackedRNNCells


def is_custom_cell(cell) -> bool:
    return not isinstance(cell, (RecurrentCell, StackedRNNCells))


def check_custom_cell(cell) -> None:
    """Refuse objects that do not follow the custom-cell API, saying what is missing."""
    missing = [what for what, ok in (("a `state_size` attribute", hasattr(cell, "state_size")),
                                     ("a `call(inputs, states)` method", callable(getattr(cell, "call", None))))
               if not ok]
    if missing:
        raise TypeError(f"RNN: the cell {type(cell).__name__} lacks {' and '.join(missing)}. A recurrent cell is a "
                        "Layer with state_size (int or list of ints) and call(inputs, states) returning "
                        "(output, new_states); or use SimpleRNNCell, LSTMCell or GRUCell.")


def state_shapes(cell) -> list[tuple]:
    """The per-sample shape of each state: an int is one state of that size; a list holds one entry per state."""
    size = cell.state_size
    if isinstance(size, (int, np.integer)):
        return [(int(size),)]
    if isinstance(size, (list, tuple)):
        return [(int(s),) if isinstance(s, (int, np.integer)) else tuple(int(d) for d in s) for s in size]
    return [tuple(int(d) for d in size)]  # a TensorShape-like object: one state of that shape


def output_shape_of(cell) -> tuple:
    """Per-sample output shape: `output_size` if the cell has one, else its first state's (as Keras does)."""
    size = getattr(cell, "output_size", None)
    if size is None:
        return state_shapes(cell)[0]
    return (int(size),) if isinstance(size, (int, np.integer)) else tuple(int(d) for d in size)


def initial_states(cell, sequences) -> list:
    """The cell's own get_initial_state(batch_size) if it has one, else zeros of each state's shape."""
    batch = sequences.shape[0]
    first_step = apply("getitem", [sequences], key=(("slice", None, None, None), ("int", 0)))
    shapes = state_shapes(cell)
    if isinstance(cell, RecurrentCell):  # a built-in cell in a stack with custom ones
        return cell.get_initial_state(like=first_step)
    if not hasattr(cell, "get_initial_state"):
        return [apply("batch_full", [first_step], shape=s, value=0.0, dtype=sequences.dtype) for s in shapes]
    # NOTE: with an unknown batch the cell gets the batch size as a symbolic scalar (a tensor), as in Keras 3
    batch_size = batch if batch is not None else apply("dim_size", [sequences], axis=0)
    try:
        states = cell.get_initial_state(batch_size=batch_size)
    except Exception as err:  # noqa: BLE001  (re-raised with what to do)
        raise (TypeError if isinstance(err, TypeError) else ValueError)(f"RNN: {type(cell).__name__}.get_initial_state(batch_size={batch_size!r}) failed: {err}. "
                        "With an unknown batch size symk passes a symbolic scalar; build states with symk.ops "
                        "(e.g. symk.ops.batch_full), give the Input a batch_size, or pass initial_state=.") from err
    states = list(states) if isinstance(states, (list, tuple)) else [states]
    return [s if is_symbolic(s) else np.asarray(s, sequences.dtype) for s in states]


def _call_cell(cell, inputs, states, training):
    kwargs = {"training": training} if training is not None and cell._call_accepts("training") else {}
    result = cell.call(inputs, list(states), **kwargs)
    if not isinstance(result, (list, tuple)) or len(result) != 2:
        raise TypeError(f"RNN: {type(cell).__name__}.call(inputs, states) must return (output, new_states); "
                        f"got {type(result).__name__}")
    output, new_states = result
    new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
    expected = state_shapes(cell)
    if len(new_states) != len(expected):
        raise ValueError(f"RNN: {type(cell).__name__}.call returned {len(new_states)} new state(s) but its "
                         f"state_size {cell.state_size!r} declares {len(expected)}; make them agree.")
    for index, (state, shape) in enumerate(zip(new_states, expected)):
        if tuple(state.shape[1:]) != shape:
            raise ShapeError(f"RNN: {type(cell).__name__}.call returned new state {index} of shape "
                             f"{tuple(state.shape)}, but state_size declares (batch, {', '.join(map(str, shape))}). "
                             "Make state_size match what call() returns.")
    return output, new_states


def _keep(mask_t, like):
    """The (batch,) step mask shaped to broadcast against `like` (ranks must match: no implicit promotion)."""
    return apply("reshape", [mask_t], shape=(-1,) + (1,) * (len(like.shape) - 1))


def run_unrolled(layer, cells, sequences, states, mask, training):
    """Run `cells` (applied in turn at each step) over axis 1. Returns (output, final states, flattened)."""
    steps = sequences.shape[1]
    if steps is None:
        raise ValueError(
            f"Layer {layer.name!r} runs the custom cell {type(cells[0]).__name__} by unrolling over time, which needs "
            f"a known number of timesteps; received input shape {tuple(sequences.shape)}. Give the Input a fixed "
            "time axis, e.g. Input(shape=(10, features)).")
    per_cell, start = [], 0
    for cell in cells:
        count = len(state_shapes(cell))
        per_cell.append(list(states[start:start + count]))
        start += count
    order = range(steps - 1, -1, -1) if layer.go_backwards else range(steps)
    outputs, previous_output = [], None
    for t in order:
        step_index = (("slice", None, None, None), ("int", t))
        inputs = apply("getitem", [sequences], key=step_index)
        new_per_cell = []
        for cell, own in zip(cells, per_cell):
            inputs, new_states = _call_cell(cell, inputs, own, training)
            new_per_cell.append(new_states)
        output = inputs
        if mask is not None:
            # a masked step keeps the states and repeats the previous output (zeros with zero_output_for_mask)
            mask_t = apply("getitem", [mask], key=step_index)
            new_per_cell = [[apply("where", [_keep(mask_t, new), new, old]) for new, old in zip(news, olds)]
                            for news, olds in zip(new_per_cell, per_cell)]
            if previous_output is None or layer.zero_output_for_mask:
                fallback = output * 0.0
            else:
                fallback = previous_output
            output = apply("where", [_keep(mask_t, output), output, fallback])
        per_cell, previous_output = new_per_cell, output
        outputs.append(output)
    result = apply("stack", outputs, axis=1) if layer.return_sequences else outputs[-1]
    return result, [s for own in per_cell for s in own]
