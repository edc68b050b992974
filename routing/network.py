"""A profile's view of the graph: directed arcs in CSR form, landmarks, snapping."""
from __future__ import annotations

import dataclasses
import hashlib

import numpy as np

from . import engine
from .errors import PointOffNetworkError, UnreachableError
from graphs.arrays import cached_arrays

from .pieces import Path, path_pieces, path_seeds  # noqa: F401  (Path: where planners import it)
from .profiles import Profile, edge_costs
from .workspace import SearchWorkspace, shared_pool

#: Bump when the way the arrays are computed changes: cached ones are then rebuilt.
CACHE_VERSION = 1
COST_KEYS = ("fwd", "bwd", "time_fwd", "time_bwd", "cost_fwd", "cost_bwd")
NETWORK_ARRAYS = ("usable", "tails", "heads", "arc_edge", "arc_forward", "costs", "indptr",
                  "snappable", "rarcs", "rtails", "rindptr", "lm_from", "lm_to") + tuple(
                      "c_" + key for key in COST_KEYS)
#: Landmarks used per query (the best of all for the pair): fewer reads per node.
ACTIVE_LANDMARKS = 6


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """A query point snapped onto an edge usable by the profile."""

    edge: int
    offset_m: float
    lat: float
    lon: float
    snap_m: float
    query: tuple
    place_id: str | None = None


