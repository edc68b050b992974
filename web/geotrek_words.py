"""The translated fields of Geotrek treks (``{lang: text}``), made in every language.

Geotrek serves each text in all languages at once; :func:`trek_texts` makes ours
(name when there is none, departure, arrival, teaser, ambiance, accessibility) once
per language of :data:`web.i18n.LANGUAGES`, from the itinerary worded in it
(:func:`web.words.localised`: OSM ``name:<lang>``, place kinds, stage names).
"""
from __future__ import annotations

import numpy as np
from flask_babel import format_decimal, gettext
from markupsafe import escape

from .i18n import LANGUAGES, language
from .tag_words import value_name
from .warning_words import warning_words
from .words import km, localised, untitled

#: Place kinds listed in a trek's « ambiance » (with every UNESCO component).
AMBIANCE_KINDS = ("major_site", "terril", "cite", "park", "museum")


def _ambiance(itinerary) -> str:
    """An HTML list of the heritage along the way, escaped."""
    heritage = [p for p in itinerary.places
                if p.get("unesco_id") or p["kind"] in AMBIANCE_KINDS][:30]
    items = []
    for p in heritage:
        text = gettext("km %(km)s: %(name)s", km=format_decimal(p["km"], "0.0"),
                       name=p.get("name") or p["kind_label"])
        if p.get("unesco_id"):
            text += f" (UNESCO {p['unesco_id']})"
        items.append(f"<li>{escape(text)}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def _teaser(itinerary) -> str:
    text = km(itinerary.distance_m)
    if itinerary.ascent_m is not None:
        text += ", " + gettext("D+ %(m)s m", m=format_decimal(round(itinerary.ascent_m)))
    return text


def _accessibility(itinerary) -> dict:
    """Accessibility texts from what the network knows (surfaces, signing, slopes, warnings)."""
    texts = {}
    surface = {k: v for k, v in (itinerary.breakdown.get("surface") or {}).items()
               if k not in ("unknown", "", None)}
    total = sum(surface.values())
    if total:
        parts = ", ".join(f"{value_name('surface', k)} {100 * v / total:.0f} %" for k, v in
                          sorted(surface.items(), key=lambda kv: -kv[1])[:4])
        texts["accessibility_covering"] = gettext("Surface: %(parts)s.", parts=parts)
    signed = max([itinerary.signed_share] + [min(1.0, m / max(itinerary.distance_m, 1.0))
                                             for m in itinerary.signed_routes.values()])
    if itinerary.signed_routes and round(100 * signed):
        refs = ", ".join(sorted(itinerary.signed_routes,
                                key=lambda r: -itinerary.signed_routes[r])[:4])
        texts["accessibility_signage"] = gettext(
            "%(pct)d %% of the way on waymarked routes (%(refs)s).", pct=round(100 * signed),
            refs=refs)
    if itinerary.has_elevation and itinerary.distance_m > 200:
        grid = np.arange(0, itinerary.distance_m, 100.0)
        ele = np.interp(grid, itinerary.cum_m, np.nan_to_num(itinerary.ele, nan=float(
            np.nanmean(itinerary.ele))))
        grade = float(np.max(np.abs(np.diff(ele)))) if len(ele) > 1 else 0.0
        texts["accessibility_slope"] = gettext("Steepest slope %(grade)d %% over 100 m.",
                                               grade=round(grade))
    details = sorted({warning_words(w, itinerary.profile) for w in itinerary.warnings})[:6]
    if details:
        texts["accessibility_advice"] = gettext("Take care: %(items)s.", items="; ".join(details))
    return texts


def trek_texts(itinerary, ends=None, names=None) -> dict:
    """``{field: {lang: text}}`` of the words we make for a trek, in every language.

    Parameters
    ----------
    ends : callable, optional
        ``ends(worded itinerary) -> (departure, arrival)``; default: the end waypoints' names.
    names : dict, optional
        ``{lang: name}`` to use (a stage's names); default: a name only when it has none.
    """
    out: dict = {}
    imported = itinerary.meta.get("translations") or {}
    for lang in LANGUAGES:
        with language(lang):
            worded = localised(itinerary)
            start, end = (ends(worded) if ends else
                          (worded.waypoints[0].get("name"), worded.waypoints[-1].get("name")))
            values = {"name": (names or {}).get(lang) or ("" if itinerary.name else untitled()),
                      "departure": start or "", "arrival": end or "",
                      "description_teaser": _teaser(worded), "ambiance": _ambiance(worded),
                      **_accessibility(worded)}
        for field, text in values.items():
            # an import's own words win over ours (but the ends asked for)
            theirs = any((imported.get(field) or {}).values()) and not (
                field in ("departure", "arrival") and ends)
            if text and not theirs:
                out.setdefault(field, {})[lang] = text
    return out


def tour_texts(itinerary) -> tuple[dict, list]:
    """The texts of a tour and of each of its stages (named in each language)."""
    stage_names = {lang: [s.name for s in localised(itinerary, lang).stages]
                   for lang in LANGUAGES}
    stages = [trek_texts(stage, names={lang: stage_names[lang][k] for lang in LANGUAGES})
              for k, stage in enumerate(itinerary.stages)]
    return trek_texts(itinerary), stages
