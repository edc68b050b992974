"""What the staff designer's script needs to say (``static/designer.js``), in the request's
language, handed over as a JSON block; and the warnings of a planned GeoJSON in words."""
from __future__ import annotations

from flask_babel import gettext as _

from routing.profiles import PAVED, ROUGH, SMOOTH_UNPAVED

from .maps import SURFACE_COLOURS
from .warning_words import warning_texts

#: Place kinds a loop may favour, as the designer offers them.
FAVOURED_KINDS = ("terril", "cite", "major_site", "mining_building", "park", "cavalier",
                  "museum", "unesco_element")


def kind_words() -> dict:
    """Words of the place kinds the designer offers to favour."""
    return {"terril": _("Slag heaps (terrils)"), "cite": _("Mining housing estates (cités)"),
            "major_site": _("Major mining sites"), "mining_building": _("Mining buildings"),
            "park": _("Parks"), "cavalier": _("Old coal railways (cavaliers)"),
            "museum": _("Museums"), "unesco_element": _("UNESCO elements")}


def designer_words() -> dict:
    """The designer script's words; ``{name}``-style slots are filled in by the script."""
    return {
        "distance": _("Distance"), "duration": _("Duration"), "ascent": _("Ascent"),
        "published": _("published"), "draft": _("draft"), "publish": _("Publish"),
        "unpublish": _("Unpublish"), "planning": _("Planning…"),
        "no_warnings": _("Nothing to watch out for."),
        "remove": _("Remove {name}"), "up": _("Move {name} up"), "down": _("Move {name} down"),
        "best": _("Best route"), "alternative": _("Alternative {n}"),
        "alt_detail": _("{km} km, {time}, {diff} % different"),
        "use": _("Use this route"), "chosen": _("Route {n} chosen: a waypoint now holds it."),
        "no_alternatives": _("No other route differs enough."),
        "via": _("via"), "point": _("Point {n}"),
        "undone": _("Undone."), "redone": _("Redone."),
        "need_two": _("Add at least two points."), "need_three": _("A tour needs three points."),
        "need_one": _("A loop starts from the first point."),
        "loop_rank": _("Loop {n}"),
        "stage": _("Stage {n}"),
        "surface_groups": {"paved": _("paved"), "smooth": _("smooth unpaved"),
                           "rough": _("rough (earth, grass, stones)"),
                           "unknown": _("not recorded")},
        "surface_colours": {k: SURFACE_COLOURS[k] for k in ("paved", "smooth", "rough", "unknown")},
        "surface_values": {"paved": list(PAVED), "smooth": list(SMOOTH_UNPAVED),
                           "rough": list(ROUGH)},
    }


def add_warning_words(collection: dict, profile: str, lang: str | None,
                      words=None) -> dict:
    """Give each route and stage feature of an itinerary's GeoJSON ``warnings_text``: its
    warnings in words (plain text), beside the codes.

    ``words``: the current language's :class:`web.i18n.Words`, when the caller has
    them (``lang`` None, or theirs).
    """
    for feature in collection["features"]:
        props = feature["properties"]
        if props.get("role") in ("route", "stage"):
            props["warnings_text"] = warning_texts(props.get("warnings") or [], profile, lang,
                                                   words)
    return collection
