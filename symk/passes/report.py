"""What a pass changed (PassReport) and what a pipeline changed (PipelineReport), printable as tables,
with `details`: each change in the model's Keras layer names (from the op nodes' layer scopes).

    report = model.optimize()
    [c.layers for c in report.changes("dropout_removed")]     # [('drop_a',), ('drop_b',)]
    [c.layers for c in report.changes("bn_folded")]           # [('bn_a', 'conv_a')]: bn_a folded into conv_a
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

# the kinds of Change the built-in passes record (a user's pass may add its own)
KINDS = {
    "dropout_removed": "a Dropout layer's op became the identity (inference)",
    "inference_branch": "a layer's training/inference switch resolved to one branch",
    "state_update_dropped": "a no-op moving-statistics update removed",
    "dead_code": "unused op nodes of a layer removed",
    "duplicate_merged": "an op computed twice now computed once",
    "simplified": "an op that passes its input through, or a transpose/reshape chain, removed",
    "stabilized": "log(softmax) rewritten as log_softmax",
    "constant_folded": "an op on constants computed at compile time",
    "bn_folded": "a BatchNormalization folded into the convolution/dense before it: layers = (bn, linear)",
    "bn_kept": "a BatchNormalization that could not be folded, and why",
    "merged": "consecutive linear layers merged into one matmul",
    "weights_folded": "a weight-only computation moved to the host",
    "fused": "several layers' ops fused into one node",
}


@dataclass(frozen=True)
class Change:
    """One thing a pass did, said in layer names. `layers`: the layers involved, the one changed first;
    `nodes`: the graph node names concerned (several when a change repeats for one layer)."""

    kind: str
    layers: tuple
    text: str
    nodes: tuple = ()
    pass_name: str = ""

    def __str__(self) -> str:
        count = len(self.nodes)
        return self.text + (f" [{count} node{'s' if count != 1 else ''}]" if self.kind == "dead_code" else "")


def layer_name(data: dict) -> Optional[str]:
    """The layer (path, for nested models: 'encoder/dense') whose call created this node, or None."""
    scope = data.get("scope") or ()
    return "/".join(scope) if scope else None


def layer_label(data: dict) -> str:
    """'Conv2D conv_a' when the node belongs to a layer (its class known for a top-level layer), else the node."""
    name = layer_name(data)
    if name is None:
        return f"node {data['name']}"
    layer = data.get("layer")
    top = len(data.get("scope") or ()) == 1 and layer is not None
    return f"{type(layer).__name__} {name}" if top else name


def ops_by_layer(datas: list) -> tuple:
    """(layer names, 'bn_a (multiply, bias_add) + relu_a (relu)') for a group of nodes, in their order."""
    groups: dict = {}
    for data in datas:
        groups.setdefault(layer_name(data) or f"node {data['name']}", []).append(data["op"])
    text = " + ".join(f"{layer} ({', '.join(ops)})" for layer, ops in groups.items())
    return tuple(g for g in groups if not g.startswith("node ")), text


@dataclass
class PassReport:
    """One pass's effect: patterns matched, nodes removed/added/replaced, and a line per replacement."""

    name: str
    matched: int = 0
    removed: int = 0
    added: int = 0
    replaced: int = 0
    nodes_before: int = 0
    nodes_after: int = 0
    seconds: float = 0.0
    messages: list = field(default_factory=list)
    details: list = field(default_factory=list)   # Change records, in layer names

    @property
    def changed(self) -> bool:
        return bool(self.matched or self.removed or self.added or self.replaced)

    def note(self, message: str) -> None:
        self.messages.append(message)

    def detail(self, kind: str, layers, text: str, nodes=()) -> Change:
        """Record a change in layer names (see KINDS): `report.detail('bn_folded', ('bn', 'conv'), '...')`."""
        change = Change(kind, tuple(l for l in layers if l), text, tuple(nodes), self.name)
        self.details.append(change)
        return change

    def changes(self, kind: Optional[str] = None) -> list:
        return [c for c in merge_changes(self.details) if kind is None or c.kind == kind]

    def __str__(self) -> str:
        return format_table([self]) + format_details(self.changes())


@dataclass
class PipelineReport:
    """Every pass run (in order, over all fixpoint rounds) and the node counts before and after."""

    mode: str
    passes: list = field(default_factory=list)
    nodes_before: int = 0
    nodes_after: int = 0
    rounds: int = 0
    disabled: tuple = ()

    def totals(self) -> dict:
        """Per pass name: summed matched/removed/added/replaced over all rounds."""
        out: dict = {}
        for r in self.passes:
            t = out.setdefault(r.name, PassReport(r.name))
            t.matched += r.matched
            t.removed += r.removed
            t.added += r.added
            t.replaced += r.replaced
            t.seconds += r.seconds
            t.messages += r.messages
            t.details += r.details
        return out

    @property
    def messages(self) -> list:
        return [f"{r.name}: {m}" for r in self.passes for m in r.messages]

    @property
    def details(self) -> list:
        """Every Change of every pass (all rounds), repeats for one layer merged into one Change."""
        return merge_changes([c for r in self.passes for c in r.details])

    def changes(self, kind: Optional[str] = None, pass_name: Optional[str] = None) -> list:
        """The Changes of one kind (see KINDS) and/or one pass."""
        return [c for c in self.details if (kind is None or c.kind == kind)
                and (pass_name is None or c.pass_name == pass_name)]

    def __str__(self) -> str:
        head = (f"{self.mode} pipeline: {self.nodes_before} -> {self.nodes_after} nodes in {self.rounds} round(s)"
                + (f"; disabled: {', '.join(self.disabled)}" if self.disabled else ""))
        return head + "\n" + format_table(list(self.totals().values())) + format_details(self.details)

    __repr__ = __str__


def format_table(reports: list) -> str:
    rows = [("pass", "matched", "removed", "added", "replaced", "ms")]
    rows += [(r.name, str(r.matched), str(r.removed), str(r.added), str(r.replaced), f"{r.seconds * 1e3:.1f}")
             for r in reports]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
             for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def merge_changes(changes: list) -> list:
    """One Change per (pass, kind, layers, text), its nodes gathered, in first-seen order."""
    merged: dict = {}
    for c in changes:
        key = (c.pass_name, c.kind, c.layers, c.text)
        if key in merged:
            merged[key] = Change(c.kind, c.layers, c.text, merged[key].nodes + c.nodes, c.pass_name)
        else:
            merged[key] = c
    return list(merged.values())


def format_details(changes: list) -> str:
    if not changes:
        return ""
    # every line indented: tools reading the table (symk optimize --report) skip indented lines
    return "\n  what changed, by layer:\n" + "\n".join(f"    {c.pass_name}: {c}" for c in changes)
