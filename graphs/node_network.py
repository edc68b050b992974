"""Node networks (points-nœuds, knooppunten, Knotenpunkte) read from OSM.

Two forms are met in the wild and both are read:

* **numbered junctions** (Belgium, the Netherlands, the Nord): the junction node
  carries ``rcn_ref=12`` (``lcn_ref``, ``rwn_ref``, ``lwn_ref``, ``icn``/``ncn``/
  ``iwn``/``nwn``), the node-to-node routes are ``type=route`` relations tagged
  ``network:type=node_network``;
* **named guideposts** (German hiking networks): the junction carries
  ``rwn_name=Hilsenberg`` (or is a guidepost with ``network:type=node_network``,
  a ``name`` and a ``network`` tag) and the relations link guidepost to guidepost.

The compiled graph keeps, per network, its junctions (graph node, ref or name)
and its *links*: the stretches of node-network relations between two junctions
of the same network, found by a search that stops at junctions. What is wrong
in the data is kept too, as issue codes (a relation with a gap, a relation end
that is no junction, a node marked as a junction without a ref).
"""
from __future__ import annotations

import heapq

import numpy as np

#: Network scales and modes of node networks: cycling (c) and walking (w).
NETWORKS = ("icn", "ncn", "rcn", "lcn", "iwn", "nwn", "rwn", "lwn")


def junction_entries(tags) -> list[dict]:
    """The node-network junctions an OSM node stands for (often none).

    Parameters
    ----------
    tags : mapping
        The node's tags.

    Returns
    -------
    list of dict
        ``{"network", "ref", "name"}`` per network the node is a junction of;
        a node marked ``network:type=node_network`` without any ref or name
        gives ``{"network": None, "ref": None, "name": None}`` (an issue).
    """
    out = []
    for network in NETWORKS:
        ref = (tags.get(f"{network}_ref") or "").strip() or None
        name = (tags.get(f"{network}_name") or "").strip() or None
        if ref or name:
            out.append({"network": network, "ref": ref, "name": name})
    if not out and tags.get("network:type") == "node_network":
        network = tags.get("network")
        name = (tags.get("name") or "").strip() or None
        if network in NETWORKS and name and tags.get("information") == "guidepost":
            out.append({"network": network, "ref": None, "name": name})
        else:
            out.append({"network": None, "ref": None, "name": None})
    return out


def is_node_network_route(tags) -> bool:
    """Whether a route relation is a node-to-node route of a node network."""
    return tags.get("network:type") == "node_network" and tags.get("network") in NETWORKS


def adjacency(n_nodes: int, edge_u: np.ndarray, edge_v: np.ndarray, edges: np.ndarray) -> list:
    """Undirected adjacency lists ``node -> [(other node, edge), …]`` of ``edges``."""
    adj: list = [[] for _ in range(n_nodes)]
    for e in edges.tolist():
        u, v = int(edge_u[e]), int(edge_v[e])
        adj[u].append((v, e))
        adj[v].append((u, e))
    return adj


def links_between(adj: list, edge_len: np.ndarray, terminals: dict, max_m: float = 50_000.0):
    """Links between terminal nodes: shortest paths that pass through no other terminal.

    Parameters
    ----------
    adj : list
        Adjacency lists from :func:`adjacency`.
    edge_len : ndarray
        Edge lengths in metres.
    terminals : dict
        Graph node -> terminal index.
    max_m : float
        Longest link searched (bounds the work on a sparse network).

    Returns
    -------
    links : list of dict
        ``{"a", "b", "length_m", "edges"}`` (terminal indices, ``a < b``; edges
        in travel order from ``a``), one per linked pair.
    ends : list of int
        Graph nodes where a search met a dead end (a relation end that is no terminal).
    """
    best: dict = {}
    ends: set = set()
    for start, t_start in terminals.items():
        dist = {start: 0.0}
        back: dict = {}
        heap = [(0.0, start)]
        while heap:
            d, node = heapq.heappop(heap)
            if d > dist.get(node, np.inf) or d > max_m:
                continue
            if node != start and node in terminals:
                key = tuple(sorted((t_start, terminals[node])))
                if key[0] != key[1] and d < best.get(key, (np.inf,))[0]:
                    best[key] = (d, _walk_back(back, node, start), t_start)
                continue
            if node != start and len(adj[node]) == 1:
                ends.add(node)
            for other, edge in adj[node]:
                nd = d + float(edge_len[edge])
                if nd < dist.get(other, np.inf):
                    dist[other], back[other] = nd, (node, edge)
                    heapq.heappush(heap, (nd, other))
    links = []
    for (a, b), (length, edges, first) in sorted(best.items()):
        if first != a:
            edges = edges[::-1]
        links.append({"a": a, "b": b, "length_m": round(length, 1), "edges": edges})
    return links, sorted(ends)


def _walk_back(back: dict, node: int, start: int) -> list[int]:
    edges = []
    while node != start:
        node, edge = back[node]
        edges.append(edge)
    return edges[::-1]


