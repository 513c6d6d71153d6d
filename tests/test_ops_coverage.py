"""symk has a counterpart for every public name of Keras 3.15's keras.ops, keras.random, keras.tree and
keras.config (the list was written by real Keras: tools/keras_refs/dump_api_names.py), with Keras's signature."""
import inspect
import json
import pathlib

import pytest

import symk

NAMES = json.loads((pathlib.Path(__file__).parent / "references" / "keras_api_names.json").read_text())

# name -> why symk does not have it (keep this short: each entry is a gap users meet)
EXCLUDED: dict = {}

# name -> why symk's signature differs from Keras's
SIGNATURE_DEVIATIONS: dict = {}


def _ops_names():
    names = [f"ops.{n}" for n in NAMES["ops"]]
    names += [f"ops.{ns}.{n}" for ns, members in NAMES["ops_submodules"].items() for n in members]
    # Keras defines each ops function in one source module; symk also exposes those as namespaces
    names += [f"ops.{e['defined_in']}.{n}" for n, e in NAMES["ops"].items() if e["defined_in"] in ("math", "core")]
    return sorted(set(names))


def _all_names():
    return _ops_names() + [f"{mod}.{n}" for mod in ("random", "tree", "config") for n in NAMES[mod]]


def _resolve(path: str):
    target = symk
    for part in path.split("."):
        target = getattr(target, part)
    return target


def test_reference_list_is_keras_3_15():
    assert NAMES["keras_version"].startswith("3.15")
    assert len(NAMES["ops"]) == 337 and len(NAMES["ops_submodules"]["image"]) == 16


@pytest.mark.parametrize("module", ["ops", "random", "tree", "config"])
def test_every_keras_name_has_a_symk_counterpart(module):
    names = [n for n in _all_names() if n.split(".")[0] == module]
    missing = []
    for path in names:
        if path in EXCLUDED:
            continue
        try:
            _resolve(path)
        except AttributeError:
            missing.append(path)
    assert not missing, f"{len(missing)} Keras names have no symk counterpart: {' '.join(missing)}"


def test_exclusions_name_real_keras_names_and_say_why():
    assert set(EXCLUDED) <= set(_all_names())
    assert all(isinstance(why, str) and len(why) > 20 for why in EXCLUDED.values())


def _keras_signature(path):
    parts = path.split(".")
    if parts[:2] == ["ops", "image"]:
        return NAMES["image"][parts[-1]]["signature"]
    if parts[0] == "ops":
        return NAMES["ops"][parts[-1]]["signature"]
    return NAMES[parts[0]][parts[-1]]["signature"]


def test_signatures_match_keras():
    wrong = []
    for path in _all_names():
        if path in EXCLUDED or path in SIGNATURE_DEVIATIONS:
            continue
        expected = _keras_signature(path)
        try:
            obj = _resolve(path)
        except AttributeError:
            continue  # reported by the coverage test
        if not expected or not callable(obj):
            continue
        try:
            got = str(inspect.signature(obj))
        except (TypeError, ValueError):
            got = "?"
        if got != expected:
            wrong.append(f"{path}{got}  (Keras: {expected})")
    assert not wrong, f"{len(wrong)} signatures differ from Keras 3.15's:\n" + "\n".join(wrong)


def test_internals_are_not_in_the_user_namespace():
    for internal in ("OPS", "registry_apply", "get_op", "def_op", "apply", "constant"):
        assert internal not in symk.ops.__all__
    assert "relu_general" not in dir(symk.ops) and callable(symk.ops.primitives.relu_general)
