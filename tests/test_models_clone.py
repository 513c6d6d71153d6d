"""symk.models.clone_model, with Keras's signature: new layers and weights, the same structure and predictions
once the weights are copied; clone_function, call_function, recursive and input_tensors as Keras defines them."""
import numpy as np
import pytest

import symk
from symk.models import clone_model

L = symk.layers
RNG = np.random.RandomState(3)


def _functional(batch_norm=True):
    a, b = L.Input((4,), name="a"), L.Input((4,), name="b")
    shared = L.Dense(3, activation="relu", name="shared")
    joined = L.Concatenate(name="concat")([shared(a), shared(b)])
    inner = symk.Sequential([L.Input((6,)), L.Dense(5, name="inner_dense"), L.Dropout(0.2)], name="inner")
    hidden = inner(joined)
    # NOTE: tests that reuse the original layers leave BatchNormalization out: symk cannot yet call one
    # BatchNormalization layer in two models (the second model's graph reaches the first one's input)
    hidden = L.BatchNormalization(name="bn")(hidden) if batch_norm else L.LayerNormalization(name="ln")(hidden)
    out = L.Dense(2, name="head")(hidden)
    return symk.Model([a, b], out, name="two_inputs")


def _x():
    return [RNG.uniform(-1, 1, (3, 4)).astype("float32") for _ in range(2)]


def _same_predictions(clone, model, x):
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)


def test_functional_clone_has_new_layers_and_weights():
    model = _functional()
    clone = clone_model(model)
    assert type(clone) is symk.Model and clone.name == model.name
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert not {id(layer) for layer in clone.layers} & {id(layer) for layer in model.layers}
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    assert len(clone.get_layer("shared")._inbound_nodes) == 2  # the shared layer is cloned once, called twice
    _same_predictions(clone, model, _x())


def test_sequential_clone_keeps_its_input_and_compiles_with_a_fresh_optimizer():
    model = symk.Sequential([L.Input((5,), name="features"), L.Dense(4, activation="tanh"), L.Dense(1)], name="s")
    model.compile(optimizer=symk.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    x, y = RNG.uniform(-1, 1, (8, 5)).astype("float32"), RNG.uniform(-1, 1, (8, 1)).astype("float32")
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    clone = clone_model(model)
    assert type(clone) is symk.Sequential and clone.inputs[0].shape == (None, 5)
    assert clone.compiled and clone.loss == "mse" and clone.optimizer is not model.optimizer
    assert clone.optimizer.get_config()["learning_rate"] == pytest.approx(0.01)
    assert int(clone.optimizer.iterations.numpy()) == 0
    _same_predictions(clone, model, x)


def test_clone_function_can_reuse_or_rebuild_layers():
    model = _functional(batch_norm=False)

    def no_dropout(layer):
        if isinstance(layer, L.Dense):
            config = layer.get_config()
            config["units"] = config["units"] if layer.name != "head" else 3
            return L.Dense.from_config(config)
        return layer

    clone = clone_model(model, clone_function=no_dropout)
    assert clone.output.shape == (None, 3)
    assert clone.get_layer("concat") is model.get_layer("concat")
    reused = clone_model(model, clone_function=lambda layer: layer)
    assert reused.get_layer("shared") is model.get_layer("shared")


def test_call_function_inserts_layers():
    model = _functional(batch_norm=False)

    def call_function(layer, *args, **kwargs):
        out = layer(*args, **kwargs)
        return L.Dropout(0.5)(out) if isinstance(layer, L.Dense) else out

    clone = clone_model(model, clone_function=lambda layer: layer, call_function=call_function)
    assert sum(isinstance(layer, L.Dropout) for layer in clone.layers) == 3
    x = _x()
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_recursive_clones_nested_models_with_clone_model():
    model = _functional(batch_norm=False)
    seen = []
    clone = clone_model(model, clone_function=lambda layer: seen.append(layer.name) or
                        layer.__class__.from_config(layer.get_config()), recursive=True)
    assert "inner_dense" in seen and "inner" not in seen
    assert clone.get_layer("inner") is not model.get_layer("inner")
    flat = clone_model(model, clone_function=lambda layer: seen.append(layer.name) or layer)
    assert flat.get_layer("inner") is model.get_layer("inner")


def test_input_tensors():
    model = _functional()
    a, b = L.Input((4,), name="new_a"), L.Input((4,), name="new_b")
    clone = clone_model(model, input_tensors=[a, b])
    assert clone.inputs[0] is a and clone.inputs[1] is b
    sequential = symk.Sequential([L.Input((3,)), L.Dense(2)])
    t = L.Input((3,))
    assert clone_model(sequential, input_tensors=t).inputs[0] is t
    with pytest.raises(ValueError, match="must contain a single tensor"):
        clone_model(sequential, input_tensors=[t, t])
    with pytest.raises(ValueError, match="same structure as model.input"):
        clone_model(model, input_tensors=[a])


class Tower(symk.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden, self.out = L.Dense(units, activation="relu"), L.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))

    def get_config(self):
        return {"units": self.units, "name": self.name}


def test_subclassed_model_clones_through_its_config():
    model = Tower(4, name="tower")
    model.build((None, 2))
    clone = clone_model(model)
    assert type(clone) is Tower and clone.units == 4 and clone is not model
    with pytest.raises(ValueError, match="only supported for Sequential models or Functional models"):
        clone_model(model, clone_function=lambda layer: layer)


def test_argument_errors_match_keras():
    sequential = symk.Sequential([L.Input((3,)), L.Dense(2)])
    with pytest.raises(ValueError, match="`call_function` argument is not supported with Sequential models"):
        clone_model(sequential, call_function=lambda layer, *a, **k: layer(*a, **k))
    with pytest.raises(ValueError, match="Unexpected keyword argument"):
        clone_model(sequential, share_weights=True)
    with pytest.raises(ValueError, match="Expected `clone_function` argument to be a callable"):
        clone_model(sequential, clone_function=3)
