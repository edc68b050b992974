"""GPX out (devices, apps) and in (stats, map matching onto the network).

>>> text = gpx.itinerary_to_gpx(itinerary)                 # doctest: +SKIP
>>> data = gpx.read_gpx("trace.gpx"); gpx.gpx_stats(data)  # doctest: +SKIP
>>> matched = gpx.match_track(router, data, "hike")         # doctest: +SKIP
"""
from graphs.lazy import lazy_exports

__all__ = ["GPXInputError", "GPXData", "Line", "read_gpx", "gpx_stats", "chain_lines",
           "match_track", "itinerary_to_gpx", "stage_files", "stages_zip", "safe_filename"]

__getattr__ = lazy_exports(__name__, {
    "GPXInputError": ".errors",
    "match_track": ".match",
    "GPXData": ".reader",
    "Line": ".reader",
    "read_gpx": ".reader",
    "chain_lines": ".stats",
    "gpx_stats": ".stats",
    "itinerary_to_gpx": ".writer",
    "safe_filename": ".writer",
    "stage_files": ".writer",
    "stages_zip": ".writer",
})
