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


class FileFormatError(SymkError, ValueError):
    """A file is damaged, truncated, or not in the layout expected.

    The message names the file, the object inside it (layer, weight, attribute) and what was expected.
    """


class ConfigError(SymkError, ValueError):
    """A model or layer config is malformed: a wrong type, a missing key, a bad argument.

    The message names the layer and the key or argument. Read from a file, it becomes a
    FileFormatError that also names the file.
    """


class WeightMismatchError(SymkError, ValueError):
    """Saved weights do not fit the model: another count, shape or kind of values than its variables."""
