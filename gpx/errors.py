"""Typed errors of the GPX layer."""
from graphs.errors import BassinRoutesError


class GPXInputError(BassinRoutesError):
    """A GPX file is not XML, not GPX, too large, hostile or empty of what is needed."""
