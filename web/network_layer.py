"""The routing network drawn from the compiled graph: GeoJSON by tile, for maps without tiles.

A map whose tile server is blocked (offline, a strict network, an outage) is a
grey square; this layer draws the graph itself, coloured by way class and with
the signed routes highlighted, so the map stays readable.

Why GeoJSON tiles and not Mapbox vector tiles: Leaflet draws GeoJSON natively,
whereas MVT needs a decoder and a renderer plugin in every page (and a PBF
encoder here) for payloads that gzip to a similar size at these feature counts.
As TileStache's VecTiles GeoJSON provider or geojson-vt do, the content of a tile
is simplified to a fraction of a pixel of its zoom, coordinates are rounded to
what that zoom shows, and the minor classes are dropped where a tile is dense.

Everything per edge is computed once per graph (:class:`NetworkLayer`): the
drawing class, the best cycle and walking network level of its signed routes,
their refs, its bounding box and a grid of cells listing the edges that touch
each cell. A tile is then a grid lookup, a vectorised simplification (shapely)
and a join of pre-serialised JSON fragments.
"""
from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import shapely

#: Drawing classes, from the least to the most prominent (the drawing order).
CLASSES = ("service", "footway", "pedestrian", "steps", "track", "path", "residential",
           "cycleway", "tertiary", "secondary", "primary", "trunk")
#: OSM highway value -> drawing class.
CLASS_OF_HIGHWAY = {
    "motorway": "trunk", "motorway_link": "trunk", "trunk": "trunk", "trunk_link": "trunk",
    "primary": "primary", "primary_link": "primary", "secondary": "secondary",
    "secondary_link": "secondary", "tertiary": "tertiary", "tertiary_link": "tertiary",
    "unclassified": "residential", "residential": "residential", "road": "residential",
    "living_street": "residential", "service": "service", "pedestrian": "pedestrian",
    "footway": "footway", "cycleway": "cycleway", "path": "path", "bridleway": "path",
    "track": "track", "steps": "steps",
}
#: The smallest zoom at which a class is always drawn (denser tiles only drop classes
#: above their zoom: see :data:`TILE_BUDGET`).
MIN_ZOOM = {"trunk": 10, "primary": 10, "secondary": 10, "tertiary": 11, "cycleway": 11,
            "residential": 13, "path": 13, "track": 13, "pedestrian": 14, "footway": 14,
            "service": 15, "steps": 15}
#: Signed routes by level: international 4, national 3, regional 2, local 1.
CYCLE_LEVELS = {"icn": 4, "ncn": 3, "rcn": 2, "lcn": 1}
WALK_LEVELS = {"iwn": 4, "nwn": 3, "rwn": 2, "lwn": 1}
LEVEL_NAMES = {"cycle": ("", "lcn", "rcn", "ncn", "icn"), "walk": ("", "lwn", "rwn", "nwn", "iwn")}
CYCLE_ROUTES = frozenset({"bicycle", "mtb"})
WALK_ROUTES = frozenset({"hiking", "foot", "walking", "running"})
#: Signed edges are drawn from this zoom (regional and above) or one later (local).
SIGNED_MIN_ZOOM = (99, 11, 10, 10, 10)
#: Zooms served: below, the network is too dense to be a line drawing; above, the same
#: geometry as the highest.
LOWEST_ZOOM, HIGHEST_ZOOM = 10, 17
#: Data tiles are the map's own 256 px tiles: a view needs about 24 of them.
TILE_SHIFT = 0
#: Edges a data tile holds before the classes above its zoom stop being added.
TILE_BUDGET = 200
#: Names of ways are sent from this zoom (tooltips); below they only cost bytes.
NAME_ZOOM = 14
GRID_CELL_DEG = 0.02
MAX_LAT = 85.05112878


class NetworkLayerError(ValueError):
    """A request the layer cannot answer as asked (``field`` says which parameter)."""

    def __init__(self, field: str, reason: str, too_large: bool = False):
        super().__init__(f"parameter {field!r} {reason}")
        self.field, self.reason, self.too_large = field, reason, too_large


@dataclasses.dataclass(frozen=True)
class Tile:
    """The content of one data tile: per edge, its id, drawing rank, signature (an index in
    ``properties``, the layer's JSON texts of properties) and line coordinates (JSON text)."""

    edges: np.ndarray
    ranks: np.ndarray
    signatures: np.ndarray
    properties: list
    lines: tuple


