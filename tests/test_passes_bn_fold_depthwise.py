"""bn_fold on a depthwise convolution (MobileNet's and EfficientNet's blocks): the batch norm after a
DepthwiseConv2D folds, with the scale either multiplied into the (kh, kw, channels, multiplier) kernel or
applied after the convolution, and the result matches a numpy depthwise convolution + Keras's batch-norm formula."""
import numpy as np
import pytest

from symk.ops.registry import apply
from symk.passes import bn_fold as bn_fold_module
from symk.passes import run_pipeline, subject_of

from passes_helpers import ops_of, run_subject
from test_passes_patterns import placeholder, var


def numpy_depthwise(x, kernel):
    """'valid' depthwise convolution, stride 1, channels_last: output channel c * multiplier + m."""
    kh, kw, channels, multiplier = kernel.shape
    n, h, w, _ = x.shape
    out = np.zeros((n, h - kh + 1, w - kw + 1, channels * multiplier), np.float64)
    for i in range(h - kh + 1):
        for j in range(w - kw + 1):
            patch = x[:, i:i + kh, j:j + kw, :]  # (n, kh, kw, channels)
            out[:, i, j, :] = np.einsum("nabc,abcm->ncm", patch, kernel).reshape(n, -1)
    return out


@pytest.mark.parametrize("scale_into_kernel", [True, False])
def test_depthwise_bn_folds_and_matches_numpy(monkeypatch, scale_into_kernel):
    monkeypatch.setattr(bn_fold_module, "_scale_into_kernel", lambda op, fmt: scale_into_kernel)
    channels, multiplier = 3, 2
    x = placeholder((None, 5, 5, channels))
    kernel, bias = var((3, 3, channels, multiplier), "dk"), var((channels * multiplier,), "db")
    mean, variance = var((6,), "dmean"), var((6,), "dvariance", low=True)
    gamma, beta = var((6,), "dgamma"), var((6,), "dbeta")
    z = apply("depthwise_conv", [x, kernel], strides=(1, 1), padding="valid", dilation_rate=(1, 1),
              data_format="channels_last")
    out = apply("batch_norm", [apply("bias_add", [z, bias]), mean, variance, gamma, beta], axis=-1, epsilon=1e-3)
    subject = subject_of(x.graph, [(out.node, 0)], [x.node])
    folded, report = run_pipeline(subject, {"passes": ["dce", "bn_fold", "fold_weights"]})
    assert "batch_norm" not in ops_of(folded)
    assert report.totals()["bn_fold"].matched == 1
    data = np.random.default_rng(1).normal(size=(2, 5, 5, channels)).astype("float32")
    (got,) = run_subject(folded, [data])
    y = numpy_depthwise(data, kernel.numpy()) + bias.numpy()
    expected = (y - mean.numpy()) / np.sqrt(variance.numpy() + 1e-3) * gamma.numpy() + beta.numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
