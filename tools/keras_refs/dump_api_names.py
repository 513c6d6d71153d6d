"""Write tests/references/keras_api_names.json: every public name of Keras 3's keras.ops (with the
namespace it is defined in and its signature), keras.random, keras.tree and keras.config, and the class
names of keras.layers ("layers": {name: {"bases": [...], "defined_in": ...}}; aliases such as MaxPool2D too).

Run with real Keras 3 on JAX (see README.md):  KERAS_BACKEND=jax python tools/keras_refs/dump_api_names.py
symk's coverage test (tests/test_ops_coverage.py) reads the file; it never imports Keras.
"""
import inspect
import json
import os
import pathlib
import types

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "references" / "keras_api_names.json"


def signature(obj) -> str:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return ""


def public(module) -> list:
    return sorted(n for n in dir(module) if not n.startswith("_"))


def describe(module) -> dict:
    entries = {}
    for name in public(module):
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType):
            continue
        source = getattr(obj, "__module__", "") or ""
        entries[name] = {"defined_in": source.rsplit(".", 1)[-1], "kind": type(obj).__name__,
                         "signature": signature(obj) if callable(obj) else ""}
    return entries


def layer_classes(module) -> dict:
    """Every public class of keras.layers (the Layer subclasses and InputSpec), with its base classes' names."""
    entries = {}
    for name in public(module):
        obj = getattr(module, name)
        if inspect.isclass(obj):
            entries[name] = {"defined_in": obj.__module__, "class_name": obj.__name__,
                             "bases": [base.__name__ for base in obj.__mro__[1:]]}
    return entries


def main():
    ops = keras.ops
    result = {
        "keras_version": keras.__version__,
        "ops": describe(ops),
        "ops_submodules": {name: public(getattr(ops, name)) for name in public(ops)
                           if isinstance(getattr(ops, name), types.ModuleType)},
        "image": describe(ops.image),
        "random": describe(keras.random),
        "tree": describe(keras.tree),
        "config": describe(keras.config),
        "layers": layer_classes(keras.layers),
    }
    OUT.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}: {len(result['ops'])} ops names")


if __name__ == "__main__":
    main()
