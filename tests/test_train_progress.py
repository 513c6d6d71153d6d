"""The progress display: Keras's line format, no carriage-return redraws when stdout is not a
terminal, the final line written once with loss first, and step times taken after the device."""
import io
import re
import time

import numpy as np

from symk import optimizers
from symk.layers import Dense
from symk.models import Sequential
from symk.training.lazy_logs import LazyLogs
from symk.training.progbar import Progbar, format_time

FINAL_LINE = re.compile(r"^7/7 \[={30}\] - \d+s \d+(ms|us|s)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}$")


def _fit(verbose, epochs=2):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = Sequential([Dense(4, activation="relu", input_shape=(3,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.SGD(0.1), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=8, epochs=epochs, verbose=verbose)


def test_piped_verbose_1_writes_plain_lines_and_each_final_line_once(capsys):
    _fit(verbose=1)
    out = capsys.readouterr().out
    assert "\r" not in out and "\b" not in out
    lines = out.splitlines()
    assert lines[0] == "Epoch 1/2" and "Epoch 2/2" in lines
    finals = [line for line in lines if line.startswith("7/7")]
    assert len(finals) == 2 and all(FINAL_LINE.match(line) for line in finals), finals
    assert not any(line.startswith("0/") or line.startswith(" 0/") for line in lines)
    for line in lines[1:]:
        if "loss" in line and "accuracy" in line:
            assert line.index("loss") < line.index("accuracy")   # Keras's order, whatever the device's


def test_verbose_2_is_one_line_per_epoch_in_keras_3_format(capsys):
    _fit(verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0::2] == ["Epoch 1/2", "Epoch 2/2"]
    assert all(re.match(r"^7/7 - \d+s - \d+(ms|us|s)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}$", line)
               for line in lines[1::2]), lines


def test_terminal_display_redraws_in_place_and_ends_with_one_newline():
    stream = io.StringIO()
    bar = Progbar(4, file=stream, dynamic=True, refresh_seconds=0.0)
    for step in range(1, 5):
        bar.update(step, {"loss": 0.25})
    bar.finish({"loss": 0.125, "accuracy": 0.5})
    out = stream.getvalue()
    assert "0/4" not in out and out.count("\n") == 1 and out.endswith("\n")
    frames = [frame.rstrip() for frame in out.strip("\n").split("\r") if frame]
    assert frames[0].startswith("1/4 [=======") and "ETA:" in frames[0]
    assert re.match(r"^4/4 \[={30}\] - 0s \d+(us|ms)/step - loss: 0\.1250 - accuracy: 0\.5000$", frames[-1])


def test_unknown_target_counts_then_finishes_as_a_full_bar():
    stream = io.StringIO()
    bar = Progbar(None, file=stream, dynamic=False, refresh_seconds=0.0)
    bar.update(1, {"loss": 1.0})
    bar.update(2, {"loss": 1.0})
    bar.finish({"loss": 1.0})
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("      1/Unknown - ") and lines[-1].startswith("2/2 [" + "=" * 30 + "]")


def test_final_step_time_is_taken_after_the_logs_are_fetched():
    """The logs of an epoch come from the device; the time shown must include waiting for them."""
    def slow_device_values():
        time.sleep(0.3)
        return {"loss": 0.5}

    stream = io.StringIO()
    bar = Progbar(1, verbose=2, file=stream)
    bar.update(1, LazyLogs(slow_device_values))   # verbose=2 never reads batch logs
    bar.finish(LazyLogs(slow_device_values))
    per_step = re.search(r"- (\d+)(ms|s)/step", stream.getvalue())
    assert per_step is not None
    milliseconds = int(per_step.group(1)) * (1 if per_step.group(2) == "ms" else 1000)
    assert milliseconds >= 300


def test_time_formats_follow_keras():
    assert (format_time(2.4), format_time(0.0153), format_time(0.0003), format_time(0)) == \
        ("2s", "15ms", "300us", "0s")
