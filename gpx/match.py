"""Map matching: a GPS track onto the network, as an Itinerary (hidden Markov model).

Newson & Krumm (2009): the hidden states of each track sample are the
nearby edges; emission probability falls with the distance to the edge
(Gaussian, ``sigma_m``), transition probability with the difference between
the network distance and the straight distance of two samples (exponential,
``beta_m``). Viterbi picks the most likely sequence; network distances come
from bounded one-to-many searches on a length-weighted network of the profile.
Where no transition is possible (a gap, a way missing from the map), the
chain restarts and the gap is bridged by the shortest path.
"""
from __future__ import annotations

import numpy as np
import shapely

from graphs.geo import LocalProjection, geodesic_m
from routing.budget import spend
from routing.errors import RoutingError
from routing.network import Endpoint, Path

from .errors import GPXInputError
from .reader import GPXData, Line


def resample(line: Line, step_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``step_m`` along a line (both ends kept)."""
    seg = geodesic_m(line.lat[:-1], line.lon[:-1], line.lat[1:], line.lon[1:])
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    if cum[-1] == 0:
        return line.lat[:1], line.lon[:1]
    at = np.append(np.arange(0.0, cum[-1], step_m), cum[-1])
    return np.interp(at, cum, line.lat), np.interp(at, cum, line.lon)


def _viterbi(router, network, lat, lon, radius, sigma, beta, k, budget=None):
    """Chosen endpoint per sample (None where no candidate), per chain."""
    cands = [[Endpoint(s.edge, s.offset_m, s.lat, s.lon, s.distance_m, (la, lo))
              for s in router.index.candidates(la, lo, radius, k, network.snappable)]
             for la, lo in zip(lat, lon)]
    chains, chain = [], []
    score = None
    prev_t = None
    for t, here in enumerate(cands):
        if not here:
            continue
        emission = np.array([-0.5 * (c.snap_m / sigma) ** 2 for c in here])
        if score is None:
            score, chain, prev_t = emission, [(t, here, np.full(len(here), -1))], t
            continue
        straight = float(geodesic_m(lat[prev_t], lon[prev_t], lat[t], lon[t]))
        limit = 3 * straight + 2 * radius + 100
        trans = np.full((len(chain[-1][1]), len(here)), -np.inf)
        for i, a in enumerate(chain[-1][1]):
            if not np.isfinite(score[i]):
                continue
            spend(budget, 1, "matching this track")
            dist = network.one_to_many(a, here, max_cost=limit)
            ok = dist < limit
            trans[i, ok] = -np.abs(dist[ok] - straight) / beta
        total = score[:, None] + trans
        best_prev = np.argmax(total, axis=0)
        new_score = total[best_prev, np.arange(len(here))] + emission
        if not np.isfinite(new_score).any():
            chains.append(chain)                 # break: restart from this sample
            score, chain, prev_t = emission, [(t, here, np.full(len(here), -1))], t
            continue
        score, prev_t = new_score, t
        chain.append((t, here, best_prev))
    if chain:
        chains.append(chain)
    result = []
    for chain in chains:
        if not chain:
            continue
        j = int(np.argmax(score)) if chain is chains[-1] else None
        picked = _backtrack(chain, j)
        result.append(picked)
    return result


def _backtrack(chain, last_index):
    if last_index is None:
        # an interrupted chain: its last states were scored when it broke; take the nearest
        last_index = int(np.argmin([c.snap_m for c in chain[-1][1]]))
    out = []
    j = last_index
    for _, here, back in reversed(chain):
        out.append(here[j])
        j = back[j] if back[j] >= 0 else 0
    return out[::-1]


def match_track(router, source, profile: str = "hike", radius_m: float = 50.0,
                sigma_m: float = 10.0, beta_m: float = 50.0, sample_m: float = 30.0,
                candidates: int = 6, chain: bool = True, budget=None):
    """Match a GPX (``GPXData`` or a list of ``Line``) onto the network.

    Returns
    -------
    routing.Itinerary
        ``kind="matched"``; ``meta["match_score"]`` is the share of the
        track's points within 30 m of the matched geometry.

    Raises
    ------
    GPXInputError
        When the track has no point near the network.
    routing.budget.BudgetExceededError
        Past ``budget`` (one unit per network search).
    """
    lines = source.lines() if isinstance(source, GPXData) else list(source)
    if not lines:
        raise GPXInputError("the GPX holds no track or route to match")
    if chain and len(lines) > 1:
        from .stats import chain_lines
        joined, _ = chain_lines(lines, max_gap_m=5000)
        if len(joined) == sum(len(x) for x in lines):
            lines = [joined]
    length_net = router.network(profile, metric="length")
    cost_net = router.network(profile)
    picked: list = []
    for line in lines:
        if len(line) < 2:
            continue
        lat, lon = resample(line, sample_m)
        for chain_eps in _viterbi(router, length_net, lat, lon, radius_m, sigma_m, beta_m,
                                  candidates, budget):
            picked.extend(chain_eps)
    if len(picked) < 2:
        raise GPXInputError("no part of the track lies within "
                            f"{radius_m:.0f} m of a way usable by the {profile} profile")
    pieces = []
    for a, b in zip(picked[:-1], picked[1:]):
        if a.edge == b.edge and abs(a.offset_m - b.offset_m) < 1e-6:
            continue
        spend(budget, 1, "matching this track")
        try:
            pieces.extend(length_net.path(a, b).pieces)
        except RoutingError:
            continue            # a gap the network cannot bridge: the matched line skips it
    pieces = _merge(pieces)
    if not pieces:
        raise GPXInputError("the track could not be matched onto the network")
    first, last = picked[0], picked[-1]
    waypoints = [router.waypoint(first), router.waypoint(last)]
    itinerary = router.assemble(cost_net, [Path(0.0, pieces)], waypoints, "matched")
    itinerary.meta["match_score"] = round(match_score(itinerary, lines), 4)
    itinerary.meta["matched_samples"] = len(picked)
    return itinerary


def _merge(pieces):
    """Join consecutive pieces that continue each other on the same edge."""
    out = []
    for edge, a, b in pieces:
        if out and out[-1][0] == edge and abs(out[-1][2] - a) < 1e-6 and \
                (out[-1][2] - out[-1][1]) * (b - a) > 0:
            out[-1] = (edge, out[-1][1], b)
        else:
            out.append((edge, a, b))
    return out


def match_score(itinerary, lines, within_m: float = 30.0) -> float:
    """Share of the track's points within ``within_m`` of the matched geometry."""
    proj = LocalProjection(float(np.mean(itinerary.lat)))
    x, y = proj.forward(itinerary.lat, itinerary.lon)
    matched = shapely.LineString(np.column_stack([x, y]))
    lat = np.concatenate([line.lat for line in lines])
    lon = np.concatenate([line.lon for line in lines])
    px, py = proj.forward(lat, lon)
    dist = shapely.distance(matched, shapely.points(np.column_stack([px, py])))
    return float(np.mean(dist <= within_m))
