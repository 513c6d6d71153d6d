"""The three files on which libhdf5 looped for ever (tests/references/hanging_h5/README.md) fail fast.

Each load runs in a subprocess with a timeout, so a regression shows as a failure, not a hung suite.
"""
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import symk
from symk.errors import FileFormatError
from symk.saving.heap_guard import HeapGuard

HANGING = Path(__file__).parent / "references" / "hanging_h5"
SCRIPT = """
import sys, time, warnings
warnings.simplefilter("ignore")
import symk
from symk.errors import FileFormatError
for path in sys.argv[1:]:
    start = time.perf_counter()
    try:
        if "weights" in path:
            a, b = symk.layers.Input((3,)), symk.layers.Input((2,))
            symk.Model([a, b], symk.layers.Dense(1)(symk.layers.Concatenate()([a, b]))).load_weights(path)
        else:
            symk.models.load_model(path)
        print("LOADED", path)
    except FileFormatError as err:
        print(f"REFUSED {time.perf_counter() - start:.3f} {err}")
"""


@pytest.mark.slow
def test_files_that_hung_libhdf5_are_refused_fast():
    files = sorted(str(p) for p in HANGING.glob("*.h5"))
    assert len(files) == 3
    run = subprocess.run([sys.executable, "-c", SCRIPT, *files], capture_output=True, text=True, timeout=240,
                         env={**os.environ, "JAX_PLATFORMS": "cpu"})
    lines = [line for line in run.stdout.splitlines() if line.startswith(("REFUSED", "LOADED"))]
    assert len(lines) == 3, run.stdout + run.stderr
    for line, path in zip(lines, files):
        verdict, seconds, message = line.split(" ", 2)
        assert verdict == "REFUSED" and float(seconds) < 1.0, line
        assert os.path.basename(path) in message and "global heap collection" in message, line


def _file_with_a_zero_step_heap(path: Path) -> None:
    """A valid file, then its heap's free-space entry given size 0: what made libhdf5 loop."""
    with h5py.File(path, "w") as f:
        f.attrs["note"] = "some text in the global heap"
    data = bytearray(path.read_bytes())
    at = data.index(b"GCOL")
    p = at + 16
    while int.from_bytes(data[p:p + 2], "little") != 0:  # skip to the free-space object (index 0)
        p += 16 + (int.from_bytes(data[p + 8:p + 16], "little") + 7) // 8 * 8
    data[p + 8:p + 16] = bytes(8)
    path.write_bytes(bytes(data))


def test_the_guard_finds_a_zero_step_in_a_heap_without_reading_it(tmp_path):
    path = tmp_path / "zero_step.h5"
    _file_with_a_zero_step_heap(path)
    with h5py.File(path, "r") as f:
        guard = HeapGuard(str(path), f)
        with pytest.raises(FileFormatError, match=r"attribute 'note'.*global heap collection.*size 0"):
            guard.check_object(f, "attribute 'note'")
        guard.close()


def test_the_guard_passes_intact_files_and_checks_their_heaps(tmp_path):
    model = symk.Sequential([symk.layers.Input((3,)), symk.layers.Dense(2)])
    model.save(tmp_path / "m.h5")
    references = HANGING.parent
    for path in [tmp_path / "m.h5", references / "keras2" / "mlp.h5", references / "keras3" / "mlp_compiled.h5"]:
        with h5py.File(path, "r") as f:
            guard = HeapGuard(str(path), f)
            guard.check_object(f, "root")
            guard.check_object(f["model_weights"], "model_weights")
            assert guard.checked, path  # the strings' collection was found and walked
            guard.close()


def test_the_guard_reads_version_2_object_headers(tmp_path):
    path = tmp_path / "latest.h5"
    with h5py.File(path, "w", libver="latest") as f:
        f.attrs["names"] = np.array(["a" * 40, "b"], dtype=h5py.string_dtype())
    with h5py.File(path, "r") as f:
        guard = HeapGuard(str(path), f)
        guard.check_object(f, "root")
        assert guard.checked
        guard.close()
