"""The compiled itinerary assembly gives, bit for bit, what the numpy code it replaced gave.

The reference below is that numpy code, frozen here (it is no longer in the library).
Pieces come from real routes (Heidelberg; Andorra, which has elevation) and from made-up
paths: partial, reversed, zero-length and whole pieces, several legs, empty legs, edges
with elevation missing on some shape points. .ci/run runs this file once more with
``NUMBA_BOUNDSCHECK=1``.
"""
import copy
import types

import numpy as np
import pytest

from graphs.elevation import climb
from routing.assemble import EdgeFacts, assemble, edge_slice
from routing.hazards import WarningRuns
from routing.itinerary import Itinerary
from routing.numpy_exact import lat_lon_bounds
from routing.pieces import Path


def _ref_flatten(paths: list) -> tuple:
    """All pieces of all paths as arrays: edge, from_m, to_m, leg index."""
    pieces = [piece for path in paths for piece in path.pieces]
    edge = np.fromiter((p[0] for p in pieces), np.int64, len(pieces))
    a = np.fromiter((p[1] for p in pieces), np.float64, len(pieces))
    b = np.fromiter((p[2] for p in pieces), np.float64, len(pieces))
    leg = np.repeat(np.arange(len(paths)), [len(path.pieces) for path in paths])
    return edge, a, b, leg


def _ref_geometry(g, edge, a, b, start_m) -> tuple:
    """Vertices of every piece, in travel order: (lat, lon, ele, cum_m, vertices per piece).

    Whole edges (most pieces) are gathered with one fancy index over the shape
    arrays; pieces that start or end inside an edge are interpolated one by one.
    """
    length = g.edge_len[edge]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    whole = (lo <= 0.0) & (hi >= length)
    first, last = g.edge_geom_ptr[edge], g.edge_geom_ptr[edge + 1]
    counts = np.where(whole, last - first, 0)
    backward = a > b
    # Per vertex of the whole pieces: its shape point (walked backwards when travelling v -> u).
    starts = np.cumsum(counts) - counts
    step = np.arange(int(counts.sum())) - np.repeat(starts, counts)
    owner = np.repeat(np.arange(len(edge)), counts)
    index = np.where(backward[owner], last[owner] - 1 - step, first[owner] + step)
    offsets = g.shape_offsets[index]
    along = np.where(backward[owner], length[owner] - offsets, offsets)
    chunks = [g.shape_lat[index], g.shape_lon[index], g.shape_ele[index], along + start_m[owner]]
    partial = np.flatnonzero(~whole)
    if len(partial) == 0:
        return (*chunks, counts)
    # Splice the interpolated pieces in at their place.
    parts = [edge_slice(g, int(edge[i]), float(a[i]), float(b[i])) for i in partial]
    counts = counts.copy()
    counts[partial] = [len(part[0]) for part in parts]
    ends = np.cumsum(counts)
    out = [np.empty(int(ends[-1])) for _ in range(4)]
    is_whole = np.ones(int(ends[-1]), bool)
    for i, part in zip(partial, parts):
        lo_i = ends[i] - counts[i]
        is_whole[lo_i:ends[i]] = False
        for k in range(3):
            out[k][lo_i:ends[i]] = part[k]
        out[3][lo_i:ends[i]] = part[3] + start_m[i]
    for k in range(4):
        out[k][is_whole] = chunks[k]
    return (*out, counts)


def _ref_by_label(labels: list, codes: np.ndarray, weights: np.ndarray) -> dict:
    """``{label: summed weight}`` in order of first appearance along the route."""
    if len(codes) == 0:
        return {}
    codes = codes.astype(np.int64)
    sums = np.bincount(codes, weights=weights).tolist()
    out: dict = {}
    for code in dict.fromkeys(codes.tolist()):         # codes in order of first appearance
        label = labels[code]
        out[label] = out.get(label, 0.0) + sums[code]
    return out


