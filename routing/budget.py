"""Work budgets: a deadline and a work counter that bound one query.

Searches that repeat (loops try dozens of polygons, map matching runs one
search per sample and candidate) take a :class:`Budget` and call
:meth:`Budget.spend` before each unit of work; past the deadline or the work
limit it raises :class:`BudgetExceededError`, so no query can hold a worker
for long. ``None`` for either bound means unbounded (the CLI's default).

>>> budget = Budget(seconds=10, work=1000)
>>> budget.spend()            # one search
>>> budget.used
1
"""
from __future__ import annotations

import time

from .errors import RoutingError


class BudgetExceededError(RoutingError):
    """A query needed more work, or more time, than its budget allows.

    Attributes
    ----------
    kind : {"work", "time"}
        ``"work"``: the query itself is too big (asking less helps);
        ``"time"``: the deadline passed (the service is busy; retry later).
    """

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


class Budget:
    """A deadline (``seconds`` from now) and a number of work units, for one query.

    Parameters
    ----------
    seconds : float, optional
        Wall-clock time allowed from creation.
    work : int, optional
        Units of work allowed (one unit = one shortest-path search).
    clock : callable
        Monotonic seconds (tests pass a fake one).
    """

    def __init__(self, seconds: float | None = None, work: int | None = None,
                 clock=time.monotonic):
        self.clock = clock
        self.deadline = None if seconds is None else clock() + float(seconds)
        self.seconds, self.work, self.used = seconds, work, 0

    def spend(self, units: int = 1, what: str = "the search") -> None:
        """Count ``units`` of work; raise when past the work limit or the deadline.

        Raises
        ------
        BudgetExceededError
        """
        self.used += units
        if self.work is not None and self.used > self.work:
            raise BudgetExceededError(
                f"{what} needs more than {self.work:,} searches, the limit of one request: "
                "ask for less (shorter, fewer points or candidates)", "work")
        if self.deadline is not None and self.clock() > self.deadline:
            raise BudgetExceededError(
                f"{what} did not finish within {self.seconds:g} s, the limit of one request",
                "time")


def spend(budget: Budget | None, units: int = 1, what: str = "the search") -> None:
    """:meth:`Budget.spend` when there is a budget; nothing when ``budget`` is None."""
    if budget is not None:
        budget.spend(units, what)
