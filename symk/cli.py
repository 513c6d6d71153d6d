"""The `symk` command: summary, graph export, optimizer reports and file conversion for .h5 models.

    symk summary model.h5
    symk graph model.h5 --level ops --format svg -o model.svg --optimize inference
    symk optimize model.h5 --report --disable bn_fold --export-dir passes_out/
    symk graph model.h5 --level layers --optimize inference --diff -o diff.svg
    symk convert model.h5 model.weights.h5
    symk convert model.h5 model.onnx
    symk convert model.onnx model.h5

Exit codes: 0 done, 1 the command failed (missing or unreadable file, ...), 2 bad usage.
Errors go to stderr as one line. symk (and jax) are imported only when a command runs,
so `--help` and usage errors answer at once.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
LEVELS = ("layers", "ops")
GRAPH_FORMATS = ("dot", "graphml", "json", "svg", "png", "pdf")
MODES = ("inference", "training")


class CommandError(Exception):
    """A failure to report as one line on stderr with exit code 1."""


class UsageError(Exception):
    """Bad usage found after parsing (an unknown pass name, an -o extension no format has): exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line that says where to find help."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


# -- loading ------------------------------------------------------------------------
def _check_h5(path: str) -> None:
    import h5py

    if not os.path.exists(path):
        raise CommandError(f"no such file: {path}")
    if os.path.isdir(path):
        raise CommandError(f"{path} is a directory; expected an HDF5 (.h5) model file")
    if not h5py.is_hdf5(path):
        raise CommandError(f"{path} is not an HDF5 file; expected a Keras/symk .h5 model (saved with model.save)")


def _has_architecture(path: str) -> bool:
    import h5py

    with h5py.File(path, "r") as file:
        return "model_config" in file.attrs


def load(path: str):
    """A model from a Keras or symk .h5 file (architecture and weights), never running code from it."""
    _check_h5(path)
    if not _has_architecture(path):
        raise CommandError(f"{path} holds weights only (no model_config): it has no architecture to load. "
                           "Use a full model file (model.save('x.h5')), or `symk convert` with --model")
    try:
        from .models import load_model
    except ImportError:
        raise CommandError("this symk has no symk.models.load_model yet, so .h5 files cannot be read") from None
    return load_model(path, compile=False)


def _optimized_graph(model, mode: Optional[str], setting="default"):
    if mode is None:
        return None
    from .passes import optimize_model

    subject, _ = optimize_model(model, mode, setting)
    return subject.graph


# -- commands -----------------------------------------------------------------------
def cmd_summary(args) -> int:
    model = load(args.file)
    model.summary(expand_nested=args.expand_nested, show_trainable=args.show_trainable)
    return EXIT_OK


# -o's extension -> format, as symk.viz.format_for reads it ('.gv' is DOT too)
_EXTENSIONS = {**{fmt: fmt for fmt in GRAPH_FORMATS}, "gv": "dot"}


def _output_format(output: Optional[str], chosen: Optional[str], default: Optional[str] = "dot") -> Optional[str]:
    """--format if given, else -o's extension; an extension no format has is a usage error (exit 2)."""
    if chosen:
        return chosen
    extension = os.path.splitext(output)[1].lstrip(".").lower() if output else ""
    if not extension:
        return default
    if extension not in _EXTENSIONS:
        accepted = ", ".join(f".{e}" for e in _EXTENSIONS)
        raise UsageError(f"-o {output}: cannot tell the format from the extension '.{extension}'; name the file "
                         f"with one of {accepted}, or choose the format with --format")
    return _EXTENSIONS[extension]


def _graph_format(args) -> str:
    if args.format == "html" or (not args.format and (args.output or "").lower().endswith((".html", ".htm"))):
        return "html"  # symk graph only: the interactive page (symk.viz.write_html)
    return _output_format(args.output, args.format)


def _write_html_graph(args) -> int:
    """`symk graph --format html`: one self-contained page; --optimize/--diff embed the before/after toggle."""
    from .viz import write_html

    if args.output is None:
        raise CommandError("an HTML page is large: name a file with -o OUT.html")
    model = load(args.file)
    compare = (args.optimize or "inference") if (args.diff or args.optimize) else None
    level = "op" if args.level == "ops" else "layer"
    if compare and (args.passes or args.enable or args.disable):
        raise UsageError("--format html compares against the default pipeline of --optimize MODE; "
                         "--passes/--enable/--disable are not supported with it yet")
    write_html(model, args.output, level=level, compare=compare)
    print(f"wrote {args.output} ({level} level{f', before/after the {compare} pipeline' if compare else ''}): "
          "open it in any browser")
    return EXIT_OK