def _ref_warnings(network, facts, edge, start_m, length) -> list[dict]:
    """Warning runs: the same warning on consecutive pieces is one run."""
    runs = WarningRuns()
    g = network.graph
    for i in np.flatnonzero(facts.warnings.any[edge]):
        runs.add(facts.warnings.of_edge(g, int(edge[i])), float(start_m[i]),
                 float(start_m[i] + length[i]))
    return runs.as_dicts()


def reference_assemble(network, facts, paths: list, waypoints: list, kind: str) -> Itinerary:
    """The numpy assembly the kernel replaced (main at f027542), kept verbatim."""
    g, c = network.graph, network.c
    edge, a, b, leg_of = _ref_flatten(paths)
    length = np.abs(b - a)
    edge_len = g.edge_len[edge]
    frac = np.divide(length, edge_len, out=np.zeros_like(length), where=edge_len > 0)
    time = np.where(b > a, c["time_fwd"][edge], c["time_bwd"][edge]) * frac
    end_m = np.cumsum(length)
    start_m = np.concatenate([[0.0], end_m[:-1]])      # the running total, as summed
    lat, lon, ele, cum, counts = _ref_geometry(g, edge, a, b, start_m)
    n_legs = len(paths)
    leg_time = np.bincount(leg_of, weights=time, minlength=n_legs)
    leg_pieces = np.bincount(leg_of, minlength=n_legs)
    last_piece = np.cumsum(leg_pieces) - 1
    vertex_end = np.cumsum(counts)
    legs = []
    for i, (wa, wb) in enumerate(zip(waypoints[:-1], waypoints[1:])):
        lo = last_piece[i] - leg_pieces[i] + 1         # first piece of the leg
        before = int(vertex_end[lo - 1]) if lo > 0 else 0
        through = int(vertex_end[last_piece[i]]) if leg_pieces[i] else before
        m_before = float(end_m[lo - 1]) if lo > 0 else 0.0
        m_through = float(end_m[last_piece[i]]) if leg_pieces[i] else m_before
        legs.append({"from": wa.get("place_id") or wa.get("name") or "",
                     "to": wb.get("place_id") or wb.get("name") or "",
                     "distance_m": round(m_through - m_before, 1),
                     "duration_s": round(float(leg_time[i]), 1),
                     "start": before, "end": through - 1})
    # Drop repeated vertices where pieces meet, then re-index the legs.
    keep = np.ones(len(lat), bool)
    keep[1:] = (np.abs(np.diff(lat)) > 1e-9) | (np.abs(np.diff(lon)) > 1e-9)
    new_index = np.cumsum(keep) - 1
    for leg in legs:
        leg["start"], leg["end"] = int(new_index[leg["start"]]), int(new_index[leg["end"]])
    route_counts = g.edge_route_ptr[edge + 1] - g.edge_route_ptr[edge]
    route_idx = g.edge_route_idx[np.repeat(g.edge_route_ptr[edge], route_counts)
                                 + np.arange(int(route_counts.sum()))
                                 - np.repeat(np.cumsum(route_counts) - route_counts, route_counts)]
    labels, label_of = facts.route_labels
    breakdown = {name: _ref_by_label(facts.category_labels[name], g.cat[name][edge], length)
                 for name in ("surface", "highway")}
    itinerary = Itinerary(
        profile=network.profile.name, kind=kind, waypoints=waypoints,
        lat=lat[keep], lon=lon[keep], ele=ele[keep].astype(np.float64), cum_m=cum[keep],
        duration_s=float(leg_time.sum()), legs=legs, breakdown=breakdown,
        signed_routes=_ref_by_label(labels, label_of[route_idx], np.repeat(length, route_counts)),
        warnings=_ref_warnings(network, facts, edge, start_m, length),
        pieces=[[[int(e), round(float(x), 3), round(float(y), 3)] for e, x, y in p.pieces]
                for p in paths],
        meta={"graph": g.meta.get("name"), "graph_build": g.build_id,
              "osm_date": g.meta.get("osm_date"),
              "attribution": g.meta.get("attribution", []),
              "signed_m": float(length[facts.signed[edge]].sum())})
    for leg in itinerary.legs:
        span = slice(leg["start"], leg["end"] + 1)
        known = np.isfinite(itinerary.ele[span]).any()
        up, down = climb(itinerary.cum_m[span], itinerary.ele[span]) if known else (None, None)
        leg["ascent_m"] = None if up is None else round(up, 1)
        leg["descent_m"] = None if down is None else round(down, 1)
    return itinerary


