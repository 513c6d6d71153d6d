"""Optimizers against numpy re-statements of Keras 3's update rules, over several steps,
plus legacy lr/decay, clipping, schedules, config and variable (save/resume) round trips."""
import numpy as np
import pytest

from symk import optimizers
from symk.optimizers import schedules
from symk.variables import Variable

STEPS = 5


def _grads(step):
    return np.array([0.3, -1.2, 0.05], "float32") * (1 + 0.5 * np.sin(step))


def _run(optimizer):
    """Apply STEPS gradient updates to w = [1, 2, 3] through the optimizer's jitted-path code."""
    var = Variable(np.array([1.0, 2.0, 3.0], "float32"), path="w/kernel")
    optimizer.build([var])
    params = {"w/kernel": var.device_value()}
    state = optimizer._state_from_variables(params)
    for t in range(STEPS):
        params, state = optimizer._apply({"w/kernel": _grads(t)}, params, state)
    optimizer._write_state(state)
    return np.asarray(params["w/kernel"], np.float64)


def _reference(update):
    w, slots = np.array([1.0, 2.0, 3.0]), {}
    for t in range(STEPS):
        w = update(w, _grads(t).astype(np.float64), t, slots)
    return w


def sgd_ref(lr, momentum=0.0, nesterov=False, decay=0.0):
    def update(w, g, t, s):
        lr_t = lr / (1 + decay * t)
        m = momentum * s.get("m", 0.0) - lr_t * g
        s["m"] = m
        return w + (momentum * m - lr_t * g if nesterov else m)
    return update


def adam_ref(lr, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=0.0):
    def update(w, g, t, s):
        w = w - w * wd * lr
        m = s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - b1)
        v = s["v"] = s.get("v", 0.0) + (g * g - s.get("v", 0.0)) * (1 - b2)
        if amsgrad:
            v = s["vh"] = np.maximum(s.get("vh", 0.0), v)
        alpha = lr * np.sqrt(1 - b2 ** (t + 1)) / (1 - b1 ** (t + 1))
        return w - m * alpha / (np.sqrt(v) + eps)
    return update


def rmsprop_ref(lr, rho=0.9, momentum=0.0, eps=1e-7, centered=False):
    def update(w, g, t, s):
        v = s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g * g
        denominator = v + eps
        if centered:
            a = s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g
            denominator = v - a * a + eps
        increment = lr * g / np.sqrt(denominator)
        if momentum:
            increment = s["m"] = momentum * s.get("m", 0.0) + increment
        return w - increment
    return update


def adagrad_ref(lr, init=0.1, eps=1e-7):
    def update(w, g, t, s):
        acc = s["acc"] = s.get("acc", init) + g * g
        return w - lr * g / np.sqrt(acc + eps)
    return update


def adadelta_ref(lr, rho=0.95, eps=1e-7):
    def update(w, g, t, s):
        ag = s["ag"] = rho * s.get("ag", 0.0) + (1 - rho) * g * g
        delta = -np.sqrt(s.get("ad", 0.0) + eps) / np.sqrt(ag + eps) * g
        s["ad"] = rho * s.get("ad", 0.0) + (1 - rho) * delta * delta
        return w + lr * delta
    return update


def adamax_ref(lr, b1=0.9, b2=0.999, eps=1e-7):
    def update(w, g, t, s):
        m = s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - b1)
        u = s["u"] = np.maximum(b2 * s.get("u", 0.0), np.abs(g))
        return w - lr * m / ((1 - b1 ** (t + 1)) * (u + eps))
    return update


def nadam_ref(lr, b1=0.9, b2=0.999, eps=1e-7):
    def update(w, g, t, s):
        u_t = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 2))
        prod = s["p"] = s.get("p", 1.0) * u_t
        prod_next = prod * u_t1
        m = s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - b1)
        v = s["v"] = s.get("v", 0.0) + (g * g - s.get("v", 0.0)) * (1 - b2)
        m_hat = u_t1 * m / (1 - prod_next) + (1 - u_t) * g / (1 - prod)
        return w - lr * m_hat / (np.sqrt(v / (1 - b2 ** (t + 1))) + eps)
    return update


