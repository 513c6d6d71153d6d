"""Record which keys Keras 3 puts in the `logs` of every callback hook during fit (with validation),
evaluate and predict, for tests/test_callbacks_logs.py.

    /tmp/kerasref/bin/python tools/keras_refs/make_callbacks_logs.py
writes tests/references/keras3/callbacks/hook_logs.json: {"fit": [[hook, keys], ...], "evaluate": ..., "predict": ...}.
"""
import json
import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "references" / "keras3" / "callbacks"
HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
         "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
         "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end"]


def recorder(events):
    class Recorder(keras.callbacks.Callback):
        pass

    def make(hook):
        def method(self, *args, **kwargs):
            logs = kwargs["logs"] if "logs" in kwargs else (args[-1] if args and not isinstance(args[-1], int)
                                                            else None)
            events.append([hook, None if logs is None else sorted(logs)])
        return method

    for hook in HOOKS:
        setattr(Recorder, hook, make(hook))
    return Recorder()


def main():
    x = np.random.RandomState(0).random_sample((8, 3)).astype("float32")
    y = np.random.RandomState(1).random_sample((8, 1)).astype("float32")
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile("sgd", "mse", metrics=["mae"])
    out = {}
    for name, run in (("fit", lambda cb: model.fit(x, y, batch_size=4, epochs=1, verbose=0, validation_data=(x, y),
                                                    callbacks=[cb])),
                      ("evaluate", lambda cb: model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[cb])),
                      ("predict", lambda cb: model.predict(x, batch_size=4, verbose=0, callbacks=[cb]))):
        events = []
        run(recorder(events))
        out[name] = events
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "hook_logs.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
