"""symk.viz.write_html in a real browser: headless chromium opens the page; the DOM and a screenshot show the
layer groups, expanding one shows its ops, search finds a node, the pass-diff toggle works, no script errors."""
import os
import re
import time

import pytest

import symk as keras
from symk import layers

from chromium_driver import Chromium, find_chromium, png_pixels

pytestmark = pytest.mark.xdist_group("browser")  # the module's fixture runs once, on one worker

try:
    import websocket  # noqa: F401  (websocket-client drives chromium's DevTools protocol)
except ImportError:
    websocket = None

needs_browser = pytest.mark.skipif(
    find_chromium() is None or websocket is None,
    reason="no chromium on PATH (scripts/test.sh installs Debian's `chromium` as root; or apt-get install chromium)"
    if find_chromium() is None else "websocket-client is not installed (pip install 'symk[test]')")

READY = "document.body.dataset.ready === '1'"
GROUP_FILL, CLUSTER_FILL = (220, 232, 248), (238, 243, 251)  # explorer.css: g.group rect, .cluster rect


def small_cnn():
    inputs = keras.Input((8, 8, 3), name="image")
    x = layers.Conv2D(4, 3, padding="same", name="conv")(inputs)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.ReLU(name="relu")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    return keras.Model(inputs, layers.Dense(2, name="head")(x), name="small_cnn")


def deep_residual_cnn(blocks: int):
    """5 layers a block: a ResNet-like depth (blocks=100: ~500 layers) on tiny shapes."""
    inputs = keras.Input((4, 4, 2), name="image")
    x = layers.Conv2D(2, 3, padding="same", name="stem")(inputs)
    for i in range(blocks):
        y = layers.Conv2D(2, 3, padding="same", name=f"block{i}_conv1")(x)
        y = layers.ReLU(name=f"block{i}_relu")(y)
        y = layers.Conv2D(2, 3, padding="same", name=f"block{i}_conv2")(y)
        x = layers.ReLU(name=f"block{i}_out")(layers.Add(name=f"block{i}_add")([x, y]))
    return keras.Model(inputs, layers.Dense(3, name="head")(layers.GlobalAveragePooling2D(name="pool")(x)),
                       name="deep")


def colour_count(png: bytes, colour: tuple) -> int:
    _, _, rows = png_pixels(png)
    return sum(pixel == colour for row in rows for pixel in row)


@pytest.fixture(scope="module")
def browser():  # one chromium for the module: starting one takes seconds
    with Chromium(width=1000, height=700) as chromium:
        yield chromium


def open_page(browser, path):
    browser.open(path)
    browser.wait_for(READY)


def drawn(browser, selector: str) -> list:
    return browser.evaluate(f"[...document.querySelectorAll('{selector}')].map(e => e.dataset.id)")


def test_page_is_self_contained(tmp_path):
    page = open(keras.viz.write_html(small_cnn(), tmp_path / "cnn.html"), encoding="utf-8").read()
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)  # nothing to fetch
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page)


def test_cli_writes_the_page_with_a_before_after_toggle(tmp_path, capsys):
    import json

    from symk.cli import main

    small_cnn().save(str(tmp_path / "cnn.h5"))
    out = tmp_path / "graph.html"
    assert main(["graph", str(tmp_path / "cnn.h5"), "--level", "ops", "--diff", "-o", str(out)]) == 0
    assert "before/after the inference pipeline" in capsys.readouterr().out
    data = re.search(r'<script id="symk-data" type="application/json">(.*?)</script>', out.read_text(), re.S)
    page = json.loads(data.group(1).replace("<\\/", "</"))
    assert [g["title"] for g in page["graphs"]] == ["before inference passes", "after inference passes"]
    assert main(["graph", str(tmp_path / "cnn.h5"), "--format", "html"]) == 1  # a page needs -o


