"""Host-side string layers (TextVectorization, StringLookup, Hashing) as the first layers of a model.

The model runs them in numpy on each batch and feeds their output to the compiled graph. References:
token ids from the vocabulary by hand (a dict over get_vocabulary()), the graph's arithmetic written
in numpy from the weights, and a graph-only model holding the same weights.
"""
import re
import zipfile

import numpy as np
import pytest

import symk
from symk import layers
from symk.errors import GraphError

pytestmark = pytest.mark.xdist_group("host_prefix_models")  # the module's fixture runs once, on one worker

TEXTS = np.array(["the cat sat on the mat", "a dog ran far away", "the cat purrs", "dogs bark at night",
                  "my cat sleeps all day", "the dog chased a ball", "cats like warm laps", "a dog digs holes"])
LABELS = np.array([1, 0, 1, 0, 1, 0, 1, 0], "float32")[:, None]
LENGTH = 6


def _vectorizer():
    vectorize = layers.TextVectorization(max_tokens=30, output_sequence_length=LENGTH, name="vectorize")
    vectorize.adapt(TEXTS)
    return vectorize


def _text_model(vectorize):
    text = symk.Input(shape=(1,), dtype="string", name="text")
    x = layers.Embedding(30, 4, name="embed")(vectorize(text))
    x = layers.GlobalAveragePooling1D(name="pool")(x)
    return symk.Model(text, layers.Dense(1, activation="sigmoid", name="out")(x))


def _ids_by_hand(vocabulary, sentences):
    """Keras's lower_and_strip_punctuation + whitespace split, looked up in the vocabulary, padded with 0."""
    index = {token: i for i, token in enumerate(vocabulary)}
    rows = []
    for sentence in sentences:
        words = re.sub(r"[^\w\s]", "", sentence.lower()).split()
        ids = [index.get(w, 1) for w in words][:LENGTH]
        rows.append(ids + [0] * (LENGTH - len(ids)))
    return np.array(rows)


def _numpy_forward(model, ids):
    embeddings, kernel, bias = (np.asarray(w) for w in model.get_weights())
    pooled = embeddings[ids].mean(axis=1)
    return 1 / (1 + np.exp(-(pooled @ kernel + bias)))


@pytest.fixture(scope="module")
def trained():
    symk.utils.set_random_seed(0)
    vectorize = _vectorizer()
    model = _text_model(vectorize)
    model.compile(optimizer=symk.optimizers.Adam(0.05), loss="binary_crossentropy")
    history = model.fit(TEXTS, LABELS, epochs=15, batch_size=4, verbose=0)
    return vectorize, model, history.history["loss"]


def test_fit_on_strings_lowers_the_loss(trained):
    _, model, losses = trained
    assert losses[-1] < 0.5 * losses[0], losses
    assert model.inputs[0].dtype == "string" and [l.name for l in model.layers][:2] == ["text", "vectorize"]


def test_predict_on_strings_equals_vectorizer_then_graph_only_model(trained):
    vectorize, model, _ = trained
    sentences = ["The cat sat!", "an unknown dog", "cats"]
    ids = _ids_by_hand(vectorize.get_vocabulary(), sentences)
    np.testing.assert_array_equal(vectorize(np.array(sentences)), ids)
    expected = _numpy_forward(model, ids)
    np.testing.assert_allclose(model.predict(sentences, verbose=0), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(np.array(sentences)[:, None], verbose=0), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(model(np.array(sentences))), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(np.array(sentences)), expected, rtol=1e-5, atol=1e-6)
    # the same weights in a model whose graph takes the ids
    ids_in = symk.Input(shape=(LENGTH,), dtype="int32")
    y = layers.Dense(1, activation="sigmoid")(layers.GlobalAveragePooling1D()(layers.Embedding(30, 4)(ids_in)))
    graph_only = symk.Model(ids_in, y)
    graph_only.set_weights(model.get_weights())
    np.testing.assert_allclose(model.predict(sentences, verbose=0), graph_only.predict(ids, verbose=0), rtol=1e-6)


