"""Keras 3.15's newer losses (focal, generalized crossentropy, Dice, Tversky, Circle, CTC) against
values real Keras wrote (references/keras3/train_vocabulary/losses.*), their configs, names,
positional arguments and errors."""
import json

import numpy as np
import pytest

from symk import losses
from reference_files import REFS

HERE = REFS / "keras3" / "train_vocabulary"
DATA = np.load(HERE / "losses.npz")
SPEC = json.loads((HERE / "losses.json").read_text())
CASES, FUNCTIONS = SPEC["cases"], SPEC["functions"]


def _inputs(spec):
    return DATA[f"in/{spec['y_true']}"], DATA[f"in/{spec['y_pred']}"]


def check_close(actual, expected, what):
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=1e-5, atol=1e-6, err_msg=what)


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_class_matches_keras_for_every_reduction(name):
    spec = CASES[name]
    cls = getattr(losses, spec["class"])
    y_true, y_pred = _inputs(spec)
    check_close(cls(**spec["kwargs"])(y_true, y_pred), DATA[f"value/{name}"], "default reduction")
    check_close(cls(reduction=None, **spec["kwargs"])(y_true, y_pred), DATA[f"none/{name}"], "reduction=None")
    if spec["sample_weight"]:
        weight = DATA[f"in/{spec['sample_weight']}"]
        check_close(cls(reduction="sum", **spec["kwargs"])(y_true, y_pred, sample_weight=weight),
               DATA[f"sum_weighted/{name}"], "sum with sample weights")
        check_close(cls(reduction="mean_with_sample_weight", **spec["kwargs"])(y_true, y_pred, sample_weight=weight),
               DATA[f"mean_sw/{name}"], "mean_with_sample_weight")


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_config_is_keras_config_and_round_trips(name):
    spec = CASES[name]
    cls = getattr(losses, spec["class"])
    config = cls(**spec["kwargs"]).get_config()
    expected = dict(spec["config"])
    if isinstance(expected.get("axis"), list):  # JSON wrote Keras's tuple as a list
        config["axis"] = list(config["axis"])
    assert config == expected
    rebuilt = cls.from_config(json.loads(json.dumps(cls(**spec["kwargs"]).get_config())))
    y_true, y_pred = _inputs(spec)
    check_close(rebuilt(y_true, y_pred), DATA[f"value/{name}"], "rebuilt from its config")
    assert isinstance(losses.deserialize(losses.serialize(cls(**spec["kwargs"]))), cls)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_loss_function_matches_keras(name):
    spec = FUNCTIONS[name]
    y_true, y_pred = _inputs(spec)
    check_close(getattr(losses, name)(y_true, y_pred, **spec["kwargs"]), DATA[f"fn/{name}"], name)
    if spec["also_in_metrics"]:
        from symk import metrics

        assert getattr(metrics, name) is getattr(losses, name)


def test_every_keras_loss_name_resolves():
    for name in SPEC["loss_names"]:
        if name in ("Loss", "LossFunctionWrapper"):
            continue
        obj = losses.get(name)
        assert obj is not None and (callable(obj) or isinstance(obj, losses.Loss)), name
    assert isinstance(losses.get("Dice"), losses.Dice)
    assert losses.get("circle") is losses.circle


def test_positional_arguments_follow_keras_order():
    assert losses.Tversky(0.3, 0.7).get_config()["beta"] == 0.7
    assert losses.BinaryFocalCrossentropy(True, 0.4).get_config()["alpha"] == 0.4
    assert losses.CategoricalGeneralizedCrossEntropy(0.2, "sum").reduction == "sum"
    assert losses.Dice("sum", "d", (1, 2)).get_config() == {"name": "d", "reduction": "sum", "axis": (1, 2)}
    assert losses.BinaryCrossentropy(True).get_config()["from_logits"] is True


def test_circle_leaves_queries_without_positive_pairs_out_of_the_mean():
    spec = CASES["circle"]
    y_true, y_pred = _inputs(spec)
    per_query = np.asarray(losses.Circle(reduction=None)(y_true, y_pred))
    assert per_query[5] == 0.0  # label 2 occurs once
    np.testing.assert_allclose(losses.Circle()(y_true, y_pred), per_query.sum() / np.count_nonzero(per_query),
                               rtol=1e-6)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match=r"q must be in the interval \(0, 1\)"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)
    with pytest.raises(TypeError, match="unexpected argument"):
        losses.Dice(alpha=0.3)
    with pytest.raises(ValueError, match="unknown reduction"):
        losses.Tversky(reduction="average")
    with pytest.raises(ValueError, match=r"ctc: targets `y_true` must be integer labels"):
        losses.ctc(np.zeros((2,)), np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="`axis` must be an int"):
        losses.categorical_focal_crossentropy(np.eye(3), np.eye(3), axis=True)


def test_new_losses_train_inside_the_compiled_step():
    from symk.layers import Dense
    from symk.models import Sequential

    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = (rng.uniform(size=(32, 3)) > 0.5).astype("float32")
    for loss in (losses.BinaryFocalCrossentropy(), "binary_focal_crossentropy", losses.Dice(), losses.Tversky()):
        model = Sequential([Dense(3, activation="sigmoid", input_shape=(4,))])
        model.compile(optimizer="adam", loss=loss)
        history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        assert np.all(np.isfinite(history.history["loss"]))
