"""ExportAPI, mixed into Model: `model.export(path, format=...)` with Keras 3's signature, for the formats
symk writes without TensorFlow: "onnx", "stablehlo" (jax.export) and "jax" (returns (fn, params))."""
from __future__ import annotations

FORMATS = ("onnx", "stablehlo", "jax")


class ExportAPI:
    def export(self, filepath, format="tf_saved_model", verbose=None, input_signature=None, **kwargs):
        """Export the model for inference. `format`: 'onnx' (an .onnx file), 'stablehlo' (an artifact folder
        for symk.export.load / jax.export.deserialize) or 'jax' (returns (fn, params); nothing is written)."""
        if format not in FORMATS:
            raise ValueError(f"Model {self.name!r}: export format {format!r} is not available in symk (it needs "
                             f"TensorFlow or another runtime); use one of {list(FORMATS)}")
        if input_signature is not None:
            raise ValueError("symk's export takes the model's own input shapes (batch axis dynamic); "
                             "input_signature is not supported, leave it None")
        if format == "onnx":
            from ..onnx.export import DEFAULT_OPSET, export_model

            export_model(self, filepath, kwargs.pop("opset_version", DEFAULT_OPSET))
        elif format == "stablehlo":
            from .stablehlo import export_stablehlo

            export_stablehlo(self, filepath)
        else:
            from .stablehlo import pure_function

            return pure_function(self)
        if kwargs:
            raise TypeError(f"Model.export got unknown arguments {sorted(kwargs)}")
        if verbose:
            print(f"Saved artifact at '{filepath}' (format {format!r}).")
        return None