def cmd_explore(args) -> int:
    from .viz import explore

    explore(load(args.file), compare=args.compare, host=args.host, port=args.port,
            open_browser=not args.no_open_in_browser)
    return EXIT_OK


def _pipeline_setting(args, snapshots: bool = False):
    """The `optimize=` setting the --passes/--enable/--disable/--verbose flags describe (checked here:
    a misspelt pass name is a usage error, not a silent no-op)."""
    from .passes import PASSES, resolve

    setting: dict = {}
    if args.passes is not None:
        names = [name.strip() for name in args.passes.split(",") if name.strip()]
        setting["passes"] = names[0] if names in (["default"], ["none"]) else names
        if args.enable:
            raise UsageError("--enable adds passes to the default pipeline; with --passes, list every pass to run")
    setting.update(enable=list(args.enable or ()), disable=list(args.disable or ()),
                   verbose=bool(getattr(args, "verbose", False)), snapshots=snapshots)
    for name in setting["enable"] + setting["disable"] + (setting.get("passes") if isinstance(
            setting.get("passes"), list) else []):
        if name not in PASSES:
            raise UsageError(f"unknown pass {name!r}; the passes are {', '.join(sorted(PASSES))}")
    resolve(setting, getattr(args, "mode", None) or args.optimize or "inference")  # any other bad combination
    return setting


def cmd_graph(args) -> int:
    from .viz import layer_view, model_diff, op_view, write_view

    fmt = _graph_format(args)
    if args.output is None and fmt in ("svg", "png", "pdf"):
        raise CommandError(f"{fmt.upper()} output is binary or large: name a file with -o OUT.{fmt}")
    if not (args.optimize or args.diff) and (args.passes or args.enable or args.disable):
        raise UsageError("--passes, --enable and --disable choose the pipeline of --optimize MODE or --diff; "
                         "add one of those")
    setting = _pipeline_setting(args)
    if fmt == "html":
        return _write_html_graph(args)
    model = load(args.file)
    if args.diff:
        view, _ = model_diff(model, mode=args.optimize or "inference", optimize=setting, level=args.level,
                             expand_nested=args.expand_nested)
    elif args.level == "ops":
        view = op_view(_optimized_graph(model, args.optimize, setting) or model, name=model.name)
    else:
        view = layer_view(model, expand_nested=args.expand_nested,
                          graph=_optimized_graph(model, args.optimize, setting))
    options = {"rankdir": args.rankdir} if fmt not in ("graphml", "json") else {}
    if args.output is None:  # a text format to stdout, so it can be piped
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = write_view(view, os.path.join(folder, f"graph.{fmt}"), fmt, **options)
            with open(path) as file:
                sys.stdout.write(file.read())
        return EXIT_OK
    write_view(view, args.output, fmt, **options)
    print(f"wrote {args.output} ({view.number_of_nodes()} nodes, {view.number_of_edges()} edges, "
          f"{'op' if args.level == 'ops' else 'layer'} level{', pass diff' if args.diff else ''})")
    return EXIT_OK


def cmd_optimize(args) -> int:
    fmt = _output_format(args.output, args.format, default=None) if args.output else None
    if args.output and fmt is None:
        raise UsageError(f"-o {args.output}: name the file with an extension ({', '.join(GRAPH_FORMATS)}) "
                         "or choose the format with --format")
    # snapshots (a graph per pass) tell which pass merged what in a layer diff, and are what --export-dir writes
    setting = _pipeline_setting(args, snapshots=bool(args.export_dir) or (args.output and args.level == "layers"))
    model = load(args.file)
    from .passes import export_snapshots, optimize_model
    from .viz import layer_pass_diff, pass_diff, write_view

    subject, report = optimize_model(model, args.mode, setting)  # --verbose: the manager prints each rewrite
    if args.report:
        print(report)
        if not args.verbose:  # --verbose has printed them already, as the passes ran
            for message in report.messages:
                print(f"  {message}")
    else:
        print(f"{args.mode} pipeline: {report.nodes_before} -> {report.nodes_after} nodes"
              + (f"; disabled: {', '.join(report.disabled)}" if report.disabled else ""))
    if args.output:
        if args.level == "layers":
            view = layer_pass_diff(model, subject.graph, report.snapshots, name=f"{model.name} ({args.mode} pipeline)")
        else:
            view = pass_diff(model.graph, subject.graph, name=f"{model.name} ({args.mode} pipeline)")
        write_view(view, args.output, fmt)
        print(f"wrote the {args.level[:-1]}-level pass diff to {args.output}")
    if args.export_dir:
        paths = export_snapshots(report, args.export_dir, args.export_format)
        print(f"wrote the graph before and after each pass that changed it: {len(paths)} files in {args.export_dir}")
    return EXIT_OK


