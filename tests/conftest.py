"""Test settings: jax raises on implicit rank promotion (shape bugs surface here), hypothesis
has no deadline (JAX compiles make per-example timings flaky), and each test starts with a
fresh default graph, fresh layer names and a fixed seed."""
import os

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
