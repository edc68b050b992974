"""The Itinerary: the one type every later layer (GPX, maps, HTTP) consumes."""
from __future__ import annotations

import dataclasses
import math
import operator

import numpy as np

from graphs.elevation import ASCENT_METHOD, climb

from .numpy_exact import lat_lon_bounds, round_columns, round_scaled


#: Powers of ten :func:`round_float` scales by (each exact in binary).
_SCALES = tuple(10.0 ** d for d in range(16))
#: Decimals of a GeoJSON vertex: lon, lat (~1 cm) and elevation (:meth:`Itinerary.coordinates`).
COORDINATE_DIGITS = (7, 7, 1)
#: Magnitudes from which a float64 has no fraction bits left.
_NO_FRACTION = 2.0 ** 52


def round_float(x, digits: int):
    """``round(x, digits)``, to the bit, in half its time for a float (``0 <= digits < 16``).

    As :func:`rounded` does for arrays: the rounded product ``|x| * 10**digits`` is
    rounded to an integer and divided, unless it lies within its rounding error of a
    half (or is huge, infinite or NaN), where Python's ``round`` decides. Python's
    ``round`` goes through a decimal string, which is what costs; an itinerary rounds
    dozens of figures. Anything but a ``float`` (an int, a numpy scalar: ``round``
    keeps their type) is Python's ``round``.
    """
    if type(x) is not float:
        return round(x, digits)
    scale = _SCALES[digits]
    s = abs(x * scale)
    if s < _NO_FRACTION:
        whole = math.floor(s)
        frac = s - whole                       # exact: s has no bits below its fraction's
        if abs(frac - 0.5) > s * 2.0 ** -51:
            return math.copysign((whole + (frac > 0.5)) / scale, x)
    return round(x, digits)


def rounded(values, digits) -> np.ndarray:
    """``[round(float(v), digits) for v in values]`` as a float64 array (of the shape of
    ``values``), to the bit.

    ``digits``: an int, or one int per column (the last axis), e.g. ``(7, 7, 1)`` for
    lon, lat, elevation in one pass.

    Each ``v * 10**digits`` is rounded to an integer ``n`` and divided: the quotient is
    the double nearest to ``n / 10**digits``, as Python's result is, since both operands
    are exact. Only ``n`` may differ, where the rounded product lies within its rounding
    error of a half (Python rounds the exact decimal value, half to even): those few
    values, and the non-finite or huge ones, are rounded by Python itself. The pass is
    compiled (:func:`routing.numpy_exact.round_scaled`, numpy's operations one value
    at a time): numpy's dozen calls and temporaries cost ≈ 14 µs for a route's line
    or its figures, the kernel ≈ 2.
    """
    values = np.asarray(values, np.float64)
    key = digits if isinstance(digits, int) else tuple(digits)
    scales = _scales(key)
    flat = values.reshape(-1)                  # a copy unless contiguous: the kernel's layout
    out = np.empty_like(flat)
    doubt = np.empty(len(flat), np.int64)
    for i in doubt[:round_scaled(flat, scales, out, doubt)].tolist():   # flat indices
        out[i] = round(float(flat[i]), key if isinstance(key, int) else key[i % len(key)])
    return out.reshape(values.shape)


def rounded_columns(columns, digits) -> np.ndarray:
    """``rounded(np.column_stack(columns), digits)``: two or three 1-D columns of one
    length, ``digits`` one int per column; to the bit, in one compiled pass
    (:func:`routing.numpy_exact.round_columns`: ``column_stack``'s Python costs as
    much as the rounding, for a route's line)."""
    first, second, *rest = (np.asarray(c, np.float64) for c in columns)
    if len(rest) > 1 or len(digits) != 2 + len(rest) or \
            any(len(c) != len(first) or c.ndim != 1 for c in (second, *rest)):
        raise ValueError("two or three columns of one length, one digit count each")
    out = np.empty((len(first), 2 + len(rest)))
    doubt = np.empty(out.size, np.int64)
    flat = out.reshape(-1)
    for i in doubt[:round_columns(first, second, rest[0] if rest else first,
                                  _scales(tuple(digits)), out, doubt)].tolist():
        row, col = divmod(i, out.shape[1])
        flat[i] = round(float((first, second, *rest)[col][row]), digits[col])
    return out


def _scales(key) -> np.ndarray:
    """The powers of ten :func:`rounded` scales by for ``digits`` (an int or a tuple)."""
    scales = _SCALE_ARRAYS.get(key)
    if scales is None:
        scales = _SCALE_ARRAYS.setdefault(key, np.array(
            [10.0 ** d for d in ((key,) if isinstance(key, int) else key)]))
    return scales


