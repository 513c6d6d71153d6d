"""The layer catalog is complete: every Layer class that symk.layers exports has a registered
example in the layer harness (tests/layer_harness.py), or a justified exemption below, so a
newly added layer fails here until it is registered. Also the examples for the core and
merge layers, which have none elsewhere."""
import glob
import importlib
import inspect
import os

import pytest

from symk import layers as L
from symk.layers.base import Layer
from symk.saving import register_serializable
from layer_harness import LAYER_EXAMPLES, MULTI_INPUT_EXAMPLES, check_layer, layer_example, multi_input_example


@register_serializable(package="symk_tests")
def double(x):
    return x * 2.0


CORE_EXAMPLES = [
    layer_example("dense_relu", lambda: L.Dense(3, activation="relu"), (2, 4)),
    layer_example("dense_rank3_no_bias", lambda: L.Dense(2, use_bias=False), (2, 3, 4)),
    layer_example("activation_tanh", lambda: L.Activation("tanh"), (2, 3)),
    layer_example("dropout", lambda: L.Dropout(0.5, seed=1), (2, 5)),
    layer_example("flatten", lambda: L.Flatten(), (2, 3, 2, 2)),
    layer_example("permute", lambda: L.Permute((2, 1)), (2, 3, 4)),
    layer_example("repeat_vector", lambda: L.RepeatVector(3), (2, 4)),
    layer_example("reshape", lambda: L.Reshape((2, -1)), (2, 3, 4)),
    layer_example("lambda", lambda: L.Lambda(double), (2, 3)),
]
MERGE_EXAMPLES = [
    multi_input_example("add", lambda: L.Add(), [(2, 3), (2, 3)]),
    multi_input_example("subtract", lambda: L.Subtract(), [(2, 3), (2, 3)]),
    multi_input_example("multiply_three", lambda: L.Multiply(), [(2, 3, 2)] * 3),
    multi_input_example("average", lambda: L.Average(), [(2, 4), (2, 4)]),
    multi_input_example("maximum", lambda: L.Maximum(), [(2, 4), (2, 4)]),
    multi_input_example("minimum", lambda: L.Minimum(), [(2, 4), (2, 4)]),
    multi_input_example("concatenate", lambda: L.Concatenate(axis=1), [(2, 3, 2), (2, 1, 2)]),
    multi_input_example("dot_normalized", lambda: L.Dot(axes=1, normalize=True), [(2, 3), (2, 3)]),
]

# Classes that cannot be put through check_layer on their own, and why.
EXEMPT = {
    "Layer": "the abstract base class; every example exercises it",
    "Wrapper": "the abstract base of TimeDistributed, which has examples",
    "InputLayer": "makes the graph's placeholder instead of being called on a tensor (tests/test_models_*)",
    "StringLookup": "host-side: it takes strings, which a graph cannot carry (tests/test_layers_preprocessing.py)",
    "TextVectorization": "host-side: it takes strings, which a graph cannot carry (tests/test_layers_preprocessing.py)",
    "Hashing": "host-side: it hashes strings, which a graph cannot carry (tests/test_layers_hashing.py)",
    "HashedCrossing": "host-side: it hashes strings, which a graph cannot carry (tests/test_layers_hashing.py)",
}
# Recurrent cells run one step on (inputs, states), not on a tensor: each must appear inside an example.
COVERED_INSIDE_EXAMPLES = {"SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"}


def _load_every_family():
    """Each tests/test_layers_*.py registers its examples when imported."""
    for path in sorted(glob.glob(os.path.join(os.path.dirname(__file__), "test_layers_*.py"))):
        importlib.import_module(os.path.basename(path)[:-3])


def exported_layer_classes() -> dict:
    classes = {}
    for name, obj in vars(L).items():
        if inspect.isclass(obj) and issubclass(obj, Layer):
            classes.setdefault(obj, name)  # aliases (MaxPool1D = MaxPooling1D) count once
    return {name: cls for cls, name in classes.items()}


