"""What a traveller should watch out for, per profile, as codes and numbers.

Routing never writes sentences: each warning is a ``type`` code with the
tag values that caused it (``surface``, ``smoothness``, ``highway``, ``name``,
``maxspeed``, ``sac_scale``, ``access``), where it starts (``from_km``), where
it ends (``to_km``) and its ``length_m``. ``web`` turns them into French or
English words (:func:`web.i18n.warning_text`).

Which warnings apply depends on the profile:

========================  ==================================================
``steps``                 every profile that may take them (bicycle profiles and
                          ``family`` avoid steps altogether)
``unpaved``               rough surface, for profiles slowed by it (bike, family)
``poor_smoothness``       bad smoothness, for bicycle profiles but mtb, and family
``busy_road``             primary/secondary/trunk or ≥ 70 km/h, every profile
``ford``                  a ford on the way, every profile
``dismount``              ``bicycle=dismount``, bicycle profiles only
``difficult``             ``sac_scale`` beyond the profile's easy grade
``private_access``        access destination/customers/delivery, every profile
========================  ==================================================
"""
from __future__ import annotations

import operator
import threading

import numpy as np

from .itinerary import rounded
from .profiles import BAD_SMOOTHNESS, ROUGH, SAC_ORDER, is_busy

#: Runs of the same warning closer than this (m) are one run.
JOIN_M = 1.0


def _codes(graph, name, values) -> np.ndarray:
    if name not in graph.cat:                   # graphs built before the key was kept
        return np.zeros(graph.n_edges, bool)
    return graph.codes_of(name, values)


class EdgeWarnings:
    """Per-edge warning masks of one profile (computed once, read-only), and the warnings
    of the edges routes have passed (remembered, thread-safe)."""

    def __init__(self, graph, profile):
        bicycle = profile.mode == "bicycle"
        slowed = profile.avoid_rough or profile.surface_speed["rough"] <= 0.6
        bumpy = profile.avoid_rough or (bicycle and profile.surface_speed["rough"] < 0.8)
        hard = SAC_ORDER[1:] if profile.mode == "foot" else SAC_ORDER
        zeros = np.zeros(graph.n_edges, bool)
        self.masks = {
            "steps": _codes(graph, "highway", ("steps",)),
            "unpaved": _codes(graph, "surface", ROUGH) if slowed else zeros,
            "poor_smoothness": _codes(graph, "smoothness", BAD_SMOOTHNESS) if bumpy else zeros,
            "busy_road": is_busy(graph),
            "ford": _codes(graph, "ford", ("yes", "stepping_stones")),
            "dismount": _codes(graph, "bicycle", ("dismount",)) if bicycle else zeros,
            "difficult": _codes(graph, "sac_scale", hard),
            "private_access": _codes(graph, "access", ("destination", "customers", "delivery")),
        }
        self.any = np.zeros(graph.n_edges, bool)
        for mask in self.masks.values():
            self.any |= mask
        # of_edge per edge, remembered once asked (all edges up front would cost start-up
        # time on a large graph), each distinct warning numbered: runs are then joined on
        # small ints, not on nested tuples hashed again and again. Filled under a lock,
        # read without one (dict and list reads of filled entries are atomic).
        self._ids: dict = {}
        self._numbers: dict = {}
        self._described: list = []
        self._lock = threading.Lock()

    def ids_of(self, graph, edge: int) -> tuple:
        """Numbers of the warnings of :meth:`of_edge` (:meth:`describe` tells them),
        computed once per edge."""
        found = self._ids.get(edge)
        if found is None:
            with self._lock:
                found = self._ids.get(edge)
                if found is None:
                    found = self._ids[edge] = tuple(self._number(key)
                                                    for key in self.of_edge(graph, edge))
        return found

    def ids_of_edges(self, graph, edges: list) -> list[tuple]:
        """:meth:`ids_of` of each edge (one call for a route's warned pieces)."""
        known, ids_of = self._ids.get, self.ids_of
        return [known(e) or ids_of(graph, e) for e in edges]

    def _number(self, key: tuple) -> int:
        number = self._numbers.get(key)
        if number is None:
            number = self._numbers[key] = len(self._described)
            self._described.append(describe(key))
        return number

    def describe(self, number: int) -> tuple:
        """``(type, detail, ((key, value), …))`` of a warning numbered by :meth:`ids_of`."""
        return self._described[number]

    def of_edge(self, graph, edge: int) -> list[tuple]:
        """``(type, ((key, value), …))`` of every warning on ``edge``."""
        if not self.any[edge]:
            return []
        out = []
        for code, mask in self.masks.items():
            if mask[edge]:
                out.append((code, _values(graph, code, edge)))
        return out


