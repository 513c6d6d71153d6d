"""The last silent arguments of fit / evaluate / predict: each bad value is an error naming the argument,
raised before anything is traced or compiled (a traced step would fail the test)."""
import numpy as np
import pytest

import symk
from symk.training.step import Steps


@pytest.fixture
def no_step(monkeypatch):
    """Fail if a train or test step is traced: the errors under test come before any compile."""
    def traced(*args, **kwargs):
        raise AssertionError("a train/test step was traced before the argument was refused")

    monkeypatch.setattr(Steps, "_train", traced)
    monkeypatch.setattr(Steps, "_test", traced)


def model():
    m = symk.Sequential([symk.layers.Input((4,)), symk.layers.Dense(3), symk.layers.Dense(1)])
    m.compile("sgd", "mse")
    return m


X, Y = np.ones((10, 4), "f4"), np.zeros((10, 1), "f4")


@pytest.mark.parametrize("batch_size", [0, -4, 2.5, "32", True])
def test_batch_size_must_be_a_positive_integer(no_step, batch_size):
    m = model()
    with pytest.raises(ValueError, match=r"fit\(batch_size=\.\.\.\) must be"):
        m.fit(X, Y, batch_size=batch_size, verbose=0)
    with pytest.raises(ValueError, match=r"evaluate\(batch_size=\.\.\.\) must be"):
        m.evaluate(X, Y, batch_size=batch_size, verbose=0)
    with pytest.raises(ValueError, match=r"predict\(batch_size=\.\.\.\) must be"):
        m.predict(X, batch_size=batch_size, verbose=0)


@pytest.mark.parametrize("epochs", [2.5, "3", -1, None])
def test_epochs_must_be_a_non_negative_integer(no_step, epochs):
    with pytest.raises(ValueError, match=r"fit\(epochs=\.\.\.\) must be"):
        model().fit(X, Y, epochs=epochs, verbose=0)


@pytest.mark.parametrize("steps", [0, -1, 1.5])
def test_steps_per_epoch_must_be_positive(no_step, steps):
    with pytest.raises(ValueError, match=r"fit\(steps_per_epoch=\.\.\.\) must be"):
        model().fit(X, Y, steps_per_epoch=steps, verbose=0)
    batches = ((X[:5], Y[:5]) for _ in range(3))
    with pytest.raises(ValueError, match=r"fit\(steps_per_epoch=\.\.\.\) must be"):
        model().fit(batches, steps_per_epoch=steps, verbose=0)
    with pytest.raises(ValueError, match=r"evaluate\(steps=\.\.\.\) must be"):
        model().evaluate(X, Y, steps=steps, verbose=0)


@pytest.mark.parametrize("argument, value", [("validation_steps", 0), ("validation_batch_size", -2),
                                             ("validation_freq", 0), ("initial_epoch", -1),
                                             ("validation_split", 1.5)])
def test_other_counts_are_checked(no_step, argument, value):
    with pytest.raises(ValueError, match=rf"fit\({argument}=\.\.\.\) must be"):
        model().fit(X, Y, verbose=0, **{argument: value})


def test_zero_samples_are_refused(no_step):
    m = model()
    with pytest.raises(ValueError, match=r"fit: `x` has no samples \(shape \(0, 4\)\)"):
        m.fit(np.zeros((0, 4), "f4"), np.zeros((0, 1), "f4"), verbose=0)
    with pytest.raises(ValueError, match=r"fit: `y` has no samples"):
        m.fit(X, np.zeros((0, 1), "f4"), verbose=0)
    with pytest.raises(ValueError, match=r"evaluate: `x` has no samples"):
        m.evaluate(np.zeros((0, 4), "f4"), np.zeros((0, 1), "f4"), verbose=0)
    with pytest.raises(ValueError, match=r"predict: `x` has no samples"):
        m.predict(np.zeros((0, 4), "f4"), verbose=0)


def test_text_and_object_arrays_are_refused(no_step):
    m = model()
    with pytest.raises(ValueError, match=r"fit: `x` holds text"):
        m.fit(np.full((10, 4), "a"), Y, verbose=0)
    with pytest.raises(ValueError, match=r"fit: `y` holds object values"):
        m.fit(X, np.array([None] * 10, dtype=object).reshape(10, 1), verbose=0)
    with pytest.raises(ValueError, match=r"fit: `sample_weight` holds text"):
        m.fit(X, Y, sample_weight=np.full(10, "w"), verbose=0)
    with pytest.raises(ValueError, match=r"predict: `x` holds text"):
        m.predict([["a", "b", "c", "d"]], verbose=0)


def test_validation_data_with_the_wrong_feature_count_fails_before_training(no_step):
    with pytest.raises(ValueError, match=r"fit\(validation_data=\.\.\.\): Input 0 .* shape \(None, 4\).* \(3, 5\)"):
        model().fit(X, Y, validation_data=(np.ones((3, 5), "f4"), np.zeros((3, 1), "f4")), verbose=0)
    with pytest.raises(ValueError, match=r"fit\(validation_data=\.\.\.\): .*fit\(validation_data\): `x` holds text"):
        model().fit(X, Y, validation_data=(np.full((3, 4), "a"), np.zeros((3, 1), "f4")), verbose=0)
    with pytest.raises(ValueError, match=r"validation_data=\.\.\.\) must be a tuple"):
        model().fit(X, Y, validation_data=np.ones((3, 4), "f4"), verbose=0)


def test_good_arguments_still_train():
    m = model()
    history = m.fit(X, Y, batch_size=np.int64(4), epochs=2, steps_per_epoch=None, validation_data=(X[:3], Y[:3]),
                    verbose=0)
    assert len(history.history["loss"]) == 2 and "val_loss" in history.history
    assert m.predict(X, batch_size=3, verbose=0).shape == (10, 1)