CASES = [
    ("sgd", lambda: optimizers.SGD(0.1), sgd_ref(0.1)),
    ("sgd_nesterov", lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True), sgd_ref(0.05, 0.9, True)),
    ("sgd_legacy", lambda: optimizers.sgd(lr=0.05, decay=0.1, momentum=0.9), sgd_ref(0.05, 0.9, decay=0.1)),
    ("adam", lambda: optimizers.Adam(0.01), adam_ref(0.01)),
    ("amsgrad", lambda: optimizers.Adam(0.01, amsgrad=True), adam_ref(0.01, amsgrad=True)),
    ("adamw", lambda: optimizers.AdamW(0.01, weight_decay=0.05), adam_ref(0.01, wd=0.05)),
    ("rmsprop", lambda: optimizers.RMSprop(0.01), rmsprop_ref(0.01)),
    ("rmsprop_centered", lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
     rmsprop_ref(0.01, momentum=0.5, centered=True)),
    ("adagrad", lambda: optimizers.Adagrad(0.1), adagrad_ref(0.1)),
    ("adadelta", lambda: optimizers.Adadelta(1.0), adadelta_ref(1.0)),
    ("adamax", lambda: optimizers.Adamax(0.01), adamax_ref(0.01)),
    ("nadam", lambda: optimizers.Nadam(0.01), nadam_ref(0.01)),
]


@pytest.mark.parametrize("name,make,reference", CASES, ids=[c[0] for c in CASES])
def test_update_rule_matches_keras_formula(name, make, reference):
    np.testing.assert_allclose(_run(make()), _reference(reference), rtol=1e-5, atol=1e-7)


def test_clipnorm_clips_each_gradient_and_clipvalue_each_entry():
    w = _run(optimizers.SGD(0.1, clipnorm=0.5))

    def clipped(w, g, t, s):
        return w - 0.1 * g * 0.5 / max(np.linalg.norm(g), 0.5)

    np.testing.assert_allclose(w, _reference(clipped), rtol=1e-6)
    np.testing.assert_allclose(_run(optimizers.SGD(0.1, clipvalue=0.2)),
                               _reference(lambda w, g, t, s: w - 0.1 * np.clip(g, -0.2, 0.2)), rtol=1e-6)


def test_schedules_follow_keras_formulas():
    exp = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    assert float(exp(25)) == pytest.approx(0.1 * 0.5 ** 2)
    assert float(schedules.InverseTimeDecay(1.0, 2, 0.5)(4)) == pytest.approx(1 / (1 + 0.5 * 2))
    piecewise = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [float(piecewise(s)) for s in (10, 11, 21)] == pytest.approx([1.0, 0.5, 0.1])
    assert float(schedules.CosineDecay(1.0, 10)(5)) == pytest.approx(0.5)
    w = _run(optimizers.SGD(learning_rate=schedules.InverseTimeDecay(0.1, 1, 0.5)))
    np.testing.assert_allclose(w, _reference(lambda w, g, t, s: w - 0.1 / (1 + 0.5 * t) * g), rtol=1e-6)


def test_learning_rate_is_settable_and_variables_resume_exactly():
    opt = optimizers.Adam(0.01)
    first = _run(opt)
    assert opt.learning_rate == pytest.approx(0.01)
    opt.learning_rate = 0.5
    assert opt.get_config()["learning_rate"] == pytest.approx(0.5)
    names = [v.short_name for v in opt.variables]
    assert names[:2] == ["iteration", "learning_rate"] and names[2].endswith("_momentum")
    assert int(opt.get_weights()[0]) == STEPS
    clone = optimizers.Adam.from_config(opt.get_config())
    var = Variable(np.zeros(3, "float32"), path="w/kernel")
    clone.build([var])
    clone.set_weights(opt.get_weights())
    assert [np.asarray(a).tolist() for a in clone.get_weights()] == [np.asarray(a).tolist() for a in opt.get_weights()]
    assert first.shape == (3,)


