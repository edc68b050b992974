"""How far the heritage of the basin lies from a signed itinerary, and the links that are missing.

One multi-source Dijkstra from every node of a signed edge (EuroVelo, véloroutes,
GR/PR and other hiking relations, node-network routes) gives, for every node of
the network, the distance along existing ways to the nearest signed itinerary
and the way there. Each cité minière, UNESCO terril, major site and park is then
measured from its link point, classed, and the paths of the cités that are not on
an itinerary are chosen greedily as *connectors*: at each step the path that
reaches the most not-yet-reached cités per new kilometre.
"""
from __future__ import annotations

import dataclasses

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from .assemble import edge_slice

#: Class codes, nearest first, with their upper bound in metres (``far``: beyond, or none).
CLASSES = (("on", 100.0), ("near", 500.0), ("close", 2000.0), ("far", float("inf")))
#: Heritage groups measured: code -> test on a place.
GROUPS = {
    "cite": lambda p: p.kind == "cite" and p.tags.get("zone") == "property",
    "terril": lambda p: p.kind == "terril" and p.category == "unesco",
    "major_site": lambda p: p.kind == "major_site" or (p.kind == "museum" and p.source == "catalogue"),
    "park": lambda p: p.kind == "park",
}


def signed_edges(graph) -> np.ndarray:
    """Edges of a signed itinerary: any route relation, and every node-network link."""
    mask = np.diff(graph.edge_route_ptr) > 0
    for link in graph.node_network.get("links", []):
        mask[link["edges"]] = True
    return mask


def classify(distance_m: float) -> str:
    """The class code of a distance to the signed network."""
    for code, bound in CLASSES:
        if distance_m <= bound:
            return code
    return "far"


@dataclasses.dataclass
class Connectivity:
    """Per-place distances (``rows``), ranked ``connectors``, and the figures of both."""

    rows: list
    connectors: list
    signed_km: float

    def counts(self) -> dict:
        """``{group: {class: n}}`` and the connectors' total."""
        out: dict = {}
        for row in self.rows:
            group = out.setdefault(row["group"], {code: 0 for code, _ in CLASSES})
            group[row["class"]] += 1
        no_path = sum(1 for row in self.rows if row["network_m"] is None)
        return {"by_group": out, "without_path": no_path, "connectors": len(self.connectors),
                "connector_km": round(sum(c["length_m"] for c in self.connectors) / 1000, 2),
                "cites_reached_by_connectors": sum(c["n_cites"] for c in self.connectors),
                "signed_km": self.signed_km}


class _Forest:
    """Shortest-path forest from the signed nodes, on the undirected network."""

    def __init__(self, graph, signed: np.ndarray, max_m: float):
        g = graph
        order = np.lexsort((g.edge_len, np.maximum(g.edge_u, g.edge_v), np.minimum(g.edge_u, g.edge_v)))
        lo, hi = np.minimum(g.edge_u, g.edge_v)[order], np.maximum(g.edge_u, g.edge_v)[order]
        first = np.ones(len(order), bool)
        first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
        keep = order[first & (lo != hi)]
        self.edge_of = {(int(a), int(b)): int(e) for a, b, e in
                        zip(np.minimum(g.edge_u, g.edge_v)[keep], np.maximum(g.edge_u, g.edge_v)[keep], keep)}
        n = g.n_nodes
        matrix = csr_matrix((np.maximum(g.edge_len[keep], 1e-3), (g.edge_u[keep], g.edge_v[keep])),
                            shape=(n, n))
        sources = np.unique(np.concatenate([g.edge_u[signed], g.edge_v[signed]]))
        self.dist, self.pred, self.root = dijkstra(
            matrix, directed=False, indices=sources, min_only=True, return_predecessors=True,
            limit=max_m)

    def edges_to_root(self, node: int) -> tuple[list[int], int]:
        """Edges from ``node`` to the signed node nearest it, and that node."""
        edges = []
        while self.pred[node] >= 0:
            prev = int(self.pred[node])
            edges.append(self.edge_of[(min(node, prev), max(node, prev))])
            node = prev
        return edges, node


