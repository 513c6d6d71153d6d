"""What a pass changed (PassReport) and what a pipeline changed (PipelineReport), printable as tables."""
from __future__ import annotations

from dataclasses import dataclass, field


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

    @property
    def changed(self) -> bool:
        return bool(self.matched or self.removed or self.added or self.replaced)

    def note(self, message: str) -> None:
        self.messages.append(message)

    def __str__(self) -> str:
        return format_table([self])


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
        return out

    @property
    def messages(self) -> list:
        return [f"{r.name}: {m}" for r in self.passes for m in r.messages]

    def __str__(self) -> str:
        head = (f"{self.mode} pipeline: {self.nodes_before} -> {self.nodes_after} nodes in {self.rounds} round(s)"
                + (f"; disabled: {', '.join(self.disabled)}" if self.disabled else ""))
        return head + "\n" + format_table(list(self.totals().values()))

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
