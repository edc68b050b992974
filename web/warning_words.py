"""Words for the warning codes routing emits (:mod:`routing.hazards`), from the catalogs."""
from __future__ import annotations

from flask_babel import lazy_gettext

from .i18n import Words, current_words, language
from .tag_words import VALUE_NAMES, value_name

#: One template per warning code; placeholders are the warning's tag values.
TEMPLATES = {
    "steps": lazy_gettext("steps"),
    "steps_bike": lazy_gettext("steps: carry the bike"),
    "unpaved": lazy_gettext("unpaved (%(surface)s)"),
    "poor_smoothness": lazy_gettext("poor surface (%(smoothness)s)"),
    "busy_road": lazy_gettext("busy road (%(highway)s%(name)s%(maxspeed)s)"),
    "ford": lazy_gettext("ford to cross"),
    "dismount": lazy_gettext("dismount: walk the bike"),
    "difficult": lazy_gettext("difficult section (SAC scale %(sac_scale)s)"),
    "private_access": lazy_gettext("restricted access (%(access)s)"),
    "no_lodging": lazy_gettext("no lodging within %(within_km)s km"),
}
BICYCLE_PROFILES = ("bike", "gravel", "mtb")


class _Missing(dict):
    def __missing__(self, key):
        return "?"


#: Where a warning is, not what it is: left out of the key its words are remembered by.
_WHERE_KEYS = frozenset({"from_km", "to_km", "length_m"})
#: :func:`warning_words` per catalog, profile and warning without where: a graph has a
#: bounded set of distinct warnings (code and tag values), each worded once.
_SAID: dict = {}
_MAX_SAID = 8192


def warning_words(warning: dict, profile: str = "", words: Words | None = None) -> str:
    """What a warning is, in the current language, without where (« gué à traverser »).

    ``words``: the current language's :class:`web.i18n.Words`, when the caller has one.
    """
    words = words or Words()
    try:
        key = (words.translations, profile,
               *[item for item in warning.items() if item[0] not in _WHERE_KEYS])
        said = _SAID.get(key)
    except TypeError:               # an unhashable value (a saved itinerary's): not kept
        key = said = None
    if said is None:
        said = _worded(warning, profile, words)
        if key is not None and len(_SAID) < _MAX_SAID:
            _SAID[key] = said
    return said


def _worded(warning: dict, profile: str, words: Words) -> str:
    code = warning.get("type", "")
    if code == "steps" and profile in BICYCLE_PROFILES:
        code = "steps_bike"
    template = TEMPLATES.get(code)
    if template is None:
        return str(warning.get("detail") or code)
    values = _Missing({k: ("" if v is None else v) for k, v in warning.items()})
    for key in VALUE_NAMES:
        if warning.get(key) is not None:
            values[key] = value_name(key, warning[key], words)
    values["name"] = f", {warning['name']}" if warning.get("name") else ""
    values["maxspeed"] = (f", {words.format_decimal(round(warning['maxspeed']))} km/h"
                          if warning.get("maxspeed") else "")
    if "within_m" in warning:
        values["within_km"] = words.format_decimal(round(warning["within_m"] / 1000, 1))
    return words.text(template) % values


def warning_place(warning: dict, words: Words | None = None) -> str:
    """Where a warning is: « km 1,2 – 1,5 (300 m) » or « km 1,2 »."""
    words = words or Words()
    return _place(warning, words, _place_templates(words))


def _place_templates(words: Words, joined: str = "%(where)s") -> tuple[str, str]:
    """The templates of where a warning is (over a stretch, at a point), each put in
    ``joined``'s ``%(where)s``: one ``%`` a warning (its words looked up once a list)."""
    where = (words.gettext("km %(from_km)s – %(to_km)s (%(length)s m)"),
             words.gettext("km %(from_km)s"))
    return tuple(joined.replace("%(where)s", template) for template in where)


def _place(warning: dict, words: Words, templates: tuple[str, str], what: str = "") -> str:
    from_text = _km(warning.get("from_km"), words)
    length = warning.get("length_m") or 0
    if length >= 1:
        return templates[0] % {"from_km": from_text, "to_km": _km(warning.get("to_km"), words),
                               "length": round(length), "what": what}
    return templates[1] % {"from_km": from_text, "what": what}


def _km(value, words: Words) -> str:
    return words.format_decimal(value) if isinstance(value, (int, float)) else "?"


def warning_text(warning: dict, profile: str = "", lang: str | None = None) -> str:
    """One warning in words, with where it is: plain text (escape it for HTML).

    ``lang`` None: the current language (the request's).
    """
    return warning_texts([warning], profile, lang)[0]


def warning_texts(warnings: list, profile: str = "", lang: str | None = None,
                  words: Words | None = None) -> list[str]:
    """:func:`warning_text` of each warning, the language's words looked up once.

    ``words``: the current language's :class:`web.i18n.Words`, when the caller has
    them (``lang`` is then theirs).
    """
    if words is None or lang not in (None, words.lang):
        with language(lang):
            return warning_texts(warnings, profile, words=current_words())
    if not warnings:
        return []
    places = _place_templates(words, words.gettext("%(where)s: %(what)s"))
    return [_place(w, words, places, warning_words(w, profile, words)) for w in warnings]
