"""The home's filters: parsed from the URL, applied to a facet snapshot, counted per value.

A filter is one of :data:`web.facets.FACETS` with the values asked (several values of a
facet are alternatives: ``practice=hike&practice=bike``, or ``practice=hike,bike``), plus
a text search ``q`` (every word must appear), a ``sort`` and a ``page``. Counts beside
each value are *disjunctive*, as in Geotrek-rando: the number of itineraries that the
value would give with every other filter kept.

Every request is bounded: at most :data:`MAX_VALUES` values per facet, ``q`` up to
:data:`MAX_Q` characters and :data:`MAX_WORDS` words, pages of at most
:data:`MAX_PER_PAGE`. The API refuses what is out of bounds (``strict``: a 400 problem
naming the field); the HTML page, which old links and hand-edited URLs reach, drops
values it does not know and clamps the rest.
"""
from __future__ import annotations

import dataclasses
import re
from collections import Counter
from urllib.parse import urlencode

from routing import PROFILES

from .facets import FACETS, RANGES, ROUTES
from .geotrek_v2_catalogue import search_key
from .params import InvalidParameterError

PER_PAGE = 12
MAX_PER_PAGE = 48
MAX_PAGE = 10_000
MAX_Q = 100
MAX_WORDS = 8
MAX_VALUES = 30
SORTS = ("recent", "name", "shortest", "longest")
#: What a value of a facet must look like (ids of communes and kinds are open sets).
_FREE_VALUE = re.compile(r"^[\w.:-]{1,80}$")
FIXED_VALUES = {
    "practice": tuple(PROFILES), "length": tuple(RANGES["length"]),
    "duration": tuple(RANGES["duration"]), "ascent": tuple(RANGES["ascent"]),
    "difficulty": ("1", "2", "3", "4", "5"), "route": ROUTES,
}


@dataclasses.dataclass(frozen=True)
class Query:
    """A checked query of the home (``selected``: facet -> the values asked)."""

    selected: dict
    q: str = ""
    sort: str = "recent"
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def active(self) -> bool:
        return bool(self.q or any(self.selected.values()))

    def pairs(self, **changes) -> list[tuple[str, str]]:
        """The query as URL pairs in a stable order (defaults left out), with ``changes``."""
        values = dataclasses.asdict(self) | changes
        pairs = [(f, v) for f in FACETS for v in sorted(values["selected"].get(f, ()))]
        if values["q"]:
            pairs.append(("q", values["q"]))
        if values["sort"] != "recent":
            pairs.append(("sort", values["sort"]))
        if values["per_page"] != PER_PAGE:
            pairs.append(("per_page", str(values["per_page"])))
        if values["page"] > 1:
            pairs.append(("page", str(values["page"])))
        return pairs

    def url_query(self, **changes) -> str:
        """``?…`` of this query (empty without filters), for links and canonical URLs."""
        text = urlencode(self.pairs(**changes))
        return f"?{text}" if text else ""


def _values(args, facet: str, strict: bool) -> frozenset:
    raw = [part.strip() for value in args.getlist(facet) for part in value.split(",")]
    raw = [v for v in raw if v]
    if len(raw) > MAX_VALUES:
        if strict:
            raise InvalidParameterError(facet, f"has more than {MAX_VALUES} values")
        raw = raw[:MAX_VALUES]
    allowed = FIXED_VALUES.get(facet)
    good = [v for v in raw if (v in allowed if allowed else bool(_FREE_VALUE.match(v)))]
    if strict and len(good) != len(raw):
        bad = next(v for v in raw if v not in good)
        hint = f"one of {', '.join(allowed)}" if allowed else "an id (letters, digits, -_.:)"
        raise InvalidParameterError(facet, f"has {bad[:40]!r}: each value must be {hint}")
    return frozenset(good)


def _integer(args, name: str, default: int, low: int, high: int, strict: bool) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        if strict:
            raise InvalidParameterError(name, "must be an integer") from None
        return default
    if not low <= value <= high:
        if strict:
            raise InvalidParameterError(name, f"must be from {low} to {high}")
        value = min(max(value, low), high)
    return value


def parse_query(args, strict: bool = False) -> Query:
    """A :class:`Query` from request args (``strict``: refuse what is bad, naming the field).

    Raises
    ------
    InvalidParameterError
        With ``strict``, for an unknown value, too many values, a ``q`` too long or of
        too many words, a bad ``sort``, ``page`` or ``per_page``.
    """
    selected = {f: _values(args, f, strict) for f in FACETS}
    q = " ".join((args.get("q") or "").split())
    if len(q) > MAX_Q or len(q.split()) > MAX_WORDS:
        if strict:
            raise InvalidParameterError("q", f"must be at most {MAX_Q} characters and "
                                             f"{MAX_WORDS} words")
        q = " ".join(q[:MAX_Q].split()[:MAX_WORDS])
    sort = args.get("sort") or "recent"
    if sort not in SORTS:
        if strict:
            raise InvalidParameterError("sort", f"must be one of {', '.join(SORTS)}")
        sort = "recent"
    per_page = _integer(args, "per_page", PER_PAGE, 1, MAX_PER_PAGE, strict)
    page = _integer(args, "page", 1, 1, MAX_PAGE, strict)
    return Query({f: v for f, v in selected.items() if v}, q, sort, page, per_page)


@dataclasses.dataclass(frozen=True)
class Result:
    """One page of matching cards, the total, and the disjunctive counts per facet value."""

    cards: tuple
    total: int
    page: int
    pages: int
    counts: dict            # facet -> Counter(value -> itineraries)
    all_count: int          # published itineraries, whatever the filters


_SORT_KEYS = {"name": lambda c: (search_key(c.name), c.id),
              "shortest": lambda c: (c.distance_m, c.id),
              "longest": lambda c: (-c.distance_m, c.id)}


def search(snapshot, query: Query) -> Result:
    """Apply ``query`` to the snapshot's cards: one pass, counting as it goes.

    A card failing no filter is a hit and counts for every value it has; a card failing
    exactly one facet counts for that facet's values only (what choosing another value
    there would give); a card failing the text, or two facets, counts nowhere.
    """
    active = [(f, query.selected[f]) for f in FACETS if query.selected.get(f)]
    words = search_key(query.q).split()
    counts = {f: Counter() for f in FACETS}
    hits = []
    for card in snapshot.cards:
        if words and not all(w in card.search for w in words):
            continue
        failed = [f for f, wanted in active if not card.values[f] & wanted]
        if not failed:
            hits.append(card)
            for facet in FACETS:
                counts[facet].update(card.values[facet])
        elif len(failed) == 1:
            counts[failed[0]].update(card.values[failed[0]])
    if query.sort in _SORT_KEYS:
        hits.sort(key=_SORT_KEYS[query.sort])
    pages = max(1, -(-len(hits) // query.per_page))
    page = min(query.page, pages)
    start = (page - 1) * query.per_page
    return Result(tuple(hits[start:start + query.per_page]), len(hits), page, pages, counts,
                  len(snapshot.cards))


__all__ = ["Query", "Result", "parse_query", "search", "PER_PAGE", "MAX_PER_PAGE", "MAX_Q",
           "SORTS", "FIXED_VALUES"]
