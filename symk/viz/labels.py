"""Node labels for layer views: Keras 3's HTML-like tables (DOT, images) and plain text (GraphML, JSON).

    label = html_label_maker(show_shapes=True)(view.nodes["dense"])
    # '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10"><tr><td ...><b>dense</b> (Dense)...>'

Keras 3's plot_model draws each layer as a table: a black header row with the layer's name
(bold) and class, an 'Activation:' row, then one row of cells for the input shape (not for
InputLayer), output shape, output dtype and a green 'Trainable' / red 'Non-trainable' cell
(only for layers that hold weights). GraphML and JSON readers show labels as text, so the
same facts are also available as lines of plain text.
"""
from __future__ import annotations

import html
from typing import Callable

# Keras 3's table look (keras/src/utils/model_visualization.py, make_layer_label)
_TABLE_OPEN = '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
_TABLE_CLOSE = "</table>>"
_HEADER_POINTS, _CELL_POINTS = 16, 14
_TRAINABLE_COLOURS = {True: ("forestgreen", "Trainable"), False: ("firebrick", "Non-trainable")}


def _text(value) -> str:
    # layer names are user text: '<', '>' and '&' would end the HTML label early
    return html.escape(str(value), quote=False)


def _cell(caption: str, value) -> str:
    return (f'<td bgcolor="white"><font point-size="{_CELL_POINTS}">{_text(caption)}: '
            f'<b>{_text(value)}</b></font></td>')


def _holds_weights(attributes: dict) -> bool:
    return bool(attributes.get("params"))


def html_label_maker(show_shapes: bool = False, show_dtype: bool = False, show_layer_names: bool = True,
                     show_layer_activations: bool = False, show_trainable: bool = False) -> Callable[[dict], str]:
    """A function from layer-view node attributes to a Graphviz HTML-like label, drawn as Keras 3 draws it."""

    def label(attributes: dict) -> str:
        kind = attributes.get("class_name", "")
        cells = []
        if show_shapes:
            if kind != "InputLayer":
                cells.append(_cell("Input shape", attributes.get("input_shape") or "?"))
            cells.append(_cell("Output shape", attributes.get("output_shape") or "?"))
        if show_dtype:
            cells.append(_cell("Output dtype", attributes.get("dtype") or "?"))
        if show_trainable and "trainable" in attributes and _holds_weights(attributes):
            colour, word = _TRAINABLE_COLOURS[bool(attributes["trainable"])]
            cells.append(f'<td bgcolor="{colour}"><font point-size="{_CELL_POINTS}" color="white">'
                         f"<b>{word}</b></font></td>")
        span = max(1, len(cells))
        title = (f"<b>{_text(attributes.get('name', ''))}</b> ({_text(kind)})" if show_layer_names
                 else f"<b>{_text(kind)}</b>")
        rows = [f'<tr><td colspan="{span}" bgcolor="black"><font point-size="{_HEADER_POINTS}" color="white">'
                f"{title}</font></td></tr>"]
        if show_layer_activations and attributes.get("activation"):
            rows.append(f'<tr><td bgcolor="white" colspan="{span}"><font point-size="{_CELL_POINTS}">'
                        f"Activation: <b>{_text(attributes['activation'])}</b></font></td></tr>")
        if cells:
            rows.append(f"<tr>{''.join(cells)}</tr>")
        return _TABLE_OPEN + "".join(rows) + _TABLE_CLOSE

    return label


def text_label_maker(show_shapes: bool = False, show_dtype: bool = False, show_layer_names: bool = True,
                     show_layer_activations: bool = False, show_trainable: bool = False) -> Callable[[dict], str]:
    """The same facts as html_label_maker, one per line of plain text (for formats that cannot draw HTML)."""

    def label(attributes: dict) -> str:
        kind = attributes.get("class_name", "")
        lines = [f"{attributes.get('name')} ({kind})" if show_layer_names else kind]
        if show_layer_activations and attributes.get("activation"):
            lines.append(f"Activation: {attributes['activation']}")
        if show_shapes:
            lines.append(f"Input shape: {attributes.get('input_shape') or '-'}")
            lines.append(f"Output shape: {attributes.get('output_shape') or '-'}")
        if show_dtype:
            lines.append(f"Output dtype: {attributes.get('dtype') or '-'}")
        if show_trainable and "trainable" in attributes:
            lines.append(f"Trainable: {'Yes' if attributes['trainable'] else 'No'}")
        return "\n".join(lines)

    return label