def _reference_path_pieces(network, a, b, arcs, target_node) -> list:
    """The numpy ``path_pieces`` the kernel replaced (main at f027542)."""
    g = network.graph
    first_node = network.tails[arcs[0]] if len(arcs) else target_node
    first = (a.edge, a.offset_m, g.edge_len[a.edge] if first_node == g.edge_v[a.edge]
             and network.c["fwd"][a.edge] else 0.0)
    edges = network.arc_edge[arcs]
    length = g.edge_len[edges]
    forward = network.arc_forward[arcs]
    start, end = np.where(forward, 0.0, length), np.where(forward, length, 0.0)
    keep = start != end
    middle = list(zip(edges[keep].tolist(), start[keep].tolist(), end[keep].tolist()))
    forward_in = target_node == g.edge_u[b.edge] and network.c["fwd"][b.edge]
    last = (b.edge, 0.0 if forward_in else g.edge_len[b.edge], b.offset_m)
    return [p for p in (first,) if p[1] != p[2]] + middle + [p for p in (last,) if p[1] != p[2]]


# -- comparing ---------------------------------------------------------------------------------
def _same(got: Itinerary, ref: Itinerary) -> None:
    """Equal to the last bit: arrays byte for byte, everything else by ``repr`` (exact floats,
    -0.0 and NaN told apart, dict order and number types compared too)."""
    for key in ("lat", "lon", "ele", "cum_m"):
        mine, theirs = getattr(got, key), getattr(ref, key)
        assert mine.dtype == theirs.dtype and mine.shape == theirs.shape, key
        assert mine.tobytes() == theirs.tobytes(), key
    for key in ("profile", "kind", "waypoints", "duration_s", "legs", "breakdown",
                "signed_routes", "warnings", "pieces", "meta"):
        assert repr(getattr(got, key)) == repr(getattr(ref, key)), key
    # what assemble remembers of the line's elevation and bounds is what a scan finds
    assert got.has_elevation is bool(np.isfinite(got.ele).any())
    if len(got.lat):
        assert repr(got.bounds()) == repr(lat_lon_bounds(got.lat, got.lon))
        assert got.__dict__["_bounds"][0] is got.lat


def _check(network, facts, paths, waypoints=None) -> str:
    """Assemble both ways; ``"same"``, or ``"raises"`` when both raise IndexError."""
    waypoints = waypoints or [{"name": f"w{i}"} for i in range(len(paths) + 1)]
    try:
        ref = reference_assemble(network, facts, paths, waypoints, "route")
    except IndexError:
        with pytest.raises(IndexError):
            assemble(network, facts, paths, waypoints, "route")
        return "raises"
    _same(assemble(network, facts, paths, waypoints, "route"), ref)
    return "same"


def _random_pieces(rng, g, count: int, short: bool = False) -> list:
    """Pieces of every kind: whole either way, partial either way (inside an edge or from
    one of its ends), zero-length (inside, at either end), short bits."""
    out = []
    for _ in range(count):
        e = int(rng.integers(0, g.n_edges))
        length = float(g.edge_len[e])
        x, y = sorted(rng.uniform(0, length, 2).tolist())
        if short:
            y = min(length, x + float(rng.uniform(0, 30)))
        kind = int(rng.integers(0, 9))
        out.append((e, *[(0.0, length), (length, 0.0), (x, y), (y, x), (x, x), (0.0, 0.0),
                         (length, length), (0.0, x), (y, length)][kind]))
    return out


