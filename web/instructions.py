"""Words of turn-by-turn instructions, in French and English: the one place they are made.

``routing.maneuvers`` gives codes and numbers; this catalog turns them into sentences
(like Valhalla's ``locales/*.json``: one template per code with named placeholders,
picked by language). Should the project move to Flask-Babel, these templates become
``.po`` entries and :func:`render` stays the only caller.
"""
from __future__ import annotations

LANGUAGES = ("fr", "en")

CATALOG = {
    "fr": {
        "depart": "Partez vers {direction}{on}",
        "turn": "Tournez {modifier}{onto}",
        "keep": "Serrez {modifier}{onto}",
        "continue": "Continuez tout droit{onto}",
        "continue_bend": "Continuez {modifier}{onto}",
        "roundabout": "Au rond-point, prenez la {exit} sortie{onto}",
        "waypoint": "Vous passez par l'étape {leg}",
        "arrive": "Vous êtes arrivé",
        "on": " sur {road}", "onto": " sur {road}",
        "joined": "suivez {routes}", "left": "quittez {routes}",
        "then": "puis {distance}",
        "modifiers": {"straight": "tout droit", "slight_left": "légèrement à gauche",
                      "left": "à gauche", "sharp_left": "franchement à gauche",
                      "slight_right": "légèrement à droite", "right": "à droite",
                      "sharp_right": "franchement à droite", "uturn": "demi-tour"},
        "keep_modifiers": {"slight_left": "à gauche", "slight_right": "à droite",
                           "straight": "tout droit"},
        "directions": ("le nord", "le nord-est", "l'est", "le sud-est", "le sud",
                       "le sud-ouest", "l'ouest", "le nord-ouest"),
        "ordinal": "{n}e", "first": "1re",
    },
    "en": {
        "depart": "Head {direction}{on}",
        "turn": "Turn {modifier}{onto}",
        "keep": "Keep {modifier}{onto}",
        "continue": "Continue straight{onto}",
        "continue_bend": "Continue {modifier}{onto}",
        "roundabout": "At the roundabout, take the {exit} exit{onto}",
        "waypoint": "You pass waypoint {leg}",
        "arrive": "You have arrived",
        "on": " on {road}", "onto": " onto {road}",
        "joined": "follow {routes}", "left": "leave {routes}",
        "then": "then {distance}",
        "modifiers": {"straight": "straight", "slight_left": "slightly left", "left": "left",
                      "sharp_left": "sharp left", "slight_right": "slightly right",
                      "right": "right", "sharp_right": "sharp right", "uturn": "around"},
        "keep_modifiers": {"slight_left": "left", "slight_right": "right",
                           "straight": "straight on"},
        "directions": ("north", "northeast", "east", "southeast", "south", "southwest",
                       "west", "northwest"),
        "ordinal": "{n}th", "first": "1st", "second": "2nd", "third": "3rd",
    },
}


def _words(lang: str) -> dict:
    return CATALOG[lang if lang in CATALOG else "fr"]


def _ordinal(words: dict, n: int) -> str:
    special = {1: "first", 2: "second", 3: "third"}.get(n)
    if special and special in words and not 11 <= n % 100 <= 13:
        return words[special]
    return words["ordinal"].format(n=n)


def road_label(step: dict) -> str | None:
    """« Route de Lens (D 58) »: the way's name, with its ref when it has both."""
    name, ref = step.get("name"), step.get("ref")
    if name and ref and ref != name:
        return f"{name} ({ref})"
    return name or ref


def format_distance(metres: float, lang: str = "fr") -> str:
    """``850 m``, ``1,2 km`` (French decimal comma) or ``1.2 km``."""
    if metres < 1000:
        return f"{int(round(metres / 10.0) * 10)} m"
    text = f"{metres / 1000:.1f} km"
    return text.replace(".", ",") if lang == "fr" else text


def render(step: dict, lang: str = "fr") -> str:
    """The sentence of one maneuver (a :meth:`routing.maneuvers.Maneuver.to_dict`)."""
    words = _words(lang)
    code = step["code"]
    road = road_label(step)
    fill = {"on": words["on"].format(road=road) if road else "",
            "onto": words["onto"].format(road=road) if road else "",
            "leg": step.get("leg", 0), "exit": _ordinal(words, int(step.get("exit") or 1))}
    modifier = step.get("modifier") or "straight"
    if code == "depart":
        fill["direction"] = words["directions"][int(((step.get("bearing_after") or 0) + 22.5)
                                                    // 45) % 8]
    elif code == "keep":
        fill["modifier"] = words["keep_modifiers"].get(modifier, words["modifiers"][modifier])
    else:
        fill["modifier"] = words["modifiers"].get(modifier, modifier)
    key = "continue_bend" if code == "continue" and modifier != "straight" else code
    text = words[key].format(**fill)
    extras = []
    if step.get("routes_joined") and code != "arrive":
        extras.append(words["joined"].format(routes=", ".join(step["routes_joined"])))
    if step.get("routes_left") and code not in ("arrive", "depart"):
        extras.append(words["left"].format(routes=", ".join(step["routes_left"])))
    return (" ; " if lang == "fr" else "; ").join([text] + extras)


def steps(maneuvers: list, lang: str = "fr") -> list[dict]:
    """OSRM-like steps of maneuvers: ``maneuver`` (type, modifier, exit, location,
    bearings), ``name``, ``ref``, ``distance`` (to the next), ``instruction`` (words)."""
    out = []
    for m in maneuvers:
        step = m.to_dict() if hasattr(m, "to_dict") else dict(m)
        out.append({
            "maneuver": {"type": step["code"], "modifier": step.get("modifier"),
                         "exit": step.get("exit"), "location": [step["lon"], step["lat"]],
                         "bearing_before": step.get("bearing_before"),
                         "bearing_after": step.get("bearing_after")},
            "name": step.get("name"), "ref": step.get("ref"),
            "routes_joined": step.get("routes_joined", []),
            "routes_left": step.get("routes_left", []),
            "distance": step.get("distance_m", 0.0), "at_m": step.get("at_m", 0.0),
            "leg": step.get("leg", 0), "instruction": render(step, lang),
        })
    return out


def gpx_points(step_list: list[dict], lang: str = "fr") -> list[tuple[float, float, str, str]]:
    """``(lat, lon, name, description)`` route points for a GPX ``rte`` from :func:`steps`:
    the instruction as name, « puis 850 m » as description."""
    words = _words(lang)
    out = []
    for step in step_list:
        lon, lat = step["maneuver"]["location"]
        desc = words["then"].format(distance=format_distance(step["distance"], lang)) \
            if step["distance"] > 0 else ""
        out.append((lat, lon, step["instruction"], desc))
    return out
