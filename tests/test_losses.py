"""Losses against Keras 3's own values (references/keras3/losses_metrics.npz) and numpy formulas."""
import numpy as np
import pytest

from symk import losses
from reference_files import losses_metrics_reference

DATA, SPECS = losses_metrics_reference("losses")


@pytest.mark.parametrize("name", sorted(SPECS))
def test_loss_class_matches_keras(name):
    spec = SPECS[name]
    loss = losses.CLASSES[spec["class"].split(".")[-1]](**spec["kwargs"])
    y_true, y_pred = DATA[spec["y_true"]], DATA[spec["y_pred"]]
    np.testing.assert_allclose(float(loss(y_true, y_pred)), DATA[f"loss/{name}"], rtol=1e-5, atol=1e-6)
    per_sample = type(loss)(reduction=None, **spec["kwargs"])(y_true, y_pred)
    np.testing.assert_allclose(per_sample, DATA[f"loss_per_sample/{name}"], rtol=1e-5, atol=1e-6)
    assert loss.get_config()["name"] == spec["config"]["name"]


def test_reductions_and_sample_weight_follow_keras_formula():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.normal(size=(6, 3)).astype("float32"), rng.normal(size=(6, 3)).astype("float32")
    weights = np.array([1, 0, 2, 0.5, 0, 1], "float32")
    per_sample = np.mean((y_pred - y_true) ** 2, axis=-1)
    mse = losses.MeanSquaredError()
    # 'sum_over_batch_size' divides by the number of samples, not by the sum of the weights
    np.testing.assert_allclose(mse(y_true, y_pred, sample_weight=weights), np.sum(per_sample * weights) / 6, rtol=1e-6)
    np.testing.assert_allclose(losses.MeanSquaredError(reduction="sum")(y_true, y_pred), per_sample.sum(), rtol=1e-6)


def test_crossentropy_clips_at_epsilon():
    y_true = np.array([[0.0, 1.0]], "float32")
    y_pred = np.array([[1.0, 0.0]], "float32")
    np.testing.assert_allclose(losses.categorical_crossentropy(y_true, y_pred), [-np.log(1e-7)], rtol=1e-4)
    # clipped to [eps, 1 - eps] in float32, where 1 - (1 - eps) is 1.19e-7
    low = np.float32(1) - (np.float32(1) - np.float32(1e-7))
    np.testing.assert_allclose(losses.binary_crossentropy(y_true, y_pred),
                               [-(np.log(low) + np.log(np.float32(1e-7))) / 2], rtol=1e-4)


def test_get_resolves_names_and_rejects_unknown():
    assert losses.get("mse") is losses.mean_squared_error
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)
    with pytest.raises(ValueError, match="Unknown loss 'msee'"):
        losses.get("msee")
    with pytest.raises(ValueError, match="unknown reduction"):
        losses.MeanSquaredError(reduction="average")