def heritage_connectivity(graph, max_m: float = 20_000.0) -> Connectivity:
    """Distances of the basin's heritage to the signed itineraries, and the missing links.

    Parameters
    ----------
    graph : graphs.CompiledGraph
    max_m : float
        Longest path searched along the ways; beyond, a place is ``far`` with no path.

    Returns
    -------
    Connectivity
        ``rows``: ``id``, ``group``, ``name``, ``class``, ``access_m`` (straight,
        place to its nearest way), ``network_m`` (along ways, None without a
        path), ``distance_m``, ``routes`` (labels of the itinerary reached),
        ``path`` ([[lat, lon], …]); ``connectors``: ``rank``, ``cites``,
        ``n_cites``, ``length_m``, ``cites_per_km``, ``lines``.
    """
    signed = signed_edges(graph)
    forest = _Forest(graph, signed, max_m)
    rows, trails = [], {}
    for place in graph.places:
        group = next((code for code, test in GROUPS.items() if test(place)), None)
        if group is None:
            continue
        row = {"id": place.id, "group": group, "name": place.name, "lat": place.lat,
               "lon": place.lon, "access_m": None, "network_m": None, "distance_m": None,
               "class": "far", "routes": [], "path": []}
        rows.append(row)
        if place.link is None:
            continue
        trail = _trail(graph, forest, signed, place.link)
        row["access_m"] = round(float(place.link["distance_m"]), 1)
        if trail is None:
            continue
        network_m, edges, partial, root = trail
        row["network_m"] = round(network_m, 1)
        row["distance_m"] = round(network_m + row["access_m"], 1)
        row["class"] = classify(row["distance_m"])
        row["path"] = _coords(graph, partial, edges)
        row["routes"] = _route_labels(graph, signed, partial, root)
        if group == "cite" and row["class"] != "on" and network_m > 0:
            trails[place.id] = (partial, edges)
    connectors = _connectors(graph, trails)
    return Connectivity(rows, connectors, round(float(graph.edge_len[signed].sum()) / 1000, 1))


def _trail(graph, forest, signed, link):
    """(metres, edges to the root, (link edge, from_m, to_m), root node) from a link
    point, or None; the root is -1 when the link edge itself is signed."""
    e, offset = int(link["edge"]), float(link["offset_m"])
    if signed[e]:
        return 0.0, [], (e, offset, offset), -1
    u, v, length = int(graph.edge_u[e]), int(graph.edge_v[e]), float(graph.edge_len[e])
    via_u, via_v = offset + forest.dist[u], (length - offset) + forest.dist[v]
    if not np.isfinite(min(via_u, via_v)):
        return None
    node, metres, to_m = (u, via_u, 0.0) if via_u <= via_v else (v, via_v, length)
    edges, root = forest.edges_to_root(node)
    return float(metres), edges, (e, offset, to_m), root


def _coords(graph, partial, edges) -> list:
    """[[lat, lon], …] of a trail: the part of the link edge, then the edges in order."""
    e, a, b = partial
    lat, lon, _, _ = edge_slice(graph, e, a, b)
    out = np.column_stack([lat, lon]).tolist()
    node = int(graph.edge_u[e]) if b == 0.0 else int(graph.edge_v[e])
    for edge in edges:
        forward = graph.edge_u[edge] == node
        lat, lon, _, _ = edge_slice(graph, edge, 0.0 if forward else graph.edge_len[edge],
                                    graph.edge_len[edge] if forward else 0.0)
        out.extend(np.column_stack([lat, lon]).tolist()[1:])
        node = int(graph.edge_v[edge] if forward else graph.edge_u[edge])
    return [[round(a, 6), round(b, 6)] for a, b in out]


def _route_labels(graph, signed, partial, root: int) -> list:
    """Labels of the signed itinerary a trail reaches (its edge, or the routes at its root)."""
    if root < 0:
        candidates = [partial[0]]
    else:
        candidates = np.flatnonzero(((graph.edge_u == root) | (graph.edge_v == root)) & signed)
    labels = set()
    for e in candidates:
        for route in graph.edge_routes(int(e)):
            labels.add(route.get("ref") or route.get("name") or f"relation {route['osm_id']}")
    return sorted(labels)


def _connectors(graph, trails: dict) -> list:
    """Greedy ranking of the cités' trails by cités reached per new kilometre."""
    chosen: set = set()
    reached: set = set()
    out = []
    lengths = graph.edge_len
    while len(reached) < len(trails):
        best = None
        for cite, (partial, edges) in trails.items():
            if cite in reached:
                continue
            new_m = sum(float(lengths[e]) for e in edges if e not in chosen)
            if partial[0] not in chosen:
                new_m += abs(partial[2] - partial[1])
            with_it = chosen | set(edges) | {partial[0]}
            gain = [d for d, (p, es) in trails.items() if d not in reached and
                    (d == cite or (p[0] in with_it and with_it.issuperset(es)))]
            score = len(gain) / max(new_m / 1000.0, 0.05)
            if best is None or score > best[0]:
                best = (score, cite, gain, new_m)
        score, cite, gain, new_m = best
        partial, edges = trails[cite]
        new_edges = [e for e in edges if e not in chosen]
        chosen.update(edges)
        chosen.add(partial[0])
        reached.update(gain)
        out.append({"rank": len(out) + 1, "cites": sorted(gain), "n_cites": len(gain),
                    "length_m": round(new_m, 1), "cites_per_km": round(score, 3),
                    "from_cite": cite, "new_edges": [int(e) for e in new_edges],
                    "lines": _coords(graph, partial, edges)})
    return out
