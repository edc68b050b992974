"""Detours to places along a route: the compiled pass gives the answers of the plain code.

:func:`routing.detours.measure_detours` runs the two searches interleaved and stops
once every candidate is decided; the answers must be those of the two searches
run to the end (the code it replaced, kept below as the reference) and agree
with networkx's distances. .ci/run runs this file once more with
``NUMBA_BOUNDSCHECK=1``.
"""
import json
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pytest

from routing import RoutingError, engine
from routing.corridor import MAX_DETOUR_FACTOR, places_along
from routing.detours import DROPPED, MEASURED, OPEN, measure_detours, route_detours
from routing.pieces import pieces_table, route_nodes
from routing.place_detours import MAX_MEASURED
from routing.reach import ARRAYS
from routing.search import SearchBuffers


def _reference(router, itinerary, corridor_m, kinds=None, max_detour_m=None,
               max_measured=MAX_MEASURED):
    """Places along as measured before the compiled pass: two bounded searches run until
    every candidate's ends are settled, then a Python loop over the candidates."""
    places = router.places.along(itinerary.lat, itinerary.lon, itinerary.cum_m, corridor_m,
                                 kinds)
    if not places:
        return places
    network = router.network(itinerary.profile, metric="length")
    limit = MAX_DETOUR_FACTOR * corridor_m if max_detour_m is None else max_detour_m
    measured = {p["id"] for p in sorted(places, key=lambda p: (p["offset_m"], p["id"]))
                [:max_measured]}
    nodes, at = route_nodes(network.graph, itinerary.pieces)
    if not itinerary.pieces or not len(nodes):
        return places
    covered: dict = {}
    for leg in itinerary.pieces:
        for e, a, b in leg:
            covered.setdefault(int(e), []).append((min(a, b), max(a, b)))
    todo = {}
    for place in places:
        if place["offset_m"] == 0.0 or place["id"] not in measured:
            continue
        try:
            ep = router.place_endpoint(place["id"], network)
        except RoutingError:
            continue
        if any(lo - 1e-6 <= ep.offset_m <= hi + 1e-6 for lo, hi in covered.get(ep.edge, ())):
            todo[place["id"]] = (ep, None)
        else:
            todo[place["id"]] = (ep, (network.entries(ep), network.exits(ep)))
    ends = [e for _, e in todo.values() if e is not None]
    n = len(network.indptr) - 1
    fwd, back = SearchBuffers(n, len(network.heads)), SearchBuffers(n, len(network.heads))
    if ends:
        zeros = np.zeros(len(nodes))
        fwd.run(network.indptr, network.heads, network.costs, nodes, zeros,
                np.concatenate([e[0][0] for e in ends]), limit)
        back.run(network.rindptr, network.rtails, network.costs, nodes, zeros,
                 np.concatenate([e[1][0] for e in ends]), limit, network.rarcs)
    km_of: dict = {}
    for node, m in zip(nodes.tolist(), at.tolist()):
        km_of.setdefault(node, m)
    out = []
    for place in places:
        if place["offset_m"] == 0.0:
            out.append(dict(place, detour_m=0.0, there_m=0.0, back_m=0.0, detour_by="network"))
            continue
        if place["id"] not in measured:
            out.append(place)
            continue
        if place["id"] not in todo:
            continue
        ep, pair = todo[place["id"]]
        walk = 2.0 * (ep.snap_m + place["access_m"])
        if pair is None:
            there = back_m = 0.0
            leave = None
        else:
            (t_nodes, t_costs), (b_nodes, b_costs) = pair
            if not len(t_nodes) or not len(b_nodes):
                continue
            reach = fwd.dist[t_nodes] + t_costs
            k = int(np.argmin(reach))
            there, back_m = float(reach[k]), float(np.min(back.dist[b_nodes] + b_costs))
            arcs = engine.arcs_to(fwd.pred, network.tails, int(t_nodes[k])) if there < limit \
                else []
            leave = km_of.get(int(network.tails[arcs[0]]) if len(arcs) else int(t_nodes[k]))
        detour = there + back_m + walk
        if detour > limit:
            continue
        km = place["km"] if leave is None else round(float(leave) / 1000.0, 2)
        out.append(dict(place, km=km, detour_m=round(detour, 0), there_m=round(there + walk / 2, 1),
                        back_m=round(back_m + walk / 2, 1), detour_by="network"))
    out.sort(key=lambda d: (d["km"], d["id"]))
    return out


