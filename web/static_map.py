"""A static map of a route, drawn as SVG from the routing network itself (no tile server).

The compiled graph's ways inside the frame are drawn by kind (roads, tracks, paths,
cycleways), the signed routes under them as coloured bands, then the route, its start
and end, and numbered places; a scale bar and a north arrow frame it. The SVG holds
numbers and shapes only: the words (legend, captions) are the caller's, so one
drawing serves every language, and any text given for the ``aria-label`` is escaped.

Coordinates are in tenths of a millimetre of the printed map (``width_mm`` ×
``height_mm``), and every line is clipped to the frame and simplified to that
resolution (:data:`TOLERANCE`), so the size of the drawing depends on the paper, not on
how detailed the graph is; past ``max_vertices`` the least important kinds of way are
left out (the result says which). Reusable beyond the PDF fiche, e.g. for OpenGraph
images (render the SVG to PNG).

>>> drawing = draw_map(graph, [Line(lat, lon)], width_mm=180, height_mm=120)
>>> drawing.svg.startswith("<svg")
True
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import shapely
from markupsafe import escape

from .static_markers import Marker, draw_markers

__all__ = ["Frame", "Line", "Marker", "StaticMap", "draw_map", "nice_length", "way_kinds"]

#: SVG units per millimetre of paper (tenths of a millimetre)
UNITS_PER_MM = 10
#: simplification tolerance, in SVG units: finer than the eye sees at reading distance
TOLERANCE = 1.0
EARTH_RADIUS_M = 6_371_008.8

#: kinds of way, in drawing order (last on top), with their print style:
#: colour, width (SVG units) and dash pattern
WAY_STYLES = {
    "service": ("#cfcfcf", 3.0, None),
    "path": ("#9a6a3a", 2.5, "8 5"),
    "track": ("#a16207", 3.5, "14 6"),
    "road": ("#a8a8a8", 5.0, None),
    "cycleway": ("#2f7fd8", 4.0, None),
    "major": ("#e0902a", 8.0, None),
}
#: which kinds go first when the drawing is over budget (least useful first)
DROP_ORDER = ("service", "path", "track", "road")
HIGHWAY_KIND = {
    **{h: "major" for h in ("motorway", "trunk", "primary", "secondary", "motorway_link",
                             "trunk_link", "primary_link", "secondary_link")},
    **{h: "road" for h in ("tertiary", "tertiary_link", "unclassified", "residential",
                            "living_street", "road", "busway")},
    **{h: "service" for h in ("service", "pedestrian", "corridor", "platform")},
    "track": "track", "cycleway": "cycleway",
    **{h: "path" for h in ("path", "footway", "bridleway", "steps")},
}
#: signed routes drawn as bands under the ways: (colour, width, opacity)
ROUTE_BANDS = {"bicycle": ("#16a34a", 16.0, 0.35), "hiking": ("#dc2626", 14.0, 0.28)}
ROUTE_KINDS = {"bicycle": "bicycle", "mtb": "bicycle", "hiking": "hiking", "foot": "hiking"}
ROUTE_COLOUR = "#c2185b"


@dataclasses.dataclass(frozen=True)
class Line:
    """A stretch of route to draw on top, in its colour (stages get one each)."""

    lat: np.ndarray
    lon: np.ndarray
    colour: str = ROUTE_COLOUR


@dataclasses.dataclass(frozen=True)
class StaticMap:
    """The drawing and what it shows.

    Attributes
    ----------
    svg : str
        The ``<svg>`` element (inline it in HTML, or save as an ``.svg`` file).
    bounds : tuple
        (south, west, north, east) of the frame.
    metres_per_mm : float
        Ground metres per millimetre of paper (1 : ``1000 × metres_per_mm``).
    kinds : tuple
        Kinds of way drawn (keys of :data:`WAY_STYLES`), for the caller's legend.
    route_bands : tuple
        Kinds of signed route drawn (keys of :data:`ROUTE_BANDS`).
    dropped : tuple
        Kinds of way left out to stay within the vertex budget.
    vertices : int
        Vertices written (network and route).
    """

    svg: str
    bounds: tuple
    metres_per_mm: float
    kinds: tuple
    route_bands: tuple
    dropped: tuple
    vertices: int

    @property
    def scale_denominator(self) -> int:
        """The printed scale, rounded to two significant digits (25 000 for 1:25 000)."""
        value = self.metres_per_mm * 1000
        digits = 10 ** max(0, math.floor(math.log10(value)) - 1)
        return int(round(value / digits) * digits)


class Frame:
    """The map's projection: local equirectangular around the frame's centre, north up.

    Parameters
    ----------
    lat, lon : array_like
        Points the frame must show (with ``margin`` around them).
    width, height : float
        Frame size in SVG units.
    margin : float
        Share of the frame kept free around the points.
    min_extent_m : float
        Smallest ground width shown (a 300 m walk is not drawn at 1:500).
    """

    def __init__(self, lat, lon, width: float, height: float, margin: float = 0.08,
                 min_extent_m: float = 800.0):
        lat, lon = np.asarray(lat, float), np.asarray(lon, float)
        self.width, self.height = float(width), float(height)
        self.lat0 = 0.5 * (float(np.nanmin(lat)) + float(np.nanmax(lat)))
        self.lon0 = 0.5 * (float(np.nanmin(lon)) + float(np.nanmax(lon)))
        self.kx = math.radians(1.0) * EARTH_RADIUS_M * math.cos(math.radians(self.lat0))
        self.ky = math.radians(1.0) * EARTH_RADIUS_M
        span_x = max(float(np.nanmax(lon) - np.nanmin(lon)) * self.kx, min_extent_m)
        span_y = max(float(np.nanmax(lat) - np.nanmin(lat)) * self.ky, min_extent_m * 0.5)
        usable = 1.0 - 2.0 * margin
        #: SVG units per ground metre
        self.scale = min(usable * self.width / span_x, usable * self.height / span_y)

    def project(self, lat, lon) -> tuple[np.ndarray, np.ndarray]:
        """SVG (x, y) of points."""
        x = self.width / 2 + (np.asarray(lon, float) - self.lon0) * self.kx * self.scale
        y = self.height / 2 - (np.asarray(lat, float) - self.lat0) * self.ky * self.scale
        return x, y

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(south, west, north, east)."""
        half_w = self.width / 2 / self.scale / self.kx
        half_h = self.height / 2 / self.scale / self.ky
        return (self.lat0 - half_h, self.lon0 - half_w, self.lat0 + half_h, self.lon0 + half_w)