def _is_weights_path(path: str) -> bool:
    return path.endswith(".weights.h5")


def _load_onnx(path: str):
    """An ONNX file as a symk model (symk.onnx.ImportedOnnxModel), or a one-line error."""
    if not os.path.isfile(path):
        raise CommandError(f"no such file: {path}")
    try:
        import symk.onnx
        from symk.onnx.import_registry import OnnxImportError
    except ImportError as err:
        raise CommandError(f"reading .onnx files needs the onnx package (pip install 'symk[onnx]'): {err}") from None
    try:
        return symk.onnx.load_model(path)
    except OnnxImportError as err:
        raise CommandError(f"{path}: {err}") from None


def _load_h5_input(args):
    """The model of an .h5 input: a full model file, or weights with the architecture from --model."""
    _check_h5(args.input)
    if args.model:
        model = load(args.model)
        model.load_weights(args.input)
        return model
    if _has_architecture(args.input):
        return load(args.input)
    raise CommandError(f"{args.input} holds weights only: give the architecture with --model MODEL.h5")


def cmd_convert(args) -> int:
    """Full legacy .h5 -> .weights.h5, weights (either layout) + --model -> .h5 / .weights.h5, any model ->
    .onnx, and .onnx -> .h5 / .keras (a symk model file whose config is the ONNX graph: symk reads it back)."""
    if os.path.abspath(args.input) == os.path.abspath(args.output):
        raise CommandError("the output file is the input file; choose another name")
    if not args.output.endswith((".h5", ".onnx", ".keras")):
        raise CommandError(f"{args.output}: name the output *.weights.h5 (Keras 3 weights layout), "
                           "*.h5 (legacy Keras layout), *.keras (Keras 3 archive) or *.onnx")
    if args.input.endswith(".onnx"):
        if args.model:
            raise CommandError("--model names the architecture of a weights file; an .onnx file holds its own")
        model = _load_onnx(args.input)
    else:
        model = _load_h5_input(args)
    if args.output.endswith(".onnx"):
        model.export(args.output, format="onnx")
        print(f"wrote {args.output}: ONNX graph after the inference pipeline, {len(model.weights)} weight arrays")
        return EXIT_OK
    if args.output.endswith(".keras"):
        model.save(args.output)
        print(f"wrote {args.output}: Keras 3 archive (architecture and weights), {len(model.weights)} weight arrays")
        return EXIT_OK
    if args.keras_version == 2 and _is_weights_path(args.output):
        raise CommandError(f"{args.output}: Keras 2 has no .weights.h5 layout; name the output *.h5 (with "
                           "--weights-only for a weights-only file)")
    if _is_weights_path(args.output) or args.weights_only:
        model.save_weights(args.output, keras_version=args.keras_version)
        kind = "weights"
    else:
        model.save(args.output, keras_version=args.keras_version)
        kind = "model (architecture and weights)"
    if args.keras_version == 2:
        kind += ", for Keras 2 (tf.keras)"
    print(f"wrote {args.output}: {kind}, {len(model.weights)} weight arrays")
    return EXIT_OK


