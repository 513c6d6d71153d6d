"""Bad files and mismatched weights give clear errors; saves are atomic; mismatches can be skipped."""
import os

import h5py
import numpy as np
import pytest

import symk
from symk.layers import Dense, Input
from symk.models import load_model
from symk.saving import FileFormatError


def small_model(units=3, name="small"):
    return symk.Sequential([Dense(units, input_shape=(2,), name="d1"), Dense(1, name="d2")], name=name)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.h5"):
        load_model(tmp_path / "nope.h5")


def test_non_hdf5_file_is_refused_with_what_was_expected(tmp_path):
    path = tmp_path / "text.h5"
    path.write_text("not a model")
    with pytest.raises(FileFormatError, match=r"text\.h5.*not an HDF5 file.*expected a Keras model file"):
        load_model(path)


def test_truncated_file_is_reported_as_damaged(tmp_path):
    path = tmp_path / "m.h5"
    small_model().save(path)
    data = path.read_bytes()
    cut = tmp_path / "cut.h5"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match="cut.h5"):
        load_model(cut)


def test_corrupt_bytes_inside_are_reported(tmp_path):
    path = tmp_path / "m.h5"
    small_model().save(path)
    data = bytearray(path.read_bytes())
    for i in range(600, len(data) - 600, 97):  # keep the signature, damage the rest
        data[i] ^= 0xFF
    bad = tmp_path / "bad.h5"
    bad.write_bytes(bytes(data))
    with pytest.raises((FileFormatError, ValueError), match="bad.h5"):
        load_model(bad)


def test_weights_only_file_given_to_load_model(tmp_path):
    path = tmp_path / "w.h5"
    small_model().save_weights(path)
    with pytest.raises(FileFormatError, match="no 'model_config'.*load_weights"):
        load_model(path)


def test_wrong_layout_for_load_weights(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("something", data=np.zeros(3))
    with pytest.raises(FileFormatError, match="holds no Keras weights"):
        small_model().load_weights(path)


def test_layer_count_mismatch_names_the_layers(tmp_path):
    path = tmp_path / "w.h5"
    small_model().save_weights(path)
    three = symk.Sequential([Dense(3, input_shape=(2,)), Dense(3), Dense(1)])
    with pytest.raises(ValueError, match="Layer count mismatch.*3 layer"):
        three.load_weights(path)


def test_shape_mismatch_names_layer_and_shapes_and_skip_mismatch_skips(tmp_path):
    path = tmp_path / "w.h5"
    saved = small_model(units=3)
    saved.save_weights(path)
    other = small_model(units=4, name="other")
    with pytest.raises(ValueError, match=r"d1.*\(2, 4\).*\(2, 3\)"):
        other.load_weights(path)
    before = [w.copy() for w in other.get_weights()]
    with pytest.warns(UserWarning, match="Skipped"):
        other.load_weights(path, skip_mismatch=True, by_name=True)
    np.testing.assert_array_equal(other.get_weights()[0], before[0])  # mismatched: untouched
    np.testing.assert_array_equal(other.get_weights()[3], saved.get_weights()[3])  # d2 bias: loaded


def test_keras3_layout_mismatch(tmp_path):
    path = tmp_path / "w.weights.h5"
    small_model(units=3).save_weights(path)
    with pytest.raises(ValueError, match=r"\(2, 4\).*\(2, 3\)"):
        small_model(units=4, name="other").load_weights(path)


def test_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "m.h5"
    model = small_model()
    model.save(path)
    original = path.read_bytes()
    from symk.saving import legacy_h5

    def explode(*args, **kwargs):
        raise RuntimeError("disk full (injected)")

    monkeypatch.setattr(legacy_h5, "save_weights_to_group", explode)
    with pytest.raises(RuntimeError, match="injected"):
        model.save(path)
    assert path.read_bytes() == original
    assert os.listdir(tmp_path) == ["m.h5"]  # no temporary file left behind


def test_overwrite_false_and_bad_names(tmp_path):
    model = small_model()
    model.save(tmp_path / "m.h5")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.h5", overwrite=False)
    with pytest.raises(ValueError, match=r"\.h5"):
        model.save_weights(tmp_path / "weights.bin")


def test_unknown_layer_class_says_how_to_register(tmp_path):
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 2], "name": "in"}},
        {"class_name": "FancyLayer", "config": {"name": "fancy"}}]}}
    with pytest.raises(ValueError, match="FancyLayer.*fancy.*custom_objects.*register_serializable"):
        symk.models.model_from_config(config)


def test_model_from_json_rejects_garbage():
    with pytest.raises(ValueError, match="not valid JSON"):
        symk.models.model_from_json("{not json")


def test_ops_outside_layers_have_no_config():
    x = Input(shape=(2,))
    model = symk.Model(x, Dense(1)(x) * 2.0)
    with pytest.raises(ValueError, match="outside any layer.*Lambda"):
        model.get_config()
