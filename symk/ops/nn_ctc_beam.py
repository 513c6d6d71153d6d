"""CTC prefix beam search (keras.ops.nn.ctc_decode(strategy='beam_search')), with fixed shapes so it
runs inside jit.

Each beam is a label prefix with two log-scores: paths ending in a label ("emit") and in a blank.
A step extends every beam by every class, merges candidates that spell the same prefix (log-sum-exp)
and keeps the `beam_width` best by total score; steps past an example's length leave it unchanged.
This is the search Keras's JAX backend does; results differ only where scores tie exactly.

    >>> paths, scores = symk.ops.nn.ctc_decode(logits, lengths, strategy="beam_search", beam_width=8,
    ...                                        top_paths=2)   # (2, batch, time), (batch, 2)
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .nn_args import promoted
from .registry import def_op

NO_LABEL = -1


def check_logits(logits, lengths, mask_index):
    """(batch, time, classes) of CTC logits with one length per example, and a blank among the classes."""
    if len(logits.shape) != 3 or len(lengths.shape) != 1:
        raise RuleViolation(f"inputs must be (batch, time, classes) logits and sequence_lengths (batch,), got "
                            f"{tuple(logits.shape)} and {tuple(lengths.shape)}", "pass padded logits and lengths")
    batch, time, classes = logits.shape
    if batch is not None and lengths.shape[0] is not None and batch != lengths.shape[0]:
        raise RuleViolation(f"{lengths.shape[0]} sequence lengths for a batch of {batch}", "one length per example")
    if mask_index is not None and classes is not None and not 0 <= mask_index < classes:
        raise RuleViolation(f"mask_index {mask_index} is not one of the {classes} classes",
                            "use the blank class's index (or None for the last class)")
    return batch, time, classes


def ctc_beam_search_decode_rule(specs, attrs):
    logits, lengths = specs
    batch, time, _ = check_logits(logits, lengths, attrs.mask_index)
    if not isinstance(attrs.beam_width, int) or attrs.beam_width < 1:
        raise RuleViolation(f"beam_width must be a positive integer, got {attrs.beam_width!r}", "e.g. beam_width=100")
    if not isinstance(attrs.top_paths, int) or not 1 <= attrs.top_paths <= attrs.beam_width:
        raise RuleViolation(f"top_paths ({attrs.top_paths}) must be between 1 and beam_width ({attrs.beam_width})",
                            "keep at most beam_width paths")
    return (TensorSpec.of((attrs.top_paths, batch, time), "int32"),
            TensorSpec.of((batch, attrs.top_paths), promoted(logits.dtype, "float32")))


def _merge_same_prefixes(prefixes, emit, blank):
    """Candidates that spell one prefix become one, their scores summed in probability space."""
    unique, inverse = jnp.unique(prefixes, axis=0, size=prefixes.shape[0], fill_value=NO_LABEL, return_inverse=True)
    inverse = inverse.reshape(-1)

    def log_sum(scores):
        peak = jax.ops.segment_max(scores, inverse, num_segments=prefixes.shape[0])
        peak = jnp.where(jnp.isfinite(peak), peak, 0.0)
        total = jax.ops.segment_sum(jnp.exp(scores - peak[inverse]), inverse, num_segments=prefixes.shape[0])
        return jnp.log(total) + peak

    return unique, log_sum(emit), log_sum(blank)


def _step(beams, log_probs, blank):
    """Extend every beam by one step's class log-probabilities (classes,)."""
    prefixes, emit, blank_score = beams
    width, time = prefixes.shape
    classes = log_probs.shape[0]
    lengths = jnp.sum(prefixes != NO_LABEL, axis=1)
    last = jnp.where(lengths > 0, jnp.take_along_axis(prefixes, jnp.maximum(lengths - 1, 0)[:, None], 1)[:, 0],
                     NO_LABEL)
    total = jnp.logaddexp(emit, blank_score)
    # staying on the same prefix: a blank, or the last label repeated without a blank between
    stay_emit = jnp.where(last != NO_LABEL, emit + log_probs[jnp.maximum(last, 0)], -jnp.inf)
    stay_blank = total + log_probs[blank]
    # extending by class c (a repeat of the last label only continues a path that ended in a blank)
    label = jnp.arange(classes)
    extend_emit = jnp.where(label[None, :] == last[:, None], blank_score[:, None], total[:, None]) + log_probs[None]
    extend_emit = jnp.where(label[None, :] == blank, -jnp.inf, extend_emit)
    written = jnp.where(label[None, :, None] == blank, prefixes[:, None, :],
                        jnp.where(jnp.arange(time)[None, None, :] == lengths[:, None, None], label[None, :, None],
                                  prefixes[:, None, :]))
    candidates = jnp.concatenate([prefixes, written.reshape(width * classes, time)])
    candidate_emit = jnp.concatenate([stay_emit, extend_emit.reshape(-1)])
    candidate_blank = jnp.concatenate([stay_blank, jnp.full((width * classes,), -jnp.inf, emit.dtype)])
    unique, merged_emit, merged_blank = _merge_same_prefixes(candidates, candidate_emit, candidate_blank)
    _, best = jax.lax.top_k(jnp.logaddexp(merged_emit, merged_blank), width)
    return unique[best], merged_emit[best], merged_blank[best]


def _decode_one(log_probs, length, beam_width, top_paths, blank):
    time = log_probs.shape[0]
    start = (jnp.full((beam_width, time), NO_LABEL, jnp.int32), jnp.full((beam_width,), -jnp.inf, log_probs.dtype),
             jnp.full((beam_width,), -jnp.inf, log_probs.dtype).at[0].set(0.0))

    def scan_step(beams, inputs):
        t, step_log_probs = inputs
        stepped = _step(beams, step_log_probs, blank)
        # Keras always reads the first step, even of an empty sequence
        keep = t >= jnp.maximum(length, 1)
        return tuple(jnp.where(keep, old, new) for old, new in zip(beams, stepped)), None

    (prefixes, emit, blank_score), _ = jax.lax.scan(scan_step, start, (jnp.arange(time), log_probs))
    scores, best = jax.lax.top_k(jnp.logaddexp(emit, blank_score), top_paths)
    return prefixes[best], scores


def _ctc_beam_search_decode(inputs, sequence_lengths, beam_width, top_paths, mask_index):
    inputs = inputs.astype(promoted(inputs.dtype.name, "float32"))
    blank = inputs.shape[2] - 1 if mask_index is None else mask_index
    log_probs = jax.nn.log_softmax(inputs, axis=-1)
    paths, scores = jax.vmap(lambda lp, n: _decode_one(lp, n, beam_width, top_paths, blank))(
        log_probs, sequence_lengths.astype(jnp.int32))
    return jnp.transpose(paths, (1, 0, 2)), scores


def_op("ctc_beam_search_decode", ctc_beam_search_decode_rule, _ctc_beam_search_decode,
       attrs=dict(beam_width=100, top_paths=1, mask_index=0), inputs=2,
       doc="CTC prefix beam search: the top_paths best label paths (top_paths, batch, time) and their "
           "log-probabilities (batch, top_paths).")