def way_kinds(graph) -> np.ndarray:
    """The kind of each edge (an index into :data:`WAY_STYLES`, -1: not drawn)."""
    names = list(WAY_STYLES)
    table = np.array([names.index(HIGHWAY_KIND[h]) if h in HIGHWAY_KIND else
                      (names.index("road") if h else -1) for h in graph.vocab["highway"]],
                     np.int16)
    return table[graph.cat["highway"]]


def _edges_in(graph, bounds) -> np.ndarray:
    """Edges whose geometry's bounding box meets ``bounds``."""
    ptr = graph.edge_geom_ptr
    if graph.n_edges == 0:
        return np.zeros(0, np.int64)
    starts = ptr[:-1]
    lat, lon = graph.shape_lat, graph.shape_lon
    south, west, north, east = bounds
    inside = ((np.maximum.reduceat(lat, starts) >= south) & (np.minimum.reduceat(lat, starts) <= north)
              & (np.maximum.reduceat(lon, starts) >= west) & (np.minimum.reduceat(lon, starts) <= east))
    return np.flatnonzero(inside & (np.diff(ptr) >= 2))


def _lines(frame: Frame, lat, lon, owner, tolerance: float):
    """Lines (``owner``: 0..n-1, which line each point is of) clipped to the frame,
    simplified and rounded: (int coords (k, 2), part of each coordinate, owner of each
    part)."""
    x, y = frame.project(lat, lon)
    geoms = shapely.linestrings(np.column_stack([x, y]), indices=owner)
    geoms = shapely.clip_by_rect(geoms, -20, -20, frame.width + 20, frame.height + 20)
    geoms = shapely.simplify(geoms, tolerance, preserve_topology=False)
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    coords, index = shapely.get_coordinates(parts, return_index=True)
    coords = np.rint(coords).astype(np.int64)
    keep = np.ones(len(coords), bool)          # drop repeats made by rounding
    keep[1:] = (index[1:] != index[:-1]) | np.any(coords[1:] != coords[:-1], axis=1)
    coords, index = coords[keep], index[keep]
    counts = np.bincount(index, minlength=len(parts))
    long_enough = counts[index] >= 2
    return coords[long_enough], index[long_enough], part_owner


def _path_data(coords: np.ndarray, index: np.ndarray) -> str:
    """``M x y x y … M …``: one subpath per part (implicit line-tos)."""
    if not len(coords):
        return ""
    cuts = np.flatnonzero(np.diff(index)) + 1
    out = []
    for chunk in np.split(coords, cuts):
        flat = " ".join(map(str, chunk.ravel().tolist()))
        out.append("M" + flat)
    return "".join(out)


