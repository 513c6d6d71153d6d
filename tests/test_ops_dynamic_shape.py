"""Shapes with run-time sizes: `ops.shape(x)[0]` of an unknown batch shapes zeros, full, reshape and
broadcast_to inside a model, and the program runs for any batch size."""
import numpy as np
import pytest

import symk
from symk import ops


def test_batch_sized_tensors_follow_the_batch_at_run_time():
    x = symk.Input((3, 4))
    batch = ops.shape(x)[0]
    outputs = [ops.zeros((batch, 5)), ops.ones((batch, 2), dtype="int32"), ops.full((batch,), 7.0),
               ops.reshape(x, (batch, -1)), ops.broadcast_to(ops.ones((1, 4)), (batch, 2, 4))]
    assert [tuple(t.shape) for t in outputs] == [(None, 5), (None, 2), (None,), (None, None), (None, 2, 4)]
    model = symk.Model(x, outputs)
    for n in (6, 3):
        data = np.arange(n * 12, dtype="float32").reshape(n, 3, 4)
        zeros, ones, sevens, flat, wide = model.predict(data, verbose=0, batch_size=n)
        np.testing.assert_array_equal(zeros, np.zeros((n, 5)))
        assert ones.dtype == np.int32 and ones.shape == (n, 2)
        np.testing.assert_array_equal(sevens, np.full((n,), 7.0))
        np.testing.assert_array_equal(flat, data.reshape(n, -1))
        np.testing.assert_array_equal(wide, np.ones((n, 2, 4)))


def test_known_sizes_stay_plain_ints_and_unknown_ones_are_int32_tensors():
    x = symk.Input((3,))
    batch, width = ops.shape(x)
    assert width == 3 and batch.dtype == "int32" and batch.shape == ()
    model = symk.Model(x, ops.cast(batch, "float32") * ops.ones_like(x[:, :1]))
    got = model.predict(np.ones((5, 3), "float32"), verbose=0, batch_size=5)
    np.testing.assert_array_equal(got, np.full((5, 1), 5.0))


def test_sizes_that_are_not_read_from_a_shape_are_refused_with_a_hint():
    x = symk.Input((3,))
    with pytest.raises(ValueError, match="zeros: `shape` must be a Python int"):
        ops.zeros((ops.shape(x)[0] * 2, 3))
    with pytest.raises(ValueError, match=r"reshape: the shape .* has an unknown \(None\) size"):
        ops.reshape(x, (None, ops.shape(x)[0]))
    with pytest.raises(ValueError, match="reshape: a shape entry is the symbolic tensor"):
        ops.reshape(x, (ops.shape(x)[0], ops.shape(x)[0] + 1))