def tile_range(south: float, west: float, north: float, east: float, tile_zoom: int):
    """Tile columns and rows ``(x0, y0, x1, y1)`` (inclusive) covering a box at a zoom."""
    n = 2 ** tile_zoom

    def column(lon):
        return min(max(int((lon + 180.0) / 360.0 * n), 0), n - 1)

    def row(lat):
        lat = math.radians(min(max(lat, -MAX_LAT), MAX_LAT))
        y = (1.0 - math.log(math.tan(lat) + 1.0 / math.cos(lat)) / math.pi) / 2.0 * n
        return min(max(int(y), 0), n - 1)

    return column(west), row(north), column(east), row(south)


def tile_bounds(tile_zoom: int, x: int, y: int) -> tuple[float, float, float, float]:
    """``(south, west, north, east)`` of an XYZ tile."""
    n = 2 ** tile_zoom

    def lat(row):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return lat(y + 1), x / n * 360.0 - 180.0, lat(y), (x + 1) / n * 360.0 - 180.0


def data_zoom(zoom: int) -> int:
    """The zoom whose drawing serves a map at ``zoom`` (within the served range)."""
    return min(max(int(zoom), LOWEST_ZOOM), HIGHEST_ZOOM)


def _best_levels(graph) -> tuple[np.ndarray, np.ndarray, list]:
    """Per edge: best cycle level, best walking level, and the refs of its signed routes."""
    n = graph.n_edges
    cycle_of = np.zeros(len(graph.routes) + 1, np.uint8)
    walk_of = np.zeros(len(graph.routes) + 1, np.uint8)
    for i, route in enumerate(graph.routes):
        if route.get("node_network"):
            continue
        if route.get("route") in CYCLE_ROUTES:
            cycle_of[i] = CYCLE_LEVELS.get(route.get("network"), 1)
        elif route.get("route") in WALK_ROUTES:
            walk_of[i] = WALK_LEVELS.get(route.get("network"), 1)
    counts = np.diff(graph.edge_route_ptr)
    owner = np.repeat(np.arange(n), counts)
    idx = np.asarray(graph.edge_route_idx, np.int64)
    cycle, walk = np.zeros(n, np.uint8), np.zeros(n, np.uint8)
    np.maximum.at(cycle, owner, cycle_of[idx])
    np.maximum.at(walk, owner, walk_of[idx])
    refs: list = [None] * n
    ptr = graph.edge_route_ptr
    signed = cycle_of | walk_of
    for edge in np.flatnonzero(counts):
        members = sorted((int(i) for i in idx[ptr[edge]:ptr[edge + 1]] if signed[i]),
                         key=lambda i: _route_rank(graph.routes[i]))
        labels: list = []
        for i in members:
            label = graph.routes[i].get("ref") or graph.routes[i].get("name")
            if label and str(label)[:40] not in labels:
                labels.append(str(label)[:40])
        refs[edge] = labels[:4] or None
    return cycle, walk, refs


def _route_rank(route: dict) -> tuple:
    level = CYCLE_LEVELS.get(route.get("network")) or WALK_LEVELS.get(route.get("network")) or 0
    return (-level, str(route.get("ref") or route.get("name") or ""))


