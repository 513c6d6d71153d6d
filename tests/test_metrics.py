"""Stateful metrics against Keras 3's values after one and two batches (losses_metrics.npz)."""
import json
import pathlib

import numpy as np
import pytest

from symk import metrics

REFS = pathlib.Path(__file__).parent / "references"
DATA = np.load(REFS / "keras3/losses_metrics.npz")
SPECS = next(e for e in json.loads((REFS / "manifest.json").read_text())["files"]
             if e["file"] == "keras3/losses_metrics.npz")["metrics"]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_metric_accumulates_like_keras(name):
    spec = SPECS[name]
    metric = getattr(metrics, spec["class"].split(".")[-1])(**spec["kwargs"])
    true_key, pred_key = spec["y_true"].replace("mb{0,1}_", ""), spec["y_pred"].replace("mb{0,1}_", "")
    metric.update_state(DATA[f"mb0_{true_key}"], DATA[f"mb0_{pred_key}"])
    np.testing.assert_allclose(float(metric.result()), DATA[f"metric_after_batch0/{name}"], rtol=1e-6)
    metric.update_state(DATA[f"mb1_{true_key}"], DATA[f"mb1_{pred_key}"])
    np.testing.assert_allclose(float(metric.result()), DATA[f"metric/{name}"], rtol=1e-6)
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_mean_is_weighted_mean_and_custom_function_wraps():
    mean = metrics.Mean()
    mean.update_state([1.0, 2.0, 3.0], sample_weight=[1.0, 0.0, 1.0])
    mean.update_state([10.0])
    assert float(mean.result()) == pytest.approx((1 + 3 + 10) / 3)

    def max_error(y_true, y_pred):
        return np.max(np.abs(np.asarray(y_true) - np.asarray(y_pred)), axis=-1)

    metric = metrics.get(max_error)
    metric.update_state(np.zeros((2, 2)), np.array([[1.0, 3.0], [2.0, 0.0]]))
    assert metric.name == "max_error" and float(metric.result()) == pytest.approx(2.5)


def test_unknown_metric_name_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown metric 'accurcy'"):
        metrics.get("accurcy")
