"""The Keras reference files under tests/references/ and their manifest entries, for the tests that read them."""
import json
import pathlib

import numpy as np

REFS = pathlib.Path(__file__).parent / "references"
MANIFEST = json.loads((REFS / "manifest.json").read_text())


def manifest_entry(file: str) -> dict:
    """The manifest's description of one reference file ('keras3/losses_metrics.npz')."""
    return next(e for e in MANIFEST["files"] if e["file"] == file)


def losses_metrics_reference(section: str):
    """Keras 3's loss / metric values (the npz arrays) and the manifest's specs of one section
    ('losses' or 'metrics'): which class, kwargs and inputs produced each value."""
    return np.load(REFS / "keras3/losses_metrics.npz"), manifest_entry("keras3/losses_metrics.npz")[section]
