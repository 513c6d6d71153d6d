"""Layer assets in a `.keras` archive: state Keras 3 keeps as files rather than weights or config.

    assets/layers/text_vectorization/vocabulary.txt                 an adapted TextVectorization's vocabulary
    assets/layers/text_vectorization/_lookup_layer/vocabulary.txt   (Keras also visits its inner StringLookup)
    assets/layers/string_lookup/vocabulary.txt                      an adapted StringLookup's

Paths follow the weights' layer names (`layers/<class_snake_name>[_n]`, keras3_weights.py). A layer
takes part by having save_assets(dir) / load_assets(dir), as in Keras; a vocabulary given to the
constructor is in the config instead, and its layer writes no file.
"""
from __future__ import annotations

import os
import tempfile
import warnings

ASSETS = "assets"


def _asset_layers(model) -> list:
    """(archive folder, layer) for the model's layers that keep assets."""
    from .keras3_weights import _container_names, _model_layers

    layers = _model_layers(model)
    out = []
    for name, layer in zip(_container_names(layers), layers):
        if hasattr(layer, "save_assets"):
            out.append((f"{ASSETS}/layers/{name}", layer))
            inner = getattr(layer, "_lookup", None)  # TextVectorization's StringLookup, where Keras visits it too
            if inner is not None and hasattr(inner, "save_assets"):
                out.append((f"{ASSETS}/layers/{name}/_lookup_layer", inner))
    return out


def write_assets(zf, model) -> None:
    """Each asset-keeping layer's files, written under its folder of the archive."""
    for folder, layer in _asset_layers(model):
        with tempfile.TemporaryDirectory(prefix="symk-assets-") as work:
            layer.save_assets(work)
            for file_name in sorted(os.listdir(work)):
                zf.write(os.path.join(work, file_name), f"{folder}/{file_name}")


def read_assets(zf, path: str, model) -> None:
    """Asset files back into the layers that own them; files no layer reads are named in a warning."""
    from .keras_archive import _read_member

    members = [n for n in zf.namelist() if n.startswith(ASSETS + "/") and not n.endswith("/")]
    used = set()
    for folder, layer in _asset_layers(model):
        own = [n for n in members if n.rpartition("/")[0] == folder]
        if not own:
            continue
        with tempfile.TemporaryDirectory(prefix="symk-assets-") as work:
            for member in own:
                with open(os.path.join(work, os.path.basename(member)), "wb") as out:
                    out.write(_read_member(zf, path, member))  # size- and damage-checked, as config.json
                used.add(member)
            layer.load_assets(work)
    left = sorted(set(members) - used)
    if left:
        warnings.warn(f"{path!r} holds asset files {left[:5]}{' ...' if len(left) > 5 else ''} (state Keras saves "
                      "outside the weights) that no layer of the loaded model reads; those layers keep only what "
                      "their config holds.")


def refuse_assets_in_h5(model, path: str) -> None:
    """The legacy .h5 layout has no place for assets (Keras's neither): refuse rather than drop a vocabulary."""
    for folder, layer in _asset_layers(model):
        with tempfile.TemporaryDirectory(prefix="symk-assets-") as work:
            layer.save_assets(work)
            if os.listdir(work):
                raise ValueError(
                    f"model.save({path!r}): layer {layer.name!r} ({type(layer).__name__}) keeps an adapted vocabulary, "
                    "which the legacy .h5 layout cannot hold (Keras's cannot either). Save a '.keras' archive, or "
                    "build the layer with vocabulary=layer.get_vocabulary() so that its config holds it.")
