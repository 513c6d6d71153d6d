"""`symk.config` (Keras's `keras.config`): the global settings every layer default and loop reads.

Lowest layer of symk (imports nothing of it), so ops, layers, training and saving can all read it.

    symk.config.set_image_data_format("channels_first")
    symk.config.floatx()  # 'float32'
"""
from __future__ import annotations

_FLOAT_TYPES = ("float16", "bfloat16", "float32")

_settings = {
    "floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last",
    "unsafe_deserialization": False, "interactive_logging": True, "traceback_filtering": True,
    "flash_attention": None, "max_epochs": None, "max_steps_per_epoch": None,
}


def floatx():
    """The default float type of weights and of `ops.ones`, `ops.zeros`, ... ('float32')."""
    return _settings["floatx"]


def set_floatx(value):
    if value not in _FLOAT_TYPES:
        raise ValueError(f"set_floatx: unknown or unsupported float type {value!r}; use one of {_FLOAT_TYPES} "
                         "(float64 needs jax x64, which symk keeps off, as Keras on JAX does by default)")
    _settings["floatx"] = value


def epsilon():
    """The fuzz factor numeric expressions add to avoid dividing by zero (1e-7)."""
    return _settings["epsilon"]


def set_epsilon(value):
    _settings["epsilon"] = float(value)


def image_data_format():
    """'channels_last' (the default) or 'channels_first': the layout conv and pooling layers assume."""
    return _settings["image_data_format"]


def set_image_data_format(data_format):
    value = str(data_format).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"image_data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    _settings["image_data_format"] = value


def backend():
    """symk always computes with JAX."""
    return "jax"


def set_backend(backend):
    if backend != "jax":
        raise ValueError(f"symk runs on JAX only; set_backend({backend!r}) is not possible. Use Keras itself for "
                         "the TensorFlow, PyTorch or OpenVINO backends.")


def enable_unsafe_deserialization():
    """Let `load_model` and friends rebuild Lambda layers from the bytecode in a file (safe_mode=False)."""
    _settings["unsafe_deserialization"] = True


def unsafe_deserialization_enabled():
    return _settings["unsafe_deserialization"]


def enable_interactive_logging():
    """Progress bars and summaries print to stdout (the default)."""
    _settings["interactive_logging"] = True


def disable_interactive_logging():
    """Progress bars and summaries go to Python's `logging` (logger 'symk') instead of stdout."""
    _settings["interactive_logging"] = False


def is_interactive_logging_enabled():
    return _settings["interactive_logging"]


def enable_traceback_filtering():
    _settings["traceback_filtering"] = True


def disable_traceback_filtering():
    _settings["traceback_filtering"] = False


def is_traceback_filtering_enabled():
    """symk's errors are raised where the user's code called; kept for Keras compatibility."""
    return _settings["traceback_filtering"]


def enable_flash_attention():
    """Ask `ops.dot_product_attention` for a fused (flash) kernel where XLA offers one."""
    _settings["flash_attention"] = True


def disable_flash_attention():
    _settings["flash_attention"] = False


def is_flash_attention_enabled():
    """None (the default: let XLA choose), True or False."""
    return _settings["flash_attention"]


def is_nnx_enabled():
    """symk does not use Flax NNX."""
    return False


def max_epochs():
    """A global cap on `fit`'s epochs (None: no cap), for quick runs of long scripts."""
    return _settings["max_epochs"]


def set_max_epochs(max_epochs):
    _settings["max_epochs"] = None if max_epochs is None else int(max_epochs)


def max_steps_per_epoch():
    """A global cap on the steps of one epoch in `fit`/`evaluate`/`predict` (None: no cap)."""
    return _settings["max_steps_per_epoch"]


def set_max_steps_per_epoch(max_steps_per_epoch):
    _settings["max_steps_per_epoch"] = None if max_steps_per_epoch is None else int(max_steps_per_epoch)


def dtype_policy():
    """The global dtype policy (mixed precision): <DTypePolicy "float32"> unless set_dtype_policy changed it."""
    # NOTE: imported here: dtype_policies reads floatx() from this module, which stays the lowest layer
    from .dtype_policies import global_policy

    return global_policy()


def set_dtype_policy(policy):
    """set_dtype_policy("mixed_bfloat16"): layers created afterwards compute in bfloat16, keep float32 variables."""
    from .dtype_policies import set_global_policy

    set_global_policy(policy)