def test_evaluate_train_on_batch_generators_and_validation_split(trained):
    vectorize, model, _ = trained
    ids = _ids_by_hand(vectorize.get_vocabulary(), TEXTS)
    p = np.clip(_numpy_forward(model, ids), 1e-7, 1 - 1e-7)
    bce = float(np.mean(-(LABELS * np.log(p) + (1 - LABELS) * np.log(1 - p))))
    assert model.evaluate(TEXTS, LABELS, verbose=0) == pytest.approx(bce, rel=1e-4)
    assert model.evaluate(((TEXTS[i:i + 4], LABELS[i:i + 4]) for i in (0, 4)), verbose=0) == pytest.approx(bce,
                                                                                                         rel=1e-4)
    predicted = model.predict(((TEXTS[i:i + 3],) for i in (0, 3, 6)), verbose=0)
    np.testing.assert_allclose(predicted, _numpy_forward(model, ids), rtol=1e-5, atol=1e-6)
    history = model.fit(((TEXTS[i:i + 4], LABELS[i:i + 4]) for i in (0, 4)), epochs=1, verbose=0).history
    assert np.isfinite(history["loss"][0])
    history = model.fit(TEXTS, LABELS, validation_split=0.25, epochs=1, verbose=0).history
    assert set(history) == {"loss", "val_loss"}
    assert np.isfinite(model.train_on_batch(TEXTS[:2], LABELS[:2]))


def test_keras_archive_round_trip_keeps_the_adapted_vocabulary(trained, tmp_path):
    vectorize, model, _ = trained
    path = str(tmp_path / "text.keras")
    model.save(path)
    with zipfile.ZipFile(path) as zf:  # Keras 3's place for it: the layer's assets folder
        lines = zf.read("assets/layers/text_vectorization/vocabulary.txt").decode("utf-8").split("\n")
    assert lines == vectorize.get_vocabulary()
    loaded = symk.saving.load_model(path)
    assert loaded.get_layer("vectorize").get_vocabulary() == vectorize.get_vocabulary()
    sentences = np.array(["the cat sat", "dogs dig", "zebra"])
    np.testing.assert_allclose(loaded.predict(sentences, verbose=0), model.predict(sentences, verbose=0), rtol=1e-6)


def test_h5_refuses_an_adapted_vocabulary_and_keeps_a_given_one(trained, tmp_path):
    vectorize, model, _ = trained
    with pytest.raises(ValueError, match="adapted vocabulary.*legacy .h5"):
        model.save(str(tmp_path / "text.h5"))
    fixed = layers.TextVectorization(output_sequence_length=LENGTH, vocabulary=vectorize.get_vocabulary()[2:])
    copy = _text_model(fixed)
    copy.set_weights(model.get_weights())
    for name in ("fixed.h5", "fixed.keras"):
        copy.save(str(tmp_path / name))
        loaded = symk.saving.load_model(str(tmp_path / name))
        np.testing.assert_allclose(loaded.predict(TEXTS, verbose=0), model.predict(TEXTS, verbose=0), rtol=1e-6)


def test_get_config_from_config_keeps_the_host_layers():
    vectorize = layers.TextVectorization(output_sequence_length=LENGTH, vocabulary=["cat", "dog", "the"])
    model = _text_model(vectorize)
    config = model.get_config()
    entry = next(l for l in config["layers"] if l["class_name"] == "TextVectorization")
    assert entry["config"]["vocabulary"] == ["cat", "dog", "the"]
    clone = symk.Model.from_config(config)
    clone.set_weights(model.get_weights())
    assert clone.inputs[0].dtype == "string"
    np.testing.assert_allclose(clone.predict(TEXTS, verbose=0), model.predict(TEXTS, verbose=0), rtol=1e-6)


def test_string_lookup_first_in_sequential():
    vocabulary = ["red", "green", "blue"]
    for stack in ([symk.Input(shape=(1,), dtype="string"), layers.StringLookup(vocabulary=vocabulary),
                   layers.Embedding(4, 3)],
                  [layers.StringLookup(vocabulary=vocabulary), layers.Embedding(4, 3)]):  # built by its first data
        model = symk.Sequential(stack)
        colours = np.array([["blue"], ["red"], ["mauve"]])
        out = model.predict(colours, verbose=0)
        table = np.asarray(model.get_weights()[0])
        np.testing.assert_allclose(out, table[[[3], [1], [0]]], rtol=1e-6)  # OOV is index 0