class NetworkLayer:
    """The drawing of one compiled graph, immutable once built (thread-safe reads).

    Parameters
    ----------
    graph : graphs.CompiledGraph
    """

    def __init__(self, graph):
        self.graph = graph
        self.build = str(graph.build_id or "unbuilt")
        n = graph.n_edges
        highway = graph.vocab["highway"]
        klass_of_code = np.array([CLASSES.index(CLASS_OF_HIGHWAY.get(h, "service"))
                                  for h in highway], np.uint8)
        klass = klass_of_code[np.asarray(graph.cat["highway"], np.int64)] if n else \
            np.zeros(0, np.uint8)
        # a path signed for cyclists is drawn as the cycleway it is
        bike = graph.vocab["bicycle"]
        designated = np.isin(graph.cat["bicycle"], [i for i, v in enumerate(bike)
                                                    if v in ("designated", "official")])
        klass[(klass == CLASSES.index("path")) & designated] = CLASSES.index("cycleway")
        #: per edge: drawing class (index in CLASSES), best cycle and walk levels (0-4)
        self.klass = klass
        self.cycle, self.walk, self.refs = _best_levels(graph)
        class_zoom = np.array([MIN_ZOOM[c] for c in CLASSES], np.uint8)
        signed_zoom = np.array(SIGNED_MIN_ZOOM, np.uint8)
        #: per edge: zoom from which it is always drawn
        self.min_zoom = np.minimum(class_zoom[klass], signed_zoom[np.maximum(self.cycle, self.walk)])
        #: per edge: drawing order (classes, then signed routes over them)
        self.rank = (klass.astype(np.int32) + 16 * np.maximum(self.cycle, self.walk)).astype(np.int32)
        self._signatures()
        ptr = np.asarray(graph.edge_geom_ptr, np.int64)
        lat, lon = np.asarray(graph.shape_lat), np.asarray(graph.shape_lon)
        starts = ptr[:-1]
        if n:
            self.south, self.north = np.minimum.reduceat(lat, starts), np.maximum.reduceat(lat, starts)
            self.west, self.east = np.minimum.reduceat(lon, starts), np.maximum.reduceat(lon, starts)
        else:
            self.south = self.north = self.west = self.east = np.zeros(0)
        self._grid(n)

    # -- the spatial grid: cells of GRID_CELL_DEG listing the edges whose box touches them --
    def _grid(self, n: int) -> None:
        self.lat0 = float(self.south.min()) if n else 0.0
        self.lon0 = float(self.west.min()) if n else 0.0
        iy0 = ((self.south - self.lat0) // GRID_CELL_DEG).astype(np.int64)
        iy1 = ((self.north - self.lat0) // GRID_CELL_DEG).astype(np.int64)
        ix0 = ((self.west - self.lon0) // GRID_CELL_DEG).astype(np.int64)
        ix1 = ((self.east - self.lon0) // GRID_CELL_DEG).astype(np.int64)
        self.nx = int(ix1.max()) + 1 if n else 1
        self.ny = int(iy1.max()) + 1 if n else 1
        wide, tall = ix1 - ix0 + 1, iy1 - iy0 + 1
        per_edge = wide * tall
        edge = np.repeat(np.arange(n), per_edge)
        k = np.arange(int(per_edge.sum())) - np.repeat(np.cumsum(per_edge) - per_edge, per_edge)
        cx = ix0[edge] + k % wide[edge]
        cy = iy0[edge] + k // wide[edge]
        key = cy * self.nx + cx
        order = np.argsort(key, kind="stable")
        self.cell_edges = edge[order].astype(np.int32)
        self.cell_start = np.searchsorted(key[order], np.arange(self.nx * self.ny + 1))

    def edges_in(self, south: float, west: float, north: float, east: float) -> np.ndarray:
        """Edges whose bounding box meets the box, by grid lookup (sorted ids)."""
        ix0 = max(int((west - self.lon0) // GRID_CELL_DEG), 0)
        ix1 = min(int((east - self.lon0) // GRID_CELL_DEG), self.nx - 1)
        iy0 = max(int((south - self.lat0) // GRID_CELL_DEG), 0)
        iy1 = min(int((north - self.lat0) // GRID_CELL_DEG), self.ny - 1)
        if ix0 > ix1 or iy0 > iy1 or not len(self.cell_edges):
            return np.zeros(0, np.int64)
        rows = np.arange(iy0, iy1 + 1) * self.nx
        lo, hi = self.cell_start[rows + ix0], self.cell_start[rows + ix1 + 1]
        counts = hi - lo
        idx = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        found = np.unique(self.cell_edges[idx])
        meets = ((self.south[found] <= north) & (self.north[found] >= south)
                 & (self.west[found] <= east) & (self.east[found] >= west))
        return found[meets].astype(np.int64)

    # -- tiles -----------------------------------------------------------------------------
    def tile(self, zoom: int, x: int, y: int) -> Tile:
        """The features of data tile ``x, y`` (at ``zoom - TILE_SHIFT``) drawn for ``zoom``."""
        zoom = data_zoom(zoom)
        south, west, north, east = tile_bounds(zoom - TILE_SHIFT, x, y)
        pad = (east - west) / 256.0                      # a few pixels: no gap at the seams
        edges = self.edges_in(south - pad, west - pad, north + pad, east + pad)
        edges = self._select(edges, zoom)
        if not len(edges):
            return Tile(edges, np.zeros(0, np.int32), np.zeros(0, np.int32), [], ())
        lines = self._simplified(edges, zoom, math.cos(math.radians((south + north) / 2)))
        named = int(zoom >= NAME_ZOOM)
        return Tile(edges, self.rank[edges], self.signature[named][edges], self.properties[named],
                    tuple(lines))

    def _select(self, edges: np.ndarray, zoom: int) -> np.ndarray:
        """The edges drawn at ``zoom``: those due by then, then whole classes while the
        tile stays within :data:`TILE_BUDGET` (a sparse network shows everything)."""
        due = self.min_zoom[edges]
        keep = due <= zoom
        total = int(keep.sum())
        for later in range(zoom + 1, HIGHEST_ZOOM + 1):
            extra = due == later
            total += int(extra.sum())
            if total > TILE_BUDGET:
                break
            keep |= extra
        return edges[keep]

    def _simplified(self, edges: np.ndarray, zoom: int, cos_lat: float) -> list[str]:
        """Each edge's line as GeoJSON coordinates text, simplified to ~half a pixel."""
        g = self.graph
        ptr = np.asarray(g.edge_geom_ptr, np.int64)
        starts, ends = ptr[edges], ptr[edges + 1]
        counts = ends - starts
        index = np.repeat(np.arange(len(edges)), counts)
        points = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        xy = np.column_stack([np.asarray(g.shape_lon)[points], np.asarray(g.shape_lat)[points]])
        lines = shapely.linestrings(xy, indices=index)
        pixel = 360.0 / (256 * 2 ** zoom) * cos_lat
        simple = shapely.simplify(lines, 0.5 * pixel, preserve_topology=False)
        out, owner = shapely.get_coordinates(simple, return_index=True)
        digits = 4 if zoom <= 13 else 5 if zoom <= 16 else 6
        pairs = np.round(out, digits).tolist()
        cuts = np.searchsorted(owner, np.arange(len(edges) + 1)).tolist()
        dumps = json.JSONEncoder(separators=(",", ":")).encode
        return [dumps(pairs[a:b]) for a, b in zip(cuts[:-1], cuts[1:])]

    def _signatures(self) -> None:
        """Edges of equal properties share a signature, whose JSON text is made once:
        ``self.signature[named][edge]`` indexes ``self.properties[named]``."""
        ref_ids: dict = {(): 0}
        refs = np.array([ref_ids.setdefault(tuple(r or ()), len(ref_ids)) for r in self.refs],
                        np.int64)
        ref_list = [list(r) for r in ref_ids]
        base = self.klass.astype(np.int64) + 16 * (self.cycle + 5 * (self.walk + 5 * refs))
        names = np.asarray(self.graph.edge_name, np.int64)
        self.signature, self.properties = [], []
        for key in (base, base * (len(self.graph.names) + 1) + names + 1):
            unique, first, inverse = np.unique(key, return_index=True, return_inverse=True)
            self.signature.append(inverse.astype(np.int32))
            named = key is not base
            self.properties.append([self._properties(int(e), ref_list[refs[e]], named)
                                    for e in first])

    def _properties(self, edge: int, refs: list, named: bool) -> str:
        props: dict = {"class": CLASSES[self.klass[edge]]}
        if self.cycle[edge]:
            props["cycle"] = LEVEL_NAMES["cycle"][self.cycle[edge]]
        if self.walk[edge]:
            props["walk"] = LEVEL_NAMES["walk"][self.walk[edge]]
        if refs:
            props["refs"] = refs
        name = self.graph.name_of(edge) if named else None
        if name:
            props["name"] = name
        return json.dumps(props, ensure_ascii=False, separators=(",", ":"))


def collect(tiles, max_lines: int) -> tuple[list[str], int]:
    """The features of several tiles of one zoom: each edge once, edges of equal properties
    joined in one MultiLineString (a feature per class and route signature, not per
    edge), in drawing order (minor classes first, signed routes last, on top).

    Returns
    -------
    features : list of str
        GeoJSON Feature texts.
    lines : int
        Edges drawn.

    Raises
    ------
    NetworkLayerError
        More than ``max_lines`` edges (``too_large``).
    """
    tiles = [t for t in tiles if len(t.edges)]
    if not tiles:
        return [], 0
    edges = np.concatenate([t.edges for t in tiles])
    ranks = np.concatenate([t.ranks for t in tiles])
    signatures = np.concatenate([t.signatures for t in tiles])
    lines = [line for t in tiles for line in t.lines]
    unique, first = np.unique(edges, return_index=True)
    if len(unique) > max_lines:
        raise NetworkLayerError("bbox", f"holds more than {max_lines} ways at this zoom: "
                                        "zoom in or ask for a smaller box", too_large=True)
    order = first[np.lexsort((unique, signatures[first], ranks[first]))]
    key = ranks[order].astype(np.int64) * (1 << 32) + signatures[order]
    cuts = np.flatnonzero(np.diff(key)) + 1
    texts = tiles[0].properties
    features = []
    for a, b in zip(np.concatenate([[0], cuts]).tolist(), np.concatenate([cuts, [len(order)]]).tolist()):
        group = order[a:b].tolist()
        features.append('{"type":"Feature","geometry":{"type":"MultiLineString","coordinates":['
                        + ",".join([lines[i] for i in group]) + ']},"properties":'
                        + texts[int(signatures[group[0]])] + "}")
    return features, len(unique)
