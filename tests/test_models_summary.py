"""model.summary(): Keras's table for sequential and non-sequential graphs."""
import re

from symk.layers import Activation, Dense, Input, concatenate
from symk.models import Model, Sequential


def summary_text(model) -> str:
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


def test_sequential_summary_has_keras_columns_and_totals():
    model = Sequential(name="mlp")
    model.add(Dense(64, input_dim=20))
    model.add(Activation("relu"))
    model.add(Dense(10, activation="softmax"))
    text = summary_text(model)
    assert 'Model: "mlp"' in text
    assert re.search(r"Layer \(type\)\s+Output Shape\s+Param #", text)
    assert "Connected to" not in text
    assert re.search(r"dense \(Dense\)\s+\(None, 64\)\s+1,344", text)
    assert re.search(r"activation \(Activation\)\s+\(None, 64\)\s+0", text)
    assert re.search(r"dense_1 \(Dense\)\s+\(None, 10\)\s+650", text)
    assert "Total params: 1,994" in text and "Trainable params: 1,994" in text
    assert "Non-trainable params: 0" in text


def test_functional_graph_summary_shows_connected_to():
    a, b = Input(shape=(4,), name="in_a"), Input(shape=(2,), name="in_b")
    h = Dense(3, name="hidden")(a)
    out = Dense(1, name="head")(concatenate([h, b], name="merge"))
    text = summary_text(Model([a, b], out, name="graph"))
    assert re.search(r"Layer \(type\)\s+Output Shape\s+Param #\s+Connected to", text)
    assert re.search(r"merge \(Concatenate\)\s+\(None, 5\)\s+0\s+hidden\[0\]\[0\]", text)
    assert re.search(r"^\s+in_b\[0\]\[0\]", text, re.M)
    assert re.search(r"head \(Dense\)\s+\(None, 1\)\s+6\s+merge\[0\]\[0\]", text)
    assert "Total params: 21" in text


def test_frozen_layers_count_as_non_trainable():
    model = Sequential([Dense(4, input_shape=(3,)), Dense(2)])
    model.layers[0].trainable = False
    text = summary_text(model)
    assert "Total params: 26" in text and "Trainable params: 10" in text and "Non-trainable params: 16" in text
