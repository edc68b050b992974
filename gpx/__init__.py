"""GPX out (devices, apps) and in (stats, map matching onto the network).

>>> text = gpx.itinerary_to_gpx(itinerary)                 # doctest: +SKIP
>>> data = gpx.read_gpx("trace.gpx"); gpx.gpx_stats(data)  # doctest: +SKIP
>>> matched = gpx.match_track(router, data, "hike")         # doctest: +SKIP
"""
from .errors import GPXInputError
from .match import match_track
from .reader import GPXData, Line, read_gpx
from .stats import chain_lines, gpx_stats
from .writer import itinerary_to_gpx, safe_filename, stage_files, stages_zip

__all__ = ["GPXInputError", "GPXData", "Line", "read_gpx", "gpx_stats", "chain_lines",
           "match_track", "itinerary_to_gpx", "stage_files", "stages_zip", "safe_filename"]