@needs_browser
def test_groups_expand_search_and_side_panel(browser, tmp_path):
    model = small_cnn()
    open_page(browser, keras.viz.write_html(model, tmp_path / "cnn.html"))
    # one collapsed group per layer (every layer here makes ops), nothing else at top level
    assert drawn(browser, "g.group") and len(drawn(browser, "g.group")) == len(model.layers)
    assert drawn(browser, "g.node") == []
    before = browser.screenshot(scale=0.5)
    assert colour_count(before, GROUP_FILL) > 500 and colour_count(before, CLUSTER_FILL) == 0

    browser.evaluate("document.querySelector('g.group[data-group=\"conv\"]').dispatchEvent(new MouseEvent('click'))")
    browser.wait_for(READY)
    graph = model.graph
    conv_ops = {str(n) for n in graph.nx.nodes if tuple(graph.node(n).get("scope") or ()) == ("conv",)}
    conv_ops |= {str(n) for n in graph.nx.nodes if graph.op(n) == "parameter" and graph.node(n)["name"].startswith("conv/")}
    assert set(drawn(browser, "g.node")) == conv_ops  # the conv, its bias_add, its kernel and bias
    assert len(drawn(browser, "g.group")) == len(model.layers) - 1
    assert colour_count(browser.screenshot(scale=0.5), CLUSTER_FILL) > 200  # the opened group's box is drawn

    (target,) = [n for n in graph.nx.nodes if graph.op(n) == "matmul"]
    name = graph.node(target)["name"]
    assert browser.evaluate(f"symkExplorer.search({name!r})") == 1
    assert drawn(browser, "g.match") == [str(target)]
    assert browser.evaluate("document.getElementById('search-status').textContent") == "1 match"
    browser.evaluate(f"document.querySelector('g[data-id=\"{target}\"]').dispatchEvent(new MouseEvent('click'))")
    panel = browser.evaluate("document.getElementById('details').innerText")
    assert name in panel and "(None, 2)" in panel and "head" in panel
    assert browser.errors == []


@needs_browser
def test_before_after_toggle_shows_the_pass_diff(browser, tmp_path):
    model = small_cnn()
    open_page(browser, keras.viz.write_html(model, tmp_path / "diff.html", compare="inference"))
    buttons = browser.evaluate("[...document.querySelectorAll('#versions button')].map(b => b.textContent)")
    assert buttons == ["before inference passes", "after inference passes"]
    browser.evaluate("symkExplorer.expand('bn')")
    assert drawn(browser, "g.node.removed")  # batch norm's ops fold away
    browser.evaluate("document.querySelectorAll('#versions button')[1].click()")
    browser.wait_for(READY)
    assert browser.evaluate("document.querySelector('#versions button.active').textContent") == buttons[1]
    browser.evaluate("symkExplorer.expand('conv')")
    assert drawn(browser, "g.node.removed") == []
    assert drawn(browser, "g.node.fused, g.node.added, g.node.rewritten, g.node.folded")
    assert browser.errors == []


@needs_browser
def test_layer_level_page_groups_nested_models(browser, tmp_path):
    inner_in = keras.Input((5,))
    inner = keras.Model(inner_in, layers.Dense(3, name="hidden")(layers.Dense(4, name="first")(inner_in)),
                        name="inner")
    outer_in = keras.Input((5,), name="x")
    model = keras.Model(outer_in, layers.Dense(2, name="out")(inner(outer_in)), name="outer")
    open_page(browser, keras.viz.write_html(model, tmp_path / "layers.html", level="layer"))
    assert drawn(browser, "g.group") == ["group:inner"]
    browser.evaluate("symkExplorer.expand('inner')")
    names = browser.evaluate("[...document.querySelectorAll('g.node text.name')].map(t => t.textContent)")
    assert {"first", "hidden"} <= set(names)
    assert browser.errors == []


@needs_browser
@pytest.mark.slow
def test_a_500_layer_model_opens_without_freezing_the_page(browser, tmp_path):
    model = deep_residual_cnn(100)
    assert len(model.layers) >= 500
    path = keras.viz.write_html(model, tmp_path / "deep.html")
    assert os.path.getsize(path) < 3_000_000
    browser.open(path)
    # the layout runs in a worker: the page answers scripts while it is busy
    started = time.monotonic()
    browser.evaluate("1 + 1")
    assert time.monotonic() - started < 1.0
    browser.wait_for(READY, timeout=60)
    assert len(drawn(browser, "g.group")) == len(model.layers)
    assert browser.evaluate("symkExplorer.search('block77_add')") == 1
    assert drawn(browser, "g.match")
    assert browser.errors == []
