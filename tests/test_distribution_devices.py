"""symk.distribution on several devices: data parallel over 4 and 8 forced host CPU devices,
model parallel on a 2x4 mesh, the divisibility error, save under a mesh / load on one device,
a custom train_step, and a two-process multi-host run on 127.0.0.1.

XLA_FLAGS must be set before jax starts, so the runs happen in subprocesses (tests/dist_worker.py)
started together once for the module; each prints its results as JSON. The reference for every
distributed run is the same training on one device (the issue's criterion); the one-device
training itself is checked against numpy and Keras elsewhere (test_train*.py).
"""
import os

import numpy as np
import pytest

from dist_processes import free_port, result, run_workers

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("distribution_devices")]  # one worker runs the module's fixture

WORKER = os.path.join(os.path.dirname(__file__), "dist_worker.py")
TIMEOUT_S = 300  # a bound, not an expectation: the runs take well under a minute on an idle machine


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dist")
    port = free_port()
    commands = {"scenarios": ["scenarios", str(folder / "scenarios.json")],
                "host0": ["multihost", str(folder / "host0.json"), str(port), "0"],
                "host1": ["multihost", str(folder / "host1.json"), str(port), "1"],
                "reference": ["reference", str(folder / "reference.json")]}
    return run_workers(WORKER, commands, folder, TIMEOUT_S)


def _assert_same_training(got: dict, want: dict, atol=1e-5):
    assert len(got["weights"]) == len(want["weights"])
    for a, b in zip(got["weights"], want["weights"]):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=atol)
    for key in want["history"]:
        np.testing.assert_allclose(got["history"][key], want["history"][key], rtol=1e-5)


def test_eight_forced_devices_are_listed_as_keras_names_them(runs):
    s = result(runs, "scenarios")
    assert s["devices"] == [f"cpu:{i}" for i in range(8)] and s["device_count"] == 8


@pytest.mark.parametrize("name", ["dp4", "dp8"])
def test_data_parallel_trains_like_one_device(runs, name):
    s = result(runs, "scenarios")
    _assert_same_training(s[name], s["single"])
    np.testing.assert_allclose(list(s[name]["evaluate"]), list(s["single"]["evaluate"]), rtol=1e-5)
    np.testing.assert_allclose(s[name]["predict"], s["single"]["predict"], rtol=1e-5, atol=1e-6)


def test_data_parallel_replicates_weights_and_reduces_gradients_in_xla(runs):
    s = result(runs, "scenarios")
    assert s["dp8_kernel_spec"] == "P()"  # replicated
    assert s["dp8_all_reduce"]  # the compiled step's gradient reduction is XLA's collective


def test_data_parallel_batches_from_an_iterable(runs):
    s = result(runs, "scenarios")
    _assert_same_training(s["dp8_batches"], s["single_batches"])


def test_model_parallel_kernel_is_sharded_on_a_2x4_mesh_and_trains_like_one_device(runs):
    s = result(runs, "scenarios")
    kernel = s["mp_kernel"]
    assert kernel["spec"] == "P(None, 'model')"
    assert kernel["shard_shapes"] == [[6, 4]]  # 16 columns over the 4 devices of 'model'
    assert kernel["devices"] == 8  # ... and replicated over the 2 of 'batch'
    assert s["mp_slot_spec"] == "P(None, 'model')"  # the optimizer slot lies like its kernel
    _assert_same_training(s["mp"], s["single"])
    np.testing.assert_allclose(s["mp"]["predict"], s["single"]["predict"], rtol=1e-5, atol=1e-6)


def test_indivisible_batch_is_a_clear_error(runs):
    message = result(runs, "scenarios")["indivisible_error"]
    assert message is not None
    for part in ("batch size 12", "8 devices", "multiple of 8", "batch_size"):
        assert part in message


def test_saved_under_a_mesh_loads_on_one_device_and_reshards_under_the_mesh(runs):
    s = result(runs, "scenarios")
    # a model-parallel kernel sums its partial products in another order than one device: float32 rounding
    np.testing.assert_allclose(s["loaded_predict"], s["mp_predict_saved"], rtol=1e-5, atol=1e-6)
    assert s["loaded_is_single_device"]
    assert s["reloaded_spec"] == "P(None, 'model')"
    np.testing.assert_allclose(s["reloaded_predict"], s["mp_predict_saved"], rtol=1e-5, atol=1e-6)


def test_custom_train_step_under_data_parallel_trains_like_one_device(runs):
    s = result(runs, "scenarios")
    for a, b in zip(s["custom_dp8"], s["custom_single"]):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-5)


def test_two_process_run_on_localhost_agrees_with_one_process(runs):
    host0, host1, reference = result(runs, "host0"), result(runs, "host1"), result(runs, "reference")
    assert host0["process_count"] == 2 and host0["devices"] == 4 and host0["local_devices"] == 2
    _assert_same_training(host0, reference)
    _assert_same_training(host1, reference)
    np.testing.assert_allclose(list(host0["evaluate"]), list(reference["evaluate"]), rtol=1e-5)


def test_every_process_resumes_from_the_checkpoint_process_zero_wrote(runs):
    host0, host1, reference = result(runs, "host0"), result(runs, "host1"), result(runs, "reference")
    for host in (host0, host1):  # ModelCheckpoint's file, loaded into a fresh model in each process
        np.testing.assert_allclose(list(host["resumed_evaluate"]), list(reference["evaluate"]), rtol=1e-5)


def test_only_process_zero_writes_files_and_prints_progress(runs):
    result(runs, "host0"), result(runs, "host1")
    folder = runs["folder"]
    assert (folder / "host0.weights.h5").exists() and not (folder / "host1.weights.h5").exists()
    assert "Epoch 1/2" in runs["logs"]["host0"] and "Epoch 1/2" not in runs["logs"]["host1"]
