"""Loading a damaged or hostile `.keras` archive is a clear error naming the archive and the member at fault."""
import json
import os
import zipfile

import pytest

import symk
from symk.errors import FileFormatError, SymkError
from symk.models import load_model
from symk.saving import ObjectNotFoundError, UnknownObjectError, UnsafeDeserializationError

L = symk.layers
HERE = os.path.dirname(os.path.abspath(__file__))
KERAS_LAMBDA = os.path.join(HERE, "references", "keras3", "archives", "lambda_bytecode.keras")


@pytest.fixture()
def archive(tmp_path):
    model = symk.Sequential([L.Input((4,)), L.Dense(3, activation="relu"), L.Dense(2)], name="small")
    path = tmp_path / "small.keras"
    model.save(path)
    return path


def _members(path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _rewrite(path, members: dict, target=None):
    target = target or path
    with zipfile.ZipFile(target, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return target


def test_truncated_archive(archive):
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 3])
    with pytest.raises(FileFormatError, match="not a zip archive"):
        load_model(archive)


def test_not_a_zip_at_all(tmp_path):
    path = tmp_path / "notes.keras"
    path.write_text("hello")
    with pytest.raises(FileFormatError, match="not a zip archive"):
        load_model(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="No file at"):
        load_model(tmp_path / "absent.keras")
    (tmp_path / "folder.keras").mkdir()
    with pytest.raises(FileFormatError, match="is a directory"):
        load_model(tmp_path / "folder.keras")


@pytest.mark.parametrize("member", ["config.json", "model.weights.h5"])
def test_missing_member_is_named(archive, member):
    members = _members(archive)
    del members[member]
    _rewrite(archive, members)
    with pytest.raises(FileFormatError, match=f"no member '{member}'"):
        load_model(archive)


def test_damaged_bytes_in_a_member_fail_its_crc(archive):
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("config.json")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 10] ^= 0xFF  # a byte inside the stored config.json
    archive.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match="member 'config.json' is damaged"):
        load_model(archive)


def test_invalid_json_names_the_member(archive):
    members = _members(archive)
    members["config.json"] = b'{"class_name": "Sequential", "config": '
    _rewrite(archive, members)
    with pytest.raises(FileFormatError, match="member 'config.json' is not valid JSON"):
        load_model(archive)


def test_damaged_weights_member_names_archive_and_member(archive):
    members = _members(archive)
    members["model.weights.h5"] = members["model.weights.h5"][:200]
    _rewrite(archive, members)
    with pytest.raises(FileFormatError) as info:
        load_model(archive)
    assert str(archive) in str(info.value) and "model.weights.h5" in str(info.value)
    assert "symk-keras-" not in str(info.value)  # the temp copy is never what the message names


def test_config_naming_an_unknown_class(archive):
    members = _members(archive)
    config = json.loads(members["config.json"])
    config["config"]["layers"][1].update(class_name="FancyDense", module="my_project.layers",
                                         registered_name="MyProject>FancyDense")
    members["config.json"] = json.dumps(config).encode()
    _rewrite(archive, members)
    with pytest.raises(UnknownObjectError, match="FancyDense") as info:
        load_model(archive)
    assert str(archive) in str(info.value) and "custom_objects" in str(info.value)


def test_top_level_unknown_class_is_keras_type_error(archive):
    members = _members(archive)
    config = json.loads(members["config.json"])
    config.update(class_name="MyModel", module="my_project.models", registered_name="MyProject>MyModel")
    members["config.json"] = json.dumps(config).encode()
    _rewrite(archive, members)
    with pytest.raises(TypeError, match="Could not locate class 'MyModel'") as info:
        load_model(archive)
    assert isinstance(info.value, ObjectNotFoundError) and isinstance(info.value, SymkError)


def test_lambda_bytecode_is_refused_under_safe_mode():
    with pytest.raises(UnsafeDeserializationError, match="safe_mode=False"):
        load_model(KERAS_LAMBDA)


def test_lambda_bytecode_loads_when_trusted():
    import numpy as np

    data = np.load(KERAS_LAMBDA[: -len(".keras")] + ".npz")
    model = load_model(KERAS_LAMBDA, safe_mode=False)
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-5, atol=1e-6)


def test_decompression_bomb_member_is_refused(archive, monkeypatch):
    from symk.saving import keras_archive

    monkeypatch.setattr(keras_archive, "BOMB_FLOOR", 100)  # a small archive stands in for a huge one
    members = _members(archive)
    members["config.json"] = members["config.json"] + b" " * 200_000
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(FileFormatError, match="decompression bomb"):
        load_model(archive)


def test_weights_of_another_model(archive, tmp_path):
    other = symk.Sequential([L.Input((4,)), L.Dense(5), L.Dense(2)])
    with pytest.raises(SymkError, match="model.weights.h5"):
        other.load_weights(archive)


def test_asset_files_symk_does_not_read_are_reported(archive):
    members = _members(archive)
    members["assets/layers/string_lookup/vocabulary.txt"] = b"a\nb\n"
    _rewrite(archive, members)
    with pytest.warns(UserWarning, match="asset files"):
        load_model(archive)