#: Sort key of ``(label, metres)`` items (compiled: no Python call per item).
_METRES = operator.itemgetter(1)


#: The powers of ten :func:`rounded` scales by, per ``digits`` (made once each).
_SCALE_ARRAYS: dict = {}


class LegPieces:
    """An itinerary's pieces as the assemble kernel left them, made into the lists of
    :attr:`Itinerary.pieces` when first read.

    Why: a route answered as GeoJSON never reads its pieces, and making a list per piece
    cost ≈ 11 µs of a 5 km route (issue 11).

    Parameters
    ----------
    edges : ndarray of int64
        The edge of each piece, legs one after the other.
    offsets : ndarray of float64
        Each piece's from and to metres, flat (two per piece).
    leg_ptr : ndarray of int64
        Where each leg's pieces start in ``edges``, and the end.
    """

    __slots__ = ("edges", "offsets", "leg_ptr")

    def __init__(self, edges: np.ndarray, offsets: np.ndarray, leg_ptr: np.ndarray):
        self.edges, self.offsets, self.leg_ptr = edges, offsets, leg_ptr

    def tolist(self) -> list:
        """Per leg, ``[edge, from_m, to_m]`` per piece."""
        edges, ptr = self.edges.tolist(), self.leg_ptr.tolist()
        offsets = iter(self.offsets.tolist())
        return [[[e, x, y] for e, x, y in zip(edges[lo:hi], offsets, offsets)]
                for lo, hi in zip(ptr, ptr[1:])]


def point_feature(properties: dict) -> dict:
    """A GeoJSON Point feature at ``properties``' ``lon`` and ``lat`` (a waypoint's, a
    place's), with those properties."""
    return {"type": "Feature",
            "geometry": {"type": "Point", "coordinates": [properties["lon"], properties["lat"]]},
            "properties": properties}


class _Pieces:
    """The ``pieces`` field of :class:`Itinerary`: a list, or a :class:`LegPieces` (or the
    default, no pieces) made into one when first read."""

    def __set_name__(self, owner, name):
        self.key = f"_{name}"

    def __get__(self, obj, owner=None):
        if obj is None:                # the field's default: hashable, as dataclasses want
            return ()
        value = obj.__dict__.get(self.key, ())
        if type(value) is not list:
            value = obj.__dict__[self.key] = value.tolist() if isinstance(value, LegPieces) \
                else list(value)
        return value

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.key] = value


