"""Running the distribution tests' workers: several OS processes started together (XLA_FLAGS must be set
before jax starts, so each forced-device or multi-host run is its own process), each writing a JSON result."""
import json
import os
import socket
import subprocess
import sys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_environment() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KERAS_DISTRIBUTION_")}
    env.pop("XLA_FLAGS", None)  # the worker sets its own device count
    env["JAX_PLATFORMS"] = "cpu"
    return env


def run_workers(worker: str, commands: dict, folder, timeout_s: int) -> dict:
    """{name: the JSON its worker wrote, or the RuntimeError of a failed worker}, plus "logs" and "folder".
    Each command is [role, result path, *arguments]; all run at once, each bounded by timeout_s."""
    procs = {name: subprocess.Popen([sys.executable, worker] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    env=worker_environment(), text=True) for name, args in commands.items()}
    outputs = {}
    try:
        for name, proc in procs.items():
            outputs[name] = proc.communicate(timeout=timeout_s)[0]
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
    results = {}
    for name, args in commands.items():
        if procs[name].returncode != 0:
            results[name] = RuntimeError(f"worker {name} failed ({procs[name].returncode}):\n"
                                         f"{outputs.get(name, '')[-4000:]}")
            continue
        with open(args[1]) as f:
            results[name] = json.load(f)
    results["logs"] = outputs
    results["folder"] = folder
    return results


def result(runs: dict, name: str):
    """One worker's result; a failed worker's error is raised in the test that reads it."""
    if isinstance(runs[name], Exception):
        raise runs[name]
    return runs[name]
