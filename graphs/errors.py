"""Typed exceptions of the graph layer.

Every failure a user can cause (bad file, no network, bad option) is one of
these, so the CLI and the HTTP layer can turn them into a message instead of a
traceback.
"""


class BassinRoutesError(Exception):
    """Base class of every error this project raises on purpose."""


class OSMInputError(BassinRoutesError):
    """The OSM input is missing, empty, corrupt or not OSM at all."""


class DownloadError(BassinRoutesError):
    """OSM data could not be downloaded (offline, server error, bad area)."""


class GraphBuildError(BassinRoutesError):
    """The build could not produce a usable graph (e.g. no routable way)."""


class GraphLoadError(BassinRoutesError):
    """A compiled graph directory is missing, incomplete or of another format."""


class HeritageError(BassinRoutesError):
    """A heritage layer directory or file cannot be read."""


class ElevationError(BassinRoutesError):
    """A DEM directory or tile cannot be read."""
