"""Planning on a node network: from node numbers or from points, along the network's links.

A plan is a sequence of junctions (« 12 – 45 – 7 – 3 ») joined by the links the
compiled graph holds (:mod:`graphs.node_network`); a start or an end off the
network gets the cheapest access leg on the ordinary network of the profile.
Numbers are not unique in a large network (1–99 repeat every few km), so a
sequence of numbers is resolved as a whole: of all the junctions carrying each
number, the chain with the cheapest links wins.
"""
from __future__ import annotations

import dataclasses
import threading

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from graphs.geo import haversine_m

from .errors import InvalidQueryError, UnreachableError
from .itinerary import Itinerary
from .network import Endpoint, Path
from .restrict import is_restricted

#: Most nodes in one request.
MAX_NODES = 60
#: Junctions considered as the first (last) node when a plan starts (ends) at a point.
ACCESS_CANDIDATES = 6


class NodeQueryError(InvalidQueryError):
    """A node of the query cannot be used; ``field`` and ``value`` name it."""

    def __init__(self, message: str, field: str, value: str, code: str):
        super().__init__(message)
        self.field, self.value, self.code = field, value, code


def default_profile(network: str) -> str:
    """``bike`` for cycling networks (``?cn``), ``hike`` for walking ones (``?wn``)."""
    return "bike" if network[1:] == "cn" else "hike"


def junction_label(junction: dict) -> str:
    """What the sign shows: the number, else the guidepost's name."""
    return junction["ref"] or junction["name"] or "?"


def _same_label(junction: dict, token: str) -> bool:
    ref = junction["ref"]
    if ref is not None:
        if ref == token or (ref.isdigit() and token.isdigit() and int(ref) == int(token)):
            return True
    name = junction["name"]
    return name is not None and name.casefold() == token.casefold()


@dataclasses.dataclass
class NodeRoute:
    """A plan on a node network: the junction sequence and the itinerary along it.

    ``sequence`` items: ``junction`` (index in the graph's table), ``label``,
    ``ref``, ``name``, ``osm_id``, ``lat``, ``lon``, ``at_m`` (distance from the
    start) and ``from_previous_m``. ``access_m`` is the distance off the network
    before the first and after the last junction.
    """

    network: str
    sequence: list
    itinerary: Itinerary
    access_m: tuple

    def to_dict(self) -> dict:
        return {"network": self.network, "profile": self.itinerary.profile,
                "labels": [s["label"] for s in self.sequence], "sequence": self.sequence,
                "access_m": [round(a, 1) for a in self.access_m],
                "distance_m": round(self.itinerary.distance_m, 1),
                "duration_s": round(self.itinerary.duration_s, 1)}