def _random_paths(rng, g, legs: int, short: bool = False, empty: bool = True) -> list:
    paths = []
    for _ in range(legs):
        count = int(rng.integers(0 if empty else 1, 2 if short else 7))
        pieces = _random_pieces(rng, g, count, short)
        paths.append(Path(float(rng.uniform(0, 100)), pieces))
    return paths


def _with_elevation_holes(network, rng):
    """The network on a copy of its graph with some shape points' elevation unknown."""
    g = copy.copy(network.graph)
    ele = np.array(g.shape_ele, copy=True)
    ele[rng.random(len(ele)) < 0.1] = np.nan
    g.shape_ele = ele
    view = types.SimpleNamespace(graph=g, c=network.c, profile=network.profile)
    return view, EdgeFacts(g, network.profile)


def _node_points(g, rng, count: int) -> list:
    main = np.flatnonzero(g.node_comp == np.argmax(g.comp_length_m))
    nodes = rng.choice(main, count)
    jitter = rng.uniform(-4e-4, 4e-4, (count, 2)) * (rng.random((count, 1)) < 0.5)
    return [(float(g.node_lat[n]) + dy, float(g.node_lon[n]) + dx)
            for n, (dy, dx) in zip(nodes, jitter)]


# -- tests ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,profile", [("heidelberg", "hike"), ("heidelberg", "bike"),
                                          ("andorra", "hike")])
def test_real_routes_bit_equal(router_for, name, profile):
    from routing import RoutingError

    router = router_for(name)
    network = router.network(profile)
    facts = router.facts(network)
    rng = np.random.default_rng(11)
    checked = multi = climbed = 0
    for trial in range(70):
        points = _node_points(router.graph, rng, 2 + trial % 3)
        try:
            ends = router.endpoints(points, network)
            paths = [network.path(a, b) for a, b in zip(ends[:-1], ends[1:])]
        except RoutingError:
            continue
        waypoints = [router.waypoint(e) for e in ends]
        assert _check(network, facts, paths, waypoints) == "same"
        it = assemble(network, facts, paths, waypoints, "route")
        checked += 1
        multi += len(paths) > 1
        climbed += any(leg["ascent_m"] is not None for leg in it.legs)
    assert checked >= 50 and multi >= 25
    assert climbed >= 40 if name == "andorra" else climbed == 0


def test_made_up_paths_bit_equal(fixture_router, router_for):
    rng = np.random.default_rng(12)
    outcomes = {"same": 0, "raises": 0}
    for router, profile in ((fixture_router, "hike"), (router_for("andorra"), "bike")):
        network = router.network(profile)
        facts = router.facts(network)
        for trial in range(150):
            paths = _random_paths(rng, router.graph, 1 + trial % 4)
            outcomes[_check(network, facts, paths)] += 1
    assert outcomes["same"] >= 200 and outcomes["raises"] >= 5


def test_missing_elevation_and_short_legs_bit_equal(router_for):
    rng = np.random.default_rng(13)
    network = router_for("andorra").network("hike")
    view, facts = _with_elevation_holes(network, rng)
    measured = unknown = flat = 0
    for trial in range(250):
        paths = _random_paths(rng, view.graph, 1 + trial % 3, short=trial % 2 == 0, empty=False)
        assert _check(view, facts, paths) == "same"
        it = assemble(view, facts, paths, [{}] * (len(paths) + 1), "route")
        measured += sum(leg["ascent_m"] is not None for leg in it.legs)
        unknown += sum(leg["ascent_m"] is None for leg in it.legs)
        flat += not it.has_elevation
        assert it.has_elevation is bool(np.isfinite(it.ele).any())
    assert measured > 100 and unknown > 0 and flat > 0


