"""Plain-numpy references for convolution and pooling (loops over windows, tiny shapes only).

Written from the documented definitions: 'same' pads as TensorFlow documents it
(total = max((ceil(n/s) - 1) * s + effective_k - n, 0), the extra pad at the end),
'causal' pads effective_k - 1 at the start; a transposed conv scatters each input
position through the kernel (the gradient of a conv).
"""
import itertools
import math

import numpy as np


def pads_for(lengths, window, strides, dilation, padding):
    pads = []
    for n, k, s, d in zip(lengths, window, strides, dilation):
        eff = d * (k - 1) + 1
        if padding == "valid":
            pads.append((0, 0))
        elif padding == "causal":
            pads.append((eff - 1, 0))
        else:
            total = max((math.ceil(n / s) - 1) * s + eff - n, 0)
            pads.append((total // 2, total - total // 2))
    return pads


def conv(x, kernel, strides, padding, dilation, groups=1):
    """Channels-last N-d cross-correlation; kernel (*window, in/groups, out)."""
    window = kernel.shape[:-2]
    per_group_in, filters = kernel.shape[-2:]
    per_group_out = filters // groups
    pads = pads_for(x.shape[1:-1], window, strides, dilation, padding)
    xp = np.pad(x.astype(np.float64), [(0, 0)] + pads + [(0, 0)])
    out_sizes = [(L - (d * (k - 1) + 1)) // s + 1 for L, k, s, d in zip(xp.shape[1:-1], window, strides, dilation)]
    out = np.zeros((x.shape[0], *out_sizes, filters))
    for pos in itertools.product(*[range(o) for o in out_sizes]):
        for kpos in itertools.product(*[range(k) for k in window]):
            idx = tuple(p * s + q * d for p, q, s, d in zip(pos, kpos, strides, dilation))
            patch = xp[(slice(None),) + idx]  # (batch, in)
            for g in range(groups):
                inputs = patch[:, g * per_group_in:(g + 1) * per_group_in]
                out[(slice(None),) + pos + (slice(g * per_group_out, (g + 1) * per_group_out),)] += \
                    inputs @ kernel[kpos][:, g * per_group_out:(g + 1) * per_group_out]
    return out


def depthwise(x, kernel, strides, padding, dilation):
    """Each channel c convolved with its own kernels; output channel c * multiplier + m."""
    channels, multiplier = kernel.shape[-2:]
    outs = [conv(x[..., c:c + 1], kernel[..., c:c + 1, m:m + 1], strides, padding, dilation)
            for c in range(channels) for m in range(multiplier)]
    return np.concatenate(outs, axis=-1)


def conv_transpose(x, kernel, strides, padding, dilation, output_padding=None):
    """Channels-last; kernel (*window, out, in). Scatter, then crop/extend to Keras's output length."""
    window = kernel.shape[:-2]
    filters = kernel.shape[-2]
    effs = [d * (k - 1) + 1 for k, d in zip(window, dilation)]
    full_sizes = [(n - 1) * s + e for n, s, e in zip(x.shape[1:-1], strides, effs)]
    full = np.zeros((x.shape[0], *[f + max(strides) + 4 for f in full_sizes], filters))
    for pos in itertools.product(*[range(n) for n in x.shape[1:-1]]):
        for kpos in itertools.product(*[range(k) for k in window]):
            idx = tuple(p * s + q * d for p, q, s, d in zip(pos, kpos, strides, dilation))
            full[(slice(None),) + idx] += x[(slice(None),) + pos].astype(np.float64) @ kernel[kpos].T
    starts, lengths = [], []
    for i, (n, s, e) in enumerate(zip(x.shape[1:-1], strides, effs)):
        op = None if output_padding is None else output_padding[i]
        if op is None:  # Keras's output lengths
            length = (n - 1) * s + max(e, s) if padding == "valid" else n * s
        else:
            length = (n - 1) * s + e - 2 * (e // 2 if padding == "same" else 0) + op
        # 'same' is the gradient of a 'same' conv from that length: crop that conv's leading pad
        start = 0 if padding == "valid" else max((n - 1) * s + e - length, 0) // 2
        starts.append(start)
        lengths.append(length)
    return full[(slice(None),) + tuple(slice(a, a + L) for a, L in zip(starts, lengths))]


def pool(x, kind, window, strides, padding):
    """Channels-last max/avg pooling; 'same' averages over the real (unpadded) elements."""
    pads = pads_for(x.shape[1:-1], window, strides, (1,) * len(window), padding)
    fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x.astype(np.float64), [(0, 0)] + pads + [(0, 0)], constant_values=fill)
    real = np.pad(np.ones(x.shape[1:-1]), pads)
    out_sizes = [(L - k) // s + 1 for L, k, s in zip(xp.shape[1:-1], window, strides)]
    out = np.zeros((x.shape[0], *out_sizes, x.shape[-1]))
    for pos in itertools.product(*[range(o) for o in out_sizes]):
        region = tuple(slice(p * s, p * s + k) for p, s, k in zip(pos, strides, window))
        patch = xp[(slice(None),) + region + (slice(None),)]
        axes = tuple(range(1, 1 + len(window)))
        if kind == "max":
            out[(slice(None),) + pos] = patch.max(axis=axes)
        else:
            out[(slice(None),) + pos] = patch.sum(axis=axes) / real[region].sum()
    return out