def _network(graph, frame: Frame, max_vertices: int):
    """SVG of the ways and the signed-route bands in the frame; (svg, kinds, bands,
    dropped, vertices)."""
    edges = _edges_in(graph, frame.bounds)
    kinds = way_kinds(graph)[edges]
    edges, kinds = edges[kinds >= 0], kinds[kinds >= 0]
    if not len(edges):
        return "", (), (), (), 0
    ptr = graph.edge_geom_ptr
    counts = (ptr[edges + 1] - ptr[edges]).astype(np.int64)
    first = np.repeat(ptr[edges] - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    points = first + np.arange(int(counts.sum()))
    owner = np.repeat(np.arange(len(edges)), counts)
    coords, index, part_edge = _lines(frame, graph.shape_lat[points], graph.shape_lon[points],
                                      owner, TOLERANCE)
    point_kind = kinds[part_edge[index]]
    names = list(WAY_STYLES)
    dropped = []
    for name in DROP_ORDER:                      # over budget: the least useful kinds go
        if len(coords) <= max_vertices:
            break
        keep = point_kind != names.index(name)
        coords, index, point_kind = coords[keep], index[keep], point_kind[keep]
        dropped.append(name)
    bands, band_svg = _route_bands(graph, edges[part_edge[index]], coords, index)
    out = [band_svg]
    drawn = []
    for code, name in enumerate(names):
        mask = point_kind == code
        if not mask.any():
            continue
        colour, width, dash = WAY_STYLES[name]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path class="way-{name}" d="{_path_data(coords[mask], index[mask])}" '
                   f'stroke="{colour}" stroke-width="{width}"{dash_attr}/>')
        drawn.append(name)
    return "".join(out), tuple(drawn), bands, tuple(dropped), len(coords)


def _route_bands(graph, point_edges: np.ndarray, coords: np.ndarray, index: np.ndarray):
    """Bands under the ways of signed routes (cycle, hiking): (kinds drawn, svg)."""
    if not len(coords) or not graph.routes:
        return (), ""
    route_kind = np.array([list(ROUTE_BANDS).index(ROUTE_KINDS[r.get("route")])
                           if r.get("route") in ROUTE_KINDS else -1 for r in graph.routes]
                          + [-1], np.int16)
    out, drawn = [], []
    ptr = graph.edge_route_ptr
    for code, name in enumerate(ROUTE_BANDS):
        # an edge is on such a route when any of its memberships is of that kind
        members = np.zeros(graph.n_edges, bool)
        memberships = route_kind[graph.edge_route_idx] == code
        if memberships.any():
            owner = np.repeat(np.arange(graph.n_edges), np.diff(ptr))
            members[owner[memberships]] = True
        mask = members[point_edges]
        if not mask.any():
            continue
        colour, width, opacity = ROUTE_BANDS[name]
        out.append(f'<path class="band-{name}" d="{_path_data(coords[mask], index[mask])}" '
                   f'stroke="{colour}" stroke-width="{width}" stroke-opacity="{opacity}"/>')
        drawn.append(name)
    return tuple(drawn), "".join(out)


def _route(frame: Frame, lines: list[Line]):
    """The route on top: a white casing, then each line in its colour."""
    casing, strokes, vertices = [], [], 0
    for line in lines:
        ok = np.isfinite(line.lat) & np.isfinite(line.lon)
        if ok.sum() < 2:
            continue
        coords, index, _ = _lines(frame, line.lat[ok], line.lon[ok],
                                  np.zeros(int(ok.sum()), np.int64), TOLERANCE / 2)
        data = _path_data(coords, index)
        vertices += len(coords)
        casing.append(data)
        strokes.append(f'<path d="{data}" stroke="{escape(line.colour)}" stroke-width="12"/>')
        strokes.append(_arrows(*frame.project(line.lat[ok], line.lon[ok])))
    if not casing:
        return "", 0
    return (f'<path class="route-casing" d="{"".join(casing)}" stroke="#ffffff" '
            f'stroke-width="22"/>' + "".join(strokes)), vertices


def _arrows(x: np.ndarray, y: np.ndarray, most: int = 8, spacing: float = 300.0) -> str:
    """White chevrons on a line, pointing the way of travel (at most ``most``, one every
    ``spacing`` units of paper or more)."""
    step = np.hypot(np.diff(x), np.diff(y))
    along = np.concatenate([[0.0], np.cumsum(step)])
    total = float(along[-1])
    if total < spacing:
        return ""
    gap = max(spacing, total / most)
    out = []
    for at in np.arange(gap / 2, total, gap):
        ahead, behind = min(at + 8.0, total), max(at - 8.0, 0.0)
        dx = np.interp(ahead, along, x) - np.interp(behind, along, x)
        dy = np.interp(ahead, along, y) - np.interp(behind, along, y)
        if dx == 0 and dy == 0:
            continue
        out.append(f'<path class="arrow" d="M-6 -6L5 0L-6 6" transform="translate('
                   f'{np.interp(at, along, x):.0f} {np.interp(at, along, y):.0f}) '
                   f'rotate({math.degrees(math.atan2(dy, dx)):.0f})" stroke="#ffffff" '
                   'stroke-width="3.5"/>')
    return "".join(out)


