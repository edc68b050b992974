"""The compiled graph: plain numpy arrays plus a few tables.

Nodes are junctions; an edge is one stretch of a way between junctions with
its full geometry (``shape_*`` arrays, sliced by ``edge_geom_ptr``). Edge
attributes are categorical codes (``cat_<name>``, decoded by ``vocab``),
numbers (``num_<name>``), flags (:mod:`graphs.tags`) and route memberships
(``edge_route_ptr``/``edge_route_idx`` into ``routes``).
"""
from __future__ import annotations

import functools

import numpy as np

from .arrays import cached_arrays
from .places import Place
from .tags import NODE_OPEN

#: Array names stored in the compiled file.
ARRAY_NAMES = (
    "node_osm", "node_lat", "node_lon", "node_ele", "node_comp", "comp_length_m",
    "edge_u", "edge_v", "edge_len", "edge_way", "edge_flags", "edge_name",
    "edge_ascent", "edge_descent", "edge_geom_ptr", "shape_lat", "shape_lon", "shape_ele",
    "edge_route_ptr", "edge_route_idx",
)
#: Arrays added later: graphs compiled before them load with their default.
OPTIONAL_ARRAYS = ("node_passage",)


class CompiledGraph:
    """A routing graph ready for :mod:`routing`.

    Build one with :func:`graphs.build_graph`, load one with
    :func:`graphs.load_graph`.
    """

    def __init__(self, arrays: dict, vocab: dict, names: list, routes: list,
                 places: list[Place], meta: dict, node_network: dict | None = None,
                 name_translations: dict | None = None):
        for name in ARRAY_NAMES:
            setattr(self, name, arrays[name])
        #: who may pass through each node (``graphs.tags.NODE_*`` bits; barriers restrict it)
        self.node_passage = arrays.get("node_passage")
        if self.node_passage is None:
            self.node_passage = np.full(len(self.node_lat), NODE_OPEN, np.uint8)
        self.cat = {k[4:]: v for k, v in arrays.items() if k.startswith("cat_")}
        self.num = {k[4:]: v for k, v in arrays.items() if k.startswith("num_")}
        self.vocab = vocab
        self.names = names
        #: ``{lang: {way name: name:<lang>}}`` where OSM gives another name in that language
        self.name_translations = name_translations or {}
        self.routes = routes
        self.places = places
        self.meta = meta
        #: junctions and links of the OSM node networks (see graphs.node_network)
        self.node_network = node_network or {"junctions": [], "links": [], "issues": [],
                                             "counts": {}}
        #: the directory the graph was loaded from (None when built in memory)
        self.source_dir = None

    @property
    def n_nodes(self) -> int:
        return len(self.node_lat)

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)

    @property
    def build_id(self) -> str | None:
        """The identity of this build (older graphs: their build date); see
        :func:`graphs.build.build_id`, which reads the same metadata."""
        return self.meta.get("build_id") or self.meta.get("build_date")

    @property
    def has_elevation(self) -> bool:
        return bool(np.isfinite(self.node_ele).any())

    def arrays(self) -> dict:
        """All arrays by their stored name."""
        out = {name: getattr(self, name) for name in ARRAY_NAMES + OPTIONAL_ARRAYS}
        out.update({"cat_" + k: v for k, v in self.cat.items()})
        out.update({"num_" + k: v for k, v in self.num.items()})
        return out

    def edge_shape(self, edge: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lat, lon, ele) of an edge's geometry, from ``edge_u`` to ``edge_v``."""
        a, b = self.edge_geom_ptr[edge], self.edge_geom_ptr[edge + 1]
        return self.shape_lat[a:b], self.shape_lon[a:b], self.shape_ele[a:b]

    def category(self, name: str, edge: int) -> str | None:
        """Decoded categorical attribute of an edge (e.g. ``category('surface', 3)``)."""
        return self.vocab[name][int(self.cat[name][edge])]

    def codes_of(self, name: str, values) -> np.ndarray:
        """Boolean mask over edges whose attribute ``name`` is one of ``values``."""
        wanted = [i for i, v in enumerate(self.vocab[name]) if v in set(values)]
        return np.isin(self.cat[name], wanted)

    def name_of(self, edge: int, lang: str | None = None) -> str | None:
        """The way name (or ref) of an edge; in ``lang`` when OSM gives ``name:<lang>``."""
        code = int(self.edge_name[edge])
        if code < 0:
            return None
        name = self.names[code]
        return self.name_translations.get(lang, {}).get(name, name) if lang else name

    def edge_routes(self, edge: int) -> list[dict]:
        """Route relations the edge belongs to."""
        a, b = self.edge_route_ptr[edge], self.edge_route_ptr[edge + 1]
        return [self.routes[i] for i in self.edge_route_idx[a:b]]

    def route_mask(self, route_types) -> np.ndarray:
        """Edges belonging to at least one route relation of ``route_types``."""
        wanted = np.array([r["route"] in set(route_types) for r in self.routes] + [False])
        counts = np.diff(self.edge_route_ptr)
        owner = np.repeat(np.arange(self.n_edges), counts)
        mask = np.zeros(self.n_edges, bool)
        mask[owner[wanted[self.edge_route_idx]]] = True
        return mask

    @functools.cached_property
    def shape_offsets(self) -> np.ndarray:
        """Metres from its edge's start to every shape point (scaled to ``edge_len``);
        kept in the graph's cache directory when it was loaded from one."""
        source = self.source_dir
        cache = source / "cache" / "shape-offsets-v1" if source is not None else None
        return cached_arrays(cache, lambda: {"shape_offsets": self._shape_offsets()},
                             ("shape_offsets",))["shape_offsets"]

    def _shape_offsets(self) -> np.ndarray:
        from .geo import haversine_m

        ptr = self.edge_geom_ptr
        seg = haversine_m(self.shape_lat[:-1], self.shape_lon[:-1],
                          self.shape_lat[1:], self.shape_lon[1:]) if len(self.shape_lat) > 1 \
            else np.zeros(0)
        seg[ptr[1:-1] - 1] = 0.0                      # no distance across two edges
        cum = np.concatenate([[0.0], np.cumsum(seg)])
        start = np.repeat(cum[ptr[:-1]], np.diff(ptr))
        offsets = cum - start
        total = offsets[ptr[1:] - 1]
        scale = np.divide(self.edge_len, total, out=np.ones_like(total), where=total > 0)
        return offsets * np.repeat(scale, np.diff(ptr))

    @functools.cached_property
    def main_components(self) -> np.ndarray:
        """Boolean mask over components worth linking to (see ``min_component_m``)."""
        # On a tiny network (a test fixture) every sizeable piece counts.
        largest = float(self.comp_length_m.max()) if len(self.comp_length_m) else 0.0
        threshold = min(float(self.meta.get("min_component_m", 1000.0)), 0.5 * largest)
        return self.comp_length_m >= threshold

    def place(self, place_id: str) -> Place | None:
        return self._place_index.get(place_id)

    @functools.cached_property
    def _place_index(self) -> dict:
        return {p.id: p for p in self.places}

    def __repr__(self) -> str:
        return (f"<CompiledGraph {self.meta.get('name', '?')}: {self.n_nodes} nodes, "
                f"{self.n_edges} edges, {len(self.places)} places>")