# -- the parser ---------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symk", description="Inspect, draw, optimize and convert Keras/symk .h5 models.")
    parser.add_argument("--traceback", action="store_true", help="show the full Python traceback on errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    summary = commands.add_parser("summary", help="print the model's layer table",
                                  description="Print model.summary() of a .h5 model file.")
    summary.add_argument("file", metavar="FILE.h5")
    summary.add_argument("--expand-nested", action="store_true", help="list the layers of nested models too")
    summary.add_argument("--show-trainable", action="store_true", help="add a column saying which layers train")
    summary.set_defaults(run=cmd_summary)

    graph = commands.add_parser("graph", help="export the model's graph (DOT, GraphML, JSON, SVG, PNG, PDF)",
                                description="Export a model's layer graph or op graph. Text formats go to "
                                            "stdout without -o; images need Graphviz's `dot`.")
    graph.add_argument("file", metavar="FILE.h5")
    graph.add_argument("--level", choices=LEVELS, default="layers", help="one node per layer, or per op")
    graph.add_argument("--format", choices=GRAPH_FORMATS + ("html",),
                       help="default: from -o's extension, else dot; html: an interactive page (needs -o)")
    graph.add_argument("-o", "--output", metavar="OUT", help="file to write (default: stdout)")
    graph.add_argument("--optimize", choices=MODES, help="draw the graph after this pass pipeline")
    graph.add_argument("--diff", action="store_true",
                       help="the graph (at --level) with what the pipeline removed/fused/folded highlighted")
    graph.add_argument("--expand-nested", action="store_true", help="draw nested models as clusters of layers")
    graph.add_argument("--rankdir", choices=("TB", "LR"), default="TB", help="top-to-bottom or left-to-right")
    _add_pipeline_flags(graph)
    graph.set_defaults(run=cmd_graph)

    explore = commands.add_parser("explore", help="open the op graph in Google's Model Explorer",
                                  description="Start Model Explorer (pip install 'symk[explorer]') on the model's "
                                              "op graph, layers as collapsible groups, with FLOPs/bytes overlays.")
    explore.add_argument("file", metavar="FILE.h5")
    explore.add_argument("--compare", choices=MODES, help="also the graph after this pass pipeline, diff coloured")
    explore.add_argument("--host", default="localhost", help="host of the Model Explorer server")
    explore.add_argument("--port", type=int, default=8080, help="port of the Model Explorer server")
    explore.add_argument("--no-open-in-browser", action="store_true", help="start the server only")
    explore.set_defaults(run=cmd_explore)

    optimize = commands.add_parser("optimize", help="run the pass pipeline and say what it changed",
                                   description="Run symk's default pass pipeline on a model (the file is "
                                               "not changed) and report what each pass did.")
    optimize.add_argument("file", metavar="FILE.h5")
    optimize.add_argument("--mode", choices=MODES, default="inference", help="which pipeline (default inference)")
    optimize.add_argument("--report", action="store_true", help="print the per-pass table and every rewrite")
    optimize.add_argument("-o", "--output", metavar="OUT", help="also draw the pass diff (.dot/.graphml/.json/.svg)")
    optimize.add_argument("--format", choices=GRAPH_FORMATS, help="format of -o (default: from its extension)")
    optimize.add_argument("--level", choices=LEVELS, default="ops", help="draw -o's diff per op (default) or per layer")
    _add_pipeline_flags(optimize)
    optimize.add_argument("--verbose", action="store_true", help="print every replacement as the passes make it")
    optimize.add_argument("--export-dir", metavar="DIR",
                          help="write the input graph and one pass diff per pass that changed it into DIR")
    optimize.add_argument("--export-format", choices=GRAPH_FORMATS, default="json",
                          help="format of the --export-dir files (default json)")
    optimize.set_defaults(run=cmd_optimize)

    convert = commands.add_parser("convert", help="convert between legacy .h5, .weights.h5 and .onnx files",
                                  description="IN: a full legacy .h5 model, a weights file with --model, or an .onnx "
                                              "model. OUT: *.weights.h5 writes Keras 3 weights; *.h5 a full legacy "
                                              "model; *.onnx an ONNX graph; *.keras a Keras 3 archive. A model "
                                              "read from .onnx is saved with the ONNX graph as its config: symk "
                                              "reads it back, Keras cannot (it has no layer for an ONNX node).")
    convert.add_argument("input", metavar="IN")
    convert.add_argument("output", metavar="OUT")
    convert.add_argument("--model", metavar="MODEL.h5", help="the architecture, when IN holds weights only")
    convert.add_argument("--weights-only", action="store_true", help="write legacy weights-only .h5")
    convert.add_argument("--keras-version", type=int, choices=(2, 3), default=3,
                         help="the Keras that will read OUT: 3 (default) or 2 (tf.keras / tf_keras)")
    convert.set_defaults(run=cmd_convert)
    return parser


def _add_pipeline_flags(parser: argparse.ArgumentParser) -> None:
    """--passes/--enable/--disable: the same choices as compile(optimize={...}) (symk.passes.resolve)."""
    parser.add_argument("--passes", metavar="A,B", help="run only these passes, in the order given ('none': no pass)")
    parser.add_argument("--enable", metavar="PASS", action="append",
                        help="add an off-by-default pass to the default pipeline (repeatable)")
    parser.add_argument("--disable", metavar="PASS", action="append", help="leave this pass out (repeatable)")


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if isinstance(error, CommandError) else f"{type(error).__name__}: {text}"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as error:
        print(f"symk {args.command}: error: {error} (see `symk {args.command} --help`)", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"symk {args.command}: interrupted", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # noqa: BLE001  (every failure becomes one line and exit code 1)
        if args.traceback:
            raise
        print(f"symk {args.command}: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
