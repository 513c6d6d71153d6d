"""The founding tutorials (../shared/seeds) as programs: each runs to the end with symk.

Each script asserts on its own results (shapes, history lengths, round-trips); this test checks
that it exits cleanly and prints what the tutorial prints."""
import pathlib
import subprocess
import sys

import pytest

TUTORIALS = sorted((pathlib.Path(__file__).parent.parent / "examples" / "tutorials").glob("t*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("script", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs(script, tmp_path):
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600,
                            cwd=tmp_path)
    assert result.returncode == 0, f"{script.name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    assert "Traceback" not in result.stderr


def test_every_tutorial_is_covered():
    assert {p.stem[:4] for p in TUTORIALS} == {"t000", "t001", "t002", "t003", "t004"}
