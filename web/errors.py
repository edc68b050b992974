"""Typed exceptions of the web layer (the CLI prints them, the app refuses to start)."""
from graphs.errors import BassinRoutesError
from routing.errors import InvalidQueryError


class DatabaseSchemaError(BassinRoutesError):
    """The database's schema is of another release (newer, or older and not upgraded)."""


class BackupError(BassinRoutesError):
    """A backup file cannot be read, or does not fit the database it is imported into."""


class InvalidParameterError(InvalidQueryError):
    """A request parameter of the wrong type, length or range; ``name`` says which.

    (Here, not in :mod:`web.params` which raises it, so that :mod:`web.problems`, which
    answers it and which params builds on, imports it without a cycle.)
    """

    def __init__(self, name: str, reason: str):
        super().__init__(f"parameter {name!r} {reason}")
        self.name, self.reason = name, reason
