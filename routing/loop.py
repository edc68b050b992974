"""Loops: closed itineraries of a target length through heritage, with little reuse.

Each candidate is a polygon start -> A -> B (-> required places) -> start whose
corners sit at a radius from the start, snapped to favoured places (terrils,
major sites…) where one lies near the ideal corner. Legs after the first pay a
penalty on edges already used, which keeps out-and-back stretches short. The
radius is rescaled until the length is within tolerance; candidates are ranked
by length error, reuse and favoured places passed. A seeded RNG chooses the
bearings, so the same seed gives the same loops.
"""
from __future__ import annotations

import math

import numpy as np

from graphs.geo import LocalProjection

from .budget import spend
from .errors import ImpossibleLoopError, InvalidQueryError, RoutingError
from .network import Endpoint
from .restrict import is_restricted

REUSE_PENALTY = 4.0
DETOUR_FACTOR = 1.3          # network length / straight-line length, first guess
DEFAULT_FAVOUR = ("terril", "major_site", "cite", "park", "museum", "viewpoint")


def _reuse(paths) -> tuple[float, float]:
    """(total metres, metres travelled over ground already covered earlier in the loop).

    Coverage is tracked per edge as offset intervals, so leaving the start along
    one half of its edge and coming back along the other half is no reuse.
    """
    covered: dict = {}
    total = reused = 0.0
    for path in paths:
        for edge, a, b in path.pieces:
            lo, hi = min(a, b), max(a, b)
            total += hi - lo
            for c_lo, c_hi in covered.get(edge, ()):
                reused += max(0.0, min(hi, c_hi) - max(lo, c_lo))
            covered.setdefault(edge, []).append((lo, hi))
    return total, reused


class _LoopSearch:
    def __init__(self, router, network, start: Endpoint, vias: list, target_m: float,
                 favour: tuple, rng, budget=None):
        self.router, self.network, self.start = router, network, start
        self.budget = budget
        self.vias, self.target, self.rng = vias, target_m, rng
        self.proj = LocalProjection(start.lat)
        self.sx, self.sy = self.proj.forward(start.lat, start.lon)
        g = router.graph
        fav = [p for p in g.places if p.kind in favour and p.link and not p.far]
        self.fav = fav
        if fav:
            x, y = self.proj.forward(np.array([p.link["lat"] for p in fav]),
                                     np.array([p.link["lon"] for p in fav]))
            self.fav_xy = np.column_stack([x, y])
        self.mask = network.snappable

    def corner(self, bearing: float, radius: float) -> Endpoint | None:
        """Endpoint near the ideal corner, preferring a favoured place close to it."""
        x = self.sx + radius * math.sin(bearing)
        y = self.sy + radius * math.cos(bearing)
        if self.fav:
            d = np.hypot(self.fav_xy[:, 0] - x, self.fav_xy[:, 1] - y)
            i = int(np.argmin(d))
            if d[i] < 0.35 * radius:
                try:
                    return self.router.endpoint(self.fav[i].id, self.network)
                except RoutingError:
                    pass
        lat, lon = self.proj.inverse(x, y)
        snap = self.router.index.nearest(float(lat), float(lon), 0.5 * radius, self.mask)
        if snap is None:
            return None
        return Endpoint(snap.edge, snap.offset_m, snap.lat, snap.lon, snap.distance_m,
                        (float(lat), float(lon)))

    def bearing_of(self, ep: Endpoint) -> float:
        x, y = self.proj.forward(ep.lat, ep.lon)
        return math.atan2(x - self.sx, y - self.sy)

    def legs(self, points: list) -> list | None:
        """Paths start -> points -> start, penalising edges already used."""
        penalty = np.ones(self.router.graph.n_edges)
        paths = []
        for a, b in zip([self.start] + points, points + [self.start]):
            spend(self.budget, 1, "this loop")
            try:
                path = self.network.path(a, b, penalty)
            except RoutingError:
                return None
            for edge, _, _ in path.pieces:
                penalty[edge] = REUSE_PENALTY
            paths.append(path)
        return paths

    def candidate(self, bearing: float, spread: float, corners: int):
        """Rescale the corners' radius until the loop has the target length."""
        perimeter = 2 + 2 * (corners - 1) * math.sin(spread / 2)   # in radii
        radius = self.target / (perimeter * DETOUR_FACTOR)
        best = None
        for _ in range(5):
            points = self.points(bearing, spread, radius, corners)
            if points is None:
                radius *= 0.8
                continue
            paths = self.legs(points)
            if paths is None:
                radius *= 0.8
                continue
            total, reused = _reuse(paths)
            error = abs(total - self.target) / self.target
            if best is None or error < best[0]:
                best = (error, reused / total if total else 1.0, points, paths, total)
            if error < 0.03:
                break
            radius *= min(max(self.target / max(total, 1.0), 0.4), 2.5)
        return best

    def points(self, bearing: float, spread: float, radius: float, corners: int) -> list | None:
        if not self.vias:
            found = [self.corner(bearing + k * spread, radius) for k in range(corners)]
            if any(c is None for c in found):
                return None
            # two corners on the same favoured place would make an out-and-back
            keys = {(c.edge, round(c.offset_m)) for c in found}
            return found if len(keys) == len(found) else None
        # Required places in the order of their bearing; one free corner in the widest gap.
        vias = sorted(self.vias, key=self.bearing_of)
        if bearing % (2 * math.pi) > math.pi:
            vias.reverse()
        angles = [self.bearing_of(v) for v in vias]
        gaps = [((angles[(i + 1) % len(angles)] - angles[i]) % (2 * math.pi), i)
                for i in range(len(angles))]
        gap, i = max(gaps)
        free = self.corner(angles[i] + gap / 2 if len(vias) > 1 else angles[0] + spread, radius)
        return vias[: i + 1] + ([free] if free else []) + vias[i + 1:]


