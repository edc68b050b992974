"""Words of turn-by-turn instructions, in French and English: the one place they are made.

``routing.maneuvers`` gives codes and numbers; the catalogs (``web/translations``) turn
them into sentences, like Valhalla's ``locales/*.json``: one template per code with
named placeholders, picked by language (:func:`web.i18n.language`).
"""
from __future__ import annotations

from flask_babel import format_decimal, gettext, lazy_gettext, lazy_pgettext

from routing.maneuvers import build_maneuvers

from .i18n import LANGUAGES, language

__all__ = ["LANGUAGES", "format_distance", "gpx_points", "itinerary_steps", "render",
           "road_label", "steps"]

SENTENCES = {
    "depart": lazy_gettext("Head %(direction)s%(on)s"),
    "turn": lazy_gettext("Turn %(modifier)s%(onto)s"),
    "keep": lazy_gettext("Keep %(modifier)s%(onto)s"),
    "continue": lazy_gettext("Continue straight%(onto)s"),
    "continue_bend": lazy_gettext("Continue %(modifier)s%(onto)s"),
    "roundabout": lazy_gettext("At the roundabout, take the %(exit)s exit%(onto)s"),
    "waypoint": lazy_gettext("You pass waypoint %(leg)s"),
    "arrive": lazy_gettext("You have arrived"),
}
MODIFIERS = {
    "straight": lazy_pgettext("turn", "straight"),
    "slight_left": lazy_pgettext("turn", "slightly left"),
    "left": lazy_pgettext("turn", "left"), "sharp_left": lazy_pgettext("turn", "sharp left"),
    "slight_right": lazy_pgettext("turn", "slightly right"),
    "right": lazy_pgettext("turn", "right"), "sharp_right": lazy_pgettext("turn", "sharp right"),
    "uturn": lazy_pgettext("turn", "around"),
}
KEEP_MODIFIERS = {"slight_left": lazy_pgettext("keep", "left"),
                  "slight_right": lazy_pgettext("keep", "right"),
                  "straight": lazy_pgettext("keep", "straight on")}
DIRECTIONS = (lazy_pgettext("heading", "north"), lazy_pgettext("heading", "northeast"),
              lazy_pgettext("heading", "east"), lazy_pgettext("heading", "southeast"),
              lazy_pgettext("heading", "south"), lazy_pgettext("heading", "southwest"),
              lazy_pgettext("heading", "west"), lazy_pgettext("heading", "northwest"))
#: Ordinals by last digit (11th–13th aside); the French catalog says « 2e », « 1re ».
_ORDINALS = {1: lazy_pgettext("ordinal", "%(n)dst"), 2: lazy_pgettext("ordinal", "%(n)dnd"),
             3: lazy_pgettext("ordinal", "%(n)drd")}
_ORDINAL_TH = lazy_pgettext("ordinal", "%(n)dth")


def _ordinal(n: int) -> str:
    """« 1st », « 2nd », « 11th » / « 1re », « 2e »."""
    if n == 1:
        return str(lazy_pgettext("ordinal", "1st"))
    template = _ORDINAL_TH if 11 <= n % 100 <= 13 else _ORDINALS.get(n % 10, _ORDINAL_TH)
    return str(template) % {"n": n}


def road_label(step: dict) -> str | None:
    """« Route de Lens (D 58) »: the way's name, with its ref when it has both."""
    name, ref = step.get("name"), step.get("ref")
    if name and ref and ref != name:
        return f"{name} ({ref})"
    return name or ref


def format_distance(metres: float, lang: str | None = None) -> str:
    """``850 m``, ``1,2 km`` (French decimal comma) or ``1.2 km``."""
    with language(lang):
        if metres < 1000:
            return gettext("%(m)s m", m=format_decimal(int(round(metres / 10.0) * 10)))
        return gettext("%(km)s km", km=format_decimal(round(metres / 1000, 1), format="#,##0.0"))