def test_bad_pieces_raise_as_before(fixture_router):
    network = fixture_router.network("hike")
    facts = fixture_router.facts(network)
    g = network.graph
    for pieces in ([(g.n_edges, 0.0, 1.0)], [(-g.n_edges - 1, 0.0, 1.0)]):
        assert _check(network, facts, [Path(0.0, pieces)]) == "raises"
    assert _check(network, facts, [Path(0.0, [])]) == "raises"       # no vertex at all


def test_path_pieces_as_before(fixture_router):
    from routing import UnreachableError
    from routing.pieces import PieceArrays, path_pieces

    network = fixture_router.network("bike")
    g = network.graph
    ends = [fixture_router.endpoint((float(g.node_lat[i]) + d, float(g.node_lon[i]) + d),
                                    network) for i in range(g.n_nodes) for d in (0.0, 3e-5)]
    checked = 0
    for a in ends:
        for b in ends:
            src, _ = network.exits(a)
            tgt, tgt_cost = network.entries(b)
            if not len(src) or not len(tgt):
                continue
            cost, j, arcs = network._search(src, np.zeros(len(src)), tgt, tgt_cost)
            if j < 0:
                continue
            got = path_pieces(network, a, b, arcs, tgt[j])
            assert isinstance(got, PieceArrays) and got.edge.dtype == np.int64
            ref = _reference_path_pieces(network, a, b, arcs, tgt[j])
            path = Path(cost, got)
            assert path.pieces == ref and Path(cost, ref) == path
            assert np.array_equal(Path(cost, ref).arrays.edge, got.edge)
            assert Path(cost, ref).arrays.from_m.tobytes() == got.from_m.tobytes()
            checked += 1
            try:
                network.path(a, b)
            except UnreachableError:
                pass
    assert checked > 100


def test_path_keeps_its_list():
    pieces = [(3, 0.0, 12.5), (4, 7.25, 0.0)]
    path = Path(2.0, pieces)
    assert path.pieces is pieces and path.cost == 2.0
    arrays = path.arrays
    assert arrays.edge.tolist() == [3, 4] and arrays.to_m.tolist() == [12.5, 0.0]
    assert Path(2.0, arrays).pieces == pieces and Path(2.0, arrays) == path
    assert path != Path(2.5, pieces) and "12.5" in repr(path)


def reference_ends(network, ep, penalty, leaving: bool):
    """Exits (``leaving``) or entries of an endpoint as the Python code computed them
    before ``path_seeds`` (which ``exits``, ``entries`` and ``_same_edge`` now call)."""
    e, g = ep.edge, network.graph
    frac = ep.offset_m / g.edge_len[e] if g.edge_len[e] > 0 else 0.0
    k = 1.0 if penalty is None else float(penalty[e])
    nodes, costs = [], []
    if network.c["fwd"][e]:
        nodes.append(g.edge_v[e] if leaving else g.edge_u[e])
        costs.append(k * network.c["cost_fwd"][e] * ((1 - frac) if leaving else frac))
    if network.c["bwd"][e]:
        nodes.append(g.edge_u[e] if leaving else g.edge_v[e])
        costs.append(k * network.c["cost_bwd"][e] * (frac if leaving else (1 - frac)))
    return np.array(nodes, np.int64), np.array(costs)


def reference_same_edge(network, a, b, penalty):
    """The cost along a shared edge, as the Python code computed it (INF if none)."""
    from routing.engine import INF

    if a.edge != b.edge:
        return INF
    e, length = a.edge, network.graph.edge_len[a.edge]
    k = 1.0 if penalty is None else float(penalty[e])
    if b.offset_m >= a.offset_m and network.c["fwd"][e]:
        return k * network.c["cost_fwd"][e] * (b.offset_m - a.offset_m) / length
    if b.offset_m <= a.offset_m and network.c["bwd"][e]:
        return k * network.c["cost_bwd"][e] * (a.offset_m - b.offset_m) / length
    return INF


