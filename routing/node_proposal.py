"""A proposed cycle node network (points-nœuds) from the signed routes and the greenways.

The backbone is every way a cyclist may use that is a signed itinerary or a
greenway (a cycleway, or a path/track open to bicycles). Short dead-end spurs are
pruned; the remaining junctions (three ways or more) and the ends of the backbone
become nodes, junctions a few metres apart (a staggered crossing) are merged into
one, and links longer than ``max_link_m`` get a node in their middle. The nodes
are numbered with two digits so that a node, its neighbours and their neighbours
never share a number (distance-2 colouring: from any node, the signs towards the
next nodes are unambiguous), spreading each number as far as possible.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from graphs.geo import haversine_m
from graphs.node_network import adjacency, links_between
from graphs.tags import BIKE_BWD, BIKE_FWD

from .connectivity import signed_edges
from .errors import RoutingError

GREENWAY_HIGHWAYS = ("cycleway",)
OPEN_HIGHWAYS = ("path", "track", "footway", "bridleway", "pedestrian")
NUMBERS = tuple(range(1, 100))


class NumberingError(RoutingError):
    """More than 99 numbers would be needed around one node."""


@dataclasses.dataclass
class Proposal:
    """Nodes (``ref``, graph ``node``, ``osm_id``, ``lat``, ``lon``, ``degree``,
    ``signed``, ``end``) and links (``a``, ``b``, ``length_m``, ``edges``,
    ``signed_m``) of a proposed node network."""

    nodes: list
    links: list
    network: str = "rcn"

    def counts(self) -> dict:
        lengths = [link["length_m"] for link in self.links]
        return {"nodes": len(self.nodes), "links": len(self.links),
                "km": round(sum(lengths) / 1000, 1),
                "link_km_median": round(float(np.median(lengths)) / 1000, 2) if lengths else None,
                "link_km_max": round(max(lengths) / 1000, 2) if lengths else None,
                "numbers_used": len({n["ref"] for n in self.nodes})}

    def osm_objects(self, graph) -> tuple[dict, list]:
        """OSM tagging of the proposal: node id -> tags, and one route relation per link
        (members: the end nodes and the existing ways in order; ways running past a
        node must be split there when mapped)."""
        net = self.network
        links_at = [0] * len(self.nodes)
        for link in self.links:
            links_at[link["a"]] += 1
            links_at[link["b"]] += 1
        tags = {n["osm_id"]: {f"{net}_ref": n["ref"], "network:type": "node_network",
                              f"expected_{net}_route_relations": str(links_at[i])}
                for i, n in enumerate(self.nodes)}
        relations = []
        for link in self.links:
            a, b = self.nodes[link["a"]], self.nodes[link["b"]]
            ways: list = []
            for e in link["edges"]:
                way = int(graph.edge_way[e])
                if not ways or ways[-1] != way:
                    ways.append(way)
            relations.append({
                "members": [("n", a["osm_id"])] + [("w", w) for w in ways] + [("n", b["osm_id"])],
                "tags": {"type": "route", "route": "bicycle", "network": net,
                         "network:type": "node_network", "ref": f"{a['ref']}-{b['ref']}",
                         "note": f"{a['ref']}-{b['ref']}",
                         "distance": f"{link['length_m'] / 1000:.2f}",
                         "fixme": "proposal: check on the ground"}})
        return tags, relations


def backbone(graph) -> np.ndarray:
    """Edges a node network may follow: signed itineraries and greenways open to bicycles."""
    bike = (graph.edge_flags & (BIKE_FWD | BIKE_BWD)) > 0
    greenway = graph.codes_of("highway", GREENWAY_HIGHWAYS) | (
        graph.codes_of("highway", OPEN_HIGHWAYS)
        & graph.codes_of("bicycle", ("yes", "designated", "permissive")))
    return bike & (greenway | signed_edges(graph)) & (graph.edge_u != graph.edge_v)


def _prune(graph, mask: np.ndarray, spur_m: float, rounds: int = 3) -> np.ndarray:
    """Remove dead-end chains shorter than ``spur_m`` (a few rounds: spurs on spurs)."""
    mask = mask.copy()
    for _ in range(rounds):
        adj = adjacency(graph.n_nodes, graph.edge_u, graph.edge_v, np.flatnonzero(mask))
        removed = False
        for start in [i for i, a in enumerate(adj) if len(a) == 1]:
            chain, node, prev_edge, length = [], start, -1, 0.0
            while True:
                nxt = [(o, e) for o, e in adj[node] if e != prev_edge]
                if len(adj[node]) > 2 or not nxt or (node != start and len(adj[node]) == 1):
                    break
                other, edge = nxt[0]
                chain.append(edge)
                length += float(graph.edge_len[edge])
                node, prev_edge = other, edge
                if length >= spur_m:
                    break
            if length < spur_m and len(adj[node]) > 2:
                mask[chain] = False
                removed = True
        if not removed:
            break
    return mask


def propose_node_network(graph, spur_m: float = 500.0, merge_m: float = 400.0,
                         max_link_m: float = 8000.0, max_overlap: float = 0.2) -> Proposal:
    """Propose a numbered cycle node network.

    Parameters
    ----------
    graph : graphs.CompiledGraph
    spur_m : float
        Dead-end branches shorter than this get no node (pruned).
    merge_m : float
        Junctions closer than this along the backbone become one node; the
        links pass the others, as the arrows between numbered posts do.
    max_link_m : float
        A longer link gets a node near its middle.
    max_overlap : float
        A link sharing more than this share of its length with shorter links is
        dropped (it would sign the same ways twice).

    Returns
    -------
    Proposal

    Raises
    ------
    NumberingError
    """
    mask = _prune(graph, backbone(graph), spur_m)
    adj = adjacency(graph.n_nodes, graph.edge_u, graph.edge_v, np.flatnonzero(mask))
    degree = np.array([len(a) for a in adj])
    signed = signed_edges(graph)
    routes_at = _routes_at(graph, adj)
    candidates = np.flatnonzero((degree >= 3) | (degree == 1))
    # Where signed routes meet first, then signed junctions, then the busiest.
    priority = sorted(candidates.tolist(), key=lambda n: (
        -len(routes_at[n]), -sum(bool(signed[e]) for _, e in adj[n]), -degree[n], n))
    chosen = _merged(graph, adj, priority, degree, merge_m)
    for round_ in range(4):                            # split long links, a few rounds
        terminals = {int(n): i for i, n in enumerate(chosen)}
        links, _ = links_between(adj, graph.edge_len, terminals, max_m=4 * max_link_m)
        links = _without_overlaps(graph, links, max_overlap)
        extra = [_middle(graph, chosen[link["a"]], link["edges"]) for link in links
                 if link["length_m"] > max_link_m]
        extra = sorted(set(extra) - set(chosen))
        if not extra or round_ == 3:
            break
        chosen = chosen + extra
    nodes = [{"node": int(n), "osm_id": int(graph.node_osm[n]),
              "lat": round(float(graph.node_lat[n]), 7), "lon": round(float(graph.node_lon[n]), 7),
              "degree": int(degree[n]), "end": bool(degree[n] == 1),
              "signed": bool(any(signed[e] for _, e in adj[n])),
              "routes": sorted(routes_at[n])} for n in chosen]
    for link in links:
        link["signed_m"] = round(float(graph.edge_len[[e for e in link["edges"] if signed[e]]].sum()), 1)
    refs = number_nodes(nodes, links)
    for node, ref in zip(nodes, refs):
        node["ref"] = f"{ref:02d}"
    return Proposal(nodes, links)


def _routes_at(graph, adj) -> list:
    """Per node, the labels of the signed routes of its backbone edges."""
    out: list = [set() for _ in adj]
    for node, around in enumerate(adj):
        for _, e in around:
            for route in graph.edge_routes(e):
                out[node].add(route.get("ref") or route.get("name") or str(route["osm_id"]))
    return out


def _merged(graph, adj, priority: list, degree, merge_m: float) -> list[int]:
    """One node per cluster of junctions joined by backbone stretches under ``merge_m``
    (a staggered crossing, a small triangle); the first in priority stands for it."""
    junctions = [n for n in priority if degree[n] >= 3]
    terminals = {int(n): i for i, n in enumerate(junctions)}
    close, _ = links_between(adj, graph.edge_len, terminals, max_m=merge_m)
    parent = list(range(len(junctions)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for link in close:
        if link["length_m"] < merge_m:
            a, b = sorted((find(link["a"]), find(link["b"])))
            parent[b] = a                              # the root keeps the higher priority
    heads = sorted({find(i) for i in range(len(junctions))})
    return [int(junctions[i]) for i in heads] + [int(n) for n in priority if degree[n] == 1]


def _without_overlaps(graph, links: list, max_overlap: float) -> list:
    """Shortest links first; drop a link that mostly repeats the ways of kept ones."""
    kept, used = [], set()
    for link in sorted(links, key=lambda lk: lk["length_m"]):
        shared = sum(float(graph.edge_len[e]) for e in link["edges"] if e in used)
        if link["length_m"] > 0 and shared / link["length_m"] > max_overlap:
            continue
        kept.append(link)
        used.update(link["edges"])
    return sorted(kept, key=lambda lk: (lk["a"], lk["b"]))


def _middle(graph, start: int, edges: list[int]) -> int:
    """The graph node of a link nearest its middle."""
    node, along, half = start, 0.0, float(graph.edge_len[edges].sum()) / 2
    best, best_gap = start, half
    for e in edges:
        node = int(graph.edge_v[e] if graph.edge_u[e] == node else graph.edge_u[e])
        along += float(graph.edge_len[e])
        if abs(along - half) < best_gap:
            best, best_gap = node, abs(along - half)
    return best


def number_nodes(nodes: list, links: list) -> list[int]:
    """Two-digit numbers, distinct within two links of each node, each spread far apart.

    Nodes are numbered in a sweep from the north-west; each takes, among the
    numbers its neighbours and their neighbours do not carry, the one whose
    nearest other use is farthest (an unused number first).
    """
    near: list = [set() for _ in nodes]
    for link in links:
        near[link["a"]].add(link["b"])
        near[link["b"]].add(link["a"])
    two_hops = [set().union(*(near[m] for m in near[i]), near[i]) - {i} for i in range(len(nodes))]
    lat = np.array([n["lat"] for n in nodes])
    lon = np.array([n["lon"] for n in nodes])
    order = np.lexsort((lon, -np.round(lat, 2)))
    refs = [0] * len(nodes)
    used: dict = {}
    for i in order.tolist():
        banned = {refs[j] for j in two_hops[i] if refs[j]}
        best, best_gap = None, -1.0
        for number in NUMBERS:
            if number in banned:
                continue
            others = used.get(number)
            gap = np.inf if not others else float(haversine_m(
                np.full(len(others), lat[i]), np.full(len(others), lon[i]),
                lat[others], lon[others]).min())
            if gap > best_gap:
                best, best_gap = number, gap
            if gap == np.inf:
                break
        if best is None:
            raise NumberingError(f"node {nodes[i]['osm_id']} has {len(banned)} numbered nodes "
                                 "within two links: two digits are not enough")
        refs[i] = best
        used.setdefault(best, []).append(i)
    return refs
