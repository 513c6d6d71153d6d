"""Keras 3.15's newer metrics against results real Keras wrote after each of three update_state
calls (references/keras3/train_vocabulary/metrics.*), the same updates jitted, configs, string
names, the function forms, and fit() accumulating them inside the compiled step."""
import json
import re

import jax
import numpy as np
import pytest

from symk import metrics
from reference_files import REFS

HERE = REFS / "keras3" / "train_vocabulary"
DATA = np.load(HERE / "metrics.npz")
SPEC = json.loads((HERE / "metrics.json").read_text())
CASES = SPEC["cases"]


def _batches(name):
    for b in range(CASES[name]["batches"]):
        weight = DATA[f"{name}/weight{b}"] if f"{name}/weight{b}" in DATA.files else None
        yield b, DATA[f"{name}/y_true{b}"], DATA[f"{name}/y_pred{b}"], weight


def _make(name):
    spec = CASES[name]
    return getattr(metrics, spec["class"])(**spec["kwargs"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_metric_accumulates_like_keras(name):
    metric = _make(name)
    for b, y_true, y_pred, weight in _batches(name):
        metric.update_state(y_true, y_pred, sample_weight=weight)
        np.testing.assert_allclose(np.asarray(metric.result()), DATA[f"{name}/result{b}"], rtol=1e-5, atol=1e-6,
                                   err_msg=f"after batch {b}")
    metric.reset_state()
    metric.update_state(*next(_batches(name))[1:])
    np.testing.assert_allclose(np.asarray(metric.result()), DATA[f"{name}/result0"], rtol=1e-5, atol=1e-6,
                               err_msg="after reset_state")


@pytest.mark.parametrize("name", sorted(CASES))
def test_metric_update_is_a_pure_jittable_function(name):
    """What the trainer does: the state is a pytree carried through a jitted update."""
    metric = _make(name)
    first = next(_batches(name))
    metric._build(first[1].shape, first[2].shape)
    update, compute = jax.jit(metric.update), jax.jit(metric.compute)
    state = metric.initial_state()
    for b, y_true, y_pred, weight in _batches(name):
        state = update(state, y_true, y_pred, weight)
        np.testing.assert_allclose(np.asarray(compute(state)), DATA[f"{name}/result{b}"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_metric_config_is_keras_config_and_round_trips(name):
    metric = _make(name)
    config, expected = json.loads(json.dumps(metric.get_config())), dict(CASES[name]["config"])
    # Keras made the names of a session's repeated default names unique ('binary_io_u_1')
    assert re.sub(r"_\d+$", "", expected.pop("name")) == config.pop("name")
    assert config == expected
    rebuilt = type(metric).from_config(metric.get_config())
    assert rebuilt.get_config() == metric.get_config()
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is type(metric) and again.get_config() == metric.get_config()


@pytest.mark.parametrize("name", sorted(SPEC["functions"]))
def test_metric_function_matches_keras(name):
    y_true, y_pred = DATA[f"fn/{name}/y_true"], DATA[f"fn/{name}/y_pred"]
    values = getattr(metrics, name)(y_true, y_pred, **SPEC["functions"][name]["kwargs"])
    np.testing.assert_allclose(np.asarray(values), DATA[f"fn/{name}"], rtol=1e-5, atol=1e-6)


NEEDS_ARGUMENTS = {"IoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU", "PrecisionAtRecall", "RecallAtPrecision",
                   "SensitivityAtSpecificity", "SpecificityAtSensitivity"}
NOT_BY_NAME = {"Metric", "MeanMetricWrapper"}


@pytest.mark.parametrize("key", sorted(SPEC["metric_names"]))
def test_every_keras_metric_name_resolves_to_its_class(key):
    class_name = SPEC["metric_names"][key]
    if class_name in NOT_BY_NAME:
        return
    if class_name in NEEDS_ARGUMENTS:
        with pytest.raises(ValueError, match="needs arguments"):
            metrics.get(key)
        return
    metric = metrics.get(key)
    assert type(metric).__name__ == class_name
    assert metric.name == key  # Keras names a metric given by string after the string


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="`average` must be one of"):
        metrics.F1Score(average="median")
    with pytest.raises(ValueError, match="`beta` must be a Python float > 0"):
        metrics.FBetaScore(beta=2)
    with pytest.raises(ValueError, match="`class_aggregation` must be one of"):
        metrics.R2Score(class_aggregation="mean")
    with pytest.raises(ValueError, match="target class id 3 is out of range"):
        metrics.IoU(num_classes=3, target_class_ids=[3])
    with pytest.raises(ValueError, match="`recall` must be in the range"):
        metrics.PrecisionAtRecall(recall=1.5)
    with pytest.raises(ValueError, match=r"threshold values must be in \[0, 1\]"):
        metrics.TruePositives(thresholds=[0.2, 1.4])
    with pytest.raises(ValueError, match="R2Score expects 2D inputs"):
        metrics.R2Score().update_state(np.zeros((2, 3, 4)), np.zeros((2, 3, 4)))


COMPILED = json.loads((HERE / "compiled_metrics.json").read_text())["cases"]
COMPILED_DATA = np.load(HERE / "compiled_metrics.npz")


@pytest.mark.parametrize("label", sorted(COMPILED))
def test_fit_accumulates_metrics_given_by_name_as_keras_does(label):
    from symk import optimizers
    from symk.layers import Dense
    from symk.models import Sequential

    case = COMPILED[label]
    entries = [e if isinstance(e, str) else getattr(metrics, e[0])(**e[1]) for e in case["metrics"]]
    model = Sequential([Dense(8, activation="relu", input_shape=(6,)),
                        Dense(case["units"], activation=case["activation"])])
    model.set_weights([COMPILED_DATA[f"{label}/init_w{i}"] for i in range(4)])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss=case["loss"], metrics=entries)
    history = model.fit(COMPILED_DATA[f"{label}/x"], COMPILED_DATA[f"{label}/y"], batch_size=16, epochs=2,
                        shuffle=False, verbose=0)
    assert sorted(history.history) == sorted(case["history_keys"])
    for key in case["history_keys"]:
        np.testing.assert_allclose(history.history[key], COMPILED_DATA[f"{label}/hist/{key}"], rtol=2e-5, atol=1e-6,
                                   err_msg=key)
