"""compile(steps_per_execution="auto"): the measured choice between one step per dispatch and N (the rule of
symk/training/steps_tuner.py fed with made-up timings), training numbers equal to one step per dispatch
whatever it chooses, what files record, and the refused values."""
import json

import h5py
import numpy as np
import pytest

import symk
from symk.layers import Dense
from symk.models import Sequential
from symk.training import steps_tuner
from symk.training.steps_tuner import MeasuredSteps


def feed(tuner, seconds_per_step: float, executions: int):
    """`executions` executions of the tuner's current size, each taking seconds_per_step per step."""
    for _ in range(executions):
        count = tuner.next_count()
        tuner.record(count, seconds_per_step * count)


def test_a_slow_step_keeps_one_step_per_dispatch():
    tuner = MeasuredSteps()
    feed(tuner, 0.010, 1 + steps_tuner.TIMED_EXECUTIONS)  # 10 ms a step: dispatches are noise
    assert tuner.chosen == 1 and not tuner.timing


def test_a_fast_step_tries_the_most_steps_the_epoch_allows_and_keeps_them_when_faster():
    tuner = MeasuredSteps()
    tuner.epoch_steps(1000)
    feed(tuner, 0.0005, 1 + steps_tuner.TIMED_EXECUTIONS)
    assert tuner.chosen is None and tuner.next_count() == steps_tuner.MAX_STEPS
    feed(tuner, 0.0003, 1 + steps_tuner.TIMED_EXECUTIONS)  # 0.3 ms a step in executions of 32
    assert tuner.chosen == steps_tuner.MAX_STEPS and tuner.next_count() == steps_tuner.MAX_STEPS


def test_a_short_epoch_caps_the_steps_tried_so_the_timed_executions_fit_in_it():
    tuner = MeasuredSteps()
    tuner.epoch_steps(60)  # 60 // (4 timed + 2) = 10
    feed(tuner, 0.0005, 1 + steps_tuner.TIMED_EXECUTIONS)
    assert tuner.next_count() == 10


def test_n_steps_that_are_not_faster_go_back_to_one():
    tuner = MeasuredSteps()
    feed(tuner, 0.0001, 1 + steps_tuner.TIMED_EXECUTIONS)
    assert tuner.next_count() == steps_tuner.MAX_STEPS
    feed(tuner, 0.0001, 1 + steps_tuner.TIMED_EXECUTIONS)  # no gain (a scanned conv body can even lose)
    assert tuner.chosen == 1


def test_the_first_execution_of_each_size_and_short_last_executions_are_not_counted():
    tuner = MeasuredSteps()
    tuner.record(1, 5.0)  # the compile
    for _ in range(steps_tuner.TIMED_EXECUTIONS - 1):
        tuner.record(1, 0.0005)
    tuner.record(3, 0.0001)  # an epoch's shorter last execution: ignored
    assert tuner.chosen is None and tuner.next_count() == 1
    tuner.record(1, 0.0005)
    assert tuner.next_count() == steps_tuner.MAX_STEPS and tuner.per_step_seconds() == {1: 0.0005}


def test_a_tail_shorter_than_the_choice_runs_as_single_steps_and_a_fixed_value_as_asked():
    tuner = MeasuredSteps()
    tuner.chosen = 8
    assert [tuner.count_for(r) for r in (20, 8, 7, 1)] == [8, 8, 1, 1]
    fixed = steps_tuner.FixedSteps(8)
    assert [fixed.count_for(r) for r in (20, 8, 7, 1)] == [8, 8, 7, 1]


def _model():
    model = Sequential([Dense(3, activation="tanh", input_shape=(4,)), Dense(1)])
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(scale=0.4, size=w.shape).astype("float32") for w in model.weights])
    return model


def test_fit_with_auto_trains_exactly_as_one_step_per_dispatch():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(96, 4)).astype("float32"), rng.normal(size=(96, 1)).astype("float32")
    trained = []
    for spe in (1, "auto"):
        model = _model()
        model.compile(optimizer=symk.optimizers.SGD(0.05), loss="mse", steps_per_execution=spe)
        model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)  # 48 steps, enough to decide
        trained.append(model.get_weights())
    assert model._steps_tuner.chosen in (1, model._steps_tuner.candidate)
    assert set(model._steps_tuner.per_step_seconds()) >= {1}
    for one, auto in zip(*trained):
        np.testing.assert_allclose(auto, one, rtol=1e-5, atol=1e-6)


def test_auto_is_written_as_one_for_keras(tmp_path):
    model = _model()
    model.compile(optimizer="sgd", loss="mse", steps_per_execution="auto")
    model.save(str(tmp_path / "m.h5"))
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert json.loads(f.attrs["training_config"])["steps_per_execution"] == 1


@pytest.mark.parametrize("value", [0, -2, "fast", 2.5, True])
def test_bad_values_are_refused_at_compile(value):
    with pytest.raises(ValueError, match="steps_per_execution"):
        _model().compile(optimizer="sgd", loss="mse", steps_per_execution=value)


def _assert_auto_with_a_choice_trains_as_one_step(fit, chosen=4, before_auto_fit=lambda model: None):
    """fit(model) with steps_per_execution=1 and with "auto" having chosen `chosen`: the same weights."""
    trained = []
    for spe in (1, "auto"):
        model = _model()
        model.compile(optimizer=symk.optimizers.SGD(0.05), loss="mse", steps_per_execution=spe)
        if spe == "auto":
            model._steps_tuner = MeasuredSteps()
            model._steps_tuner.chosen = chosen
            before_auto_fit(model)
        fit(model)
        trained.append(model.get_weights())
    for one, auto in zip(*trained):
        np.testing.assert_allclose(auto, one, rtol=1e-5, atol=1e-6)


def test_once_auto_has_chosen_later_epochs_run_the_same_two_programs(monkeypatch):
    """10 steps an epoch with 4 chosen: executions of 4, 4, then 2 single steps; no program for 2."""
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(40, 4)).astype("float32"), rng.normal(size=(40, 1)).astype("float32")
    counts = []

    def record_executions(model):
        steps = model._build_steps(x[:4], y[:4])
        rows, indexed = steps.train_rows, steps.train_indexed
        monkeypatch.setattr(steps, "train_rows", lambda *a: counts.append(a[-1]) or rows(*a))
        monkeypatch.setattr(steps, "train_indexed", lambda *a: counts.append(1) or indexed(*a))

    _assert_auto_with_a_choice_trains_as_one_step(
        lambda model: model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0),
        before_auto_fit=record_executions)
    assert counts == [4, 4, 1, 1] * 2


def test_auto_on_a_batch_iterable_runs_the_short_tail_as_single_steps_with_a_begin_and_end_per_batch():
    rng = np.random.default_rng(3)
    batches = [(rng.normal(size=(4, 4)).astype("float32"), rng.normal(size=(4, 1)).astype("float32"))
               for _ in range(10)]
    seen = []

    class Record(symk.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(("begin", batch))

        def on_train_batch_end(self, batch, logs=None):
            seen.append(("end", batch))

    _assert_auto_with_a_choice_trains_as_one_step(
        lambda model: model.fit(iter(batches), epochs=1, steps_per_epoch=10, verbose=0, callbacks=[Record()]),
        before_auto_fit=lambda model: seen.clear())
    assert seen == [("begin", 0), ("end", 3), ("begin", 4), ("end", 7), ("begin", 8), ("end", 8), ("begin", 9),
                    ("end", 9)]
