"""Run several examples in one Python process (symk and JAX are imported once), each with its own output folder.

    SYMK_EXAMPLE_QUICK=1 python examples/run_all.py                  # every example, shrunk (what CI runs)
    python examples/run_all.py digits_cnn custom_layer               # chosen ones, full size

Each example's output is framed by '=== example NAME ===' and '=== end NAME (ok|FAILED) SECONDS s ==='
lines; a failing example prints its traceback and the next one still runs. Exit status 1 if any failed.
"""
import os
import pathlib
import runpy
import sys
import time
import traceback

HERE = pathlib.Path(__file__).resolve().parent
EXAMPLES = ("digits_cnn", "mlp_multiclass", "mlp_binary", "vgg_like_cnn", "functional_multi_io",
            "shared_lstm_siamese", "custom_layer", "backend_placeholders", "optimize_and_export",
            "transformer_text_classifier", "custom_train_step_gan", "keras2_to_keras3", "quickstart",
            "text_classification_strings")


def run_example(name: str, output_root: str) -> bool:
    """Run examples/NAME.py as __main__, its files going to OUTPUT_ROOT/NAME; True when it finished."""
    import symk

    os.environ["SYMK_EXAMPLE_OUT"] = os.path.join(output_root, name)
    symk.backend.clear_session()  # fresh layer names and graph, as in a new process
    print(f"=== example {name} ===", flush=True)
    started, ok = time.perf_counter(), True
    try:
        runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
    except BaseException:  # SystemExit included: an example that exits early has failed here
        traceback.print_exc(file=sys.stdout)
        ok = False
    print(f"=== end {name} ({'ok' if ok else 'FAILED'}) {time.perf_counter() - started:.1f} s ===", flush=True)
    return ok


def main(argv: list) -> int:
    names = argv or list(EXAMPLES)
    unknown = [n for n in names if not (HERE / f"{n}.py").exists()]
    if unknown:
        print(f"no such example(s): {unknown}; the examples are {list(EXAMPLES)}", file=sys.stderr)
        return 2
    output_root = os.environ.get("SYMK_EXAMPLE_OUT", "examples_output")
    results = [run_example(name, output_root) for name in names]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