@pytest.mark.parametrize("profile", ["hike", "bike"])
def test_path_seeds_are_exits_entries_and_same_edge(fixture_router, profile):
    """``path_seeds`` (what ``network.path``, ``exits``, ``entries`` and ``_same_edge``
    compute with) gives, to the bit, what the Python code gave: edge ends and middles,
    every pair of endpoints on one edge, with and without a penalty."""
    from routing.engine import INF
    from routing.network import Endpoint
    from routing.pieces import path_seeds

    network = fixture_router.network(profile)
    g, c = network.graph, network.c
    rng = np.random.default_rng(14)
    penalty = rng.uniform(1.0, 3.0, g.n_edges)
    ends = [Endpoint(int(e), float(x), 0.0, 0.0, 0.0, (0.0, 0.0))
            for e in range(g.n_edges) for x in (0.0, float(g.edge_len[e]) / 3, float(g.edge_len[e]))]
    pairs = [(a, b) for a in ends for b in ends if a.edge == b.edge]
    pairs += [(ends[i], ends[j]) for i, j in rng.integers(0, len(ends), (400, 2))]
    direct = 0
    for a, b in pairs:
        for pen in (None, penalty):
            nodes, costs, n_src, n_tgt, cost = path_seeds(
                a.edge, a.offset_m, 1.0 if pen is None else float(pen[a.edge]),
                b.edge, b.offset_m, 1.0 if pen is None else float(pen[b.edge]),
                g.edge_len, g.edge_u, g.edge_v, c["fwd"], c["bwd"], c["cost_fwd"], c["cost_bwd"])
            exits, entries = reference_ends(network, a, pen, True), \
                reference_ends(network, b, pen, False)
            for got, want in ((nodes[:n_src], exits[0]), (nodes[2:2 + n_tgt], entries[0]),
                              (costs[:n_src], exits[1]), (costs[2:2 + n_tgt], entries[1]),
                              (network.exits(a, pen)[1], exits[1]),
                              (network.entries(b, pen)[0], entries[0])):
                assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
            same = reference_same_edge(network, a, b, pen)
            assert np.float64(network._same_edge(a, b, pen)).tobytes() == \
                np.float64(same).tobytes()
            assert np.float64(cost).tobytes() == np.float64(same).tobytes()
            direct += cost < INF
    assert direct > 50
    with pytest.raises(IndexError):
        path_seeds(g.n_edges, 0.0, 1.0, 0, 0.0, 1.0, g.edge_len, g.edge_u, g.edge_v,
                   c["fwd"], c["bwd"], c["cost_fwd"], c["cost_bwd"])


def test_pieces_read_as_lists_and_default_to_a_fresh_empty_one(fixture_router):
    """Pieces left as the kernel's arrays (routing.itinerary.LegPieces) read as the lists
    they stand for, in copies and round trips too; the default is a new empty list each."""
    network = fixture_router.network("hike")
    facts = fixture_router.facts(network)
    paths = _random_paths(np.random.default_rng(14), fixture_router.graph, 3, empty=False)
    it = assemble(network, facts, paths, [{}] * 4, "route")
    twin = copy.copy(it)
    pieces = it.pieces
    assert type(pieces) is list and it.pieces is pieces           # made once
    assert repr(pieces) == repr(reference_assemble(network, facts, paths, [{}] * 4,
                                                   "route").pieces)
    assert twin.pieces == pieces and twin == it
    assert Itinerary.from_dict(it.to_dict()).pieces == pieces
    fields = dict(profile="hike", kind="route", waypoints=[], lat=np.zeros(0), lon=np.zeros(0),
                  ele=np.zeros(0), cum_m=np.zeros(0), duration_s=0.0, legs=[], breakdown={},
                  signed_routes={})
    first, second = Itinerary(**fields), Itinerary(**fields)
    first.pieces.append([[0, 0.0, 1.0]])
    assert second.pieces == [] and first.pieces == [[[0, 0.0, 1.0]]]