def _values(graph, code: str, edge: int) -> tuple:
    if code == "unpaved":
        return (("surface", graph.category("surface", edge)),)
    if code == "poor_smoothness":
        return (("smoothness", graph.category("smoothness", edge)),
                ("surface", graph.category("surface", edge)))
    if code == "busy_road":
        speed = graph.num["maxspeed"][edge]
        return (("highway", graph.category("highway", edge)), ("name", graph.name_of(edge)),
                ("maxspeed", None if not np.isfinite(speed) else float(speed)))
    if code == "difficult":
        return (("sac_scale", graph.category("sac_scale", edge)),)
    if code == "private_access":
        return (("access", graph.category("access", edge)),)
    return ()


def describe(key: tuple) -> tuple:
    """``(type, detail, values)`` of a warning ``(type, values)`` as :meth:`EdgeWarnings.of_edge`
    gives it; ``detail`` is ``key=value;…`` of its cause."""
    code, values = key
    return code, ";".join(f"{k}={v}" for k, v in values if v is not None) or code, values


class WarningRuns:
    """Consecutive edges with the same warning (and values) joined into runs.

    Warnings are what :meth:`EdgeWarnings.of_edge` gives, or any other hashable
    (numbers of :meth:`EdgeWarnings.ids_of`) with ``describe`` telling them.
    """

    def __init__(self, describe=describe):
        self.runs: list = []
        self._open: dict = {}
        self._describe = describe

    def add(self, warnings, from_m: float, to_m: float) -> None:
        self.add_pieces((warnings,), (from_m, to_m))

    def add_pieces(self, warnings, metres) -> None:
        """:meth:`add` for many pieces: ``warnings`` of each, ``metres`` where each
        starts and ends (flat: start, end, start, end, …)."""
        open_runs, runs = self._open, self.runs
        ends = iter(metres)
        for keys, from_m, to_m in zip(warnings, ends, ends):
            for key in keys:
                run = open_runs.get(key)
                if run is not None and abs(run[2] - from_m) < JOIN_M:
                    run[2] = to_m                      # the same warning goes on
                else:
                    run = open_runs[key] = [key, from_m, to_m]
                    runs.append(run)

    def as_dicts(self) -> list[dict]:
        """The warnings of the itinerary, in order of their start."""
        out = []
        describe = self._describe
        # every run's km and length rounded in one pass (round_float's, a run at a time,
        # cost three calls a warning)
        figures = rounded([x for _, from_m, to_m in self.runs
                           for x in (float(from_m) / 1000, float(to_m) / 1000,
                                     float(to_m) - float(from_m))], _FIGURE_DIGITS).tolist()
        at = iter(figures)
        for (key, _, _), from_km, to_km, length_m in zip(self.runs, at, at, at):
            code, detail, values = describe(key)
            item = {"type": code, "detail": detail, "from_km": from_km, "to_km": to_km,
                    "length_m": length_m}
            item.update(values)
            out.append(item)
        out.sort(key=_START_AND_TYPE)
        return out


_START_AND_TYPE = operator.itemgetter("from_km", "type")
#: Decimals of a warning's from_km, to_km and length_m.
_FIGURE_DIGITS = (3, 3, 1)
