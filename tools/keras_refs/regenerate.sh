#!/usr/bin/env bash
# Regenerate tests/references/ from real Keras.  Needs network access to PyPI
# the first time (creates a throw-away venv outside the repo).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="${KERASREF_VENV:-/tmp/kerasref}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install keras jax jaxlib tf-keras tensorflow-cpu h5py numpy
fi
PY="$VENV/bin/python"
OUT="$HERE/../../tests/references"
# the files of make_keras3/make_keras2 only: sub-folders (ops/, layers_*/) are rewritten by their own scripts
find "$OUT/keras3" "$OUT/keras2" -maxdepth 1 -type f -delete 2>/dev/null || true
KERAS_BACKEND=jax "$PY" "$HERE/make_keras3.py"
KERAS_BACKEND=jax "$PY" "$HERE/dump_api_names.py"
KERAS_BACKEND=jax "$PY" "$HERE/make_ops_refs.py"
for script in "$HERE"/make_layers_*.py "$HERE/make_train_vocabulary.py" "$HERE/make_keras_archives.py"; do
  [ -f "$script" ] && KERAS_BACKEND=jax "$PY" "$script"
done
KERAS_BACKEND=jax "$PY" "$HERE/make_apps_refs.py"
KERAS_BACKEND=jax "$PY" "$HERE/make_apps_refs_modern.py"
KERAS_BACKEND=jax "$PY" "$HERE/make_family_serialization.py"
KERAS_BACKEND=jax "$PY" "$HERE/make_mixed_precision.py"
KERAS_BACKEND=jax "$PY" "$HERE/make_mixed_precision_more.py"
"$PY" "$HERE/make_keras2.py"
"$PY" "$HERE/build_manifest.py"
KERAS_BACKEND=jax "$PY" "$HERE/verify.py" keras3
"$PY" "$HERE/verify.py" keras2
du -sh "$OUT"
