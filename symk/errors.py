"""Error types symk raises: every one says what was wrong, where, and what to do."""


class SymkError(Exception):
    """Base class of symk's own errors."""


class ShapeError(SymkError, ValueError):
    """An op or layer was called on inputs whose shapes or dtypes break its rule.

    Raised while the graph is built (never first inside XLA). The message names the
    layer (if any), the op, the shapes received, the rule and a hint.
    """


class GraphError(SymkError, ValueError):
    """The graph is malformed: disconnected inputs, non-symbolic inputs, dangling edges."""


class RuleViolation(Exception):
    """Raised by a shape rule; the registry turns it into a ShapeError with context.

    `rule` states what the op requires; `hint` says how to fix the call.
    """

    def __init__(self, rule: str, hint: str = ""):
        super().__init__(rule)
        self.rule = rule
        self.hint = hint
