"""Test settings: jax raises on implicit rank promotion (shape bugs surface here), hypothesis
has no deadline (JAX compiles make per-example timings flaky), and each test starts with a
fresh default graph, fresh layer names and a fixed seed."""
import os

# XLA's backend at -O0: the suite is mostly compiling small programs, which this makes ~30% faster
# (measured on tests/test_layers_augmentation_more.py + test_tutorials.py: 149 s -> 106 s); numerics are
# IEEE either way. Set before jax starts; a user's own optimization level is kept.
if "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_backend_optimization_level=0").strip()

import jax
import pytest
from hypothesis import settings

jax.config.update("jax_numpy_rank_promotion", "raise")
settings.register_profile("symk", deadline=None, max_examples=100, print_blob=True)
# CI draws the same examples every run (a red CI always reproduces); local runs keep exploring new ones
settings.register_profile("ci", parent=settings.get_profile("symk"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "symk")


@pytest.fixture(autouse=True)
def fresh_session():
    import symk

    symk.backend.clear_session()
    symk.utils.set_random_seed(1234)
    yield
