"""The loop behind model.predict: arrays in fixed-size batches (the last partial batch padded, so
it compiles nothing new) or any iterable/generator of batches (x, (x,), (x, y) or (x, y, w):
targets are ignored, as Keras ignores them), with `steps`, callbacks and the progress bar.

    model.predict(x, batch_size=64)                    # arrays
    model.predict(batch_generator(), steps=10)         # batches of x or (x, y)
"""
from __future__ import annotations

import jax
import numpy as np

from ..distribution import placement as dist_placement
from . import data_adapter as da


def _verbosity(verbose) -> int:
    return 1 if verbose == "auto" else int(verbose)


class PredictLoop:
    def __init__(self, model):
        self.model = model

    def run(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        steps = da.check_count(steps, "steps", "predict")
        batch_size = da.check_count(batch_size, "batch_size", "predict")
        if da.is_batch_iterable(x):
            return self.batches(x, steps, verbose, callbacks)
        if isinstance(x, tuple) and len(x) in (2, 3) and self._takes_one_input():
            x = x[0]  # predict((x, y)): Keras unpacks the data tuple and ignores the targets
        if not self.model._takes_host_data(x):  # strings are for the host layers (models/host_prefix.py)
            da.check_numeric(x, "x", "predict")
        return self.arrays(x, batch_size, verbose, steps, callbacks)

    def _takes_one_input(self) -> bool:
        """A tuple is (x, y) only for a model of one input; for several it is the inputs."""
        model = self.model
        return model._graph is not None and len(model.inputs) == 1

    def _callbacks(self, callbacks, verbose, total):
        from ..callbacks import CallbackList, ProgbarLogger

        user = list(callbacks or [])
        progbar = [ProgbarLogger(verbose=verbose)] if verbose and not any(isinstance(c, ProgbarLogger) for c in user) \
            else []
        return CallbackList(progbar + user, model=self.model, params={"steps": total, "verbose": verbose})

    # -- arrays -------------------------------------------------------------------------
    def arrays(self, x, batch_size, verbose, steps, callbacks):
        model = self.model
        arrays = model._standardize_inputs(x)
        batch_size = int(batch_size or 32)
        n = len(arrays[0])
        if steps is not None:
            n = min(n, int(steps) * batch_size)
        local = dist_placement.feeds_local_data()  # each process passed its own slice (distribution/process_input.py)
        if local:
            dist_placement.agree_on_steps(n, batch_size, "predict")  # every process runs as many batches
        total = -(-n // batch_size)
        cbs = self._callbacks(callbacks, _verbosity(verbose), total)
        program = model._program(training=False)
        weights = model._weight_values(program)
        fixed_batch = any(t.shape[0] is not None for t in model.inputs)
        hooks = bool(cbs.callbacks)  # NOTE: with no callbacks and no bar the per-batch hooks are skipped
        cbs.on_predict_begin()
        chunks, sizes, new_state = [], [], {}
        for i, start in enumerate(range(0, n, batch_size)):
            if hooks:
                cbs.on_predict_batch_begin(i)
            batch = [a[start:min(start + batch_size, n)] for a in arrays]
            size = len(batch[0])
            padded = batch_size if local else _bucket(size, n, batch_size, fixed_batch)
            if padded != size:  # no new compilation for every new batch length
                batch = da.pad_rows(batch, padded)
            if local:  # every process's rows in one global batch; the outputs cut back to this process's
                outs, new_state = program.run(weights, {}, dist_placement.place_local_inputs(batch), training=False)
                outs = dist_placement.local_outputs(outs)
            else:
                outs, new_state = program.run(weights, {}, batch, training=False)
            if new_state:
                weights.update(new_state)  # stateful layers (RNN states) carry over to the next batch
            # the padded rows are cut on the host, after the copy (a device slice is a second dispatch)
            chunks.append(outs)
            sizes.append(size)
            if hooks:
                cbs.on_predict_batch_end(i, {"outputs": [o[:size] for o in outs]})
        if chunks and hooks:
            jax.block_until_ready(chunks[-1])  # the bar's final time counts the device's work
        cbs.on_predict_end()
        for path in new_state:
            program.variables[path].set_value(weights[path])
        if not chunks:
            raise ValueError(f"predict: the input has no samples (shape {tuple(arrays[0].shape)})")
        return self._collect(chunks, sizes)

    # -- iterables of batches -----------------------------------------------------------
    def batches(self, data, steps, verbose, callbacks):
        model = self.model
        total = steps or (len(data) if hasattr(data, "__len__") else None)
        cbs = self._callbacks(callbacks, _verbosity(verbose), total)
        cbs.on_predict_begin()
        chunks, size = [], None
        local = dist_placement.feeds_local_data()  # this process's batches: its rows of global batches
        for i, batch in enumerate(da.iterate_batches(data, steps)):
            cbs.on_predict_batch_begin(i)
            xs = model._standardize_inputs(da.unpack_batch(batch)[0])
            real = len(xs[0])
            size = size or real
            if real > size:
                raise ValueError(f"predict: batch {i} has {real} samples, more than the first batch's {size}; the "
                                 "first batch sets the batch size (later batches may only be smaller)")
            program = model._program(training=False)
            xs = da.pad_rows(xs, size)
            if local:
                xs = dist_placement.place_local_inputs(xs)
            outs, _ = program.run(model._weight_values(program), {}, xs, training=False)
            if local:
                outs = dist_placement.local_outputs(outs)
            chunks.append([o[:real] for o in outs])
            cbs.on_predict_batch_end(i, {"outputs": chunks[-1]})
        if chunks:
            jax.block_until_ready(chunks[-1])
        cbs.on_predict_end()
        if not chunks:
            raise ValueError("predict: the data yielded no batches")
        return self._collect(chunks)

    def _collect(self, chunks, sizes=None):
        """The batches' outputs copied to the host, each cut to its real rows, and joined."""
        sizes = sizes or [None] * len(chunks)
        results = [np.concatenate([np.asarray(c[i])[:size] for c, size in zip(chunks, sizes)])
                   for i in range(len(chunks[0]))]
        return self.model._package(results)


def _bucket(size: int, n: int, batch_size: int, fixed_batch: bool) -> int:
    """The batch length to run: the usual batch size for a last partial batch, and for data smaller
    than one batch the next power of two (a handful of compiles in all, not one per length)."""
    if fixed_batch or size == batch_size:
        return size
    if n > batch_size:
        return batch_size
    return min(batch_size, 1 << (size - 1).bit_length())