def test_names_aliases_and_errors():
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("SGD"), optimizers.SGD)
    assert optimizers.rmsprop is optimizers.RMSprop
    assert optimizers.SGD(lr=0.3).learning_rate == pytest.approx(0.3)
    with pytest.raises(ValueError, match="Unknown optimizer 'adamm'"):
        optimizers.get("adamm")
    with pytest.raises(TypeError, match="unexpected argument"):
        optimizers.Adam(betaa=0.3)
    with pytest.raises(ValueError, match="at most one of clipnorm"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def ftrl_ref(lr, power=-0.5, init=0.1, l1=0.0, l2=0.0, shrinkage=0.0, beta=0.0):
    """Keras 3's Ftrl.update_step, restated in numpy."""
    def update(w, g, t, s):
        accum, linear = s.get("n", np.full_like(w, init)), s.get("z", np.zeros_like(w))
        new_accum = accum + g * g
        linear = linear + (g + 2 * shrinkage * w) - (new_accum ** -power - accum ** -power) / lr * w
        quadratic = new_accum ** -power / lr + 2 * (l2 + beta / (2 * lr))
        s["n"], s["z"] = new_accum, linear
        return (np.clip(linear, -l1, l1) - linear) / quadratic
    return update


@pytest.mark.parametrize("kwargs", [{}, {"l1_regularization_strength": 0.01, "l2_regularization_strength": 0.1},
                                    {"learning_rate_power": -0.7, "beta": 0.5,
                                     "l2_shrinkage_regularization_strength": 0.05}])
def test_ftrl_follows_keras_update_rule(kwargs):
    opt = optimizers.Ftrl(learning_rate=0.1, **kwargs)
    ref = ftrl_ref(0.1, kwargs.get("learning_rate_power", -0.5), 0.1, kwargs.get("l1_regularization_strength", 0.0),
                   kwargs.get("l2_regularization_strength", 0.0), kwargs.get("l2_shrinkage_regularization_strength", 0.0),
                   kwargs.get("beta", 0.0))
    np.testing.assert_allclose(_run(opt), _reference(ref), rtol=1e-5, atol=1e-6)
    assert [v.short_name if hasattr(v, "short_name") else v.name for v in opt.variables][2:] == \
        ["w_kernel_accumulator", "w_kernel_linear"]
    assert optimizers.get("ftrl").__class__ is optimizers.Ftrl and optimizers.ftrl is optimizers.Ftrl


def test_ftrl_rejects_bad_hyperparameters():
    with pytest.raises(ValueError, match="learning_rate_power"):
        optimizers.Ftrl(learning_rate_power=0.5)


def test_zero_argument_callable_learning_rate_is_read_each_step():
    """Keras 3: learning_rate may be a callable with no arguments; its current value is used
    at each step (here: plain gradient descent on a linear model, restated in numpy)."""
    from symk.layers import Dense
    from symk.models import Sequential

    current = {"lr": 0.1}
    opt = optimizers.SGD(learning_rate=lambda: current["lr"])
    assert opt.learning_rate == pytest.approx(0.1)
    model = Sequential([Dense(1, use_bias=False, kernel_initializer="ones", input_shape=(3,))])
    model.compile(optimizer=opt, loss="mse")
    x = np.array([[1.0, 2.0, -1.0], [0.5, -1.0, 2.0]], "float32")
    y = np.array([[1.0], [-2.0]], "float32")
    w = np.ones((3, 1))
    for lr in (0.1, 0.01, 0.5):
        current["lr"] = lr
        model.train_on_batch(x, y)
        w = w - lr * (2.0 / len(x)) * x.T @ (x @ w - y)   # d/dw mean((xw - y)^2)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5)
    with pytest.raises(ValueError, match="schedule or callable"):
        opt.learning_rate = 0.3
