"""Stateful metrics against Keras 3's values after one and two batches (losses_metrics.npz)."""
import numpy as np
import pytest

from symk import metrics
from reference_files import losses_metrics_reference

DATA, SPECS = losses_metrics_reference("metrics")


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


def _pr_auc_interpolated_reference(y_true, y_pred, num_thresholds=200):
    """Keras's documented PR-AUC interpolation (AUC.interpolate_pr_auc, after Davis & Goadrich),
    in float64 numpy from scratch: confusion counts at Keras's thresholds, then the closed form."""
    eps = 1e-7
    thresholds = np.array([0.0 - eps] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
                          + [1.0 + eps])
    positive = y_true.reshape(-1) > 0.5
    scores = y_pred.reshape(-1)
    tp = np.array([np.sum((scores > t) & positive) for t in thresholds], float)
    fp = np.array([np.sum((scores > t) & ~positive) for t in thresholds], float)
    fn = np.array([np.sum((scores <= t) & positive) for t in thresholds], float)
    total = 0.0
    for a in range(num_thresholds - 1):
        b = a + 1
        p_a, p_b = tp[a] + fp[a], tp[b] + fp[b]
        d_tp, d_p = tp[a] - tp[b], p_a - p_b
        slope = d_tp / d_p if d_p > 0 else 0.0
        intercept = tp[b] - slope * p_b
        ratio = p_a / p_b if p_a > 0 and p_b > 0 else 1.0
        positives = tp[b] + fn[b]
        if positives > 0:
            total += slope * (d_tp + intercept * np.log(ratio)) / positives
    return total


def test_pr_auc_interpolation_matches_keras_formula_over_two_batches():
    rng = np.random.default_rng(3)
    batches = []
    for _ in range(2):
        y_true = (rng.random(64) < 0.4).astype("float32")
        y_pred = np.clip(0.35 * y_true + 0.65 * rng.random(64), 0, 1).astype("float32")
        batches.append((y_true, y_pred))
    metric = metrics.AUC(curve="PR")
    for y_true, y_pred in batches:
        metric.update_state(y_true, y_pred)
    all_true = np.concatenate([b[0] for b in batches])
    all_pred = np.concatenate([b[1] for b in batches])
    expected = _pr_auc_interpolated_reference(all_true, all_pred)
    np.testing.assert_allclose(float(metric.result()), expected, rtol=1e-5)
    # the interpolated area differs from the plain trapezoid over (recall, precision)
    trapezoid = metrics.AUC(curve="PR", summation_method="majoring")
    trapezoid.update_state(all_true, all_pred)
    assert float(trapezoid.result()) != pytest.approx(expected, rel=1e-3)
