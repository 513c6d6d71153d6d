"""ONNX import, quantize operators (placeholder: filled in by the work on issue 19)."""
from __future__ import annotations
