"""The full ONNX backend test suite through symk.onnx.backend, outside pytest: pass/fail per test and the
failures grouped by cause (the figures of benchmarks/RESULTS.md). Run by hand; it takes minutes.

    .venv/bin/python benchmarks/onnx_backend_suite_report.py [--kind node|real|pytorch-converted|pytorch-operator|models|all]
        [--only REGEX] [--json out.json]
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import signal
import time
import warnings

import numpy as np


def run_case(case, backend, runner_cls):
    from onnx.backend.test.runner import _normalize_tensor  # noqa: PLC2701 - the runner's own normalizer

    rep = backend.prepare(case.model, "CPU")
    for inputs, ref_outputs in case.data_sets:
        outs = rep.run([_normalize_tensor(x) for x in inputs])
        runner_cls.assert_similar_outputs([_normalize_tensor(x) for x in ref_outputs], outs, rtol=case.rtol,
                                          atol=case.atol)


def cause_of(err: Exception) -> str:
    text = str(err).split("\n")[0]
    m = re.search(r"uses operator '(\w+)'", text)
    if m:
        return f"unsupported operator {m.group(1)}"
    if isinstance(err, AssertionError):
        return "wrong values or dtype"
    text = re.sub(r"'[^']*'", "'…'", text)
    text = re.sub(r"\d+", "N", text)
    return f"{type(err).__name__}: {text[:110]}"


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout("over the per-test time limit")


def node_cases():
    from onnx.backend.test.loader import load_model_tests

    return load_model_tests(kind="node")


def model_case_tests(kind):
    """Model tests (light models, pytorch-converted/operator) run through BackendTest's own functions."""
    import unittest

    import onnx.backend.test

    import symk.onnx.backend as backend

    bt = onnx.backend.test.BackendTest(backend, __name__)
    cls = {"real": "OnnxBackendRealModelTest", "pytorch-converted": "OnnxBackendPyTorchConvertedModelTest",
           "pytorch-operator": "OnnxBackendPyTorchOperatorModelTest"}[kind]
    case = bt.test_cases[cls]
    return [(name, getattr(case(name), name)) for name in unittest.TestLoader().getTestCaseNames(case)
            if name.endswith("_cpu")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", default="node")
    parser.add_argument("--only", default=None)
    parser.add_argument("--json", default=None)
    parser.add_argument("--limit", type=int, default=60)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from onnx.backend.test.runner import Runner

    import symk.onnx.backend as backend

    signal.signal(signal.SIGALRM, _alarm)
    results = {}
    kinds = {"all": ["node", "real", "pytorch-converted", "pytorch-operator"],
             "models": ["real", "pytorch-converted", "pytorch-operator"]}.get(args.kind, [args.kind])
    start = time.perf_counter()
    for kind in kinds:
        if kind == "node":
            items = [(c.name, lambda c=c: run_case(c, backend, Runner)) for c in node_cases()]
        else:
            items = model_case_tests(kind)
        for name, fn in items:
            if args.only and not re.search(args.only, name):
                continue
            signal.alarm(args.limit)
            t = time.perf_counter()
            try:
                fn()
                results[name] = ("pass", "", time.perf_counter() - t)
            except Exception as err:  # noqa: BLE001 - every failure is recorded with its cause
                results[name] = ("fail", cause_of(err), time.perf_counter() - t)
            finally:
                signal.alarm(0)
    total = len(results)
    passed = sum(r[0] == "pass" for r in results.values())
    print(f"{passed}/{total} passed in {time.perf_counter() - start:.0f} s")
    causes = collections.Counter(r[1] for r in results.values() if r[0] != "pass")
    for cause, count in causes.most_common():
        print(f"{count:5d}  {cause}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({k: list(v) for k, v in results.items()}, f, indent=0)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