def random_routes(router, profile, count, seed):
    """Up to ``count`` itineraries between random nodes of the main component."""
    g = router.graph
    main = np.flatnonzero(g.node_comp == np.argmax(g.comp_length_m))
    ends = np.random.default_rng(seed).choice(main, (3 * count, 2))
    out = []
    for a, b in ends.tolist():
        try:
            out.append(router.route([(g.node_lat[a], g.node_lon[a]),
                                     (g.node_lat[b], g.node_lon[b])], profile))
        except RoutingError:
            continue
    return out[:count]


#: (corridor_m, max_detour_m, max_measured): the default, wide and narrow corridors, tight
#: bounds, and too many candidates to measure them all
SETTINGS = [(300.0, None, MAX_MEASURED), (1000.0, 2000.0, MAX_MEASURED), (100.0, None, 400),
            (500.0, None, 3), (2000.0, 1500.0, MAX_MEASURED)]


@pytest.mark.parametrize("name,profiles", [("heidelberg", ("hike", "bike")),
                                           ("basin", ("hike", "bike"))])
def test_places_along_equal_the_searches_run_to_the_end(router_for, name, profiles):
    router = router_for(name)
    compared = measured = 0
    for profile in profiles:
        for it in random_routes(router, profile, 12, seed=4):
            for corridor_m, bound, most in SETTINGS:
                got = places_along(router, it, corridor_m, max_detour_m=bound, max_measured=most)
                ref = _reference(router, it, corridor_m, max_detour_m=bound, max_measured=most)
                # The same dicts, keys in the same order, values bit for bit.
                assert json.dumps(got) == json.dumps(ref)
                compared += 1
                measured += sum(p["detour_by"] == "network" for p in got)
            kinds = {"lodging", "station"}
            assert places_along(router, it, 1000, kinds=kinds, max_detour_m=2000) == \
                _reference(router, it, 1000, kinds=kinds, max_detour_m=2000)
    assert compared >= 100 and measured >= 100


