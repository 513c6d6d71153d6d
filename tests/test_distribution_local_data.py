"""symk.distribution, the rest of several devices and hosts: each process feeding its own half of
the data (auto_shard_dataset=False, global batches built with make_array_from_process_local_data),
printing and CSV logging only in process 0, a custom train_step's short last batch under
DataParallel, and a Keras 2 (tf_keras) .h5 file loaded under a ModelParallel mesh.

The runs happen in subprocesses (tests/dist_worker_local_data.py: XLA_FLAGS must be set before jax
starts), started together once for the module. The reference for every distributed run is the same
training on one device fed the same global batches; that training is checked against numpy and
Keras elsewhere (test_train*.py).
"""
import os

import numpy as np
import pytest

from dist_processes import free_port, result, run_workers

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("distribution_local_data")]  # one worker runs the fixture

WORKER = os.path.join(os.path.dirname(__file__), "dist_worker_local_data.py")
TIMEOUT_S = 300  # a bound, not an expectation: the runs take about a minute on a loaded 2-core machine


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dist_local")
    port = free_port()
    commands = {"host0": ["host", str(folder / "host0.json"), str(port), "0"],
                "host1": ["host", str(folder / "host1.json"), str(port), "1"],
                "reference": ["reference", str(folder / "reference.json")],
                "devices8": ["devices8", str(folder / "devices8.json")]}
    return run_workers(WORKER, commands, folder, TIMEOUT_S)


def _assert_close_lists(got, want, rtol=1e-5, atol=1e-5):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


@pytest.mark.parametrize("host", ["host0", "host1"])
def test_each_process_feeding_its_half_trains_like_one_device_on_the_global_batches(runs, host):
    got, want = result(runs, host), result(runs, "reference")
    assert got["process_count"] == 2 and got["devices"] == 4
    _assert_close_lists(got["weights"], want["weights"])
    for key in want["history"]:
        np.testing.assert_allclose(got["history"][key], want["history"][key], rtol=1e-5)
    np.testing.assert_allclose(got["evaluate"], want["evaluate"], rtol=1e-5)
    _assert_close_lists(got["weights_from_batches"], want["weights"])  # local batches from an iterable


def test_each_process_gets_the_predictions_of_its_own_rows(runs):
    want = result(runs, "reference")["predict"]
    for process, host in enumerate(("host0", "host1")):
        np.testing.assert_allclose(result(runs, host)["predict"], want[process], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(result(runs, host)["predict_from_batches"], want[process], rtol=1e-5, atol=1e-6)


def test_whole_data_predict_in_every_process_is_the_whole_prediction(runs):
    want = result(runs, "reference")["predict_whole"]
    for host in ("host0", "host1"):
        np.testing.assert_allclose(result(runs, host)["predict_whole"], want, rtol=1e-5, atol=1e-6)


def test_custom_train_step_on_per_process_data_trains_like_one_device(runs):
    # the last global batch (5 rows from each process) cannot split over 4 devices: gathered, run whole
    for host in ("host0", "host1"):
        _assert_close_lists(result(runs, host)["custom"], result(runs, "reference")["custom"])


def test_processes_that_would_run_different_step_counts_get_a_clear_error(runs):
    for host in ("host0", "host1"):
        message = result(runs, host)["uneven_error"]
        assert message is not None
        for part in ("auto_shard_dataset=False", "[30, 18] samples", "[4, 3] steps", "batch_size=8"):
            assert part in message


def test_only_process_zero_prints_predict_progress_and_writes_the_csv_log(runs):
    result(runs, "host0"), result(runs, "host1")
    logs = runs["logs"]
    for begin, end in (("PREDICT-BEGINS", "PREDICT-ENDS"), ("WHOLE-PREDICT-BEGINS", "WHOLE-PREDICT-ENDS")):
        first = logs["host0"].split(begin)[1].split(end)[0]
        second = logs["host1"].split(begin)[1].split(end)[0]
        assert "4/4" in first and "step" in first  # the bar's last line
        assert second.strip() == ""
    folder = runs["folder"]
    assert (folder / "log0.csv").exists() and not (folder / "log1.csv").exists()
    rows = (folder / "log0.csv").read_text().splitlines()
    assert rows[0].split(",") == ["epoch", "loss", "mae"] and len(rows) == 3
    np.testing.assert_allclose([float(r.split(",")[1]) for r in rows[1:]],
                               result(runs, "reference")["history"]["loss"], rtol=1e-5)


def test_custom_train_step_with_a_short_last_batch_on_eight_devices_trains_like_one_device(runs):
    s = result(runs, "devices8")  # 60 rows in batches of 16: the last 12 do not split over 8 devices
    _assert_close_lists(s["custom_dp8"], s["custom_single"])
    message = s["custom_indivisible_error"]  # a first batch that does not split is an error, not replicated
    assert message is not None and "batch size 12" in message and "multiple of 8" in message


def test_keras2_model_file_loads_sharded_on_the_mesh(runs):
    s = result(runs, "devices8")
    layouts = s["keras2_model"]
    assert layouts["hidden/kernel"] == ["P(None, 'model')", 8] and layouts["hidden/bias"] == ["P('model',)", 8]
    assert layouts["head/kernel"] == ["P(None, 'model')", 8]
    slots = {path: layout for path, layout in layouts.items() if path.endswith(("_momentum", "_velocity"))}
    assert len(slots) == 8  # Adam's two slots per weight lie like their weights
    for path, layout in slots.items():
        assert layout == (["P(None, 'model')", 8] if "kernel" in path else ["P('model',)", 8]), path
    assert layouts["Adam/iteration"] == ["P()", 8]
    np.testing.assert_allclose(s["keras2_model_predict"], s["saved"]["predict"], rtol=1e-5, atol=1e-6)
    saved_slots = {path.split("/", 1)[1].lower(): value for path, value in s["saved"]["slots"].items()}
    for path, value in s["keras2_model_slots"].items():
        np.testing.assert_allclose(value, saved_slots[path.split("/", 1)[1].lower()], rtol=1e-6)


def test_keras2_weights_file_loads_sharded_on_the_mesh(runs):
    s = result(runs, "devices8")
    layouts = s["keras2_weights"]
    assert layouts == {"hidden2/kernel": ["P(None, 'model')", 8], "hidden2/bias": ["P('model',)", 8],
                       "head2/kernel": ["P(None, 'model')", 8], "head2/bias": ["P('model',)", 8]}
    _assert_close_lists(s["keras2_weights_values"], s["saved"]["weights"], rtol=1e-6, atol=0)
