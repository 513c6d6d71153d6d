"""Preprocessing layers: CategoryEncoding, Discretization and IntegerLookup in the graph (harness examples,
numbers and adapt() against real Keras files, the Keras docs' examples), StringLookup and TextVectorization
on the host (the Keras docs' examples as literals: Keras needs TensorFlow for them), a text model trained
with fit, and the errors."""
import json
import pathlib

import numpy as np
import pytest

import symk
from layer_harness import check_layer, layer_example
from symk import layers as L

REF = pathlib.Path(__file__).parent / "references" / "keras3" / "layers_preprocessing"
CASES = json.loads((REF / "cases.json").read_text())["cases"]
ARRAYS = np.load(REF / "cases.npz")

EXAMPLES = [
    layer_example("category_count", lambda: L.CategoryEncoding(5, output_mode="count"), (3, 4), "int32"),
    layer_example("category_one_hot", lambda: L.CategoryEncoding(5, output_mode="one_hot"), (3, 4), "int32"),
    layer_example("discretization_multi_hot",
                  lambda: L.Discretization(bin_boundaries=[-0.5, 0.5], output_mode="multi_hot"), (3, 4)),
    layer_example("discretization_int", lambda: L.Discretization(bin_boundaries=[0.0, 1.0]), (3, 2, 2)),
    layer_example("integer_lookup", lambda: L.IntegerLookup(vocabulary=[4, 1, 3]), (3, 4), "int32"),
    layer_example("integer_lookup_count", lambda: L.IntegerLookup(vocabulary=[4, 1, 3], output_mode="count",
                                                                  mask_token=0), (3, 4), "int32"),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


@pytest.mark.parametrize("name", sorted(CASES))
def test_numbers_match_keras(name):
    case = CASES[name]
    layer = getattr(L, case["class"])(**case["kwargs"])
    if case["adapt"] == "array":
        layer.adapt(ARRAYS[f"{name}/adapt"])
    elif case["adapt"] == "batches":
        layer.adapt([ARRAYS[f"{name}/adapt_batch{i}"] for i in range(case["n_batches"])])
    if case["bin_boundaries"] is not None:
        np.testing.assert_allclose(layer.bin_boundaries, case["bin_boundaries"], rtol=1e-6)
    x = ARRAYS[f"{name}/x"]
    kwargs = {"count_weights": ARRAYS[f"{name}/count_weights"]} if f"{name}/count_weights" in ARRAYS else {}
    expected = ARRAYS[f"{name}/y"]
    got = np.asarray(layer(x, **kwargs))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    config = {k: v for k, v in layer.get_config().items() if k not in ("name", "dtype", "trainable")}
    keras_config = {k: v for k, v in case["config"].items() if k not in ("name", "dtype", "trainable")}
    assert config == keras_config


def test_adapted_discretization_config_round_trips():
    layer = L.Discretization(num_bins=3)
    layer.adapt(np.arange(12.0))
    clone = L.Discretization.from_config(layer.get_config())
    assert clone.bin_boundaries == layer.bin_boundaries


# -- IntegerLookup: the Keras docs' examples ---------------------------------------------------
VOCAB = [12, 36, 1138, 42]


def test_integer_lookup_docs_examples():
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    np.testing.assert_array_equal(L.IntegerLookup(vocabulary=VOCAB)(data), [[1, 3, 4], [4, 0, 2]])
    adapted = L.IntegerLookup()
    adapted.adapt(data)
    assert adapted.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    np.testing.assert_array_equal(adapted(data), [[5, 2, 1], [1, 3, 4]])
    two_oov = L.IntegerLookup(vocabulary=VOCAB, num_oov_indices=2)
    np.testing.assert_array_equal(two_oov(np.array([[12, 1138, 42], [37, 1000, 36]])), [[2, 4, 5], [1, 0, 3]])
    multi = L.IntegerLookup(vocabulary=VOCAB, output_mode="multi_hot")
    np.testing.assert_array_equal(multi(np.array([[12, 1138, 42, 42], [42, 7, 36, 7]])),
                                  [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    masked = L.IntegerLookup(vocabulary=VOCAB, mask_token=0)
    np.testing.assert_array_equal(masked(np.array([[12, 1138, 0], [0, 1000, 36]])), [[2, 4, 0], [0, 1, 3]])
    inverse = L.IntegerLookup(vocabulary=VOCAB, invert=True)
    np.testing.assert_array_equal(inverse(np.array([[1, 3, 4], [4, 0, 2]])), [[12, 1138, 42], [42, -1, 36]])


def test_integer_lookup_tf_idf_docs_example():
    layer = L.IntegerLookup(output_mode="tf_idf", vocabulary=VOCAB, idf_weights=[0.25, 0.75, 0.6, 0.4])
    got = layer(np.array([[12, 1138, 42, 42], [42, 7, 36, 7]]))
    # Keras docs: the OOV slot gets the mean idf weight, 0.5
    np.testing.assert_allclose(got, [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)


def test_integer_lookup_in_a_compiled_model():
    inputs = symk.Input((3,), dtype="int32")
    model = symk.Model(inputs, L.IntegerLookup(vocabulary=VOCAB)(inputs))
    np.testing.assert_array_equal(model.predict(np.array([[12, 1138, 42], [42, 1000, 36]]), verbose=0),
                                  [[1, 3, 4], [4, 0, 2]])


# -- StringLookup and TextVectorization (host-side): the Keras docs' examples -------------------
WORDS = ["a", "b", "c", "d"]


def test_string_lookup_docs_examples():
    data = np.array([["a", "c", "d"], ["d", "z", "b"]])
    np.testing.assert_array_equal(L.StringLookup(vocabulary=WORDS)(data), [[1, 3, 4], [4, 0, 2]])
    adapted = L.StringLookup()
    adapted.adapt(data)
    assert adapted.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    np.testing.assert_array_equal(adapted(data), [[5, 3, 1], [1, 2, 4]])
    np.testing.assert_array_equal(
        L.StringLookup(vocabulary=WORDS, output_mode="multi_hot")([["a", "c", "d", "d"], ["d", "z", "b", "z"]]),
        [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    np.testing.assert_array_equal(
        L.StringLookup(vocabulary=WORDS, output_mode="count")([["a", "c", "d", "d"], ["d", "z", "b", "z"]]),
        [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]])
    masked = L.StringLookup(vocabulary=WORDS, mask_token="[MASK]")
    np.testing.assert_array_equal(masked([["a", "c", "[MASK]"], ["[MASK]", "z", "b"]]), [[2, 4, 0], [0, 1, 3]])
    inverse = L.StringLookup(vocabulary=WORDS, invert=True)
    assert inverse(np.array([[1, 3, 4], [4, 0, 2]])).tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]


def test_text_vectorization_docs_example():
    layer = L.TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    assert layer.get_vocabulary() == ["", "[UNK]", "baz", "bar", "foo", "boom", "bada"]
    np.testing.assert_array_equal(layer([["foo qux bar"], ["qux baz"]]), [[4, 1, 3, 0], [1, 2, 0, 0]])
    fixed = L.TextVectorization(max_tokens=5000, output_sequence_length=4,
                                vocabulary=["earth", "wind", "and", "fire"])
    assert fixed.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    np.testing.assert_array_equal(fixed([["earth wind and fire"], ["fire and earth michigan"]]),
                                  [[2, 3, 4, 5], [5, 4, 2, 1]])


def test_text_vectorization_standardize_split_ngrams_modes():
    layer = L.TextVectorization(ngrams=2, vocabulary=["the", "cat", "the cat"])
    np.testing.assert_array_equal(layer(["The CAT!"]), [[2, 3, 4]])  # unigrams, then bigrams
    multi = L.TextVectorization(output_mode="multi_hot", vocabulary=["earth", "wind"])
    np.testing.assert_array_equal(multi(["Earth, earth and wind", ""]), [[1, 1, 1], [0, 0, 0]])
    chars = L.TextVectorization(split="character", standardize=None, vocabulary=["a", "b"])
    np.testing.assert_array_equal(chars(["abz"]), [[2, 3, 1]])


def test_text_model_trains_with_fit():
    sentences = ["a great movie", "terrible acting", "great fun", "a terrible plot", "fun and great",
                 "terrible terrible"]
    labels = np.array([[1], [0], [1], [0], [1], [0]], dtype="float32")
    vectorize = L.TextVectorization(max_tokens=20, output_sequence_length=4)
    vectorize.adapt(sentences)
    model = symk.Sequential([symk.Input((4,), dtype="int64"), L.Embedding(20, 8), L.GlobalAveragePooling1D(),
                             L.Dense(1, activation="sigmoid")])
    model.compile(optimizer=symk.optimizers.Adam(0.05), loss="binary_crossentropy")
    ids = vectorize(sentences)
    history = model.fit(ids, labels, epochs=30, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] * 0.5
    predicted = model.predict(vectorize(["great great", "terrible"]), verbose=0)[:, 0]
    assert predicted[0] > 0.5 > predicted[1]


# -- errors ------------------------------------------------------------------------------------
def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="num_tokens must be given"):
        L.CategoryEncoding()
    with pytest.raises(ValueError, match="sparse=True is not supported"):
        L.CategoryEncoding(3, sparse=True)
    with pytest.raises(ValueError, match="output_mode must be one of"):
        L.CategoryEncoding(3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="not both"):
        L.Discretization(bin_boundaries=[0.0], num_bins=2)
    with pytest.raises(ValueError, match="needs a layer built with num_bins"):
        L.Discretization(bin_boundaries=[0.0]).adapt(np.ones(3))
    with pytest.raises(ValueError, match="repeats the tokens"):
        L.IntegerLookup(vocabulary=[1, 1])
    with pytest.raises(ValueError, match="FarmHash"):
        L.StringLookup(num_oov_indices=2)
    with pytest.raises(ValueError, match="every input must be in the vocabulary"):
        L.StringLookup(vocabulary=WORDS, num_oov_indices=0)(["zz"])
    with pytest.raises(TypeError, match="runs on the host"):
        L.TextVectorization()(symk.Input((1,)))
    with pytest.raises(ValueError, match="rank 0, 1 or 2"):
        L.CategoryEncoding(3)(symk.Input((2, 2), dtype="int32"))
