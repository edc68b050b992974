"""Typed errors of the GPX layer."""
from graphs.errors import BassinRoutesError


class GPXInputError(BassinRoutesError):
    """A GPX file is not XML, not GPX, too large, hostile or empty of what is needed."""


class GeotrekFieldError(GPXInputError):
    """A field of a Geotrek document has the wrong type, sign or length.

    Attributes
    ----------
    field : str
        The field's path in the trek (``name``, ``points_reference.coordinates.0``).
    trek : str or None
        Which trek of the document (its id or uuid), when known.
    """

    def __init__(self, field: str, message: str, trek: str | None = None):
        super().__init__(f"{'trek ' + trek + ': ' if trek else ''}field '{field}': {message}")
        self.field, self.trek = field, trek