def _examined_classes():
    """(classes of the examples' layers, classes of the layers inside them)."""
    outer, inner = set(), set()
    for example in LAYER_EXAMPLES + MULTI_INPUT_EXAMPLES:
        layer = example.factory()
        outer.add(type(layer))
        inner.update(type(sub) for sub in layer._sublayers())
    return outer, inner


def test_every_exported_layer_class_has_an_example_or_a_reason():
    _load_every_family()
    outer, inner = _examined_classes()
    missing = sorted(name for name, cls in exported_layer_classes().items()
                     if cls not in outer and name not in EXEMPT and name not in COVERED_INSIDE_EXAMPLES)
    assert not missing, (
        f"layer classes without an example in the layer harness: {missing}. Register one with "
        "layer_harness.layer_example(id, factory, input_shape) (or multi_input_example) in the family's "
        "tests/test_layers_*.py, or add the class to EXEMPT here with the reason.")
    not_inside = sorted(name for name in COVERED_INSIDE_EXAMPLES if exported_layer_classes()[name] not in inner)
    assert not not_inside, f"cells that no example runs inside an RNN: {not_inside}"


def test_exemptions_are_current():
    exported = exported_layer_classes()
    stale = sorted((set(EXEMPT) | COVERED_INSIDE_EXAMPLES) - set(exported))
    assert not stale, f"exemptions for classes symk.layers no longer exports: {stale}"


def test_example_ids_are_unique():
    _load_every_family()
    ids = [e.id for e in LAYER_EXAMPLES + MULTI_INPUT_EXAMPLES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("example", CORE_EXAMPLES + MERGE_EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


# Keras 3's layer classes that symk does not have, and why (names from tests/references/keras_api_names.json,
# which tools/keras_refs/dump_api_names.py writes with real Keras).
KERAS_LAYERS_NOT_IN_SYMK = {
    "TFSMLayer": "loads a TensorFlow SavedModel, which needs TensorFlow; symk lowers to JAX only",
    "TorchModuleWrapper": "wraps a torch.nn.Module, which needs PyTorch; symk lowers to JAX only",
    "FlaxLayer": "wraps a Flax module; flax is not installed in symk's environment",
}


def _keras_layer_names() -> dict:
    import json
    import pathlib

    path = pathlib.Path(__file__).parent / "references" / "keras_api_names.json"
    return json.loads(path.read_text())["layers"]


def test_every_keras_layer_class_is_in_symk_or_excluded_with_a_reason():
    keras_names = _keras_layer_names()
    assert len(keras_names) > 150 and "Dense" in keras_names  # the file holds Keras 3.15's whole keras.layers
    missing = sorted(name for name in keras_names if not inspect.isclass(getattr(L, name, None))
                     and name not in KERAS_LAYERS_NOT_IN_SYMK)
    assert not missing, (
        f"keras.layers classes that symk.layers lacks: {missing}. Add them to symk.layers, or to "
        "KERAS_LAYERS_NOT_IN_SYMK here with the reason.")
    stale = sorted(name for name in KERAS_LAYERS_NOT_IN_SYMK if hasattr(L, name))
    assert not stale, f"symk.layers now has {stale}: remove them from KERAS_LAYERS_NOT_IN_SYMK"
    unknown = sorted(set(KERAS_LAYERS_NOT_IN_SYMK) - set(keras_names))
    assert not unknown, f"exclusions that are not keras.layers names: {unknown}"


def test_symk_layer_classes_keep_keras_class_hierarchy_for_shared_names():
    """A name both export is a Layer in both (InputSpec: in neither), so isinstance checks port."""
    for name, entry in _keras_layer_names().items():
        symk_class = getattr(L, name, None)
        if not inspect.isclass(symk_class):
            continue
        assert issubclass(symk_class, Layer) == ("Layer" in entry["bases"] or name == "Layer"), name
