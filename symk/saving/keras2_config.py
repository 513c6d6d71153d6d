"""Model and training configs in Keras 2's form (tf.keras / tf_keras), for `model.save(path, keras_version=2)`.

symk builds its configs in Keras 3's form (model_config.py, layer_config.py); this module
rewrites one into what tf_keras's `load_model` accepts:

    Keras 3 (symk's default)                         Keras 2
    InputLayer {"batch_shape": [...]}                {"batch_input_shape": [...], "ragged": false}
    "dtype": {"class_name": "DTypePolicy", ...}      "dtype": "float32"
    inbound node {"args": [<__keras_tensor__>],      [["dense", 0, 0, {}]]   (one ref per input tensor,
                  "kwargs": {}}                                              the call's kwargs on each)
    nested Sequential called as node 0               node 1 (a built Keras 2 Sequential is a graph network
                                                             whose node 0 is its own input)
    "input_layers": ["in", 0, 0]                     [["in", 0, 0]]
    LSTM {"seed": ...}, LayerNormalization           dropped; RNNs gain "time_major": false
      {"rms_scaling": false}
    optimizer {"class_name": "Adam", ...}            adds "is_legacy_optimizer": false (else tf_keras
                                                     builds its legacy optimizer), drops Keras 3 keys

    config = keras2_model_config(model)   # {'class_name': 'Functional' | 'Sequential', 'config': {...}}
"""
from __future__ import annotations

import copy
import json

KERAS2_VERSION = "2.21.0"   # the tf_keras release whose file layout this writes (and that loads it)
KERAS2_BACKEND = "tensorflow"

RNN_CLASSES = ("SimpleRNN", "LSTM", "GRU")
# arguments Keras 3 added that tf_keras's constructors reject ("unexpected keyword argument")
KERAS3_ONLY_ARGUMENTS = {"SimpleRNN": ("seed",), "LSTM": ("seed", "use_cudnn"), "GRU": ("seed", "use_cudnn"),
                         "LayerNormalization": ("rms_scaling",), "Dropout": (), "Embedding": ("lora_rank",),
                         "Dense": ("lora_rank", "quantization_config")}
# arguments tf_keras's optimizers reject (its base class raises on unknown keyword arguments)
KERAS3_ONLY_OPTIMIZER_ARGUMENTS = ("loss_scale_factor", "gradient_accumulation_steps")
# Keras 3's default optimizer names are lower case; Keras 2's are the class names
KERAS2_OPTIMIZER_NAMES = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW", "adagrad": "Adagrad",
                          "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "Nadam", "ftrl": "Ftrl"}


class Keras2ConversionError(ValueError):
    """A model uses something Keras 2 cannot express (say so, rather than write a file tf_keras rejects)."""


def keras2_model_config(model) -> dict:
    """{'class_name', 'config'} of `model` in Keras 2's form."""
    from .api import _class_name

    entry = {"class_name": _class_name(model), "config": copy.deepcopy(model.get_config())}
    return json.loads(json.dumps(_convert_layer(entry, where=f"model {model.name!r}")))


# -- layers ------------------------------------------------------------------------------
def _plain_dtypes(value):
    """Every DTypePolicy dict in a config (any depth) becomes its dtype name; a mixed policy becomes the
    {'class_name': 'Policy', 'config': {'name': 'mixed_float16'}} Keras 2 writes."""
    if isinstance(value, dict):
        if value.get("class_name") in ("DTypePolicy", "FloatDTypePolicy"):
            name = (value.get("config") or {}).get("name", "float32")
            return {"class_name": "Policy", "config": {"name": name}} if name.startswith("mixed_") else name
        return {k: _plain_dtypes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_dtypes(v) for v in value]
    return value


def _convert_layer(entry: dict, where: str) -> dict:
    class_name = entry["class_name"]
    config = _plain_dtypes(dict(entry.get("config") or {}))
    where = f"{where}, layer {config.get('name')!r} ({class_name})"
    if class_name == "Sequential":
        config = _sequential(config, where)
    elif "layers" in config and "input_layers" in config:
        config = _functional(config, where)
        class_name = "Functional" if class_name in ("Functional", "Model") else class_name
    elif class_name == "InputLayer":
        if "batch_shape" in config:
            config["batch_input_shape"] = config.pop("batch_shape")
        config.setdefault("ragged", False)
    if class_name in RNN_CLASSES:
        config.setdefault("time_major", False)
        if class_name != "SimpleRNN":
            config.setdefault("implementation", 2)
    if class_name == "LayerNormalization" and config.get("rms_scaling"):
        raise Keras2ConversionError(f"{where}: rms_scaling=True has no Keras 2 equivalent; save with "
                                    "keras_version=3 (the default) instead.")
    for key in KERAS3_ONLY_ARGUMENTS.get(class_name, ()):
        config.pop(key, None)
    for key in ("layer", "cell"):  # wrappers (Bidirectional, TimeDistributed) and RNN cells
        if isinstance(config.get(key), dict) and "class_name" in config[key]:
            config[key] = _convert_layer(config[key], where)
    if class_name == "Bidirectional" and isinstance(config.get("backward_layer"), dict):
        config["backward_layer"] = _convert_layer(config["backward_layer"], where)
        if _is_mirror(config["layer"], config["backward_layer"]):
            # NOTE: Keras 2 builds this mirror itself; an explicit copy must differ in go_backwards only
            del config["backward_layer"]
    result = {k: v for k, v in entry.items() if k not in ("module", "registered_name", "build_config")}
    result.update(class_name=class_name, config=config)
    return result


