"""Damage of each kind the fuzz test draws, one at a time: the error names the file, the object in it and
what was expected; sizes and dtypes are checked before data is read."""
import json
import time

import h5py
import numpy as np
import pytest

import symk
from symk.errors import FileFormatError, SymkError, WeightMismatchError
from symk.saving import UnknownObjectError


@pytest.fixture
def saved(tmp_path):
    model = symk.Sequential([symk.layers.Input((4,)), symk.layers.Dense(3, name="dense"),
                             symk.layers.Dense(2, name="head")], name="mlp")
    model.compile("adam", "mse")
    path = tmp_path / "model.h5"
    model.save(path)
    return model, path


def _edit_config(path, edit) -> None:
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        edit(config)
        del f.attrs["model_config"]
        f.attrs["model_config"] = json.dumps(config)


def _set_attribute(path, name, value) -> None:
    with h5py.File(path, "r+") as f:
        del f.attrs[name]
        f.attrs.create(name, value, dtype=h5py.string_dtype("ascii") if isinstance(value, (str, bytes)) else None)


def _replace_dataset(path, name, **kwargs) -> None:
    with h5py.File(path, "r+") as f:
        del f[name]
        f.create_dataset(name, **kwargs)


def test_a_wrong_argument_type_names_the_layer_and_the_argument(saved):
    _, path = saved
    _edit_config(path, lambda c: c["config"]["layers"][1]["config"].update(units="ten"))
    with pytest.raises(FileFormatError, match=r"model\.h5.*layer 'dense' \(Dense\): argument 'units' must be a "
                                              r"positive integer; got 'ten'"):
        symk.models.load_model(path)


@pytest.mark.parametrize("edit, expected", [
    (lambda c: c["config"].update(layers="oops"), r"'layers' must be a list of layer entries; got 'oops'"),
    (lambda c: c["config"]["layers"][1].update(class_name=123), r"'class_name' must be a class name.*got 123"),
    (lambda c: c["config"]["layers"][2]["config"].update(use_bias="yes"), r"'head'.*'use_bias' must be true or"),
    (lambda c: c["config"]["layers"][2]["config"].update(kernel_initializer=5), r"'kernel_initializer' must be a"),
    (lambda c: c["config"]["layers"][0]["config"].update(batch_shape="x"), r"'batch_shape' must be a shape"),
    (lambda c: c["config"]["layers"][2]["config"].update(name="dense"), r"layer name\(s\) \['dense'\] are used by "
                                                                        r"more than one layer"),
])
def test_wrong_json_types_at_any_depth(saved, edit, expected):
    _, path = saved
    _edit_config(path, edit)
    with pytest.raises(FileFormatError, match="model.h5.*" + expected):
        symk.models.load_model(path)


def test_malformed_and_non_utf8_configs(saved):
    _, path = saved
    text = json.dumps(json.loads(h5py.File(path, "r").attrs["model_config"]))
    _set_attribute(path, "model_config", text[:-20])
    with pytest.raises(FileFormatError, match=r"model\.h5.*attribute 'model_config' of '/' is not valid JSON"):
        symk.models.load_model(path)
    _set_attribute(path, "model_config", b"\xff\xfe" + text.encode())
    with pytest.raises(FileFormatError, match=r"attribute 'model_config' of '/' is not valid UTF-8"):
        symk.models.load_model(path)


def test_a_damaged_training_config_says_compile_false_loads_the_rest(saved):
    model, path = saved
    _set_attribute(path, "training_config", '{"loss": ')
    with pytest.raises(FileFormatError, match=r"training_config.*not valid JSON.*compile=False"):
        symk.models.load_model(path)
    loaded = symk.models.load_model(path, compile=False)
    np.testing.assert_array_equal(loaded.get_weights()[0], model.get_weights()[0])


def test_a_declared_2_to_the_40_elements_is_an_error_naming_the_weight_not_a_memory_error(saved):
    _, path = saved
    _replace_dataset(path, "model_weights/dense/dense/kernel", shape=(2 ** 20, 2 ** 20), dtype="f4", chunks=(64, 64))
    start = time.perf_counter()
    with pytest.raises(WeightMismatchError, match=r"model\.h5.*'dense'.*kernel.*\(4, 3\).*\(1048576, 1048576\)"):
        symk.models.load_model(path)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("dtype", ["i4", "bool", "S3"])
def test_weights_of_a_non_float_dtype_are_refused(saved, dtype):
    _, path = saved
    _replace_dataset(path, "model_weights/dense/dense/kernel", data=np.ones((4, 3), dtype))
    with pytest.raises(FileFormatError, match=r"model\.h5.*weight 'dense/kernel.*for a float32 variable; expected "
                                              r"floating-point data"):
        symk.models.load_model(path)


def test_float16_weights_load_into_float32_with_the_standard_cast(saved):
    _, path = saved
    half = np.linspace(-1, 1, 12, dtype="f2").reshape(4, 3)
    _replace_dataset(path, "model_weights/dense/dense/kernel", data=half)
    loaded = symk.models.load_model(path)
    kernel = loaded.get_layer("dense").kernel.numpy()
    assert kernel.dtype == np.float32
    np.testing.assert_array_equal(kernel, half.astype(np.float32))


def test_missing_groups_and_attributes_name_what_was_expected(saved):
    _, path = saved
    with h5py.File(path, "r+") as f:
        f["model_weights"].move("head", "head_renamed")
    with pytest.raises(FileFormatError, match=r"model\.h5.*'/model_weights' has no group 'head'; its members are "
                                              r"\['dense', 'head_renamed', 'top_level_model_weights'\]"):
        symk.models.load_model(path)


def test_attribute_names_that_are_not_text_do_not_break_the_error(tmp_path):
    path = tmp_path / "weights.h5"
    symk.Sequential([symk.layers.Input((2,)), symk.layers.Dense(1)]).save_weights(path)
    with h5py.File(path, "r+") as f:
        del f.attrs["layer_names"]
        h5py.h5a.create(f.id, b"\xff\xfelayer_names", h5py.h5t.STD_I32LE, h5py.h5s.create(h5py.h5s.SCALAR))
    with pytest.raises(FileFormatError, match=r"weights\.h5.*holds no Keras weights.*xff"):
        symk.Sequential([symk.layers.Input((2,)), symk.layers.Dense(1)]).load_weights(path)


def test_a_missing_custom_class_keeps_its_error_class_and_names_the_file(saved):
    _, path = saved
    _edit_config(path, lambda c: c["config"]["layers"][1].update(class_name="MyDense"))
    with pytest.raises(UnknownObjectError, match=r"model\.h5.*Unknown layer class 'MyDense'"):
        symk.models.load_model(path)


def test_configs_without_a_file_raise_config_errors():
    with pytest.raises(SymkError, match="not valid JSON"):
        symk.models.model_from_json("{not json")
    with pytest.raises(ValueError, match=r"layer 'd' \(Dense\): argument 'units' must be a positive integer; got -2"):
        symk.models.model_from_config({"class_name": "Sequential", "config": {"layers": [
            {"class_name": "InputLayer", "config": {"batch_shape": [None, 2]}},
            {"class_name": "Dense", "config": {"name": "d", "units": -2}}]}})