class ProfileNetwork:
    """Arcs, costs and landmarks of one profile (and signed-route preference).

    Parameters
    ----------
    graph : graphs.CompiledGraph
    profile : Profile
    route_preference : float, optional
    landmarks : int
        Number of ALT landmarks (more: faster queries, slower set-up).
    """

    def __init__(self, graph, profile: Profile, route_preference: float | None = None,
                 landmarks: int = 16, extra_cost: np.ndarray | None = None,
                 hierarchy: bool = True, metric: str = "cost",
                 landmarks_of: "ProfileNetwork | None" = None, landmark_scale: float = 1.0):
        self.graph = graph
        self.profile = profile
        self.use_hierarchy = hierarchy
        c = edge_costs(graph, profile, route_preference, metric)
        if extra_cost is not None:
            c["cost_fwd"] = c["cost_fwd"] * extra_cost
            c["cost_bwd"] = c["cost_bwd"] * extra_cost
        #: digest of everything the arrays derive from (names the cache files)
        self.digest = _digest(graph, c, landmarks)
        source = getattr(graph, "source_dir", None)
        cache = source / "cache" / f"net-{profile.name}-{self.digest}" if source else None
        if landmarks_of is not None:
            # Per-request weights borrow scaled landmarks: no whole-graph Dijkstras per
            # request, and nothing written to disk for a weight a client made up.
            cache = None
        self._landmarks_of, self._landmark_scale = landmarks_of, landmark_scale
        arrays = cached_arrays(cache, lambda: self._prepare(c, landmarks), NETWORK_ARRAYS)
        # Read-only from here on (memory-mapped when the graph came from a directory).
        for name, array in arrays.items():
            setattr(self, name, array)
        self.c = {key: arrays["c_" + key] for key in COST_KEYS}
        self.lm_slack = 0.0
        n = graph.n_nodes
        self._scratch = shared_pool(graph, ("search", n), lambda: SearchWorkspace(n))
        self.hierarchy = self._hierarchy() if hierarchy else None

    def _prepare(self, c: dict, landmarks: int) -> dict:
        """Compute the arrays (seconds on a large graph, hence cached beside it)."""
        graph = self.graph
        self.usable = c["fwd"] | c["bwd"]
        fe, be = np.flatnonzero(c["fwd"]), np.flatnonzero(c["bwd"])
        tails = np.concatenate([graph.edge_u[fe], graph.edge_v[be]]).astype(np.int64)
        heads = np.concatenate([graph.edge_v[fe], graph.edge_u[be]]).astype(np.int64)
        arc_edge = np.concatenate([fe, be]).astype(np.int64)
        arc_forward = np.concatenate([np.ones(len(fe), bool), np.zeros(len(be), bool)])
        costs = np.concatenate([c["cost_fwd"][fe], c["cost_bwd"][be]])
        order = np.argsort(tails, kind="stable")
        self.tails, self.heads = tails[order], heads[order]
        self.arc_edge, self.arc_forward = arc_edge[order], arc_forward[order]
        self.costs = costs[order]
        n = graph.n_nodes
        self.indptr = np.searchsorted(self.tails, np.arange(n + 1)).astype(np.int64)
        base = self._landmarks_of
        # Same usable arcs as the base network (weights differ, not access): same parts.
        self.snappable = base.snappable if base is not None else self._main_parts()
        # Reverse CSR (incoming arcs) for the backward half of bidirectional searches.
        rorder = np.argsort(self.heads, kind="stable")
        self.rarcs = rorder.astype(np.int64)
        self.rtails = self.tails[rorder]
        self.rindptr = np.searchsorted(self.heads[rorder], np.arange(n + 1)).astype(np.int64)
        if base is None:
            self.lm_from, self.lm_to = self._landmarks(landmarks)
        else:
            self.lm_from = scaled_landmarks(base.lm_from, self._landmark_scale)
            self.lm_to = scaled_landmarks(base.lm_to, self._landmark_scale)
        out = {name: getattr(self, name) for name in NETWORK_ARRAYS if not name.startswith("c_")}
        out.update({"c_" + key: np.asarray(c[key]) for key in COST_KEYS})
        return out

    # -- preprocessing -------------------------------------------------------------------
    def _main_parts(self) -> np.ndarray:
        """Usable edges inside the profile's sizeable strongly connected parts.

        A cyclist's network has places a walker's has not, which one can enter
        but not leave (a one-way service road out of a pedestrian zone): points
        snap onto the parts where every place can be reached and left.
        """
        from scipy.sparse.csgraph import connected_components   # only when not cached

        g = self.graph
        if len(self.heads) == 0:
            return self.usable.copy()
        _, labels = connected_components(self.matrix(), directed=True, connection="strong")
        inside = labels[g.edge_u] == labels[g.edge_v]
        part_len = np.bincount(labels[g.edge_u[inside & self.usable]],
                               weights=g.edge_len[inside & self.usable],
                               minlength=labels.max() + 1)
        threshold = min(float(g.meta.get("min_component_m", 1000.0)), 0.5 * part_len.max())
        return self.usable & inside & (part_len[labels[g.edge_u]] >= threshold)

    def matrix(self, reverse: bool = False):
        """The arcs as a ``scipy.sparse.csr_matrix`` (parallel arcs keep their cheapest cost)."""
        from scipy.sparse import csr_matrix

        n = self.graph.n_nodes
        rows, cols = (self.heads, self.tails) if reverse else (self.tails, self.heads)
        order = np.lexsort((self.costs, cols, rows))
        r, c_, w = rows[order], cols[order], self.costs[order]
        first = np.ones(len(r), bool)
        first[1:] = (r[1:] != r[:-1]) | (c_[1:] != c_[:-1])
        return csr_matrix((w[first], (r[first], c_[first])), shape=(n, n))

    def _landmarks(self, k: int):
        """Farthest-point landmarks; exact distances from and to each, rounded down."""
        from scipy.sparse.csgraph import dijkstra as sp_dijkstra

        n = self.graph.n_nodes
        if k == 0 or len(self.heads) == 0:
            return np.zeros((n, 0)), np.zeros((n, 0))
        fwd, rev = self.matrix(), self.matrix(reverse=True)
        comp_len = self.graph.comp_length_m
        start = int(np.argmax(comp_len[self.graph.node_comp] * (np.diff(self.indptr) > 0)))
        chosen: list[int] = []
        nearest = np.full(n, np.inf)
        d = sp_dijkstra(fwd, indices=start)
        for _ in range(k):
            nearest = np.minimum(nearest, np.where(np.isfinite(d), d, np.inf))
            reach = np.where(np.isfinite(nearest), nearest, -1.0)
            cand = int(np.argmax(reach))
            if reach[cand] <= 0 or cand in chosen:
                break
            chosen.append(cand)
            d = sp_dijkstra(fwd, indices=cand)
        lm_from = sp_dijkstra(fwd, indices=chosen)   # d(L, v)
        lm_to = sp_dijkstra(rev, indices=chosen)     # d(v, L)
        # Tables are (node, landmark) so one node's values share cache lines. float64 keeps
        # the bounds exact, which the bidirectional stopping rule relies on.
        lm_from = np.where(np.isfinite(lm_from), lm_from, engine.INF)
        lm_to = np.where(np.isfinite(lm_to), lm_to, engine.INF)
        return np.ascontiguousarray(lm_from.T), np.ascontiguousarray(lm_to.T)

    def _hierarchy(self):
        """The contraction hierarchy of these weights (loaded from the graph's cache
        directory, else built: seconds)."""
        from .hierarchy import ContractionHierarchy

        source = getattr(self.graph, "source_dir", None)
        return ContractionHierarchy(self, cache_dir=source / "cache" if source else None)

    # -- endpoints -------------------------------------------------------------------------
    def _seeds(self, a: Endpoint, b: Endpoint, penalty=None) -> tuple:
        """:func:`routing.pieces.path_seeds` of a search from ``a`` to ``b``: the one
        computation of the costs along an endpoint's edge (exits, entries, same edge)."""
        g, c = self.graph, self.c
        return path_seeds(
            a.edge, a.offset_m, 1.0 if penalty is None else float(penalty[a.edge]),
            b.edge, b.offset_m, 1.0 if penalty is None else float(penalty[b.edge]),
            g.edge_len, g.edge_u, g.edge_v, c["fwd"], c["bwd"], c["cost_fwd"], c["cost_bwd"])

    def _ends(self, ep: Endpoint, penalty, leaving: bool) -> tuple[np.ndarray, np.ndarray]:
        """Edge ends an endpoint reaches (``leaving``) or is reached from, with the cost
        of the part of its edge in between."""
        nodes, costs, n_src, n_tgt, _ = self._seeds(ep, ep, penalty)
        part = slice(0, n_src) if leaving else slice(2, 2 + n_tgt)
        return nodes[part], costs[part]

    def exits(self, ep: Endpoint, penalty=None) -> tuple[np.ndarray, np.ndarray]:
        """Graph nodes reachable from an endpoint along its edge, with their cost."""
        return self._ends(ep, penalty, leaving=True)

    def entries(self, ep: Endpoint, penalty=None) -> tuple[np.ndarray, np.ndarray]:
        """Graph nodes from which an endpoint is reached along its edge, with the cost."""
        return self._ends(ep, penalty, leaving=False)

    def _same_edge(self, a: Endpoint, b: Endpoint, penalty=None) -> float:
        """Cost from ``a`` to ``b`` along the edge they share (INF if none)."""
        return self._seeds(a, b, penalty)[4]

    # -- queries ---------------------------------------------------------------------------
    def warm_up(self) -> tuple[int, int]:
        """Run each kernel once (numba loads compiled code on first call); returns two graph
        nodes far apart for a warm-up route, (-1, -1) on an empty network."""
        if len(self.heads) == 0:
            return -1, -1
        s, t = int(self.tails[0]), int(self.heads[0])
        self.node_query(s, t)
        self._search(np.array([s], np.int64), np.zeros(1), np.array([t], np.int64),
                     np.zeros(1), costs=self.costs)
        with self._scratch.borrow() as ws:
            touched = engine.dijkstra(self.indptr, self.heads, self.costs, np.array([s], np.int64),
                                      np.zeros(1), np.zeros(0, np.int64), 0.0, ws.dist_f, ws.pred_f)
            ws.dist_f[touched], ws.pred_f[touched] = engine.INF, -1
        # The node of s's component farthest from it (not a scan of a landmark column,
        # which would fault in a whole table that CH queries never read).
        g = self.graph
        same = g.node_comp == g.node_comp[s]
        far_off = np.where(same, (g.node_lat - g.node_lat[s]) ** 2
                           + ((g.node_lon - g.node_lon[s]) * np.cos(np.radians(g.node_lat[s]))) ** 2,
                           -1.0)
        return s, int(np.argmax(far_off))

    def node_query(self, s: int, t: int, alt: bool = False,
                   costs: np.ndarray | None = None) -> tuple[float, list]:
        """Cost and arcs of the optimal path between two graph nodes (``alt``: with the
        ALT search even where a contraction hierarchy exists; ``costs``: ALT on these
        arc costs, none below the network's own)."""
        if costs is None and alt:
            costs = self.costs
        if costs is None and self.use_hierarchy:     # one compiled call
            return self.hierarchy.node_query(int(s), int(t))[::2]
        cost, j, arcs = self._search(np.array([s], np.int64), np.zeros(1),
                                     np.array([t], np.int64), np.zeros(1), costs)
        return cost, arcs

    def _search(self, src, src_cost, tgt, tgt_cost, costs=None):
        """Bidirectional ALT search; returns (cost, target index, arcs).

        ``costs`` may replace the arc costs if no arc gets cheaper (the
        landmark bounds must stay lower bounds), e.g. to penalise reuse.
        """
        if costs is None and self.use_hierarchy:
            cost, _, arcs, target = self.hierarchy.query(src, src_cost, tgt, tgt_cost)
            return cost, target, arcs
        costs = self.costs if costs is None else costs
        with self._scratch.borrow() as ws:
            while True:
                cost, meet, touched = engine.bidir_astar(
                    self.indptr, self.heads, costs, self.rindptr, self.rtails, self.rarcs,
                    self.lm_from, self.lm_to, src, src_cost, tgt, tgt_cost, *ws.bidir(),
                    ACTIVE_LANDMARKS, self.lm_slack)
                if meet != -2:
                    break
                # A heap outgrew its buffer (many decrease-keys): reset, retry twice as big.
                ws.reset(touched)
                ws.grow_heaps()
            arcs = np.zeros(0, np.int64)
            if meet >= 0:
                arcs = np.concatenate([engine.arcs_to(ws.pred_f, self.tails, meet),
                                       engine.arcs_from(ws.pred_r, self.heads, meet)])
            ws.reset(touched)
        return cost, self._target_index(meet, arcs, tgt, tgt_cost), arcs

    def _target_index(self, meet, arcs, tgt, tgt_cost) -> int:
        """Which target a path through ``meet`` ends at (-1: none reached)."""
        if meet < 0:
            return -1
        end = self.heads[arcs[-1]] if len(arcs) else meet
        candidates = np.flatnonzero(tgt == end)
        return int(candidates[np.argmin(tgt_cost[candidates])])

    def path(self, a: Endpoint, b: Endpoint, penalty: np.ndarray | None = None,
             arc_costs: np.ndarray | None = None) -> Path:
        """Optimal path between two endpoints (raises UnreachableError).

        ``penalty`` (per edge, >= 1) multiplies the costs, e.g. of edges an
        itinerary already uses; the returned cost includes it. ``arc_costs``, when
        given, are the arc costs under that penalty, computed once by the caller.
        """
        # exits(a), entries(b) and _same_edge(a, b) in one compiled call
        nodes, seed_costs, n_src, n_tgt, direct = self._seeds(a, b, penalty)
        tgt = nodes[2:2 + n_tgt]
        costs = arc_costs if arc_costs is not None or penalty is None else \
            self.costs * penalty[self.arc_edge]
        cost, j, arcs = (engine.INF, -1, np.zeros(0, np.int64))
        if n_src and n_tgt:
            cost, j, arcs = self._search(nodes[:n_src], seed_costs[:n_src], tgt,
                                         seed_costs[2:2 + n_tgt], costs)
        if direct < engine.INF / 2 and direct <= cost:
            return Path(np.float64(direct), [(a.edge, a.offset_m, b.offset_m)])
        if j < 0:
            raise UnreachableError(
                f"no {self.profile.name} path from {_fmt(a)} to {_fmt(b)}: they lie on "
                "parts of the network that do not connect for this profile")
        return Path(cost, path_pieces(self, a, b, arcs, tgt[j]))

    def one_to_many(self, a: Endpoint, targets: list[Endpoint], max_cost: float = engine.INF,
                    penalty: np.ndarray | None = None, arc_costs: np.ndarray | None = None):
        """Costs from ``a`` to each target (INF when unreachable), one Dijkstra.

        ``penalty`` and ``arc_costs`` as for :meth:`path`.
        """
        src, src_cost = self.exits(a, penalty)
        entries = [self.entries(t, penalty) for t in targets]
        tgt_nodes = np.concatenate([e[0] for e in entries]) if entries else np.zeros(0, np.int64)
        out = np.full(len(targets), engine.INF)
        costs = self._arc_costs(penalty, arc_costs)
        with self._scratch.borrow() as ws:
            dist, pred = ws.dist_f, ws.pred_f
            touched = engine.dijkstra(self.indptr, self.heads, costs, src, src_cost,
                                      tgt_nodes, max_cost, dist, pred)
            for i, (nodes, end_costs) in enumerate(entries):
                if len(nodes):
                    out[i] = min(np.min(dist[nodes] + end_costs), engine.INF)
                out[i] = min(out[i], self._same_edge(a, targets[i], penalty))
            dist[touched], pred[touched] = engine.INF, -1
        return out

    def _arc_costs(self, penalty, arc_costs) -> np.ndarray:
        if arc_costs is not None:
            return arc_costs
        return self.costs if penalty is None else self.costs * penalty[self.arc_edge]

    def costs_from(self, a: Endpoint, max_cost: float, penalty: np.ndarray | None = None,
                   arc_costs: np.ndarray | None = None) -> np.ndarray:
        """Cost from ``a`` to every node within ``max_cost`` (INF beyond): a copy."""
        src, src_cost = self.exits(a, penalty)
        costs = self._arc_costs(penalty, arc_costs)
        with self._scratch.borrow() as ws:
            dist, pred = ws.dist_f, ws.pred_f
            touched = engine.dijkstra(self.indptr, self.heads, costs, src, src_cost,
                                      np.zeros(0, np.int64), max_cost, dist, pred)
            out = dist.copy()
            dist[touched], pred[touched] = engine.INF, -1
        return out


