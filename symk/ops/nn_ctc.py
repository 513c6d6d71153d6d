"""keras.ops.nn's connectionist temporal classification: ctc_loss (optax's forward algorithm) and
ctc_decode (greedy here; beam search in symk/ops/nn_ctc_beam.py).

As in Keras, `mask_index` is the blank class, `output`/`inputs` are logits (batch, time, classes),
lengths are per example, and the results compute in at least float32. Decoded paths are padded
with -1: (top_paths, batch, time) int32, with scores (batch, top_paths).

    >>> loss = symk.ops.nn.ctc_loss(labels, logits, label_lengths, logit_lengths)
    >>> (paths,), scores = symk.ops.nn.ctc_decode(logits, logit_lengths)
"""
from __future__ import annotations

import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .nn_args import promoted
from .nn_ctc_beam import check_logits
from .registry import apply, def_op


def _agree(a, b) -> bool:
    return a is None or b is None or a == b


def ctc_loss_rule(specs, attrs):
    target, output, target_length, output_length = specs
    if len(target.shape) != 2 or len(output.shape) != 3:
        raise RuleViolation(f"target must be (batch, label length) and output (batch, time, classes) logits, got "
                            f"{tuple(target.shape)} and {tuple(output.shape)}", "pass padded label and logit batches")
    if len(target_length.shape) != 1 or len(output_length.shape) != 1:
        raise RuleViolation("target_length and output_length must be vectors of one length per example",
                            "pass shapes (batch,)")
    batch = [target.shape[0], output.shape[0], target_length.shape[0], output_length.shape[0]]
    known = {b for b in batch if b is not None}
    if len(known) > 1:
        raise RuleViolation(f"target, output and both lengths must share the batch size, got {batch}",
                            "pass one label row, logit sequence and length per example")
    classes = output.shape[2]
    if classes is not None and not 0 <= attrs.mask_index < classes:
        raise RuleViolation(f"mask_index {attrs.mask_index} is not one of the {classes} classes",
                            "use the blank class's index")
    return TensorSpec.of((known.pop() if known else None,), promoted(output.dtype, "float32"))


def _ctc_loss(target, output, target_length, output_length, mask_index):
    import optax  # the training stack's dependency; imported when a loss is first lowered

    logits = output.astype(promoted(output.dtype.name, "float32"))
    label_paddings = jnp.arange(target.shape[1])[None, :] >= target_length.astype(jnp.int32)[:, None]
    logit_paddings = jnp.arange(logits.shape[1])[None, :] >= output_length.astype(jnp.int32)[:, None]
    return optax.ctc_loss(logits, logit_paddings.astype(logits.dtype), target.astype(jnp.int32),
                          label_paddings.astype(logits.dtype), blank_id=mask_index)


def_op("ctc_loss", ctc_loss_rule, _ctc_loss, attrs=dict(mask_index=0), inputs=4,
       doc="CTC negative log-likelihood per example of padded labels under (batch, time, classes) logits.")


@keras_export("nn")
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC loss per example; `output` are logits and `mask_index` the blank class."""
    return apply("ctc_loss", [target, output, target_length, output_length], mask_index=mask_index)


# -- greedy decoding ------------------------------------------------------------------------------
def ctc_greedy_decode_rule(specs, attrs):
    logits, lengths = specs
    batch, time, _ = check_logits(logits, lengths, attrs.mask_index)
    return (TensorSpec.of((1, batch, time), "int32"),
            TensorSpec.of((batch, 1), promoted(logits.dtype, "float32")))


def _ctc_greedy_decode(inputs, sequence_lengths, merge_repeated, mask_index):
    inputs = inputs.astype(promoted(inputs.dtype.name, "float32"))
    blank = inputs.shape[2] - 1 if mask_index is None else mask_index
    past_end = jnp.arange(inputs.shape[1])[None, :] >= sequence_lengths.astype(jnp.int32)[:, None]
    best = jnp.where(past_end, blank, jnp.argmax(inputs, axis=-1).astype(jnp.int32))
    scores = -jnp.sum(jnp.where(past_end, 0.0, jnp.max(inputs, axis=-1)), axis=1, keepdims=True)
    if merge_repeated:   # a class repeated at consecutive steps is emitted once
        repeated = jnp.pad(best[:, 1:] == best[:, :-1], ((0, 0), (1, 0)))
        best = jnp.where(repeated, blank, best)
    dropped = best == blank
    # the emitted classes move to the front, in order; the rest is -1
    order = jnp.argsort(dropped, axis=1, stable=True)
    paths = jnp.take_along_axis(jnp.where(dropped, -1, best), order, axis=1)
    return paths[None], scores


def_op("ctc_greedy_decode", ctc_greedy_decode_rule, _ctc_greedy_decode,
       attrs=dict(merge_repeated=True, mask_index=0), inputs=2,
       doc="Best class per step, repeats merged and blanks dropped: paths (1, batch, time), scores (batch, 1).")


@keras_export("nn")
def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1, merge_repeated=True,
               mask_index=0):
    """Decode CTC logits (batch, time, classes): returns (paths, scores)."""
    if strategy == "greedy":
        return apply("ctc_greedy_decode", [inputs, sequence_lengths], merge_repeated=bool(merge_repeated),
                     mask_index=mask_index)
    if strategy == "beam_search":
        return apply("ctc_beam_search_decode", [inputs, sequence_lengths], beam_width=beam_width,
                     top_paths=top_paths, mask_index=mask_index)
    raise ValueError(f"ctc_decode: unknown strategy {strategy!r}; use 'greedy' or 'beam_search'")