class NodePlanner:
    """Plans on the node networks of a router's graph; caches one link graph per
    (network, profile). Thread-safe: the caches are filled under a lock."""

    def __init__(self, router):
        self.router = router
        self.graph = router.graph
        self.table = self.graph.node_network
        self._links: dict = {}
        self._lock = threading.Lock()

    # -- the networks ----------------------------------------------------------------------
    def networks(self) -> dict:
        """Counts per network: ``{network: {"junctions", "links"}}``."""
        return self.table.get("counts", {})

    def check_network(self, network: str) -> str:
        if network not in self.networks():
            known = ", ".join(sorted(self.networks())) or "none in this graph"
            raise NodeQueryError(f"unknown node network {network!r} (known: {known})",
                                 "network", str(network), "unknown-network")
        return network

    def junctions(self, network: str) -> list[dict]:
        """The junctions of a network, each with its ``index`` in the graph's table."""
        self.check_network(network)
        return [dict(j, index=i, label=junction_label(j))
                for i, j in enumerate(self.table["junctions"]) if j["network"] == network]

    def link_graph(self, network: str, profile: str, pnet=None):
        """(matrix of link costs between junction indices, arc -> (link, forward), network).

        ``pnet``: a request's restricted network (:meth:`RoutingService.restricted`),
        whose links through forbidden edges are left out; built per request, not kept.
        """
        if is_restricted(pnet):
            return self._build_links(network, pnet)
        key = (network, profile)
        with self._lock:
            if key not in self._links:
                self._links[key] = self._build_links(network, self.router.network(profile))
            return self._links[key]

    def _build_links(self, network: str, pnet):
        c = pnet.c
        factor = pnet.factor if is_restricted(pnet) else np.ones(self.graph.n_edges)
        n = len(self.table["junctions"])
        rows, cols, costs, arcs = [], [], [], {}
        for k, link in enumerate(self.table["links"]):
            if link["network"] != network:
                continue
            for forward, (a, b) in ((True, (link["a"], link["b"])), (False, (link["b"], link["a"]))):
                cost = 0.0
                for piece in self._link_pieces(link, forward):
                    e = piece[0]
                    along = piece[2] > piece[1]
                    if not (c["fwd"][e] if along else c["bwd"][e]) or not factor[e] < np.inf:
                        cost = np.inf            # a one-way, closed or avoided stretch
                        break
                    cost += float((c["cost_fwd"] if along else c["cost_bwd"])[e]) * factor[e]
                if np.isfinite(cost) and cost < arcs.get((a, b), (np.inf,))[0]:
                    arcs[(a, b)] = (cost, k, forward)
        for (a, b), (cost, _, _) in arcs.items():
            rows.append(a)
            cols.append(b)
            costs.append(max(cost, 1e-6))     # a zero would read as "no arc" in a sparse matrix
        matrix = csr_matrix((costs, (rows, cols)), shape=(n, n))
        return matrix, {key: (k, fwd) for key, (_, k, fwd) in arcs.items()}, pnet

    def _link_pieces(self, link: dict, forward: bool) -> list:
        """Graph pieces ``(edge, from_m, to_m)`` of a link, from ``a`` (or from ``b``)."""
        g = self.graph
        node = self.table["junctions"][link["a"]]["node"]
        pieces = []
        for e in link["edges"]:
            if g.edge_u[e] == node:
                pieces.append((e, 0.0, float(g.edge_len[e])))
                node = g.edge_v[e]
            else:
                pieces.append((e, float(g.edge_len[e]), 0.0))
                node = g.edge_u[e]
        if forward:
            return pieces
        return [(e, b, a) for e, a, b in reversed(pieces)]

    # -- resolving the query ---------------------------------------------------------------
    def resolve(self, network: str, tokens: list[str], profile: str, pnet=None) -> list[int]:
        """Junction indices of node numbers, names or ``osm:ID``, as one cheapest chain
        (on the links ``pnet``, a request's restricted network, leaves).

        Raises
        ------
        NodeQueryError
            An unknown node, or a node of another network (named in the message).
        NoRouteLeftError
            The avoided areas cut a node off the one before it.
        """
        self.check_network(network)
        if len(tokens) > MAX_NODES:
            raise NodeQueryError(f"{len(tokens)} nodes given; at most {MAX_NODES}", "nodes",
                                 str(len(tokens)), "too-many-nodes")
        layers = [self._candidates(network, t) for t in tokens]
        matrix, _, _ = self.link_graph(network, profile, pnet)
        cost = np.zeros(len(layers[0]))
        back = []
        for prev, layer, token in zip(layers[:-1], layers[1:], tokens[1:]):
            dist = dijkstra(matrix, indices=prev)[:, layer] + cost[:, None]
            choice = np.argmin(dist, axis=0)
            cost = dist[choice, np.arange(len(layer))]
            if not np.isfinite(cost).any():
                if is_restricted(pnet):
                    raise pnet.no_route_left(f"node {token!r} is cut off the node before it "
                                             f"on the {network} network", node=token)
                raise NodeQueryError(f"node {token!r} cannot be reached from the node before it "
                                     f"on the {network} network", "nodes", token, "unreachable-node")
            back.append(choice)
        best = int(np.argmin(cost))
        chosen = [best]
        for choice in reversed(back):
            chosen.append(int(choice[chosen[-1]]))
        chosen.reverse()
        return [layers[i][k] for i, k in enumerate(chosen)]

    def _candidates(self, network: str, token: str) -> list[int]:
        token = token.strip()
        table = self.table["junctions"]
        osm_id = None
        if token.lower().startswith("osm:"):
            try:
                osm_id = int(token[4:])
            except ValueError:
                raise NodeQueryError(f"bad node id {token!r}", "nodes", token, "bad-node") from None
        match = [i for i, j in enumerate(table)
                 if (j["osm_id"] == osm_id if osm_id is not None else _same_label(j, token))]
        mine = [i for i in match if table[i]["network"] == network]
        if mine:
            return mine
        if match:
            other = sorted({table[i]["network"] for i in match})
            raise NodeQueryError(f"node {token!r} belongs to the {', '.join(other)} network, "
                                 f"not to {network}", "nodes", token, "node-of-other-network")
        raise NodeQueryError(f"no node {token!r} on the {network} network", "nodes", token,
                             "unknown-node")

    # -- planning --------------------------------------------------------------------------
    def endpoint_at(self, junction: int, pnet) -> Endpoint:
        """An endpoint exactly at a junction, on an incident edge the profile uses."""
        g, j = self.graph, self.table["junctions"][junction]
        node = j["node"]
        for e in np.flatnonzero(((g.edge_u == node) | (g.edge_v == node)) & pnet.usable):
            offset = 0.0 if g.edge_u[e] == node else float(g.edge_len[e])
            return Endpoint(int(e), offset, j["lat"], j["lon"], 0.0, (j["lat"], j["lon"]))
        if is_restricted(pnet):
            raise pnet.no_route_left(f"node {junction_label(j)!r} is on no way left",
                                     node=junction_label(j))
        raise UnreachableError(f"node {junction_label(j)!r} is on no way usable by "
                               f"{pnet.profile.name}")

    def plan(self, network: str, nodes: list[str] | None = None, start=None, end=None,
             profile: str | None = None, options=None, closed_areas=()) -> NodeRoute:
        """Plan on ``network`` through ``nodes`` (numbers/names), from/to points.

        Parameters
        ----------
        network : str
            ``rcn``, ``lwn``…
        nodes : list of str, optional
            Junctions in order; without them the best junctions near ``start``
            and ``end`` are chosen.
        start, end : (lat, lon) or place id, optional
            Points off (or on) the network; an access leg joins them to it.
        profile : str, optional
            Default: ``bike`` on cycling networks, ``hike`` on walking ones.
        options : routing.options.RouteOptions, optional
            Per-request options, avoided areas included: no link or access leg enters them.
        closed_areas : sequence of polygons
            The configured closures active for this request.

        Raises
        ------
        NodeQueryError, InvalidQueryError, PointOffNetworkError, UnreachableError,
        NoRouteLeftError
        """
        self.check_network(network)
        profile = profile or default_profile(network)
        restricted = self.router.restricted(profile, None, options, closed_areas)
        matrix, arcs, pnet = self.link_graph(network, profile, restricted)
        nodes = [t for t in (nodes or []) if t.strip()]
        if not nodes and (start is None or end is None):
            raise InvalidQueryError("give node numbers, or a start and an end point")
        if len(nodes) < 2 and start is None and end is None:
            raise NodeQueryError(f"a plan on node numbers needs at least two nodes, not "
                                 f"{','.join(nodes)!r}", "nodes", ",".join(nodes), "too-few-nodes")
        a = self.router.endpoint(start, pnet) if start is not None else None
        b = self.router.endpoint(end, pnet) if end is not None else None
        if nodes:
            chain = self.resolve(network, nodes, profile, pnet)
            first_options, last_options = [chain[0]], [chain[-1]]
        else:
            chain = []
            first_options = self._near(network, a)
            last_options = self._near(network, b)
        access = {s: pnet.path(a, self.endpoint_at(s, pnet)) for s in first_options} if a else {}
        egress = {t: pnet.path(self.endpoint_at(t, pnet), b) for t in last_options} if b else {}
        if not chain:
            dist = dijkstra(matrix, indices=first_options)[:, last_options]
            total = dist + np.array([access[s].cost for s in first_options])[:, None] \
                + np.array([egress[t].cost for t in last_options])[None, :]
            i, k = np.unravel_index(np.argmin(total), total.shape)
            if not np.isfinite(total[i, k]):
                if is_restricted(pnet):
                    raise pnet.no_route_left(f"no path is left on the {network} network")
                raise UnreachableError(f"no path on the {network} network between the junctions "
                                       "near the start and near the end")
            chain = [first_options[i], last_options[k]]
        sequence = self._expand(matrix, chain, network, pnet)
        return self._assemble(network, sequence, arcs, pnet, access.get(sequence[0]),
                              egress.get(sequence[-1]), a, b)

    def _near(self, network: str, ep: Endpoint) -> list[int]:
        """The junctions of ``network`` nearest a point (straight line)."""
        own = [i for i, j in enumerate(self.table["junctions"]) if j["network"] == network]
        lat = np.array([self.table["junctions"][i]["lat"] for i in own])
        lon = np.array([self.table["junctions"][i]["lon"] for i in own])
        d = haversine_m(np.full(len(own), ep.lat), np.full(len(own), ep.lon), lat, lon)
        return [own[i] for i in np.argsort(d)[:ACCESS_CANDIDATES]]

    def _expand(self, matrix, chain: list[int], network: str, pnet=None) -> list[int]:
        """Every junction passed between consecutive junctions of ``chain``."""
        out = [chain[0]]
        for s, t in zip(chain[:-1], chain[1:]):
            if s == t:
                continue
            _, pred = dijkstra(matrix, indices=s, return_predecessors=True)
            if pred[t] < 0:
                labels = [junction_label(self.table["junctions"][x]) for x in (s, t)]
                if is_restricted(pnet):
                    raise pnet.no_route_left(f"nodes {labels[0]!r} and {labels[1]!r} are no "
                                             f"longer linked on the {network} network",
                                             node=labels[1])
                raise NodeQueryError(f"nodes {labels[0]!r} and {labels[1]!r} are not linked on "
                                     f"the {network} network", "nodes", labels[1], "unreachable-node")
            hops = [t]
            while hops[-1] != s:
                hops.append(int(pred[hops[-1]]))
            out.extend(reversed(hops[:-1]))
        return out

    def _assemble(self, network, sequence, arcs, pnet, access: Path | None, egress: Path | None,
                  a: Endpoint | None, b: Endpoint | None) -> NodeRoute:
        table = self.table["junctions"]
        paths, waypoints = [], []
        if access is not None and access.pieces:
            paths.append(access)
            waypoints.append(self.router.waypoint(a))
        for s, t in zip(sequence[:-1], sequence[1:]):
            k, forward = arcs[(s, t)]
            pieces = self._link_pieces(self.table["links"][k], forward)
            factor = pnet.factor if is_restricted(pnet) else np.ones(self.graph.n_edges)
            cost = float(sum((pnet.c["cost_fwd"] if p[2] > p[1] else pnet.c["cost_bwd"])[p[0]]
                             * factor[p[0]] for p in pieces))
            paths.append(Path(cost, pieces))
        waypoints.extend({"lat": table[j]["lat"], "lon": table[j]["lon"], "snap_m": 0.0,
                          "query": [table[j]["lat"], table[j]["lon"]], "place_id": None,
                          "name": junction_label(table[j]), "kind": "junction"} for j in sequence)
        if egress is not None and egress.pieces:
            paths.append(egress)
            waypoints.append(self.router.waypoint(b))
        if not paths:
            raise NodeQueryError("the plan starts and ends at the same node", "nodes",
                                 junction_label(table[sequence[0]]), "too-few-nodes")
        itinerary = self.router.assemble(pnet, paths, waypoints, "route")
        offset = 1 if access is not None and access.pieces else 0
        at = [0.0] + [leg["distance_m"] for leg in itinerary.legs]
        cum = np.cumsum(at)
        steps = []
        for i, j in enumerate(sequence):
            at_m = float(cum[i + offset])
            steps.append({"junction": j, "label": junction_label(table[j]), "ref": table[j]["ref"],
                          "name": table[j]["name"], "osm_id": table[j]["osm_id"],
                          "lat": table[j]["lat"], "lon": table[j]["lon"], "at_m": round(at_m, 1),
                          "from_previous_m": round(at_m - steps[-1]["at_m"], 1) if steps else 0.0})
        itinerary.places = [{"id": f"junction:{network}:{s['osm_id']}", "name": s["label"],
                             "kind": "junction", "km": round(s["at_m"] / 1000, 2), "detour_m": 0.0,
                             "unesco_id": None, "lat": s["lat"], "lon": s["lon"]}
                            for s in steps] + itinerary.places
        itinerary.meta["node_network"] = network
        if is_restricted(pnet):
            itinerary.meta.update(pnet.meta())
        access_m = (float(cum[offset]), float(itinerary.distance_m - steps[-1]["at_m"]))
        return NodeRoute(network, steps, itinerary, access_m)
