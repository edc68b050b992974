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

from .detours import DROPPED, MEASURED

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