def scaled_landmarks(table: np.ndarray, scale: float) -> np.ndarray:
    """Landmark distances times ``scale`` (unreachable entries stay ``INF``).

    If every arc of a network costs at least ``scale`` times its cost in the network the
    table was computed on, the scaled distances are still lower bounds (and consistent),
    so ALT stays exact on it.
    """
    if not 0.0 < scale <= 1.0:
        raise ValueError(f"landmark scale must be in (0, 1], not {scale}")
    table = np.asarray(table)
    # A hair below the scale absorbs the rounding of the rescaled arc costs.
    return np.ascontiguousarray(np.where(table >= 0.5 * engine.INF, engine.INF,
                                         table * (scale * (1.0 - 1e-9))))


def _digest(graph, c: dict, landmarks: int) -> str:
    """A digest of the graph's topology, the edge weights and the landmark count."""
    digest = hashlib.sha1(f"{CACHE_VERSION}:{landmarks}:{graph.n_nodes}".encode())
    for array in (graph.edge_u, graph.edge_v, *(c[key] for key in COST_KEYS)):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:20]


def _fmt(ep: Endpoint) -> str:
    return ep.place_id or f"{ep.query[0]:.5f},{ep.query[1]:.5f}"


def check_snap(snap, query, bound_m: float, profile_name: str):
    """Raise PointOffNetworkError when no usable edge was within the bound."""
    if snap is None:
        raise PointOffNetworkError(
            f"point {query[0]:.5f},{query[1]:.5f} is more than {bound_m:.0f} m from any "
            f"way usable by the {profile_name} profile")
