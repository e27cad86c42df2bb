"""Errors of the rules package: a message for people and the path where it happened."""


class RuleError(ValueError):
    """A rule, condition or table that cannot be compiled.

    `path` lists the keys and indices inside the data that was handed in; the caller prefixes
    its own path with `at()`.
    """

    def __init__(self, message, path=None):
        self.message = message
        self.path = list(path or [])
        super().__init__(message)

    def at(self, *prefix):
        """The same error, seen from `prefix` further out."""
        return type(self)(self.message, [*prefix, *self.path])

    def __str__(self):
        if not self.path:
            return self.message
        return "%s: %s" % ("/".join(str(part) for part in self.path), self.message)


class FormulaError(RuleError):
    """A premium formula or one of its tables that cannot be compiled."""


class EvaluationError(RuleError):
    """Evaluating compiled rules or formulas failed at run time (bad input, engine failure)."""