def plan_loop(router, start, length_km: float, profile: str = "hike", via=(), favour=None,
              candidates: int = 3, seed: int = 0, route_preference: float | None = None,
              tolerance: float = 0.10, max_reuse: float = 0.10, attempts: int = 24,
              budget=None, options=None, closed_areas=()):
    """Closed itineraries of about ``length_km`` from ``start``, best first.

    Parameters
    ----------
    start : (lat, lon) or place id
    via : sequence of points or place ids the loop must pass.
    favour : sequence of place kinds to pass (default terrils, major sites, cités, parks…).
    candidates : int
        How many ranked loops to return.
    seed : int
        Same seed, same loops.
    budget : routing.budget.Budget, optional
        Bounds the searches (one per leg tried) and the time.
    options : routing.options.RouteOptions, optional
        Per-request options, avoided areas included: no leg enters them.
    closed_areas : sequence of polygons
        The configured closures active for this request.

    Raises
    ------
    NoRouteLeftError
        The start (or a required place) has no way left by the avoided areas.
    BudgetExceededError
        Past ``budget``.
    ImpossibleLoopError
        No loop within ``tolerance`` of the length with reuse under ``max_reuse``.
    """
    if not 0.5 <= float(length_km) <= 400:
        raise InvalidQueryError("loop length must be between 0.5 and 400 km")
    network = router.restricted(profile, route_preference, options, closed_areas)
    start_ep = router.endpoint(start, network)
    vias = [router.endpoint(v, network) for v in via]
    favour = tuple(DEFAULT_FAVOUR if favour is None else favour)
    rng = np.random.default_rng(seed)
    search = _LoopSearch(router, network, start_ep, vias, float(length_km) * 1000, favour, rng,
                         budget)
    base = rng.uniform(0, 2 * math.pi)
    found, seen_orders = [], set()
    best_miss = None
    # Sparse networks (greenways only) may need more tries: up to three rounds of bearings.
    for k in range(3 * attempts):
        if k == attempts and found:
            break
        if k == 2 * attempts and found:
            break
        bearing = base + 2 * math.pi * k / attempts + (k // attempts) * math.pi / attempts
        corners = 2 + k % 2                    # triangles and quadrilaterals in turn
        spread = rng.uniform(math.radians(70), math.radians(120)) * (2 / corners) ** 0.5
        result = search.candidate(bearing, spread, corners)
        if result is None:
            continue
        error, reuse, points, paths, total = result
        key = tuple((p.edge, round(p.offset_m)) for p in points)
        if error > tolerance or reuse > max_reuse:
            if best_miss is None or error + reuse < best_miss[0] + best_miss[1]:
                best_miss = (error, reuse, total)
            continue
        if key in seen_orders:
            continue
        seen_orders.add(key)
        found.append((error, reuse, points, paths))
        if len(found) >= 2 * candidates:
            break
    if not found:
        detail = ("no loop could be routed from this start" if best_miss is None else
                  f"closest: {best_miss[2] / 1000:.1f} km with {100 * best_miss[1]:.0f} % reuse")
        raise ImpossibleLoopError(
            f"no {profile} loop of {length_km:g} km ±{100 * tolerance:.0f} % with under "
            f"{100 * max_reuse:.0f} % reuse{' through the required places' if vias else ''}; "
            f"{detail}")
    ranked = []
    for error, reuse, points, paths in found:
        itinerary = router.itinerary(network, [start_ep] + points + [start_ep], "loop", paths)
        favoured = sum(1 for p in itinerary.places if p["kind"] in favour)
        score = 3 * error + 2 * reuse - 0.02 * min(favoured, 10)
        itinerary.meta.update({"reuse_share": round(float(reuse), 4),
                               "length_error": round(float(error), 4),
                               "favoured_places": favoured, "score": round(float(score), 4),
                               "seed": seed, "target_km": float(length_km)})
        if is_restricted(network):
            itinerary.meta.update(network.meta())
        ranked.append((score, itinerary))
    ranked.sort(key=lambda pair: pair[0])
    return [it for _, it in ranked[:candidates]]
