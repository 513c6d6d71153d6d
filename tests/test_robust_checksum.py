"""Weights symk writes carry HDF5's Fletcher-32 checksum, so a changed byte in weight data is caught on load."""
import h5py
import numpy as np
import pytest

import symk
from symk.errors import FileFormatError


def compiled_mlp():
    model = symk.Sequential([symk.layers.Input((6,)), symk.layers.Dense(5, activation="relu", name="hidden"),
                             symk.layers.BatchNormalization(name="bn"), symk.layers.Dense(2, name="out")], name="mlp")
    model.compile("adam", "mse")
    model.fit(np.ones((8, 6), "f4"), np.zeros((8, 2), "f4"), epochs=1, verbose=0)
    return model


def _datasets(path) -> list:
    found = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: found.append((name, obj.shape, obj.fletcher32, obj.chunks))
                     if isinstance(obj, h5py.Dataset) else None)
    return found


@pytest.mark.parametrize("filename, keras_version", [("m.h5", 3), ("m2.h5", 2), ("w.h5", 3), ("w2.h5", 2),
                                                     ("w.weights.h5", 3)])
def test_every_weight_symk_writes_has_a_checksum(tmp_path, filename, keras_version):
    model, path = compiled_mlp(), tmp_path / filename
    if filename.startswith("m"):
        model.save(path, keras_version=keras_version)
    else:
        model.save_weights(path, keras_version=keras_version)
    datasets = _datasets(path)
    assert len(datasets) >= 8
    for name, shape, fletcher32, chunks in datasets:
        # NOTE: HDF5 filters need chunked storage, which a scalar cannot have (the optimizer's iteration count)
        assert fletcher32 == (shape != ()), name
        assert chunks in (None, shape), name  # one chunk per weight: read in one piece
    loaded = symk.models.load_model(path) if filename.startswith("m") else compiled_mlp()
    if not filename.startswith("m"):
        loaded.load_weights(path)
    for saved, read in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(saved, read)


def _data_offset(path, name: str) -> int:
    with h5py.File(path, "r") as f:
        dataset = f[name]
        return dataset.id.get_chunk_info(0).byte_offset


@pytest.mark.parametrize("filename", ["m.h5", "w.weights.h5"])
def test_a_flipped_byte_in_weight_data_is_an_error_naming_the_weight(tmp_path, filename):
    model, path = compiled_mlp(), tmp_path / filename
    if filename == "m.h5":
        model.save(path)
        name, loader = "model_weights/hidden/hidden/kernel", lambda p: symk.models.load_model(p)
    else:
        model.save_weights(path)
        name, loader = "layers/dense/vars/0", lambda p: compiled_mlp().load_weights(p)
    data = bytearray(path.read_bytes())
    data[_data_offset(path, name) + 13] ^= 0x10  # one bit of one float of the kernel
    damaged = tmp_path / f"flipped_{filename}"
    damaged.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match=rf"flipped_{filename}.*hidden.*kernel.*Fletcher-32 checksum"):
        loader(damaged)


def test_checksummed_files_are_plain_hdf5_for_other_readers(tmp_path):
    model = compiled_mlp()
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r") as f:
        kernel = f["model_weights/hidden/hidden/kernel"]
        assert kernel.compression is None and kernel.fletcher32
        np.testing.assert_array_equal(kernel[()], model.get_layer("hidden").kernel.numpy())


def test_a_weight_zeroed_with_its_fletcher32_checksum_is_still_caught(tmp_path):
    """Fletcher-32 of an all-zero chunk is 0: zeroing a small chunk together with its stored checksum passes
    the filter (the fuzz test found it). symk's CRC-32 of the values, in the dataset's header, catches it."""
    model = symk.Sequential([symk.layers.Input((4,)), symk.layers.Dense(3)])
    path = tmp_path / "m.h5"
    model.save(path)
    with h5py.File(path, "r") as f:
        chunk = f["model_weights/dense/dense/kernel"].id.get_chunk_info(0)
    data = bytearray(path.read_bytes())
    data[chunk.byte_offset:chunk.byte_offset + chunk.size] = bytes(chunk.size)  # values and checksum
    path.write_bytes(bytes(data))
    with h5py.File(path, "r") as f:  # the filter alone is fooled: HDF5 reads the zeros without complaint
        assert not f["model_weights/dense/dense/kernel"][()].any()
    with pytest.raises(FileFormatError, match="CRC-32"):
        symk.models.load_model(path)
