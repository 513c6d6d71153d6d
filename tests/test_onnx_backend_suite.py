"""ONNX's own backend test suite (onnx.backend.test.BackendTest) through symk.onnx.backend.

The full node suite (1,884 tests) takes about 15 minutes here, so CI runs a fixed sample: every 30th node
test by name (63), plus the nine light models (squeezenet in the normal run, the others marked slow).
tests/onnx_backend_expected_failures.txt lists the node tests that fail today, one per line with its cause
group (from `benchmarks/onnx_backend_suite_report.py --json`): a sampled test outside that list must pass,
so a regression fails here. The full figures are in benchmarks/RESULTS.md.
"""
import pathlib
import unittest
import warnings

import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
import onnx.backend.test  # noqa: E402

import symk.onnx.backend as backend  # noqa: E402

SAMPLE_EVERY = 30
EXPECTED_FAILURES_FILE = pathlib.Path(__file__).with_name("onnx_backend_expected_failures.txt")
LIGHT_MODELS = ["bvlc_alexnet", "densenet121", "inception_v1", "inception_v2", "resnet50", "shufflenet",
                "squeezenet", "vgg19", "zfnet512"]
FAST_LIGHT = {"squeezenet"}

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the node cases' own numpy warnings (divide by zero, ...)
    SUITE = onnx.backend.test.BackendTest(backend, __name__)
# NOTE: kept in a dict, never as module globals: pytest would collect the unittest classes (all 4,000 tests)
CLASSES = {"node": SUITE.test_cases["OnnxBackendNodeModelTest"], "real": SUITE.test_cases["OnnxBackendRealModelTest"]}
del SUITE
NODE_NAMES = sorted(n for n in dir(CLASSES["node"]) if n.startswith("test_") and n.endswith("_cpu"))
SAMPLE = NODE_NAMES[::SAMPLE_EVERY]


def expected_failures() -> set:
    lines = EXPECTED_FAILURES_FILE.read_text().splitlines()
    return {line.split()[0] for line in lines if line.strip() and not line.startswith("#")}


def _problem(case_class, name) -> str:
    """One test of ONNX's BackendTest, run by unittest: "" when it passed, else what went wrong (a skip that
    ONNX's runner asked for skips this test)."""
    result = unittest.TestResult()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case_class(name).run(result)
    if result.skipped:
        raise unittest.SkipTest(result.skipped[0][1])
    problems = result.errors + result.failures
    if problems:
        return f"{name}: {problems[0][1]}"
    return "" if result.testsRun == 1 else f"{name}: ONNX's runner ran {result.testsRun} tests"


def test_the_sample_is_fixed_and_the_suite_is_whole():
    assert len(NODE_NAMES) >= 1800, "onnx ships fewer node tests than the sample was drawn from"
    assert len(SAMPLE) == len(NODE_NAMES[::SAMPLE_EVERY])


@pytest.mark.parametrize("name", [n for n in SAMPLE if n[: -len("_cpu")] not in expected_failures()])
def test_sampled_node_test_passes(name):
    problem = _problem(CLASSES["node"], name)
    assert not problem, problem


@pytest.mark.parametrize("name", [n for n in SAMPLE if n[: -len("_cpu")] in expected_failures()])
def test_sampled_expected_failure_still_fails(name):
    """An expected failure that now passes should leave the list (the figures in RESULTS.md move too)."""
    # any failure counts: unsupported operator, wrong values, ...
    assert _problem(CLASSES["node"], name), f"{name} passes now: take it off the expected failures list"


@pytest.mark.parametrize("model", [pytest.param(m, marks=() if m in FAST_LIGHT else pytest.mark.slow)
                                   for m in LIGHT_MODELS])
def test_light_model_matches_its_shipped_outputs(model):
    """ONNX's runner feeds the model's dummy input and compares with light_<model>_output_0.pb (rtol 1e-3)."""
    problem = _problem(CLASSES["real"], f"test_{model}_cpu")
    assert not problem, problem
