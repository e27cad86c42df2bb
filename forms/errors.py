"""The one error a form definition raises: what is wrong and where in the definition."""


class FormDefinitionError(ValueError):
    """A form definition is not valid.

    `message` is for the person who wrote the definition; `path` lists the keys and indices
    leading to the problem, relative to the list handed to `load_form` (the caller prefixes its own).
    """

    def __init__(self, message: str, path: list | None = None):
        super().__init__(message)
        self.message = message
        self.path = list(path or [])

    def __str__(self) -> str:
        if not self.path:
            return self.message
        return "{}: {}".format(".".join(str(step) for step in self.path), self.message)