def render(step: dict, lang: str | None = None) -> str:
    """The sentence of one maneuver (a :meth:`routing.maneuvers.Maneuver.to_dict`)."""
    with language(lang):
        return _render(step)


def _render(step: dict) -> str:
    code = step["code"]
    road = road_label(step)
    fill = {"on": gettext(" on %(road)s", road=road) if road else "",
            "onto": gettext(" onto %(road)s", road=road) if road else "",
            "leg": step.get("leg", 0), "exit": _ordinal(int(step.get("exit") or 1))}
    modifier = step.get("modifier") or "straight"
    if code == "depart":
        fill["direction"] = DIRECTIONS[int(((step.get("bearing_after") or 0) + 22.5) // 45) % 8]
    elif code == "keep":
        fill["modifier"] = KEEP_MODIFIERS.get(modifier, MODIFIERS.get(modifier, modifier))
    else:
        fill["modifier"] = MODIFIERS.get(modifier, modifier)
    key = "continue_bend" if code == "continue" and modifier != "straight" else code
    text = str(SENTENCES[key]) % {k: str(v) for k, v in fill.items()}
    extras = []
    if step.get("routes_joined") and code != "arrive":
        extras.append(gettext("follow %(routes)s", routes=", ".join(step["routes_joined"])))
    if step.get("routes_left") and code not in ("arrive", "depart"):
        extras.append(gettext("leave %(routes)s", routes=", ".join(step["routes_left"])))
    return gettext("; ").join([text] + extras)


def steps(maneuvers: list, lang: str | None = None, names=None) -> list[dict]:
    """OSRM-like steps of maneuvers: ``maneuver`` (type, modifier, exit, location,
    bearings), ``name``, ``ref``, ``distance`` (to the next), ``instruction`` (words).

    ``names``: a :class:`web.words.GraphNames` (way and route names in ``lang``).
    """
    out = []
    with language(lang):
        for m in maneuvers:
            step = m.to_dict() if hasattr(m, "to_dict") else dict(m)
            if names is not None:
                step = names.step(step)
            out.append({
                "maneuver": {"type": step["code"], "modifier": step.get("modifier"),
                             "exit": step.get("exit"), "location": [step["lon"], step["lat"]],
                             "bearing_before": step.get("bearing_before"),
                             "bearing_after": step.get("bearing_after")},
                "name": step.get("name"), "ref": step.get("ref"),
                "routes_joined": step.get("routes_joined", []),
                "routes_left": step.get("routes_left", []),
                "distance": step.get("distance_m", 0.0), "at_m": step.get("at_m", 0.0),
                "leg": step.get("leg", 0), "instruction": _render(step),
            })
    return out


def gpx_points(step_list: list[dict], lang: str | None = None) -> list[tuple[float, float, str, str]]:
    """``(lat, lon, name, description)`` route points for a GPX ``rte`` from :func:`steps`:
    the instruction as name, « puis 850 m » as description."""
    out = []
    with language(lang):
        for step in step_list:
            lon, lat = step["maneuver"]["location"]
            desc = gettext("then %(distance)s", distance=format_distance(step["distance"])) \
                if step["distance"] > 0 else ""
            out.append((lat, lon, step["instruction"], desc))
    return out


def itinerary_steps(service, itinerary, lang: str | None = None) -> list[dict]:
    """:func:`steps` of an itinerary planned on ``service``'s graph ([] for another graph,
    e.g. a saved itinerary whose graph was rebuilt since: its edge numbers mean nothing)."""
    from .words import GraphNames

    if itinerary.meta.get("graph") != service.graph.meta.get("name") or not itinerary.pieces:
        return []
    if max(p[0] for leg in itinerary.pieces for p in leg) >= service.graph.n_edges:
        return []
    with language(lang):
        return steps(build_maneuvers(service.network(itinerary.profile), itinerary),
                     names=GraphNames(service.graph))
