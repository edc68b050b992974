"""A route's candidate places measured on the network: their there-and-back detours
(:mod:`routing.corridor` finds the candidates and makes their dicts).

Each candidate's detour is read from its precomputed nearest-node lists
(:mod:`routing.reach`: the first listed node the route passes), and for the few the
lists leave open measured by searches from all route nodes at once
(:func:`routing.detours.route_detours`). The whole measurement is one compiled call
(:func:`routing.corridor_kernels.measure_candidates`); Python only chooses the candidates
asked when there are more than ``max_measured``, and rounds what the kernel leaves to it.
"""
from __future__ import annotations

import weakref
from operator import itemgetter

import numpy as np

from .corridor_kernels import measure_candidates
from .itinerary import rounded
from .pieces import pieces_table
from .reach import ARRAYS
from .search import SearchBuffers
from .workspace import WorkspacePool

#: Most candidates measured per itinerary (the nearest to the route first).
MAX_MEASURED = 400
#: Decimals a place's km, detour, there and back metres are shown with; its offset's.
FIGURE_DIGITS, OFFSET_DIGITS = (2, 0, 1, 1), 1
#: The same as :func:`routing.corridor_kernels.measure_candidates` takes them.
FIGURE_SCALES, OFFSET_SCALE = (np.array([10.0 ** d for d in FIGURE_DIGITS]),
                               np.array([10.0 ** OFFSET_DIGITS]))
#: No offsets or choice given to the kernel: it rounds them, and asks every candidate.
_NONE_GIVEN, _NONE_ASKED = np.zeros(0), np.zeros(0, bool)


def network_detours(layer, network, itinerary, found, endpoint,
                    max_detour_m: float, max_measured: int = MAX_MEASURED,
                    scratch=None, table=None) -> list[dict]:
    """Measure each candidate's there-and-back detour on ``network`` (a length network).

    Parameters
    ----------
    layer : routing.corridor.PlaceLayer
    network : ProfileNetwork
        Weighted by length (``metric="length"``) for the itinerary's profile.
    found : tuple of ndarray
        Candidates from :meth:`routing.corridor.PlaceLayer.candidates`.
    endpoint : callable
        ``endpoint(place_id, network)`` snaps a place onto the network.
    max_detour_m : float
        Places whose detour is longer are dropped (not along the route).
    max_measured : int
        At most this many candidates are measured, the nearest to the route
        first; the others keep their straight-line estimate, marked
        ``detour_by: "straight line"``.
    scratch : WorkspacePool of SearchBuffers, optional
        Where the two searches borrow their buffers (fresh ones if absent).
    table : numpy.ndarray, optional
        The itinerary's :func:`routing.pieces.pieces_table` (made here if absent).

    Returns
    -------
    list of dict
        The places kept, ordered by km, with ``detour_m`` (there and back, metres,
        including the walk between the network and the place's access point),
        ``detour_by`` (``"network"``) and ``km`` where the detour leaves the route.
    """
    hits, dists, kms = found
    ends_reach = layer.ends(network, endpoint)
    table = pieces_table(itinerary.pieces) if table is None else table
    offsets, asked = _NONE_GIVEN, _NONE_ASKED             # rounded, all asked: by the kernel
    if len(hits) > max_measured:
        offsets = rounded(dists, OFFSET_DIGITS)    # as the dicts show them: 0 where it crosses
        asked = _nearest(layer, hits, offsets, max_measured)    # the nearest (then by id)
    code, offsets, figures, rounded_figures, how = _measure(
        layer, network, ends_reach, table, found, offsets, asked, max_detour_m, scratch)
    if code == -2:                       # an offset only Python's round decides
        code, offsets, figures, rounded_figures, how = _measure(
            layer, network, ends_reach, table, found, rounded(dists, OFFSET_DIGITS), asked,
            max_detour_m, scratch)
    if code < 0:
        raise ValueError("inconsistent network, places or search buffers")
    if code == 0:                              # the route passes no graph node
        return by_km(layer.straight_records(hits, dists, kms, offsets))
    return by_km(layer.records(hits, dists, offsets, figures, how,
                               rounded_figures=rounded_figures if len(rounded_figures) else None))


