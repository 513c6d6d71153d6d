"""Redraw docs/images/explorer_digits_cnn.png: the HTML explorer (symk.viz.write_html) on the main example's model
(examples/digits_cnn.py), at op level, photographed by headless chromium.

    python docs/images/make_explorer_screenshot.py    # needs Debian's chromium and websocket-client
"""
import os
import sys
import tempfile

import symk as keras
from symk import layers

HERE = os.path.dirname(os.path.abspath(__file__))
READY = "document.body.dataset.ready === '1'"  # the page sets it once its layout is drawn

model = keras.Sequential([  # the model of examples/digits_cnn.py
    keras.Input(shape=(8, 8, 1)),
    layers.Conv2D(32, kernel_size=(5, 5), activation="relu", padding="same"),
    layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)),
    layers.Conv2D(64, kernel_size=(5, 5), activation="relu", padding="same"),
    layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
    layers.Flatten(),
    layers.Dropout(0.3),
    layers.Dense(1000, activation="relu"),
    layers.Dense(10, activation="softmax"),
], name="digits_cnn")

sys.path.insert(0, os.path.join(HERE, "..", "..", "tests"))
from chromium_driver import Chromium  # noqa: E402  (the DevTools client the browser tests use)

with tempfile.TemporaryDirectory() as folder, Chromium(width=1280, height=1000) as browser:
    page = keras.viz.write_html(model, os.path.join(folder, "digits_cnn.html"), level="op", compare="inference")
    browser.open(str(page))
    browser.wait_for(READY)
    # open the first convolution's group, so the picture shows a layer's ops as well as the collapsed layers
    browser.evaluate("document.querySelector('g.group[data-group=\"conv2d\"]').dispatchEvent(new MouseEvent('click'))")
    browser.wait_for(READY)
    target = os.path.join(HERE, "explorer_digits_cnn.png")
    with open(target, "wb") as f:
        f.write(browser.screenshot())
    print("wrote", target)
