"""Typed exceptions of the web layer (the CLI prints them, the app refuses to start)."""
from graphs.errors import BassinRoutesError


class DatabaseSchemaError(BassinRoutesError):
    """The database's schema is of another release (newer, or older and not upgraded)."""


class BackupError(BassinRoutesError):
    """A backup file cannot be read, or does not fit the database it is imported into."""
