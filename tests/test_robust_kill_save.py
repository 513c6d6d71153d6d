"""A save killed at any moment leaves the old file or the new one, and the next save removes its temp file.

A child process builds the model once, then for each trial forks a writer that saves the
model's new weights in a loop; the test kills the writer (SIGKILL) after a random delay, loads
the file (it must hold the old weights or the new ones), then saves again and checks that no
temp file is left in the directory. Temp files of writers that are still running are kept.
"""
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import symk
from symk.saving.files import remove_stale_temp_files

TRIALS = 10
CHILD = r"""
import os, sys
import numpy as np
import symk

path, new = sys.argv[1], np.load(sys.argv[2])
model = symk.Sequential([symk.layers.Input((512,)), symk.layers.Dense(512, name="a"), symk.layers.Dense(256, name="b")],
                        name="big")
model.set_weights([new[f"w{i}"] for i in range(len(new.files))])
print("ready", flush=True)
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:  # the writer: saves until it is killed
        while True:
            model.save(path)
    print(pid, flush=True)
    os.waitpid(pid, 0)
    print("reaped", flush=True)
"""


def big_model():
    return symk.Sequential([symk.layers.Input((512,)), symk.layers.Dense(512, name="a"),
                            symk.layers.Dense(256, name="b")], name="big")


def _temp_files(directory) -> list:
    return [name for name in os.listdir(directory) if name.endswith(".tmp")]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="the writer is forked")
def test_killed_saves_leave_old_or_new_and_no_temp_file_after_the_next_save(tmp_path):
    old_model = big_model()
    old = old_model.get_weights()
    new = [w + 1.0 for w in old]
    np.savez(tmp_path / "new.npz", **{f"w{i}": w for i, w in enumerate(new)})
    path = tmp_path / "model.h5"
    old_model.save(path)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(tmp_path / "new.npz")], text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "JAX_PLATFORMS": "cpu"})
    rng = random.Random(16)
    left_behind, outcomes = 0, []
    try:
        assert child.stdout.readline().strip() == "ready"
        for _ in range(TRIALS):
            child.stdin.write("go\n")
            child.stdin.flush()
            writer = int(child.stdout.readline())
            time.sleep(rng.uniform(0.0, 0.4))
            os.kill(writer, signal.SIGKILL)
            assert child.stdout.readline().strip() == "reaped"
            left_behind += len(_temp_files(tmp_path))
            loaded = symk.models.load_model(path).get_weights()
            is_old = all(np.array_equal(a, b) for a, b in zip(loaded, old))
            is_new = all(np.array_equal(a, b) for a, b in zip(loaded, new))
            assert is_old or is_new, "a killed save left a file that is neither the old nor the new one"
            outcomes.append("new" if is_new else "old")
            old_model.save(path)  # the next save of the same path
            assert _temp_files(tmp_path) == [], "the next save left a killed save's temp file behind"
    finally:
        child.kill()
        child.wait()
    print(f"{TRIALS} killed saves: {outcomes.count('old')} left the old file, {outcomes.count('new')} the new one; "
          f"{left_behind} temp file(s) found after the kill, none after the next save")


def test_the_next_save_or_load_removes_temp_files_of_ended_writers_only(tmp_path):
    path = tmp_path / "m.h5"
    model = big_model()
    model.save(path)
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    prefix = f".m.h5.symk-{symk.saving.files._host()}-"
    stale = tmp_path / f"{prefix}{int(ended.stdout)}-abc.tmp"
    live = tmp_path / f"{prefix}{os.getppid()}-def.tmp"   # our parent is alive
    other = tmp_path / f".other.h5.symk-{symk.saving.files._host()}-{int(ended.stdout)}-ghi.tmp"
    for file in (stale, live, other):
        file.write_bytes(b"half a save")
    symk.models.load_model(path)
    assert not stale.exists() and live.exists() and other.exists()
    stale.write_bytes(b"half a save")
    model.save(path)
    assert not stale.exists() and live.exists()
    assert remove_stale_temp_files(str(tmp_path / "other.h5")) == [other.name]
