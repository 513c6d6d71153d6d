"""Every layer example the layer families register (layer_harness.LAYER_EXAMPLES) survives model.save('x.keras') ->
load_model with identical predictions: its config goes through Keras 3's object form (module, registered_name,
build_config) and its weights through the archive's model.weights.h5."""
import glob
import importlib
import os

import numpy as np
import pytest

import symk
from layer_harness import LAYER_EXAMPLES, sample_input
from symk.models import load_model
from symk.models.layer_order import keras_layer_order

for _path in sorted(glob.glob(os.path.join(os.path.dirname(__file__), "test_layers_*.py"))):
    importlib.import_module(os.path.basename(_path)[:-3])  # each family registers its examples on import

_UNIQUE = list({example.id: example for example in LAYER_EXAMPLES}.values())


@pytest.mark.parametrize("example", _UNIQUE, ids=[e.id for e in _UNIQUE])
def test_every_catalog_layer_round_trips_through_a_keras_archive(example, tmp_path):
    layer = example.factory()
    x = symk.Input(batch_shape=(None,) + tuple(example.input_shape[1:]), dtype=example.input_dtype)
    outputs = layer(x)
    if isinstance(outputs, (list, tuple)):
        outputs = list(outputs)
    model = symk.Model(x, outputs)
    data = sample_input(example.input_shape, example.input_dtype)
    path = tmp_path / "layer.keras"
    model.save(path)
    symk.backend.clear_session()
    loaded = load_model(path, safe_mode=False)
    want, got = model.predict(data), loaded.predict(data)
    for a, b in zip(want if isinstance(want, list) else [want], got if isinstance(got, list) else [got]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    assert type(keras_layer_order(loaded)[-1]) is type(layer)