def test_keras_style_sequential_of_a_vectorizer_and_chained_host_layers():
    vectorize = _vectorizer()
    model = symk.Sequential([vectorize, layers.Embedding(30, 4), layers.GlobalAveragePooling1D(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(TEXTS, LABELS, epochs=1, verbose=0)  # builds the model from the first (string) data
    embeddings, kernel, bias = (np.asarray(w) for w in model.get_weights())
    ids = _ids_by_hand(vectorize.get_vocabulary(), TEXTS)
    np.testing.assert_allclose(model.predict(TEXTS, verbose=0), embeddings[ids].mean(1) @ kernel + bias, rtol=1e-5,
                               atol=1e-6)
    # two host layers in a row: strings -> ids -> hashed ids, then the graph
    words = symk.Input(shape=(2,), dtype="string")
    lookup, hashing = layers.StringLookup(vocabulary=["a", "b", "c"]), layers.Hashing(num_bins=4)
    chained = symk.Model(words, layers.Embedding(4, 2)(hashing(lookup(words))))
    data = np.array([["a", "c"], ["b", "zz"]])
    table = np.asarray(chained.get_weights()[0])
    np.testing.assert_allclose(chained.predict(data, verbose=0), table[hashing(lookup(data))], rtol=1e-6)


def test_hashing_and_string_lookup_with_a_numeric_input_by_name():
    city = symk.Input(shape=(1,), dtype="string", name="city")
    size = symk.Input(shape=(2,), name="size")
    bins = layers.Hashing(num_bins=5, name="hash")(city)
    hashed = layers.Flatten()(layers.Embedding(5, 2, name="embed")(bins))
    model = symk.Model([city, size], layers.Concatenate()([hashed, size]))
    cities = np.array([["paris"], ["oslo"]])
    sizes = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
    expected_bins = layers.Hashing(num_bins=5)(cities)[:, 0]
    table = np.asarray(model.get_layer("embed").get_weights()[0])
    expected = np.concatenate([table[expected_bins], sizes], axis=1)
    np.testing.assert_allclose(model.predict({"city": cities, "size": sizes}, verbose=0), expected, rtol=1e-6)
    np.testing.assert_allclose(model.predict([cities, sizes], verbose=0), expected, rtol=1e-6)


def test_errors_name_what_was_wrong():
    text = symk.Input(shape=(1,), dtype="string", name="text")
    with pytest.raises(GraphError, match="string tensor 'text'.*TextVectorization, StringLookup"):
        layers.Dense(2)(text)  # no host layer between the string input and the graph
    numbers = symk.Input(shape=(3,))
    with pytest.raises(GraphError, match="runs on the host.*computed by|runs on the host.*graph op"):
        layers.StringLookup(vocabulary=["a"], invert=True)(layers.Dense(3)(numbers))
    with pytest.raises(TypeError, match="takes string inputs"):
        layers.TextVectorization()(numbers)
    with pytest.raises(ValueError, match=r"batch of sentences.*\(None, 2, 3\)"):
        layers.TextVectorization()(symk.Input(shape=(2, 3), dtype="string"))
    model = _text_model(_vectorizer())
    with pytest.raises(ValueError, match=r"Input 'text'.*takes shape \(None, 1\).*data has shape \(2, 2, 1\)"):
        model.predict(np.array([[["a"], ["b"]], [["c"], ["d"]]]), verbose=0)
    with pytest.raises(ValueError, match="takes strings"):
        model.predict(np.zeros((2, 1), "float32"), verbose=0)
    plain = symk.Sequential([symk.Input(shape=(1,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="holds text|received text"):
        plain.predict(np.array([["some text"]]), verbose=0)
    with pytest.raises(ValueError, match="received text"):
        plain(np.array([["some text"]]))
