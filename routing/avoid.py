"""Areas to avoid: polygons of a request, and a configured layer of closures.

A closure layer is a GeoJSON FeatureCollection of (Multi)Polygons, each with optional
``from``/``to`` dates (ISO ``YYYY-MM-DD``, inclusive), a ``reason`` and optionally the
``profiles`` it applies to (all when absent): works on a cavalier, a terril closed for
nesting birds from March to July, a flooded marsh path. The layer is read once and is
immutable; :meth:`ClosureLayer.active` picks what applies on a day.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np

from .errors import InvalidQueryError

#: Bounds of a request's avoid areas (every request's work is bounded).
MAX_AREAS = 20
MAX_VERTICES = 2000


def parse_polygons(geojson, field: str = "avoid_areas") -> tuple:
    """Shapely polygons of a GeoJSON geometry, Feature or FeatureCollection (or a list).

    Raises
    ------
    InvalidQueryError
        Naming ``field``: not GeoJSON, not polygons, too many or too large, invalid
        coordinates.
    """
    import shapely      # here, not at import: a service that avoids no area never loads GEOS
    from shapely.geometry import shape

    if isinstance(geojson, (str, bytes)):
        try:
            geojson = json.loads(geojson)
        except ValueError:
            raise InvalidQueryError(f"{field}: not valid JSON") from None
    items = geojson if isinstance(geojson, list) else [geojson]
    geometries = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidQueryError(f"{field}: expected GeoJSON polygons")
        if item.get("type") == "FeatureCollection":
            geometries += [f.get("geometry") for f in item.get("features") or []
                           if isinstance(f, dict)]
        elif item.get("type") == "Feature":
            geometries.append(item.get("geometry"))
        else:
            geometries.append(item)
    if len(geometries) > MAX_AREAS:
        raise InvalidQueryError(f"{field}: at most {MAX_AREAS} polygons")
    polygons = []
    for geom in geometries:
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            raise InvalidQueryError(f"{field}: only Polygon and MultiPolygon geometries")
        try:
            polygon = shape(geom)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            raise InvalidQueryError(f"{field}: unreadable polygon coordinates") from None
        coords = shapely.get_coordinates(polygon)
        if len(coords) > MAX_VERTICES:
            raise InvalidQueryError(f"{field}: a polygon has more than {MAX_VERTICES} vertices")
        if (not np.isfinite(coords).all() or (np.abs(coords[:, 0]) > 180).any()
                or (np.abs(coords[:, 1]) > 90).any()):
            raise InvalidQueryError(f"{field}: coordinates must be [longitude, latitude]")
        polygons.append(shapely.make_valid(polygon) if not polygon.is_valid else polygon)
    return tuple(polygons)


def edges_in_areas(graph, polygons) -> np.ndarray:
    """Boolean mask of the edges whose geometry enters any of ``polygons`` (WGS84)."""
    mask = np.zeros(graph.n_edges, bool)
    if not polygons:
        return mask
    import shapely                                     # as in parse_polygons

    ptr = graph.edge_geom_ptr
    lat_lo = np.minimum.reduceat(graph.shape_lat, ptr[:-1])
    lat_hi = np.maximum.reduceat(graph.shape_lat, ptr[:-1])
    lon_lo = np.minimum.reduceat(graph.shape_lon, ptr[:-1])
    lon_hi = np.maximum.reduceat(graph.shape_lon, ptr[:-1])
    for polygon in polygons:
        west, south, east, north = polygon.bounds
        cand = np.flatnonzero((lat_hi >= south) & (lat_lo <= north)
                              & (lon_hi >= west) & (lon_lo <= east) & ~mask)
        if len(cand) == 0:
            continue
        counts = ptr[cand + 1] - ptr[cand]
        index = np.repeat(np.arange(len(cand)), counts)
        points = np.concatenate([np.arange(ptr[e], ptr[e + 1]) for e in cand])
        lines = shapely.linestrings(np.column_stack([graph.shape_lon[points],
                                                     graph.shape_lat[points]]), indices=index)
        shapely.prepare(polygon)
        mask[cand[shapely.intersects(polygon, lines)]] = True
    return mask


def _date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidQueryError(f"{field}: {value!r} is not a YYYY-MM-DD date") from None


@dataclasses.dataclass(frozen=True)
class Closure:
    """One closed or sensitive area."""

    polygon: object
    reason: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    profiles: tuple = ()

    def applies(self, day: dt.date, profile: str) -> bool:
        """Whether the area is closed on ``day`` to ``profile``."""
        if self.profiles and profile not in self.profiles:
            return False
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclasses.dataclass(frozen=True)
class ClosureLayer:
    """The configured closures (empty by default)."""

    closures: tuple = ()

    @classmethod
    def from_geojson(cls, path: str | Path) -> "ClosureLayer":
        """Read a FeatureCollection file.

        Raises
        ------
        InvalidQueryError
            The file is missing or not a collection of dated polygons.
        """
        try:
            data = json.loads(Path(path).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidQueryError(f"closures file {path}: unreadable ({exc})") from None
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise InvalidQueryError(f"closures file {path}: not a GeoJSON FeatureCollection")
        closures = []
        for i, feature in enumerate(features):
            field = f"closures[{i}]"
            if not isinstance(feature, dict):
                raise InvalidQueryError(f"closures file {path}: {field} is not a Feature")
            props = feature.get("properties") or {}
            polygon = parse_polygons(feature.get("geometry"), field)[0]
            profiles = props.get("profiles") or ()
            closures.append(Closure(polygon, str(props.get("reason") or props.get("name") or ""),
                                    _date(props.get("from"), field + ".from"),
                                    _date(props.get("to"), field + ".to"),
                                    tuple(profiles) if isinstance(profiles, list) else ()))
        return cls(tuple(closures))

    def active(self, profile: str, day: dt.date | None = None) -> tuple:
        """Polygons closed on ``day`` (today by default) to ``profile``."""
        if not self.closures:               # most services: no date to look up
            return ()
        day = day or dt.date.today()
        return tuple(c.polygon for c in self.closures if c.applies(day, profile))


def read_restrictions(avoid_areas: str | Path | None = None, closures: str | Path | None = None,
                      profile: str = "hike", day: dt.date | None = None) -> tuple[tuple, tuple]:
    """(avoided polygons, closure polygons active on ``day`` for ``profile``) from files,
    as the command line gives them (``--avoid-areas``, ``--closures``).

    Raises
    ------
    InvalidQueryError
        A file is unreadable or not polygons (naming the option).
    """
    areas: tuple = ()
    if avoid_areas:
        try:
            areas = parse_polygons(Path(avoid_areas).read_text("utf-8"), "--avoid-areas")
        except OSError as exc:
            raise InvalidQueryError(f"--avoid-areas: {exc}") from None
    closed = ClosureLayer.from_geojson(closures).active(profile, day) if closures else ()
    return areas, closed