@dataclasses.dataclass
class Itinerary:
    """A planned itinerary with everything a traveller wants to know about it.

    Attributes
    ----------
    profile, kind : str
        ``kind`` is ``route``, ``tour``, ``loop`` or ``stage``.
    waypoints : list of dict
        Query points in travel order: ``lat``, ``lon`` (snapped), ``query``,
        ``snap_m``, ``place_id``, ``name``.
    lat, lon, ele, cum_m : ndarray
        Geometry (``ele`` NaN where unknown) and the distance at each vertex.
    legs : list of dict
        One per pair of consecutive waypoints: ``distance_m``, ``duration_s``,
        ``ascent_m``, ``descent_m``, ``start``/``end`` vertex indices.
    breakdown : dict
        ``{"surface": {value: m}, "highway": {value: m}}``.
    signed_routes : dict
        Metres on each signed route ``{label: m}`` (label: ref, else name).
    places : list of dict
        Places within the corridor: ``id``, ``name``, ``kind``, ``km`` (where
        the detour leaves the route), ``detour_m`` (there and back on the
        network; ``detour_by`` says ``"network"``), ``there_m``/``back_m``,
        ``offset_m`` (straight line), ``unesco_id``, ``lat``, ``lon``.
    warnings : list of dict
        Codes and numbers (words are made in ``web``): ``type`` (steps,
        unpaved, poor_smoothness, busy_road, ford, dismount, difficult,
        private_access, no_lodging), ``from_km``, ``to_km``, ``length_m``,
        ``detail`` (``key=value`` of the cause) and the cause's tag values
        (``surface``, ``smoothness``, ``highway``, ``name``, ``maxspeed``, …).
    stages : list of Itinerary
        Days of a multi-day itinerary (empty otherwise).
    pieces : list of list
        Per leg, the graph pieces ``[edge, from_m, to_m]`` it travels (valid
        for the graph named in ``meta``); used to cut stages and re-assemble.
        May be given as a :class:`LegPieces`, made into lists when first read.
    """

    profile: str
    kind: str
    waypoints: list
    lat: np.ndarray
    lon: np.ndarray
    ele: np.ndarray
    cum_m: np.ndarray
    duration_s: float
    legs: list
    breakdown: dict
    signed_routes: dict
    places: list = dataclasses.field(default_factory=list)
    warnings: list = dataclasses.field(default_factory=list)
    stages: list = dataclasses.field(default_factory=list)
    pieces: list = _Pieces()
    name: str = ""
    description: str = ""
    meta: dict = dataclasses.field(default_factory=dict)

    def __copy__(self) -> Itinerary:
        # copy.copy's reduce protocol costs three times this (a request copies one to word it)
        out = object.__new__(type(self))
        out.__dict__.update(self.__dict__)
        return out

    # -- derived figures -------------------------------------------------------------------
    @property
    def distance_m(self) -> float:
        return float(self.cum_m[-1]) if len(self.cum_m) else 0.0

    @property
    def has_elevation(self) -> bool:
        # Remembered with the array it was read from (a GeoJSON answer asks three times;
        # itineraries' arrays are replaced, never written in place: copies share them).
        ele, known = self.ele, self.__dict__.get("_has_elevation")
        if known is None or known[0] is not ele:
            known = self.__dict__["_has_elevation"] = (ele, bool(np.isfinite(ele).any()))
        return known[1]

    def known_elevation(self, has_elevation: bool) -> None:
        """Remember :attr:`has_elevation` of the current ``ele`` as its maker found it
        (the assemble kernel checks every vertex of each leg): a GeoJSON answer then
        makes no ``np.isfinite`` pass over the line (≈ 3 µs in a loop, issue 11)."""
        self.__dict__["_has_elevation"] = (self.ele, bool(has_elevation))

    @property
    def ascent_m(self) -> float | None:
        """Ascent by :func:`graphs.elevation.climb` (None without elevation)."""
        return self._climb(0)

    @property
    def descent_m(self) -> float | None:
        """Descent by :func:`graphs.elevation.climb` (None without elevation)."""
        return self._climb(1)

    def _climb(self, which: int) -> float | None:
        if not self.has_elevation:
            return None
        return climb(self.cum_m, self.ele)[which]

    @property
    def is_closed(self) -> bool:
        return len(self.lat) > 1 and math.dist((self.lat[0], self.lon[0]),
                                               (self.lat[-1], self.lon[-1])) < 1e-6

    @property
    def signed_share(self) -> float:
        """Share of the distance on any signed route (0..1)."""
        return min(1.0, self.meta.get("signed_m", 0.0) / self.distance_m) if self.distance_m else 0.0

    def bounds(self) -> tuple[float, float, float, float]:
        """(south, west, north, east)."""
        known = self.__dict__.get("_bounds")
        if known is not None and known[0] is self.lat and known[1] is self.lon:
            return known[2]
        if not len(self.lat) or not len(self.lon):
            raise ValueError("an itinerary without points has no bounds")
        return lat_lon_bounds(np.asarray(self.lat, np.float64), np.asarray(self.lon, np.float64))

    def known_bounds(self, bounds) -> None:
        """Remember :meth:`bounds` of the current ``lat`` and ``lon`` as their maker
        measured them (the assemble kernel, with ``lat_lon_bounds``' arithmetic)."""
        self.__dict__["_bounds"] = (self.lat, self.lon, tuple(bounds))

    def summary(self) -> dict:
        """The figures of the itinerary, as printed by the CLI and the API."""
        return self._figures(with_parts=True)

    def _figures(self, with_parts: bool) -> dict:
        """:meth:`summary`; without ``places`` and ``stages`` unless ``with_parts`` (the
        GeoJSON line carries neither: they are features of their own)."""
        # Every figure of one decimal in one rounding pass (:func:`rounded`, which makes
        # each a float64 as float() would: a route has some fifty, each call counted)
        surface_m, highway_m = self.breakdown.get("surface", {}), self.breakdown.get("highway", {})
        # longest first, ties as given (a reversed sort keeps ties in order too)
        by_surface = sorted(surface_m.items(), key=_METRES, reverse=True)
        by_highway = sorted(highway_m.items(), key=_METRES, reverse=True)
        by_route = sorted(self.signed_routes.items(), key=_METRES, reverse=True)
        numbers = [self.distance_m, self.duration_s]
        for table, items in ((surface_m, by_surface), (highway_m, by_highway)):
            total = sum(table.values()) or 1.0          # in the table's order, as ever
            for _, v in items:
                numbers += (v, 100 * v / total)
        numbers += [v for _, v in by_route]
        out = rounded(numbers, 1).tolist()
        distance_m, duration_s = out[0], out[1]
        a = 2 + 2 * len(by_surface)
        b = a + 2 * len(by_highway)
        surface = {k: {"m": m, "pct": pct}
                   for (k, _), m, pct in zip(by_surface, out[2:a:2], out[3:a:2])}
        highway = {k: {"m": m, "pct": pct}
                   for (k, _), m, pct in zip(by_highway, out[a:b:2], out[a + 1:b:2])}
        signed_routes = dict(zip([k for k, _ in by_route], out[b:]))
        ascent = descent = None
        if self.has_elevation:                     # one climb() for both figures
            ascent, descent = (round(v, 1) for v in climb(self.cum_m, self.ele))
        figures = {
            "name": self.name, "profile": self.profile, "kind": self.kind,
            "distance_m": distance_m, "duration_s": duration_s,
            "ascent_m": ascent, "descent_m": descent,
            "ascent_method": ASCENT_METHOD if ascent is not None else None,
            "closed": self.is_closed,
            "waypoints": self.waypoints,
            "legs": [{k: v for k, v in leg.items() if k not in ("start", "end")}
                     for leg in self.legs],
            "surface": surface, "highway": highway, "signed_routes": signed_routes,
            "signed_share": round(float(self.signed_share), 4),
            "places": self.places,
            "warnings": self.warnings,
            "stages": [s.summary() for s in self.stages] if with_parts else None,
            "meta": {k: v for k, v in self.meta.items() if k != "signed_m"},
        }
        if not with_parts:
            del figures["places"], figures["stages"]
        return figures

    # -- GeoJSON (RFC 7946) ----------------------------------------------------------------
    def coordinates(self, as_array: bool = False):
        """[lon, lat] or [lon, lat, ele] per vertex (7 decimals, ~1 cm; ele 1 decimal).

        The numbers are Python's ``round(v, 7)`` (``round(z, 1)``) of each value, to the
        bit (:func:`rounded`). ``as_array``: an ``(n, 2)`` or ``(n, 3)`` float64 array
        instead of lists (orjson writes it without making a Python float per number),
        when every vertex has the same length; lists otherwise.
        """
        if not self.has_elevation:
            lonlat = rounded_columns((self.lon, self.lat), COORDINATE_DIGITS[:2])
            return lonlat if as_array else lonlat.tolist()
        known = np.isfinite(np.asarray(self.ele, np.float64))
        full = rounded_columns((self.lon, self.lat, self.ele), COORDINATE_DIGITS)
        if known.all():
            return full if as_array else full.tolist()
        return [xyz if has_z else xyz[:2] for xyz, has_z in zip(full.tolist(), known.tolist())]

    def to_geojson(self, arrays: bool = False, lines: bool = True) -> dict:
        """A FeatureCollection: the line (all figures as properties), the stages' lines,
        the waypoints and the places along the route.

        ``arrays``: line coordinates as numpy arrays where possible (for
        ``orjson.OPT_SERIALIZE_NUMPY``; the parsed document is the same). ``lines``
        False: the lines' coordinates are left None, the route's then each stage's (the
        first features), for a caller that writes them itself
        (:func:`web.coordinate_text.line_fragment`).
        """
        features = [{"type": "Feature",
                     "geometry": {"type": "LineString",
                                  "coordinates": self.coordinates(arrays) if lines else None},
                     "properties": dict(self._figures(with_parts=False), role="route")}]
        for i, stage in enumerate(self.stages):
            features.append({"type": "Feature",
                             "geometry": {"type": "LineString", "coordinates":
                                          stage.coordinates(arrays) if lines else None},
                             "properties": dict(stage.summary(), role="stage", stage=i + 1)})
        for i, wp in enumerate(self.waypoints):
            features.append(point_feature(dict(wp, role="waypoint", index=i)))
        features += [point_feature(dict(place, role="place")) for place in self.places]
        s, w, n, e = self.bounds()
        return {"type": "FeatureCollection", "bbox": [w, s, e, n], "features": features}

    # -- storage ----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """A JSON-ready dict that :meth:`from_dict` turns back into the same itinerary."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for key in ("lat", "lon", "ele", "cum_m"):
            data[key] = [None if not np.isfinite(v) else round(float(v), 7 if key in ("lat", "lon")
                                                                   else 2) for v in data[key]]
        data["stages"] = [s.to_dict() for s in self.stages]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Itinerary":
        data = dict(data)
        for key in ("lat", "lon", "ele", "cum_m"):
            data[key] = np.array([np.nan if v is None else v for v in data[key]], np.float64)
        data["stages"] = [cls.from_dict(s) for s in data.get("stages", [])]
        return cls(**data)