def nice_length(metres: float) -> float:
    """The largest of 1, 2, 5 × 10^n not above ``metres``."""
    if metres <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(metres))
    return max(step * power for step in (1, 2, 5) if step * power <= metres)


def _scale_bar(frame: Frame) -> str:
    """Bottom left: a two-tone bar of a round length, labelled in m or km."""
    metres = nice_length(0.22 * frame.width / frame.scale)
    length = metres * frame.scale
    label = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    x, y = 30.0, frame.height - 40.0
    half = length / 2
    return (f'<g class="scale-bar"><rect x="{x - 12:.0f}" y="{y - 34:.0f}" '
            f'width="{length + 24 + 12 * len(label):.0f}" height="56" fill="#ffffff" '
            f'fill-opacity="0.85"/>'
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{half:.1f}" height="8" fill="#1e293b"/>'
            f'<rect x="{x + half:.1f}" y="{y:.0f}" width="{half:.1f}" height="8" fill="#ffffff" '
            f'stroke="#1e293b" stroke-width="2"/>'
            f'<text x="{x:.0f}" y="{y - 8:.0f}" font-size="18">0</text>'
            f'<text x="{x + length:.1f}" y="{y - 8:.0f}" font-size="18" text-anchor="middle">'
            f'{label}</text></g>')


def _north_arrow(frame: Frame) -> str:
    x, y = frame.width - 50.0, 30.0
    return (f'<g class="north-arrow" transform="translate({x:.0f} {y:.0f})">'
            '<circle cx="0" cy="34" r="30" fill="#ffffff" fill-opacity="0.85"/>'
            '<path d="M0 10 L14 52 L0 42 Z" fill="#1e293b"/>'
            '<path d="M0 10 L-14 52 L0 42 Z" fill="#ffffff" stroke="#1e293b" stroke-width="2"/>'
            '<text x="0" y="8" font-size="18" font-weight="bold" text-anchor="middle">N</text>'
            '</g>')


def draw_map(graph, lines: list[Line], markers: list[Marker] = (), *, width_mm: float = 180,
             height_mm: float = 120, label: str = "", max_vertices: int = 60_000) -> StaticMap:
    """Draw a route over the network of ``graph`` (None: the route alone).

    Parameters
    ----------
    graph : graphs.CompiledGraph or None
        The network drawn under the route, in the frame of ``lines``.
    lines : list of Line
        The route (one line, or one per stage); the frame fits them.
    markers : list of Marker
        Start, end, stage ends and numbered places.
    width_mm, height_mm : float
        Printed size; the SVG scales to its box, with this aspect ratio.
    label : str
        The drawing's accessible name (escaped).
    max_vertices : int
        Network vertices allowed; past it minor kinds of way are left out.

    Returns
    -------
    StaticMap
    """
    width, height = width_mm * UNITS_PER_MM, height_mm * UNITS_PER_MM
    lat = np.concatenate([np.asarray(line.lat, float) for line in lines]) if lines else np.zeros(0)
    lon = np.concatenate([np.asarray(line.lon, float) for line in lines]) if lines else np.zeros(0)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        raise ValueError("draw_map needs at least one point with coordinates")
    frame = Frame(lat[ok], lon[ok], width, height)
    network, kinds, bands, dropped, vertices = ("", (), (), (), 0) if graph is None else \
        _network(graph, frame, max_vertices)
    route, route_vertices = _route(frame, lines)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
           f'width="{width_mm}mm" height="{height_mm}mm" role="img" aria-label="{escape(label)}" '
           f'font-family="DejaVu Sans, sans-serif">'
           f'<rect width="{width:.0f}" height="{height:.0f}" fill="#f7f5f0"/>'
           f'<g fill="none" stroke-linecap="round" stroke-linejoin="round">{network}{route}</g>'
           f'{draw_markers(frame, list(markers))}{_scale_bar(frame)}{_north_arrow(frame)}'
           f'<rect width="{width:.0f}" height="{height:.0f}" fill="none" stroke="#475569" '
           f'stroke-width="3"/></svg>')
    return StaticMap(svg=svg, bounds=frame.bounds, metres_per_mm=UNITS_PER_MM / frame.scale,
                     kinds=kinds, route_bands=bands, dropped=dropped,
                     vertices=vertices + route_vertices)
