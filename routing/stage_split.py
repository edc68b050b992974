"""The best split of an itinerary into days: dynamic programming over candidate stage ends.

Candidates are lodgings and stations along the route (with their measured
network detours: ``there_m`` from the route, ``back_m`` to it next morning)
and plain points of the route every ``step_m`` (no lodging: a warning). A
stage from end *i* to end *j* measures ``back_i + (x_j − x_i) + there_j``;
it must not exceed ``max_m``. Among all splits into the asked number of days
the DP keeps the one with the least cost:

    Σ ((L − target) / target)² + DETOUR_WEIGHT · detour / target + NO_LODGING_COST · [plain end]

so a balanced split ending every day at a lodging wins, a plain end is used
only where no lodging can be reached within the limits, and the result is the
optimum of that objective, not the first cut found.
"""
from __future__ import annotations

import math

import numpy as np

#: Weight of the lodging detours against the imbalance of the days.
DETOUR_WEIGHT = 0.5
#: Cost of a night with no lodging (a squared imbalance of 0.5 ≈ a day 70 % too long).
NO_LODGING_COST = 0.5
#: At most this many plain cut points along the route.
MAX_PLAIN = 600


def candidate_table(total_m: float, lodgings: list[dict], max_m: float | None, days: int):
    """Positions, detours and kinds of every possible stage end (start and end included).

    Returns ``(x, there, back, plain, items)``: arrays over candidates sorted by
    ``x``, and the lodging dict (or None) of each.
    """
    step = min(500.0, (max_m or total_m / days) / 4)
    step = max(step, total_m / MAX_PLAIN, 1.0)
    grid = np.arange(step, total_m, step)
    items = [None] + [None] * len(grid) + list(lodgings) + [None]
    x = np.concatenate([[0.0], grid, [p["km"] * 1000.0 for p in lodgings], [total_m]])
    there = np.concatenate([[0.0], np.zeros(len(grid)), [p["there_m"] for p in lodgings], [0.0]])
    back = np.concatenate([[0.0], np.zeros(len(grid)), [p["back_m"] for p in lodgings], [0.0]])
    plain = np.concatenate([[False], np.ones(len(grid), bool), np.zeros(len(lodgings), bool),
                            [False]])
    order = np.lexsort((plain, x))                  # lodgings before plain points at equal x
    order = np.concatenate([[0], [k for k in order if k not in (0, len(x) - 1)], [len(x) - 1]])
    return x[order], there[order], back[order], plain[order], [items[k] for k in order]


def best_split(x, there, back, plain, days: int, max_m: float | None):
    """Indices of the ``days - 1`` chosen ends (into the candidate arrays), or None when
    no split into ``days`` stages meets ``max_m``."""
    k = len(x)
    target = x[-1] / days
    length = back[:, None] + (x[None, :] - x[:, None]) + there[None, :]
    cost = ((length - target) / target) ** 2 + DETOUR_WEIGHT * (back[:, None] + there[None, :]) \
        / target + NO_LODGING_COST * plain[None, :]
    forbidden = x[None, :] <= x[:, None]
    if max_m is not None:
        forbidden |= length > max_m + 1e-6
    cost[forbidden] = np.inf
    dp = np.full(k, np.inf)
    dp[0] = 0.0
    parents = []
    for _ in range(days):
        total = dp[:, None] + cost
        parent = np.argmin(total, axis=0)
        dp = total[parent, np.arange(k)]
        parents.append(parent)
    if not math.isfinite(dp[-1]):
        return None
    chosen, j = [], k - 1
    for parent in reversed(parents):
        j = int(parent[j])
        chosen.append(j)
    chosen = chosen[::-1][1:]                       # the first is the start
    return chosen


def stage_lengths(x, there, back, chosen) -> list[float]:
    """Metres of each stage (route part plus the lodging detours) for the chosen ends."""
    ends = [0] + list(chosen) + [len(x) - 1]
    return [float(back[a] + x[b] - x[a] + there[b]) for a, b in zip(ends[:-1], ends[1:])]