def length_digraph(network):
    """The network as a networkx DiGraph (the cheapest of parallel arcs)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(network.indptr) - 1))
    for u, v, w in zip(network.tails.tolist(), network.heads.tolist(), network.costs.tolist()):
        if not graph.has_edge(u, v) or graph[u][v]["weight"] > w:
            graph.add_edge(u, v, weight=w)
    return graph


def no_reach(places: int) -> SimpleNamespace:
    """Lists that hold no node and bound nothing: every candidate goes to the searches."""
    ptr, rows, bound = np.zeros(places + 1, np.int64), np.zeros(0), np.zeros(places)
    return SimpleNamespace(**{f"{side}_{k}": v for side in ("in", "out")
                              for k, v in zip(("ptr", "list", "bound"), (ptr, rows, bound))})


def search_detours(network, ends, reach, table, candidates, walk, max_detour_m, fwd, back):
    """:func:`routing.detours.route_detours` of ``candidates`` on the search buffers
    ``fwd`` and ``back``, fitted here; the caller resets them with the returned counts.

    Parameters
    ----------
    network : routing.network.ProfileNetwork
        The network the detours are measured on (arc costs in metres).
    ends : routing.detours.PlaceEnds
        The places' edge ends.
    reach : routing.reach.PlaceReach
        The places' nearest-node lists (any object with the :data:`routing.reach.ARRAYS`).
    table : numpy.ndarray
        The route's pieces (:func:`routing.pieces.pieces_table`).
    candidates : numpy.ndarray
        int64 indices into ``ends`` of the places to measure.
    walk : numpy.ndarray
        float64 straight-line metres of each candidate to its edge.
    max_detour_m : float
        Where the searches stop.
    fwd, back : routing.search.SearchBuffers
        The forward and backward search's buffers, in their initial state.

    Returns
    -------
    passed : int
        What ``route_detours`` returns (negative: inconsistent input).
    out : tuple of numpy.ndarray
        (status, there, back, leave) of each candidate.
    counts : numpy.ndarray
        The nodes each search touched, for ``fwd.reset`` and ``back.reset``.
    """
    for buffers in (fwd, back):
        buffers.fit(len(network.heads) + 2 * len(table))
    m = len(candidates)
    out = np.empty(m, np.int8), np.empty(m), np.empty(m), np.empty(m)
    counts = np.zeros(2, np.int64)
    g = network.graph
    passed = route_detours(g.edge_u, g.edge_v, g.edge_len, table, network.indptr, network.heads,
                           network.costs, network.rindptr, network.rtails, network.rarcs,
                           network.tails, ends.edge, ends.offset_m, ends.entry_node,
                           ends.entry_cost, ends.exit_node, ends.exit_cost,
                           *(getattr(reach, name) for name in ARRAYS), candidates, walk,
                           max_detour_m, fwd.dist, fwd.pred, fwd.mark, fwd.touched, fwd.heap_key,
                           fwd.heap_node, back.dist, back.pred, back.mark, back.touched,
                           back.heap_key, back.heap_node, *out, counts)
    return passed, out, counts


def run_route_detours(network, ends, table, candidates, walk, bound, reach=None):
    """route_detours (by search_detours) on fresh buffers; ``reach`` None: no lists
    (the searches alone)."""
    reach = no_reach(len(ends.ok)) if reach is None else reach
    n = len(network.indptr) - 1
    fwd, back = SearchBuffers(n, len(network.heads)), SearchBuffers(n, len(network.heads))
    passed, out, counts = search_detours(network, ends, reach, table, candidates, walk, bound,
                                         fwd, back)
    fwd.reset(int(counts[0]))
    back.reset(int(counts[1]))
    for buffers in (fwd, back):                   # handed back in their initial state
        assert (buffers.dist == engine.INF).all() and (buffers.pred == -1).all()
        assert not buffers.mark.any()
    return passed, out


def test_detours_agree_with_networkx(router_for):
    """Every place of the graph as a candidate: distances there and back equal networkx's
    (bit for bit: both are the least fixpoint of the same float sums); a candidate is
    dropped exactly when networkx puts its detour over the bound; the way there leaves
    the route at a route node that networkx puts at that distance."""
    router = router_for("heidelberg")
    network = router.network("hike", metric="length")
    ends = router.places.ends(network, router.place_endpoint)[0]
    graph = length_digraph(network)
    reverse = graph.reverse(copy=False)
    candidates = np.flatnonzero(ends.ok)
    walk = 2.0 * ends.snap_m[candidates]
    checked = dropped = 0
    for it, bound in zip(random_routes(router, "hike", 6, seed=9), (3000.0, 800.0) * 3):
        table = pieces_table(it.pieces)
        nodes, at = route_nodes(router.graph, it.pieces)
        passed, (status, there, back, leave_at) = run_route_detours(network, ends, table, candidates,
                                                       walk, bound)
        assert passed == len(nodes) > 0
        d_there = nx.multi_source_dijkstra_path_length(graph, set(nodes.tolist()))
        d_back = nx.multi_source_dijkstra_path_length(reverse, set(nodes.tolist()))
        first_at = {}
        for node, m in zip(nodes.tolist(), at.tolist()):
            first_at.setdefault(node, m)
        for j, p in enumerate(candidates.tolist()):
            if status[j] not in (MEASURED, DROPPED):
                continue                                  # on the route: nothing searched
            want_t = min((d_there.get(t, np.inf) + c for t, c in
                          zip(ends.entry_node[p], ends.entry_cost[p]) if t >= 0), default=np.inf)
            want_b = min((d_back.get(t, np.inf) + c for t, c in
                          zip(ends.exit_node[p], ends.exit_cost[p]) if t >= 0), default=np.inf)
            if status[j] == DROPPED:
                assert want_t + want_b + walk[j] > bound
                dropped += 1
                continue
            assert want_t + want_b + walk[j] <= bound
            assert there[j] == want_t and back[j] == want_b
            k = int(np.argmin([d_there.get(t, np.inf) + c if t >= 0 else np.inf for t, c in
                               zip(ends.entry_node[p], ends.entry_cost[p])]))
            entry = int(ends.entry_node[p, k])
            starts = [s for s in first_at if first_at[s] == leave_at[j]]
            assert starts, "the way there starts at a node of the route"
            from_start = nx.single_source_dijkstra_path_length(graph, starts[0], cutoff=bound)
            assert from_start[entry] + ends.entry_cost[p, k] == pytest.approx(there[j],
                                                                             abs=1e-6)
            checked += 1
    assert checked >= 30 and dropped >= 30


def test_measure_detours_refuses_inconsistent_input(router_for):
    router = router_for("heidelberg")
    network = router.network("hike", metric="length")
    ends = router.places.ends(network, router.place_endpoint)[0]
    it = random_routes(router, "hike", 1, seed=1)[0]
    table = pieces_table(it.pieces)
    good = np.flatnonzero(ends.ok)[:5]
    walk = np.zeros(len(good))
    assert run_route_detours(network, ends, table, good, walk, 3000.0)[0] > 0
    assert run_route_detours(network, ends, table, good + len(ends.ok), walk, 3000.0)[0] == -1
    assert run_route_detours(network, ends, table, good, walk[:-1], 3000.0)[0] == -1
    bad_edge = table.copy()
    bad_edge[0, 0] = router.graph.n_edges
    assert run_route_detours(network, ends, bad_edge, good, walk, 3000.0)[0] == -1
    assert run_route_detours(network, ends, table[:0], good, walk, 3000.0)[0] == 0   # no route node
    # Buffers smaller than the graph: refused before anything is written.
    n = len(network.indptr) - 1
    small = SearchBuffers(n - 1, len(network.heads))
    nodes, at = route_nodes(router.graph, it.pieces)
    m = len(good)
    status = np.full(m, OPEN, np.int8)
    assert measure_detours(network.indptr, network.heads, network.costs, network.rindptr,
                           network.rtails, network.rarcs, network.tails, nodes, at,
                           ends.entry_node[good], ends.entry_cost[good], ends.exit_node[good],
                           ends.exit_cost[good], walk, 3000.0, small.dist, small.pred,
                           small.mark, small.touched, small.heap_key, small.heap_node,
                           small.dist, small.pred, small.mark, small.touched, small.heap_key,
                           small.heap_node, status, np.empty(m), np.empty(m), np.empty(m),
                           np.zeros(2, np.int64)) == -1
    assert (small.dist == engine.INF).all() and (status == OPEN).all()


def test_a_routes_corridor_is_measured_once_and_zero_means_no_places(router_for, monkeypatch):
    """``corridor_m`` of a planned route: its places are those ``places_along`` finds in
    that corridor, measured once (not the default corridor's, then again); 0: none."""
    import routing.router as router_module
    from web.planning import plan

    router = router_for("basin")
    points = "site:base-11-19;site:louvre-lens"
    calls = []
    counted = router_module.places_along

    def counting(*args, **kwargs):
        calls.append(args[2])                          # the corridor it was asked for
        return counted(*args, **kwargs)

    monkeypatch.setattr(router_module, "places_along", counting)
    default = plan(router, "route", {"points": points})
    wide = plan(router, "route", {"points": points, "corridor_m": "800"})
    none = plan(router, "route", {"points": points, "corridor_m": "0"})
    assert calls == [router.corridor_m, 800.0]         # the zero corridor measured nothing
    assert none.places == [] and none.meta["corridor_m"] == 0.0
    assert wide.meta["corridor_m"] == 800.0 and "corridor_m" not in default.meta
    assert json.dumps(wide.places) == json.dumps(places_along(router, default, 800.0))
    assert len(wide.places) > len(default.places) > 0
    # the line and its figures do not depend on the corridor
    assert none.summary()["distance_m"] == default.summary()["distance_m"]
    np.testing.assert_array_equal(none.lat, default.lat)
    # other kinds measure theirs after planning, 0 included
    loop = plan(router, "loop", {"start": "site:base-11-19", "km": "6", "corridor_m": "0"})
    assert all(it.places == [] and it.meta["corridor_m"] == 0.0 for it in loop)


def test_roundings_left_to_python_give_the_same_places(router_for, monkeypatch):
    """measure_candidates rounds offsets and figures itself; where a rounding is Python's
    to decide (here: all of them, the scales made infinite) the offsets are rounded by
    Python and measured again, the figures rounded after: the same places, bit for bit."""
    import routing.place_detours as place_detours

    router = router_for("heidelberg")
    routes = random_routes(router, "hike", 10, seed=9) + random_routes(router, "bike", 10, seed=9)
    kernel = [json.dumps(places_along(router, it, 500.0)) for it in routes]
    assert sum(len(json.loads(text)) for text in kernel) > 20
    calls = []
    measure = place_detours._measure
    monkeypatch.setattr(place_detours, "_measure", lambda *args: calls.append(1) or measure(*args))
    monkeypatch.setattr(place_detours, "OFFSET_SCALE", np.array([np.inf]))
    monkeypatch.setattr(place_detours, "FIGURE_SCALES", np.array([np.inf]))
    assert [json.dumps(places_along(router, it, 500.0)) for it in routes] == kernel
    assert len(calls) == 2 * len([t for t in kernel if t != "[]"])     # measured twice each
    monkeypatch.undo()
    # A straight-line distance at a half of its rounding (0.25 m: 2.5 tenths) is Python's
    # round to decide: half to even.
    it, network = routes[0], router.network("hike", metric="length")
    found = (np.array([0], np.int64), np.array([0.25]), np.array([0.5]))
    got = place_detours.network_detours(router.places, network, it, found,
                                        router.place_endpoint, 3000.0,
                                        scratch=router.search_scratch)
    assert [p["offset_m"] for p in got] in ([], [0.2])