def _is_mirror(forward: dict, backward: dict) -> bool:
    strip = ("name", "go_backwards")
    return (forward["class_name"] == backward["class_name"]
            and {k: v for k, v in forward["config"].items() if k not in strip}
            == {k: v for k, v in backward["config"].items() if k not in strip}
            and bool(backward["config"].get("go_backwards")) != bool(forward["config"].get("go_backwards")))


def _sequential(config: dict, where: str) -> dict:
    layers = [_convert_layer(layer, where) for layer in config.get("layers", [])]
    out = {"name": config.get("name"), "layers": layers}
    if "build_input_shape" in config and not any(l["class_name"] == "InputLayer" for l in layers):
        out["build_input_shape"] = config["build_input_shape"]
    return out


# -- functional topology -------------------------------------------------------------------
def _functional(config: dict, where: str) -> dict:
    # a built Keras 2 Sequential numbers its calls from 1, Keras 3 (and symk) from 0
    shifted = {entry.get("name", entry["config"].get("name")) for entry in config["layers"]
               if entry["class_name"] == "Sequential"}
    layers = []
    for entry in config["layers"]:
        converted = _convert_layer({k: v for k, v in entry.items() if k != "inbound_nodes"}, where)
        converted["name"] = entry.get("name", entry["config"].get("name"))
        converted["inbound_nodes"] = [_node(node, shifted, f"{where} -> {converted['name']!r}")
                                      for node in entry.get("inbound_nodes", [])]
        layers.append(converted)
    return {"name": config.get("name"), "trainable": config.get("trainable", True), "layers": layers,
            "input_layers": _ref_list(config.get("input_layers", []), shifted),
            "output_layers": _ref_list(config.get("output_layers", []), shifted)}


def _shift(ref: list, shifted: set) -> list:
    return [ref[0], ref[1] + (1 if ref[0] in shifted else 0), ref[2]]


def _is_ref(value) -> bool:
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], int) and isinstance(value[2], int))


def _ref_list(refs, shifted: set):
    if _is_ref(refs):
        return [_shift(refs, shifted)]
    if isinstance(refs, dict):
        raise Keras2ConversionError("a model with dict inputs or outputs has no Keras 2 config (Keras 2 lists "
                                    "them in order); build it with lists, or save with keras_version=3")
    return [_shift(r, shifted) for r in refs]


def _tensor_history(value):
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        return value["config"]["keras_history"]
    return None


def _node(node, shifted: set, where: str) -> list:
    """A Keras 3 node {'args': [...], 'kwargs': {...}} as Keras 2's [[layer, node, tensor, kwargs], ...]."""
    if isinstance(node, list):
        return node  # already Keras 2 (a config read from a Keras 2 file)
    args = node.get("args", [])
    if len(args) != 1:
        raise Keras2ConversionError(f"{where}: a layer called with {len(args)} positional arguments has no Keras 2 "
                                    "config (Keras 2 records the first argument only); pass the others as keywords")
    tensors = []

    def collect(value):
        history = _tensor_history(value)
        if history is not None:
            tensors.append(_shift(history, shifted))
        elif isinstance(value, list):
            for v in value:
                collect(v)
        elif isinstance(value, dict):
            raise Keras2ConversionError(f"{where}: a layer called on a dict of tensors has no Keras 2 config; "
                                        "save with keras_version=3")
    collect(args[0])

    def keyword(value):  # Keras 2 writes a tensor keyword argument as its [layer, node, tensor] history
        history = _tensor_history(value)
        if history is not None:
            return _shift(history, shifted)
        if isinstance(value, list):
            return [keyword(v) for v in value]
        return value
    kwargs = {k: keyword(v) for k, v in (node.get("kwargs") or {}).items() if v is not None}
    return [ref + [kwargs] for ref in tensors]


# -- training config -------------------------------------------------------------------------
def keras2_training_config(config: dict | None) -> dict | None:
    """symk's (Keras 3) training_config in the form tf_keras's compile_args_from_training_config reads."""
    if config is None:
        return None
    optimizer = copy.deepcopy(config["optimizer_config"])
    class_name = optimizer["class_name"].split(">", 1)[-1]
    settings = {k: v for k, v in (optimizer.get("config") or {}).items()
                if k not in KERAS3_ONLY_OPTIMIZER_ARGUMENTS}
    settings["name"] = KERAS2_OPTIMIZER_NAMES.get(settings.get("name"), settings.get("name"))
    settings.setdefault("jit_compile", False)
    settings["is_legacy_optimizer"] = False
    return {"loss": config.get("loss"), "metrics": config.get("metrics"),
            "weighted_metrics": config.get("weighted_metrics"), "loss_weights": config.get("loss_weights"),
            "optimizer_config": {"class_name": class_name, "config": settings}}
