"""The per-candidate arithmetic of :func:`routing.corridor.network_detours`, compiled.

A route has a dozen or two candidate places; numpy spends about a microsecond per
operation on arrays that small, and Python about as much per candidate and figure.
Each kernel below is one call doing, per candidate, the operations the Python loop
did, in the same order (so the same floats); rounding stays with
:func:`routing.itinerary.rounded`, which is Python's ``round`` to the bit.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .detours import DROPPED, MEASURED, route_detours
from .numpy_exact import round_scaled

#: How a candidate's dict shows its detour (:func:`detour_figures`): not at all (it is
#: dropped), twice its offset, or measured on the network.
GONE, STRAIGHT_LINE, NETWORK = 0, 1, 2


@njit(cache=True, nogil=True)
def to_measure(hits, dists, offsets, asked, ok, snap_m, linked, access_m):
    """The candidates to search: those ``asked`` whose rounded offset is not 0 (the route
    crosses them) and that snapped onto the network (``ok``).

    Parameters
    ----------
    hits : ndarray of int64
        The candidates' place indices (into ``ok``, ``snap_m``, ``linked``, ``access_m``).
    dists, offsets : ndarray of float64
        Their straight-line metres from the route, unrounded and rounded.
    asked : ndarray of bool
        Whether each may be measured (the nearest ``max_measured``).
    ok, snap_m : ndarray
        Per place: whether it snapped, and its metres from its way.
    linked, access_m : ndarray
        Per place: whether it has a link to the network, and its length.

    Returns
    -------
    todo : ndarray of int64
        Indices into ``hits`` of the candidates to search.
    places : ndarray of int64
        Their place indices.
    walk : ndarray of float64
        Twice the metres from each one's way to its access point and on to the place
        (its link, else its offset).
    """
    n = hits.shape[0]
    m = ok.shape[0]
    if dists.shape[0] != n or offsets.shape[0] != n or asked.shape[0] != n \
            or snap_m.shape[0] != m or linked.shape[0] != m or access_m.shape[0] != m:
        raise IndexError("arrays of different lengths")
    todo, places, walk = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n)
    k = 0
    for j in range(n):
        i = hits[j]
        if i < 0 or i >= m:
            raise IndexError("a candidate that is not a place")
        if asked[j] and offsets[j] != 0.0 and ok[i]:
            todo[k], places[k] = j, i
            walk[k] = 2.0 * (snap_m[i] + (access_m[i] if linked[i] else dists[j]))
            k += 1
    return todo[:k], places[:k], walk[:k]


@njit(cache=True, nogil=True)
def detour_figures(kms, dists, offsets, asked, todo, walk, status, there, back, leave,
                   max_detour_m):
    """Each candidate's figures, unrounded, and how its detour was found.

    Parameters
    ----------
    kms, dists, offsets, asked : ndarray
        Per candidate: km along the route, metres from it (unrounded, rounded), and
        whether it could be measured (see :func:`to_measure`).
    todo, walk : ndarray
        What :func:`to_measure` returned.
    status, there, back, leave : ndarray
        The searches' answers for ``todo`` (:func:`routing.detours.route_detours`).
    max_detour_m : float
        Longer detours are dropped.

    Returns
    -------
    figures : ndarray, shape (candidates, 4)
        km (where the detour leaves the route), detour, there and back in metres: 0, 0,
        0 for a place the route crosses; twice the offset, 0, 0 for one not asked; the
        searches' figures (the walk shared between there and back) for one measured.
    how : ndarray of int8
        :data:`NETWORK` for the crossed and measured, :data:`STRAIGHT_LINE` for those
        not asked, :data:`GONE` for the others (asked, and not snapped, unreachable or
        too far).
    """
    n, k = kms.shape[0], todo.shape[0]
    if dists.shape[0] != n or offsets.shape[0] != n or asked.shape[0] != n \
            or walk.shape[0] != k or status.shape[0] != k or there.shape[0] != k \
            or back.shape[0] != k or leave.shape[0] != k:
        raise IndexError("arrays of different lengths")
    figures = np.zeros((n, 4))
    how = np.empty(n, np.int8)
    for j in range(n):
        figures[j, 0] = kms[j]
        if offsets[j] == 0.0:
            how[j] = NETWORK
        elif asked[j]:
            how[j] = GONE
        else:
            how[j] = STRAIGHT_LINE
            figures[j, 1] = 2.0 * dists[j]
    for t in range(k):
        j = todo[t]
        if j < 0 or j >= n:
            raise IndexError("a searched candidate that is not a candidate")
        detour = there[t] + back[t] + walk[t]
        if status[t] == DROPPED or detour > max_detour_m:
            continue
        if status[t] == MEASURED and leave[t] == leave[t]:          # not NaN
            figures[j, 0] = leave[t] / 1000.0
        figures[j, 1] = detour
        figures[j, 2] = there[t] + walk[t] / 2
        figures[j, 3] = back[t] + walk[t] / 2
        how[j] = NETWORK
    return figures, how


@njit(cache=True, nogil=True)
def measure_candidates(hits, dists, kms, given_offsets, given_asked, offset_scale,
                       figure_scales, ok, snap_m, linked, access_m, edge_u, edge_v, edge_len,
                       table, indptr, heads, costs, rindptr, rtails, rarcs, tails, place_edge,
                       place_offset, entry_node, entry_cost, exit_node, exit_cost, in_ptr,
                       in_list, in_bound, out_ptr, out_list, out_bound, max_detour_m, f_dist,
                       f_pred, f_mark, f_touched, f_key, f_node, b_dist, b_pred, b_mark,
                       b_touched, b_key, b_node, counts):
    """The candidates' figures from their straight-line distances, in one call: the
    offsets rounded (``offset_scale``: ``[10.0]``), :func:`to_measure`,
    :func:`routing.detours.route_detours`, :func:`detour_figures` and the figures rounded
    (``figure_scales``: 10^(2, 0, 1, 1)).

    Why: around a search the lists decide (most routes), those calls and the arrays
    between them cost as much as the search; served, twice that (issue 11). One kernel
    for every case, not a second path of separate ones: each kernel a process loads
    costs it memory (≈ 5 MB for those).

    ``given_offsets`` (rounded by Python's ``round``) and ``given_asked`` (which may be
    measured) are used when they have one entry per candidate; when empty the offsets
    are rounded here and every candidate is asked.

    Returns
    -------
    code : int
        1: measured; 0: the route passes no graph node (nothing measured); -1: an input
        is inconsistent; -2: an offset only Python's ``round`` decides (call again with
        the offsets given: :func:`routing.itinerary.rounded`).
    offsets : ndarray
        The rounded offsets (``offset_m``); all but -1 and -2 return them.
    figures, rounded_figures : ndarray
        Km, detour, there and back, unrounded and rounded (code 1), the latter empty when
        one of them only Python's ``round`` decides (round ``figures`` there).
    how : ndarray
        How each was found (code 1).
    """
    n = hits.shape[0]
    offsets, doubt = np.empty(n), np.empty(4 * n, np.int64)
    none_figures, none_how = np.zeros((0, 4)), np.empty(0, np.int8)
    if kms.shape[0] != n or dists.shape[0] != n \
            or given_offsets.shape[0] not in (0, n) or given_asked.shape[0] not in (0, n):
        return -1, offsets, none_figures, none_figures, none_how
    if given_offsets.shape[0] == n:
        offsets[:] = given_offsets
    elif round_scaled(dists, offset_scale, offsets, doubt) > 0:
        return -2, offsets, none_figures, none_figures, none_how
    asked = given_asked if given_asked.shape[0] == n else np.ones(n, np.bool_)
    todo, places, walk = to_measure(hits, dists, offsets, asked, ok, snap_m, linked, access_m)
    k = places.shape[0]
    status, there, back, leave = np.empty(k, np.int8), np.empty(k), np.empty(k), np.empty(k)
    passed = route_detours(edge_u, edge_v, edge_len, table, indptr, heads, costs, rindptr,
                           rtails, rarcs, tails, place_edge, place_offset, entry_node,
                           entry_cost, exit_node, exit_cost, in_ptr, in_list, in_bound,
                           out_ptr, out_list, out_bound, places, walk, max_detour_m,
                           f_dist, f_pred, f_mark, f_touched, f_key, f_node, b_dist, b_pred,
                           b_mark, b_touched, b_key, b_node, status, there, back, leave, counts)
    if passed <= 0:
        return passed, offsets, none_figures, none_figures, none_how
    figures, how = detour_figures(kms, dists, offsets, asked, todo, walk, status, there, back,
                                  leave, max_detour_m)
    out = np.empty((n, 4))
    if round_scaled(figures.reshape(4 * n), figure_scales, out.reshape(4 * n), doubt) > 0:
        return 1, offsets, figures, none_figures, how
    return 1, offsets, figures, out, how
