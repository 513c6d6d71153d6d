"""symk.distribution's API in this process (one CPU device): Keras 3's names, arguments, errors
and LayoutMap's regex rules, set_distribution as a context manager, initialize's environment
variables, distribute_tensor inside jit. The several-device runs are in test_distribution_devices.py."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jax.sharding import NamedSharding, PartitionSpec

import symk as keras
from symk import distribution as dist


@pytest.fixture(autouse=True)
def no_distribution():
    yield
    dist.set_distribution(None)


def test_devices_are_named_platform_colon_id():
    assert dist.list_devices() == [f"{d.platform}:{d.id}" for d in jax.devices()]
    assert dist.get_device_count() == len(jax.devices()) == dist.get_device_count("cpu")
    assert dist.list_devices("cpu") == [f"cpu:{d.id}" for d in jax.devices("cpu")]


def test_device_mesh_is_a_jax_mesh():
    mesh = dist.DeviceMesh(shape=(1,), axis_names=("batch",), devices=dist.list_devices())
    assert mesh.shape == (1,) and mesh.axis_names == ("batch",) and mesh.devices.shape == (1,)
    assert mesh.backend_mesh.axis_names == ("batch",) and list(mesh.backend_mesh.devices.flat) == jax.devices()[:1]


@pytest.mark.parametrize("shape, names, message", [((), ("a",), "cannot be empty"),
                                                   ((1,), ("a", "b"), "same length"),
                                                   ((2,), ("a",), "holds 2 devices")])
def test_device_mesh_refuses_bad_shapes(shape, names, message):
    with pytest.raises(ValueError, match=message):
        dist.DeviceMesh(shape=shape, axis_names=names, devices=dist.list_devices()[:1])


def test_unknown_device_name_is_an_error():
    with pytest.raises(ValueError, match="does not exist"):
        dist.DeviceMesh((1,), ("batch",), devices=["cpu:999"]).backend_mesh


def test_tensor_layout_is_a_named_sharding():
    mesh = dist.DeviceMesh((1, 1), ("batch", "model"))
    layout = dist.TensorLayout((None, "model"), mesh)
    assert layout.backend_layout == NamedSharding(mesh.backend_mesh, PartitionSpec(None, "model"))
    with pytest.raises(ValueError, match="Invalid axis names"):
        dist.TensorLayout(("data",), mesh)
    with pytest.raises(ValueError, match="Cannot override"):
        layout.device_mesh = mesh


def test_layout_map_matches_whole_paths_by_regex():
    mesh = dist.DeviceMesh((1, 1), ("batch", "model"))
    layout_map = dist.LayoutMap(mesh)
    layout_map["dense.*kernel"] = (None, "model")
    layout_map["dense.*bias"] = ("model",)
    layout_map["conv2d_1/kernel"] = dist.TensorLayout((None, None, None, "model"))
    assert layout_map["dense_1/kernel"].axes == (None, "model")
    assert layout_map["dense_2/bias"].axes == ("model",)
    assert layout_map["dense_1/kernel"].device_mesh is mesh  # filled in by the map
    assert layout_map["conv2d_1/kernel"].axes == (None, None, None, "model")
    assert layout_map["my_model/dense_1/kernel"] is None  # fullmatch, as Keras: the prefix does not match
    assert layout_map["conv3d/kernel"] is None
    assert len(layout_map) == 3 and list(layout_map) == ["dense.*kernel", "dense.*bias", "conv2d_1/kernel"]
    with pytest.raises(ValueError, match="already exist"):
        layout_map["dense.*bias"] = ("model",)
    layout_map[".*kernel"] = (None, None)
    with pytest.raises(ValueError, match="matches multiple layout"):
        layout_map["dense_1/kernel"]
    with pytest.raises(ValueError, match="should be a TensorLayout"):
        layout_map["x"] = "model"
    del layout_map[".*kernel"]
    assert layout_map["dense_1/kernel"].axes == (None, "model")


def test_data_and_model_parallel_layouts():
    data_parallel = dist.DataParallel()
    assert data_parallel.batch_dim_name == "batch" and data_parallel.num_model_replicas == len(jax.devices())
    assert data_parallel.get_data_layout((8, 3)).axes == ("batch", None)
    variable = keras.Variable(np.zeros((3, 4), np.float32), path="dense_9/kernel")
    assert data_parallel.get_variable_layout(variable).axes == (None, None)
    mesh = dist.DeviceMesh((1, 1), ("data", "model"))
    layout_map = dist.LayoutMap(mesh)
    layout_map["dense_9/kernel"] = (None, "model")
    model_parallel = dist.ModelParallel(layout_map=layout_map)
    assert model_parallel.batch_dim_name == "data"  # the mesh's first axis by default
    assert model_parallel.get_variable_layout(variable).axes == (None, "model")
    other = keras.Variable(np.zeros((2,), np.float32), path="other/bias")
    assert model_parallel.get_variable_layout(other).axes == (None,)
    with pytest.raises(ValueError, match="layout_map"):
        dist.ModelParallel()
    with pytest.raises(ValueError, match="not an axis"):
        dist.ModelParallel(layout_map=layout_map, batch_dim_name="rows")


def test_set_distribution_sets_and_restores_as_a_context_manager():
    first, second = dist.DataParallel(), dist.DataParallel()
    assert dist.distribution() is None
    dist.set_distribution(first)
    assert dist.distribution() is first
    with dist.set_distribution(second) as current:
        assert current is second and dist.distribution() is second
    assert dist.distribution() is first
    with second.scope():
        assert dist.distribution() is second
    assert dist.distribution() is first
    with pytest.raises(ValueError, match="expects a Distribution"):
        dist.set_distribution("data_parallel")


def test_initialize_reads_keras_environment_variables(monkeypatch):
    calls = []
    monkeypatch.setattr(jax.distributed, "initialize", lambda **kwargs: calls.append(kwargs))
    from symk.distribution import devices

    monkeypatch.setattr(devices, "_use_cpu_collectives", lambda: None)  # leave this process's jax config alone
    monkeypatch.setenv("KERAS_DISTRIBUTION_JOB_ADDRESSES", "10.0.0.1:1234,10.0.0.2:2345")
    monkeypatch.setenv("KERAS_DISTRIBUTION_NUM_PROCESSES", "2")
    monkeypatch.setenv("KERAS_DISTRIBUTION_PROCESS_ID", "1")
    dist.initialize()
    dist.initialize("10.0.0.9:99", num_processes=4, process_id=3)
    dist.initialize(coordinator_address="10.0.0.7:77")
    assert calls == [{"coordinator_address": "10.0.0.1:1234", "num_processes": 2, "process_id": 1},
                     {"coordinator_address": "10.0.0.9:99", "num_processes": 4, "process_id": 3},
                     {"coordinator_address": "10.0.0.7:77", "num_processes": 2, "process_id": 1}]


def test_distribute_tensor_constrains_inside_jit_and_moves_outside():
    mesh = dist.DeviceMesh((1,), ("batch",))
    layout = dist.TensorLayout(("batch", None), mesh)
    value = dist.distribute_tensor(jnp.ones((2, 3)), layout)
    assert value.sharding.is_equivalent_to(layout.backend_layout, 2)
    doubled = jax.jit(lambda a: dist.distribute_tensor(a * 2, layout))(jnp.ones((2, 3)))
    np.testing.assert_array_equal(np.asarray(doubled), np.full((2, 3), 2.0))
    symbolic = keras.Input(shape=(3,))
    assert dist.distribute_tensor(symbolic, layout) is symbolic  # graph building: unchanged, as Keras


def test_one_device_distribution_trains_like_none():
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)

    def fit(distribution):
        keras.utils.set_random_seed(4)
        model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,)), keras.layers.Dense(1)])
        model.compile(loss="mse", optimizer="sgd")
        with dist.set_distribution(distribution):
            model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
        return model.get_weights()

    for a, b in zip(fit(dist.DataParallel()), fit(None)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


class _StubMesh:
    """A mesh of `degree` devices on its 'batch' axis, without the devices (this process has one)."""

    def __init__(self, degree):
        self.shape, self.devices = (degree,), np.empty(degree, dtype=object)

    def axis_size(self, name):
        return self.shape[0]


class _StubDistribution:
    batch_dim_name = "batch"

    def __init__(self, degree):
        self.device_mesh = _StubMesh(degree)


@settings(max_examples=40, deadline=None)
@given(batch=st.integers(1, 512), degree=st.integers(1, 16))
def test_batch_size_check_refuses_exactly_the_indivisible(batch, degree):
    from symk.distribution.placement import check_batch_size

    if batch % degree == 0:
        check_batch_size(_StubDistribution(degree), batch)
        return
    with pytest.raises(ValueError) as err:
        check_batch_size(_StubDistribution(degree), batch)
    lower, upper = batch // degree * degree, -(-batch // degree) * degree
    assert f"batch size {batch} " in str(err.value) and f"multiple of {degree}" in str(err.value)
    assert str(upper) in str(err.value) and (lower == 0 or str(lower) in str(err.value))
