"""The `symk` command line: help, exit codes, one-line errors (through subprocess), and each command's output."""
import json
import os
import subprocess
import sys

import h5py
import networkx as nx
import numpy as np
import pytest

import symk
from symk import cli, layers

REFERENCES = os.path.join(os.path.dirname(__file__), "references")
COMMANDS = ("summary", "graph", "optimize", "convert")


def run_symk(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "symk.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def has_load_model() -> bool:
    return hasattr(symk.models, "load_model")


# -- through a real process: each subcommand once (every process imports jax: ~2 s) ---------
def console_script() -> str:
    return os.path.join(os.path.dirname(sys.executable), "symk")


def test_help_through_the_module_and_the_console_script():
    result = run_symk("--help")
    assert result.returncode == 0 and result.stderr == "" and result.stdout.startswith("usage: symk")
    if os.path.exists(console_script()):
        result = subprocess.run([console_script(), "graph", "--help"], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0 and result.stdout.startswith("usage: symk graph")


@pytest.mark.parametrize("command", ["summary", "convert"])
def test_missing_file_exits_1(tmp_path, command):
    args = [command, "absent.h5"] + (["out.weights.h5"] if command == "convert" else [])
    result = run_symk(*args, cwd=tmp_path)
    assert result.returncode == 1
    assert one_error_line(result) == f"symk {command}: error: no such file: absent.h5"


def test_non_hdf5_file_exits_1(tmp_path):
    (tmp_path / "notes.h5").write_text("not a model\n")
    result = run_symk("graph", "notes.h5", cwd=tmp_path)
    assert result.returncode == 1 and "notes.h5 is not an HDF5 file" in one_error_line(result)


def test_unknown_output_extension_exits_2_before_loading(tmp_path):
    result = run_symk("graph", "absent.h5", "-o", "graph.bmp", cwd=tmp_path)  # answered before the file is read
    assert result.returncode == 2
    line = one_error_line(result)
    assert line.startswith("symk graph: error: -o graph.bmp:") and ".graphml" in line and "--format" in line


def test_unknown_pass_exits_2(tmp_path):
    result = run_symk("optimize", "absent.h5", "--disable", "no_such_pass", cwd=tmp_path)
    assert result.returncode == 2 and "unknown pass 'no_such_pass'" in one_error_line(result)


def test_bad_flag_exits_2(tmp_path):
    result = run_symk("optimize", "m.h5", "--bogus", cwd=tmp_path)
    assert result.returncode == 2 and "unrecognized arguments: --bogus" in one_error_line(result)


# -- usage and help in process ----------------------------------------------------------
def run_main(*args) -> int:
    try:
        return cli.main(list(args))
    except SystemExit as stop:  # argparse exits on --help and usage errors
        return stop.code


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_each_command(command, capsys):
    assert run_main(command, "--help") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: symk {command}") and "--help" in out


@pytest.mark.parametrize("args, message", [
    (["graph", "m.h5", "--bogus"], "unrecognized arguments: --bogus"),
    (["graph", "m.h5", "--level", "tensors"], "invalid choice: 'tensors'"),
    (["graph", "m.h5", "--format", "bmp"], "invalid choice: 'bmp'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "required: COMMAND"),
    (["convert", "only_one.h5"], "required: OUT"),
])
def test_usage_errors_exit_2_with_one_line(args, message, capsys):
    assert run_main(*args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "--help" in lines[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_file_in_process(tmp_path, command, capsys):
    args = [command, str(tmp_path / "absent.h5")] + ([str(tmp_path / "o.weights.h5")] if command == "convert" else [])
    assert run_main(*args) == 1
    assert capsys.readouterr().err.strip().endswith("no such file: " + str(tmp_path / "absent.h5"))


def test_weights_only_file_has_no_architecture(tmp_path, capsys):
    with h5py.File(tmp_path / "w.h5", "w") as file:
        file.create_dataset("dense/kernel", data=np.zeros((2, 2), "float32"))
    assert run_main("graph", str(tmp_path / "w.h5")) == 1
    assert "holds weights only" in capsys.readouterr().err
    assert run_main("convert", str(tmp_path / "w.h5"), str(tmp_path / "o.weights.h5")) == 1
    assert "--model" in capsys.readouterr().err
    assert run_main("convert", str(tmp_path / "w.h5"), str(tmp_path / "w.h5")) == 1
    assert "is the input file" in capsys.readouterr().err


# -- each command's work, in process on an in-memory model ------------------------------
def small_model():
    inputs = symk.Input(shape=(4,), name="features")
    hidden = layers.Dropout(0.5, name="drop")(layers.Dense(3, activation="relu", name="hidden")(inputs))
    return symk.Model(inputs, layers.Dense(2, name="score")(hidden), name="small")


@pytest.fixture
def loaded(monkeypatch):
    """`symk.cli.load` returns an in-memory model (file checks are tested above, through processes)."""
    model = small_model()
    monkeypatch.setattr(cli, "load", lambda path: model)
    return model


def test_summary_prints_the_layer_table(loaded, capsys):
    assert cli.main(["summary", "m.h5"]) == 0
    out = capsys.readouterr().out
    assert 'Model: "small"' in out and f"Total params: {4 * 3 + 3 + 3 * 2 + 2}" in out


def test_graph_writes_each_text_format(loaded, tmp_path, capsys):
    assert cli.main(["graph", "m.h5", "-o", str(tmp_path / "g.json")]) == 0
    with open(tmp_path / "g.json") as file:
        layer_graph = nx.node_link_graph(json.load(file), edges="edges")
    assert list(layer_graph.nodes) == ["features", "hidden", "drop", "score"] and layer_graph.number_of_edges() == 3
    assert cli.main(["graph", "m.h5", "--level", "ops", "--format", "graphml", "-o", str(tmp_path / "g.xml")]) == 0
    assert nx.read_graphml(tmp_path / "g.xml").number_of_nodes() == loaded.graph.nx.number_of_nodes()
    capsys.readouterr()
    assert cli.main(["graph", "m.h5"]) == 0  # DOT to stdout
    pydot = pytest.importorskip("pydot")
    dot = pydot.graph_from_dot_data(capsys.readouterr().out)[0]
    assert len(dot.get_edges()) == 3


def test_graph_after_the_inference_pipeline_and_as_a_diff(loaded, tmp_path):
    from symk.passes import optimize_model

    optimized, _ = optimize_model(loaded, "inference", "default")
    assert cli.main(["graph", "m.h5", "--level", "ops", "--optimize", "inference", "-o", str(tmp_path / "o.json")]) == 0
    assert cli.main(["graph", "m.h5", "--level", "ops", "--diff", "-o", str(tmp_path / "d.json")]) == 0
    after = json.load(open(tmp_path / "o.json"))
    diff = json.load(open(tmp_path / "d.json"))
    assert {n["id"] for n in after["nodes"]} == {str(n) for n in optimized.graph.nx.nodes}
    removed = {n["id"] for n in diff["nodes"] if n["change"] == "removed"}
    assert removed == {str(n) for n in set(loaded.graph.nx.nodes) - set(optimized.graph.nx.nodes)}


def test_layer_level_diff_marks_the_removed_dropout(loaded, tmp_path, capsys):
    args = ["graph", "m.h5", "--level", "layers", "--optimize", "inference", "--diff", "-o", str(tmp_path / "d.json")]
    assert cli.main(args) == 0
    assert "layer level, pass diff" in capsys.readouterr().out
    diff = json.load(open(tmp_path / "d.json"))
    assert {n["id"]: n["change"] for n in diff["nodes"]} == {
        "features": "kept", "hidden": "kept", "drop": "removed", "score": "kept"}
    edges = {(e["source"], e["target"]): e["change"] for e in diff["edges"]}
    assert edges[("hidden", "score")] == "added" and edges[("drop", "score")] == "removed"
    # without the pass that drops it in inference, the dropout stays (its op reads the training flag)
    assert cli.main(args[:-2] + ["--disable", "specialize_training", "-o", str(tmp_path / "k.json")]) == 0
    kept = json.load(open(tmp_path / "k.json"))
    assert {n["id"]: n["change"] for n in kept["nodes"]}["drop"] == "kept"


def test_pass_flags_without_a_pipeline_are_a_usage_error(loaded, capsys):
    assert cli.main(["graph", "m.h5", "--disable", "dce"]) == 2
    assert "--optimize MODE or --diff" in capsys.readouterr().err


def test_unknown_output_extension_is_a_usage_error_naming_the_accepted_ones(loaded, tmp_path, capsys):
    for command in (["graph", "m.h5"], ["optimize", "m.h5"]):
        assert cli.main(command + ["-o", str(tmp_path / "g.txt")]) == 2
        error = capsys.readouterr().err.strip()
        assert error.count("\n") == 0 and "'.txt'" in error
        assert all(f".{ext}" in error for ext in ("dot", "graphml", "json", "svg", "png", "pdf"))
        assert "--format" in error
        assert not (tmp_path / "g.txt").exists()
    assert cli.main(["graph", "m.h5", "--format", "json", "-o", str(tmp_path / "g.txt")]) == 0  # --format decides
    assert json.load(open(tmp_path / "g.txt"))["graph"]["level"] == "layers"


def test_images_need_an_output_file(loaded, capsys):
    assert cli.main(["graph", "m.h5", "--format", "svg"]) == 1
    assert "name a file with -o" in capsys.readouterr().err


def test_optimize_reports_each_pass(loaded, tmp_path, capsys):
    assert cli.main(["optimize", "m.h5", "--report", "-o", str(tmp_path / "diff.graphml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("inference pipeline: ") and "matched" in out and "removed" in out
    assert nx.read_graphml(tmp_path / "diff.graphml").graph["level"] == "ops"
    assert cli.main(["optimize", "m.h5"]) == 0
    assert capsys.readouterr().out.count("\n") == 1


def test_optimize_disable_enable_and_passes(loaded, capsys):
    from symk.passes import optimize_model

    assert cli.main(["optimize", "m.h5", "--disable", "bn_fold", "--disable", "merge_linear"]) == 0
    unmerged, _ = optimize_model(loaded, "inference", {"disable": ["merge_linear"]})
    out = capsys.readouterr().out
    assert out == (f"inference pipeline: {loaded.graph.nx.number_of_nodes()} -> {unmerged.graph.nx.number_of_nodes()} "
                   "nodes; disabled: bn_fold, merge_linear\n")
    assert cli.main(["optimize", "m.h5", "--passes", "specialize_training,dce", "--report"]) == 0
    table = capsys.readouterr().out
    assert [line.split()[0] for line in table.splitlines()[3:] if not line.startswith("  ")] == [
        "specialize_training", "dce"]
    assert cli.main(["optimize", "m.h5", "--enable", "fuse_linear", "--report"]) == 0
    assert "fuse_linear" in capsys.readouterr().out
    assert cli.main(["optimize", "m.h5", "--passes", "none"]) == 0
    nodes = loaded.graph.nx.number_of_nodes()
    assert capsys.readouterr().out == f"inference pipeline: {nodes} -> {nodes} nodes\n"


@pytest.mark.parametrize("args, message", [
    (["--disable", "bn_fodl"], "unknown pass 'bn_fodl'; the passes are "),
    (["--passes", "dce,nope"], "unknown pass 'nope'"),
    (["--passes", "dce", "--enable", "fuse_linear"], "with --passes, list every pass"),
])
def test_bad_pass_names_are_usage_errors(loaded, capsys, args, message):
    assert cli.main(["optimize", "m.h5", *args]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and message in error and "symk optimize --help" in error


def test_optimize_verbose_prints_each_replacement(loaded, capsys):
    from symk.passes import optimize_model

    _, report = optimize_model(loaded, "inference", "default")
    assert cli.main(["optimize", "m.h5", "--verbose"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:-1] == report.messages and lines[-1].startswith("inference pipeline: ")
    assert "drop (dropout) -> its identity branch" in " ".join(lines)


def test_optimize_export_dir_writes_a_diff_per_pass(loaded, tmp_path, capsys):
    from symk.passes import optimize_model

    assert cli.main(["optimize", "m.h5", "--export-dir", str(tmp_path / "out")]) == 0
    assert f"files in {tmp_path / 'out'}" in capsys.readouterr().out
    _, report = optimize_model(loaded, "inference", "default")
    changed = [r.name for r in report.passes if r.changed]
    names = sorted(os.listdir(tmp_path / "out"))
    assert names == ["00_input.json"] + [f"{i:02d}_{name}.json" for i, name in enumerate(changed, start=1)]
    first = json.load(open(tmp_path / "out" / names[1]))
    assert {n["id"] for n in first["nodes"] if n["change"] == "removed"}  # specialize_training dropped the dropout


def test_optimize_draws_a_layer_level_diff(loaded, tmp_path, capsys):
    assert cli.main(["optimize", "m.h5", "--level", "layers", "-o", str(tmp_path / "d.graphml")]) == 0
    assert "layer-level pass diff" in capsys.readouterr().out
    view = nx.read_graphml(tmp_path / "d.graphml")
    assert view.nodes["drop"]["change"] == "removed" and view.graph["level"] == "layers"


def test_runtime_errors_are_one_line_and_traceback_on_request(loaded, capsys, monkeypatch):
    def broken(path):
        raise RuntimeError("disk\non fire")

    monkeypatch.setattr(cli, "load", broken)
    assert cli.main(["summary", "m.h5"]) == 1
    assert capsys.readouterr().err == "symk summary: error: RuntimeError: disk on fire\n"
    with pytest.raises(RuntimeError):
        cli.main(["--traceback", "summary", "m.h5"])


# -- real files: Keras's and symk's (these need [save]'s load_model and model.save) -------
def require_loadable(path):
    """Skip (naming the loader's error) while [save] cannot read this file yet; the CLI's own part is tested above."""
    if not has_load_model():
        pytest.skip("symk.models.load_model is not there yet")
    try:
        symk.models.load_model(path, compile=False)
    except Exception as error:  # noqa: BLE001
        pytest.skip(f"[save] cannot load {os.path.basename(path)} yet: {str(error)[:200]}")


def symk_file(tmp_path) -> str:
    path = str(tmp_path / "small.h5")
    try:
        small_model().save(path)
    except Exception as error:  # noqa: BLE001
        pytest.skip(f"[save] cannot write .h5 files yet: {str(error)[:200]}")
    require_loadable(path)
    return path


def weight_sizes(path: str) -> list:
    """The reference: every weight dataset in the file, read with h5py."""
    sizes = []
    with h5py.File(path, "r") as file:
        file["model_weights"].visititems(
            lambda name, item: sizes.append(item.size) if isinstance(item, h5py.Dataset) else None)
    return sizes


@pytest.mark.slow
@pytest.mark.parametrize("writer", ["keras", "symk"])
def test_summary_and_graph_of_real_files(tmp_path, writer):
    if writer == "keras":
        path = os.path.join(REFERENCES, "keras3", "mlp.h5")
        require_loadable(path)
        expected_classes = ["Dense", "Dropout", "Dense"]
    else:
        path = symk_file(tmp_path)
        expected_classes = ["Dense", "Dropout", "Dense"]
    result = run_symk("summary", path)
    assert result.returncode == 0, result.stderr
    assert f"Total params: {sum(weight_sizes(path)):,}" in result.stdout
    result = run_symk("graph", path, "--format", "graphml", "-o", str(tmp_path / "g.graphml"))
    assert result.returncode == 0, result.stderr
    view = nx.read_graphml(tmp_path / "g.graphml")
    assert [view.nodes[n]["class_name"] for n in view.nodes][-3:] == expected_classes
    result = run_symk("optimize", path, "--report")
    assert result.returncode == 0 and result.stdout.startswith("inference pipeline: "), result.stderr


@pytest.mark.slow
def test_layer_diff_and_export_dir_of_a_real_file(tmp_path):
    path = symk_file(tmp_path)
    result = run_symk("graph", path, "--level", "layers", "--optimize", "inference", "--diff", "-o", "d.graphml",
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    view = nx.read_graphml(tmp_path / "d.graphml")
    assert view.nodes["drop"]["change"] == "removed" and view.graph["level"] == "layers"
    result = run_symk("optimize", path, "--disable", "merge_linear", "--verbose", "--export-dir", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "specialize_training: drop (dropout) -> its identity branch" in result.stdout
    assert "disabled: merge_linear" in result.stdout and sorted(os.listdir(tmp_path / "out"))[0] == "00_input.json"


@pytest.mark.slow
def test_convert_round_trips_weights(tmp_path):
    path = symk_file(tmp_path)
    result = run_symk("convert", path, "small.weights.h5", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = run_symk("convert", "small.weights.h5", "again.h5", "--model", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with h5py.File(path, "r") as original, h5py.File(tmp_path / "again.h5", "r") as again:
        for file in (original, again):
            assert "model_config" in file.attrs
        def arrays(file):
            found = []
            file["model_weights"].visititems(
                lambda name, item: found.append(item[()]) if isinstance(item, h5py.Dataset) else None)
            return sorted(found, key=lambda a: (a.shape, a.sum()))
        assert all(np.array_equal(a, b) for a, b in zip(arrays(original), arrays(again), strict=True))


@pytest.mark.slow
def test_convert_exports_onnx_that_onnx_runtime_runs_like_symk(tmp_path):
    onnxruntime = pytest.importorskip("onnxruntime")
    path = symk_file(tmp_path)
    result = run_symk("convert", path, "small.onnx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    model = symk.models.load_model(path)
    session = onnxruntime.InferenceSession(str(tmp_path / "small.onnx"), providers=["CPUExecutionProvider"])
    feed = session.get_inputs()[0]
    x = np.random.default_rng(0).normal(size=(3,) + tuple(model.inputs[0].shape[1:])).astype("float32")
    np.testing.assert_allclose(session.run(None, {feed.name: x})[0], model.predict(x, verbose=0), rtol=1e-4, atol=1e-5)
