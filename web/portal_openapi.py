"""OpenAPI paths of the home (:mod:`web.portal`): its search as JSON, the page itself and
the visitors' "plan a route" form, merged into the API document by :mod:`web.openapi`."""
from __future__ import annotations

from routing import PROFILES

from .facets import FACETS
from .portal_query import FIXED_VALUES, MAX_PER_PAGE, MAX_Q, MAX_VALUES, PER_PAGE, SORTS

PROBLEM = {"description": "Problem details (RFC 9457) naming the bad field",
           "content": {"application/problem+json": {
               "schema": {"$ref": "#/components/schemas/Problem"}}}}
DESCRIPTIONS = {
    "practice": "Practices (profiles)", "length": "Length ranges, km (low-high, low included)",
    "duration": "Duration ranges, hours", "ascent": "Ascent ranges, m (itineraries without "
    "elevation match none)", "difficulty": "Difficulty levels 1-5 (km-effort, SAC floor)",
    "route": "Shapes: loop, return, one-way; multi-day for those with stages",
    "theme": "Theme ids (/api/v2/theme/)", "commune": "Commune ids crossed (INSEE codes with "
    "COMMUNES_FILE, else names as ids)", "kind": "Kinds of places passed"}


def _q(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema}


def filter_params() -> list[dict]:
    """The filters of the home and of its JSON search (each facet repeatable or comma-joined)."""
    params = []
    for facet in FACETS:
        items = ({"type": "string", "enum": list(FIXED_VALUES[facet])} if facet in FIXED_VALUES
                 else {"type": "string", "pattern": r"^[A-Za-z0-9_.:-]{1,80}$"})
        params.append(dict(_q(facet, DESCRIPTIONS[facet] + "; several values are alternatives",
                              {"type": "array", "items": items, "maxItems": MAX_VALUES}),
                           style="form", explode=True))
    return params + [
        _q("q", f"Words in names, descriptions, places and communes (all must appear; at most "
                f"{MAX_Q} characters, 8 words)", {"type": "string", "maxLength": MAX_Q}),
        _q("sort", "Order", {"type": "string", "enum": list(SORTS), "default": "recent"}),
        _q("page", "Page (1-based)", {"type": "integer", "minimum": 1, "maximum": 10000,
                                      "default": 1}),
        _q("per_page", "Itineraries per page", {"type": "integer", "minimum": 1,
                                                "maximum": MAX_PER_PAGE, "default": PER_PAGE})]


def paths() -> dict:
    json_ok = {"description": "One page of matching published itineraries (cards: figures, "
                              "difficulty, themes, simplified line), the total and the "
                              "disjunctive counts per facet value",
               "content": {"application/json": {"schema": {
                   "type": "object", "required": ["count", "page", "pages", "itineraries",
                                                  "facets"]}}}}
    html = {"description": "The home page (or, with fragment=1, its results only)",
            "content": {"text/html": {"schema": {"type": "string"}}}}
    return {
        "/api/v1/portal/itineraries": {"get": {
            "summary": "Search the published itineraries as the home does",
            "parameters": filter_params(), "responses": {"200": json_ok, "400": PROBLEM}}},
        "/": {"get": {
            "summary": "The home: map and filtered list of the published itineraries (HTML; "
                       "values it does not know are dropped, numbers clamped)",
            "parameters": filter_params() + [_q("fragment", "1: the results section only (for "
                                                "live filtering)", {"type": "string",
                                                                    "enum": ["1"]})],
            "responses": {"200": html}}},
        "/plan": {"get": {
            "summary": "Visitors' plan-a-route form: redirects to the route or loop map",
            "parameters": [
                _q("kind", "route (from, to) or loop (from, km)",
                   {"type": "string", "enum": ["route", "loop"], "default": "route"}),
                _q("from", "Start: a major site, the Louvre-Lens or a park (place id)",
                   {"type": "string", "maxLength": 120}),
                _q("to", "End (route)", {"type": "string", "maxLength": 120}),
                _q("profile", "Travel profile", {"type": "string", "enum": list(PROFILES)}),
                _q("km", "Loop length, km", {"type": "number", "minimum": 1, "maximum": 100})],
            "responses": {"303": {"description": "To /api/v1/route or /api/v1/loop "
                                                 "(format=html)"}, "400": PROBLEM}}},
    }
