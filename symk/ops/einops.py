"""keras.ops.rearrange: einops patterns ("b (h w) c -> b h w c") as reshape, transpose, reshape nodes.

A side of the pattern lists axes by name; a parenthesised group is several axes merged into one. The
input side splits its groups (sizes from **axes_lengths, one per group inferred), the axes are permuted
to the output's order, and the output's groups are merged.

    >>> symk.ops.rearrange(images, "b h w c -> b c h w")
    >>> symk.ops.rearrange(x, "b (h1 h) w c -> (b h1) h w c", h1=2)
"""
from __future__ import annotations

import math
import re

from .api import keras_export
from .registry import apply, spec_of


def _fail(pattern: str, problem: str):
    raise ValueError(f"rearrange: {problem} in pattern {pattern!r}")


def parse_side(pattern: str, text: str) -> list:
    """The groups of one side: a list of lists of axis names (a bare name is a group of one)."""
    groups, current = [], None
    for token in re.findall(r"\(|\)|[^\s()]+", text):
        if token == "(":
            if current is not None:
                _fail(pattern, "nested parentheses")
            current = []
        elif token == ")":
            if current is None:
                _fail(pattern, "a ')' without its '('")
            if not current:
                _fail(pattern, "an empty group '()' (not supported, as in Keras)")
            groups.append(current)
            current = None
        elif not token.isidentifier():
            _fail(pattern, f"axis name {token!r} (names are identifiers; '...' and numbers are not supported)")
        elif current is not None:
            current.append(token)
        else:
            groups.append([token])
    if current is not None:
        _fail(pattern, "a '(' without its ')'")
    names = [n for g in groups for n in g]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        _fail(pattern, f"axes named twice on one side ({', '.join(repeated)})")
    return groups


def axis_sizes(pattern: str, groups: list, shape, axes_lengths: dict) -> dict:
    """Each input axis name's size (None when unknown) from the input shape and **axes_lengths."""
    if len(groups) != len(shape):
        _fail(pattern, f"{len(groups)} input axes for a tensor of rank {len(shape)} (shape {tuple(shape)})")
    sizes = {}
    for group, dim in zip(groups, shape):
        unknown = [n for n in group if n not in axes_lengths]
        if len(unknown) > 1:
            _fail(pattern, f"group ({' '.join(group)}) with more than one size to infer ({', '.join(unknown)}); "
                  "pass all but one of them as keyword arguments")
        known = math.prod(axes_lengths[n] for n in group if n in axes_lengths)
        if unknown:
            if dim is not None and (known == 0 or dim % known):
                _fail(pattern, f"axis of size {dim} that does not split into ({' '.join(group)}) with the given "
                      f"sizes {{{', '.join(f'{n}={axes_lengths[n]}' for n in group if n in axes_lengths)}}}")
            sizes[unknown[0]] = None if dim is None else dim // known
        elif dim is not None and known != dim:
            _fail(pattern, f"axis of size {dim} where ({' '.join(group)}) gives {known}")
        sizes.update({n: axes_lengths[n] for n in group if n in axes_lengths})
    return sizes


def _reshape_target(pattern: str, sizes: list) -> tuple:
    unknown = [i for i, s in enumerate(sizes) if s is None]
    if len(unknown) > 1:
        _fail(pattern, f"a reshape to {tuple(sizes)} with more than one unknown size (None); give the sizes as "
              "keyword arguments, or give the tensor a known shape")
    return tuple(-1 if s is None else s for s in sizes)


def _group_size(group: list, sizes: dict):
    values = [sizes[n] for n in group]
    return None if None in values else math.prod(values)


@keras_export("numpy")
def rearrange(tensor, pattern, **axes_lengths):
    """The axes of `tensor` split, permuted and merged as an einops pattern says."""
    if not isinstance(pattern, str) or pattern.count("->") != 1:
        raise ValueError(f"rearrange: the pattern must be one string 'input axes -> output axes', got {pattern!r}")
    left, right = pattern.split("->")
    inputs, outputs = parse_side(pattern, left), parse_side(pattern, right)
    in_names = [n for g in inputs for n in g]
    out_names = [n for g in outputs for n in g]
    if set(in_names) != set(out_names):
        only = sorted(set(in_names) ^ set(out_names))
        _fail(pattern, f"axes on one side only ({', '.join(only)}); every axis must appear on both sides")
    unused = sorted(set(axes_lengths) - set(in_names))
    if unused:
        _fail(pattern, f"sizes given for axes that it does not name ({', '.join(unused)})")
    shape = spec_of(tensor).shape
    sizes = axis_sizes(pattern, inputs, shape, axes_lengths)
    original = tensor
    if any(len(g) > 1 for g in inputs):
        tensor = apply("reshape", [tensor], shape=_reshape_target(pattern, [sizes[n] for n in in_names]))
    order = tuple(in_names.index(n) for n in out_names)
    if order != tuple(range(len(order))):
        tensor = apply("transpose", [tensor], axes=order)
    if any(len(g) != 1 for g in outputs):
        tensor = apply("reshape", [tensor], shape=_reshape_target(pattern, [_group_size(g, sizes) for g in outputs]))
    return apply("identity", [tensor]) if tensor is original else tensor
