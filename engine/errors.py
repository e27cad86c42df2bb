"""Domain errors: messages people can act on, with the field they concern when there is one."""


class DomainError(Exception):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist or the actor may not know of it (404)."""


class Forbidden(DomainError):
    """The actor knows of the object but may not do this (403)."""


class Conflict(DomainError):
    """The object changed under the actor (someone else was faster)."""