def build_node_network(raw, arrays: dict) -> dict:
    """The node networks of a compiled graph.

    Parameters
    ----------
    raw : graphs.osm_reader.RawOSM
        With ``junctions`` (from :func:`junction_entries`) and route records
        carrying ``node_network``.
    arrays : dict
        Output of :func:`graphs.compile.compile_network`.

    Returns
    -------
    dict
        ``junctions`` (``network``, ``ref``, ``name``, ``osm_id``, ``node``,
        ``lat``, ``lon``), ``links`` (``network``, ``a``, ``b`` junction
        indices, ``length_m``, ``edges``, ``relations``), ``issues`` (``code``
        and the OSM ids concerned) and ``counts`` per network.
    """
    node_osm = arrays["node_osm"]
    order = np.argsort(node_osm)          # graph nodes are numbered in space, not by OSM id
    junctions, issues = [], []
    for record in raw.junctions:
        found = int(np.searchsorted(node_osm, record["osm_id"], sorter=order))
        pos = int(order[min(found, len(order) - 1)])
        on_graph = found < len(order) and node_osm[pos] == record["osm_id"]
        for entry in record["entries"]:
            if entry["network"] is None:
                issues.append({"code": "missing_ref", "node": record["osm_id"]})
            elif not on_graph:
                issues.append({"code": "junction_off_network", "node": record["osm_id"],
                               "network": entry["network"]})
            else:
                junctions.append(dict(entry, osm_id=record["osm_id"], node=pos,
                                      lat=round(float(arrays["node_lat"][pos]), 7),
                                      lon=round(float(arrays["node_lon"][pos]), 7)))
    routes = arrays["routes"]
    ptr, idx = arrays["edge_route_ptr"], arrays["edge_route_idx"]
    owner = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    links = []
    for network in sorted({j["network"] for j in junctions} |
                          {r["network"] for r in routes if r.get("node_network")}):
        rel_index = [i for i, r in enumerate(routes)
                     if r.get("node_network") and r["network"] == network]
        edges = np.unique(owner[np.isin(idx, rel_index)])
        adj = adjacency(len(node_osm), arrays["edge_u"], arrays["edge_v"], edges)
        issues.extend(_relation_gaps(routes, rel_index, owner, idx, arrays))
        terminals = {j["node"]: k for k, j in enumerate(junctions) if j["network"] == network}
        found, ends = links_between(adj, arrays["edge_len"], terminals)
        issues.extend({"code": "route_end_without_junction", "node": int(node_osm[n]),
                       "network": network} for n in ends)
        wanted = set(rel_index)
        for link in found:
            rels = sorted({routes[i]["osm_id"] for e in link["edges"]
                           for i in idx[ptr[e]:ptr[e + 1]].tolist() if i in wanted})
            links.append(dict(link, network=network, relations=rels))
    counts = {}
    for j in junctions:
        counts.setdefault(j["network"], {"junctions": 0, "links": 0})["junctions"] += 1
    for link in links:
        counts.setdefault(link["network"], {"junctions": 0, "links": 0})["links"] += 1
    return {"junctions": junctions, "links": links, "issues": issues, "counts": counts}


def _relation_gaps(routes, rel_index, owner, idx, arrays) -> list[dict]:
    """A relation whose ways do not form one connected line has a gap."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    out = []
    for i in rel_index:
        edges = owner[idx == i]
        if len(edges) == 0:
            out.append({"code": "relation_without_ways", "relation": routes[i]["osm_id"]})
            continue
        nodes, inverse = np.unique(np.concatenate([arrays["edge_u"][edges], arrays["edge_v"][edges]]),
                                   return_inverse=True)
        m = len(edges)
        matrix = coo_matrix((np.ones(m), (inverse[:m], inverse[m:])), shape=(len(nodes), len(nodes)))
        pieces = connected_components(matrix, directed=False)[0]
        if pieces > 1:
            out.append({"code": "relation_gap", "relation": routes[i]["osm_id"], "pieces": int(pieces)})
    return out


def summary(node_network: dict | None) -> dict:
    """Counts for the build summary and ``/health``: junctions and links per network."""
    if not node_network:
        return {"junctions": 0, "links": 0, "networks": {}, "issues": 0}
    return {"junctions": len(node_network["junctions"]), "links": len(node_network["links"]),
            "networks": node_network["counts"], "issues": len(node_network["issues"])}


def apply_to_osm(source, out, node_tags: dict, relations: list[dict]) -> int:
    """Copy an OSM file with extra tags on some nodes and new route relations.

    To try a proposed node network before mapping it: the copy reads back as a
    graph with that node network.

    Parameters
    ----------
    source, out : str or Path
        Input OSM file and the file to write (format from its suffix).
    node_tags : dict
        OSM node id -> tags to add.
    relations : list of dict
        ``{"members": [("n"|"w", id), …], "tags": {…}}``; ids -1, -2… are
        given below the smallest id of the source.

    Returns
    -------
    int
        Nodes tagged.

    Raises
    ------
    OSMInputError
        The source is not a readable OSM file.
    """
    from pathlib import Path

    import osmium

    from .osm_input import check_input

    check_input(Path(source))
    tagged, lowest = 0, 0
    with osmium.SimpleWriter(str(out), overwrite=True) as writer:
        for obj in osmium.FileProcessor(str(source)):
            lowest = min(lowest, obj.id)
            if obj.is_node() and obj.id in node_tags:
                tags = dict(obj.tags)
                tags.update(node_tags[obj.id])
                writer.add_node(obj.replace(tags=tags))
                tagged += 1
            elif obj.is_node():
                writer.add_node(obj)
            elif obj.is_way():
                writer.add_way(obj)
            else:
                writer.add_relation(obj)
        for k, rel in enumerate(relations, start=1):
            writer.add_relation(osmium.osm.mutable.Relation(
                id=lowest - k, members=[(t, ref, "") for t, ref in rel["members"]], tags=rel["tags"]))
    return tagged
