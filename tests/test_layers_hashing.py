"""Hashing and HashedCrossing against the numbers in Keras 3.15's docstrings (Keras's own versions need
TensorFlow, which the reference venv lacks, so its documented examples are the reference), SipHash-2-4 against
its paper's test vector, and the errors for inputs a host-side hashing layer cannot take."""
import numpy as np
import pytest

import symk
from symk.layers import HashedCrossing, Hashing
from symk.layers.hash_functions import siphash24

LETTERS = [["A"], ["B"], ["C"], ["D"], ["E"]]


@pytest.mark.parametrize("kwargs, inputs, expected", [
    ({}, LETTERS, [[1], [0], [1], [1], [2]]),                                          # FarmHash64
    ({"mask_value": ""}, [["A"], ["B"], [""], ["C"], ["D"]], [[1], [1], [0], [2], [2]]),
    ({"salt": [133, 137]}, LETTERS, [[1], [2], [1], [0], [2]]),                        # SipHash64
    ({"salt": 133}, LETTERS, [[0], [0], [2], [1], [0]]),                               # same as [133, 133]
])
def test_hashing_as_keras_documents(kwargs, inputs, expected):
    assert Hashing(num_bins=3, **kwargs)(inputs).tolist() == expected
    assert Hashing(num_bins=3, **kwargs)(np.array(inputs, dtype=object)).tolist() == expected


def test_hashed_crossing_as_keras_documents():
    feat1, feat2 = np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102])
    assert HashedCrossing(num_bins=5)((feat1, feat2)).tolist() == [1, 4, 1, 1, 3]
    one_hot = HashedCrossing(num_bins=5, output_mode="one_hot")((feat1, feat2))
    np.testing.assert_array_equal(one_hot, np.eye(5, dtype="float32")[[1, 4, 1, 1, 3]])


def test_siphash_paper_vector():
    # SipHash paper, appendix A: key 00..0f, message 00..0e -> a129ca6149be45e5
    key0, key1 = int.from_bytes(bytes(range(8)), "little"), int.from_bytes(bytes(range(8, 16)), "little")
    assert siphash24(key0, key1, bytes(range(15))) == 0xA129CA6149BE45E5


def test_output_modes_and_config_round_trip():
    layer = Hashing(num_bins=4, mask_value="", output_mode="multi_hot", name="h")
    out = layer([["A", "B", ""]])
    assert out.shape == (1, 4) and out[0, 0] == 1.0
    again = Hashing.from_config(layer.get_config())
    np.testing.assert_array_equal(again([["A", "B", ""]]), out)
    crossing = HashedCrossing.from_config(HashedCrossing(num_bins=7, name="c").get_config())
    assert crossing.num_bins == 7
    assert Hashing(num_bins=4).compute_output_shape((None, 3)) == (None, 3)


def test_bad_inputs_are_refused_by_name():
    with pytest.raises(ValueError, match="salt"):
        Hashing(num_bins=3, salt="pepper")
    with pytest.raises(ValueError, match="num_bins"):
        Hashing(num_bins=0)
    with pytest.raises(TypeError, match="float32"):
        Hashing(num_bins=3, name="h")(np.ones((2, 1), "float32"))
    with pytest.raises(TypeError, match="runs on the host"):  # host layers take strings or integers
        Hashing(num_bins=3)(symk.Input((1,), dtype="float32"))
    with pytest.raises(ValueError, match="same shape"):
        HashedCrossing(num_bins=3)((np.array(["a", "b"]), np.array([1])))
    with pytest.raises(ValueError, match="tuple of two or more"):
        HashedCrossing(num_bins=3)(np.array(["a", "b"]))