def _measure(layer, network, ends_reach, table, found, offsets, asked, max_detour_m, scratch):
    """:func:`routing.corridor_kernels.measure_candidates` of ``found`` on buffers from
    ``scratch``, given back reset."""
    hits, dists, kms = found
    before_table, after_table = _fixed_arrays(layer, network, ends_reach)
    fwd, back = _buffers(network, scratch, table)
    counts = np.zeros(2, np.int64)
    out = measure_candidates(
        hits, dists, kms, offsets, asked, OFFSET_SCALE, FIGURE_SCALES, *before_table, table,
        *after_table, float(max_detour_m), fwd.dist, fwd.pred, fwd.mark, fwd.touched,
        fwd.heap_key, fwd.heap_node, back.dist, back.pred, back.mark, back.touched,
        back.heap_key, back.heap_node, counts)
    _give_back(scratch, fwd, back, counts)
    return out


#: :func:`_fixed_arrays` per place reach (one per place layer and network).
_FIXED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _fixed_arrays(layer, network, ends_reach) -> tuple[tuple, tuple]:
    """The arrays :func:`routing.corridor_kernels.measure_candidates` takes before the
    route's table and after it that are the same for every route: the layer's, the
    network's, the places' ends and their lists. Gathered once per place reach (and so
    per layer and network): some forty attribute lookups cost ≈ 15 µs of a served route
    (issue 11)."""
    ends, reach = ends_reach
    try:
        return _FIXED[reach]
    except KeyError:
        pass
    g = network.graph
    fixed = ((ends.ok, ends.snap_m, layer.linked, layer.link_m, g.edge_u, g.edge_v, g.edge_len),
             (network.indptr, network.heads, network.costs, network.rindptr, network.rtails,
              network.rarcs, network.tails, ends.edge, ends.offset_m, ends.entry_node,
              ends.entry_cost, ends.exit_node, ends.exit_cost,
              *(getattr(reach, name) for name in ARRAYS)))
    _FIXED[reach] = fixed
    return fixed


def _nearest(layer, hits: np.ndarray, offsets: np.ndarray, count: int) -> np.ndarray:
    """Whether each candidate is among the ``count`` nearest to the route (by rounded
    offset, then by id)."""
    ids, offsets = [layer.places[i].id for i in hits.tolist()], offsets.tolist()
    order = sorted(range(len(ids)), key=lambda j: (offsets[j], ids[j]))
    nearest = np.zeros(len(ids), bool)
    nearest[order[:count]] = True
    return nearest


def by_km(places: list[dict]) -> list[dict]:
    """``places`` (dicts) sorted in place by km, then id; returned."""
    places.sort(key=itemgetter("km", "id"))
    return places


def _buffers(network, scratch, table):
    """Two search buffers from ``scratch`` (fresh ones without), fitted to a route of
    ``table``'s pieces."""
    pool = scratch if scratch is not None else WorkspacePool(
        lambda: SearchBuffers(len(network.indptr) - 1, len(network.heads)))
    fwd, back = pool.take(), pool.take()
    for buffers in (fwd, back):
        buffers.fit(len(network.heads) + 2 * len(table))
    return fwd, back


def _give_back(scratch, fwd, back, counts) -> None:
    """Reset the buffers of :func:`_buffers` after searches that touched ``counts`` nodes
    and give them back to ``scratch``."""
    for buffers, count in zip((fwd, back), counts.tolist()):
        if count:                  # (warm-up loads the reset's kernel: PlaceLayer.warm_up)
            buffers.reset(count)
        if scratch is not None:
            scratch.give(buffers)


