"""What a printed fiche says: figures, map, profile, roadbook, places, warnings, stages.

Everything here is data for ``templates/fiche.html``: words come from the catalogs
(``_()``, in the language forced by the caller), numbers are formatted for that
language, user text stays plain text (the template escapes it), and the drawings are
SVG made by :mod:`web.static_map` and :mod:`web.static_profile` (numbers and shapes
only, safe to insert as markup). Lists are capped so that the work of one fiche, and
its length, stay bounded.
"""
from __future__ import annotations

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from .instructions import format_distance, itinerary_steps
from .itinerary_page import classification, duration_text, km_text
from .maps import STAGE_COLOURS
from .page_words import DIFFICULTIES, PLACE_KINDS, PRACTICES, ROUTE_KINDS, word
from .static_map import ROUTE_BANDS, ROUTE_COLOUR, WAY_STYLES, Line, draw_map
from .static_markers import END_COLOUR, START_COLOUR, Marker
from .static_profile import draw_profile
from .warning_words import warning_text

#: at most this many of each list is printed (the web page has them all)
MAX_STEPS, MAX_PLACES, MAX_WARNINGS, MAX_DESCRIPTION = 150, 20, 40, 5000
MAX_PARAGRAPHS = 30
#: printed sizes (mm) of the map and the profile on an A4 page with 12 mm margins
MAP_MM, PROFILE_MM = (186, 112), (186, 38)
#: which places are numbered first when there are more than MAX_PLACES
KIND_PRIORITY = ("major_site", "museum", "park", "terril", "cite", "lodging", "station",
                 "unesco_element", "mining_building", "cavalier", "viewpoint",
                 "drinking_water", "toilets", "shelter", "picnic_site", "cafe", "restaurant",
                 "bicycle_repair", "bicycle_rental", "attraction", "mine_shaft")


def way_words() -> dict:
    """Legend words of the kinds of way and signed route the map draws."""
    return {"major": _("Main road"), "road": _("Road"), "service": _("Service road, square"),
            "track": _("Track"), "path": _("Path"), "cycleway": _("Cycleway"),
            "bicycle": _("Signed cycle route"), "hiking": _("Signed walking route")}


def paragraphs(text: str) -> list[str]:
    """The description's paragraphs (its lines), at most :data:`MAX_PARAGRAPHS`: the rest
    run on in the last one (thousands of one-word lines would be as many pages)."""
    lines = [line.strip() for line in (text or "")[:MAX_DESCRIPTION].splitlines() if line.strip()]
    if len(lines) > MAX_PARAGRAPHS:
        lines[MAX_PARAGRAPHS - 1:] = [" ".join(lines[MAX_PARAGRAPHS - 1:])]
    return lines


def number(value: float, digits: int = 1) -> str:
    """``12,3`` in French, ``12.3`` in English (the forced locale's marks)."""
    return format_decimal(round(float(value), digits),
                          format="#,##0" + ("." + "0" * digits if digits else ""))


def shape_word(itinerary, kinds: dict) -> str:
    """« Loop », « One way »… or « Multi-day, 3 stages »."""
    if itinerary.stages:
        return ngettext("Multi-day, %(num)d stage", "Multi-day, %(num)d stages",
                        len(itinerary.stages))
    return word(ROUTE_KINDS, kinds["route"])


def figures(itinerary, kinds: dict) -> list[tuple[str, str]]:
    """(label, value) of the key figures, in the order they are printed; ``kinds`` is
    :func:`web.itinerary_page.classification` (the words of the page and the Geotrek API)."""
    rows = [(_("Distance"), km_text(itinerary.distance_m)),
            (_("Duration"), duration_text(itinerary.duration_s))]
    if itinerary.has_elevation:
        rows += [(_("Ascent"), f"{number(itinerary.ascent_m, 0)} m"),
                 (_("Descent"), f"{number(itinerary.descent_m, 0)} m")]
    rows += [(_("Practice"), word(PRACTICES, itinerary.profile)),
             (_("Route"), shape_word(itinerary, kinds)),
             (_("Difficulty"), word(DIFFICULTIES, kinds["level"]))]
    if itinerary.signed_routes:
        refs = ", ".join(list(itinerary.signed_routes)[:4])
        share = itinerary.signed_share     # unknown (0) on stage splits: then left out
        rows.append((_("Signed routes"),
                     f"{refs} ({number(100 * share, 0)} %)" if share > 0 else refs))
    ends = [w.get("name") for w in (itinerary.waypoints[:1] + itinerary.waypoints[-1:])]
    if ends and ends[0]:
        rows.append((_("Start"), ends[0]))
    if len(ends) > 1 and ends[1] and not itinerary.is_closed:
        rows.append((_("Finish"), ends[1]))
    return rows


def chosen_places(itinerary, lang: str) -> list[dict]:
    """At most :data:`MAX_PLACES` places, the most notable kinds first, numbered by km."""
    rank = {kind: i for i, kind in enumerate(KIND_PRIORITY)}
    best = sorted(itinerary.places, key=lambda p: (rank.get(p.get("kind"), len(rank)),
                                                    p.get("detour_m") or 0.0))[:MAX_PLACES]
    best.sort(key=lambda p: (p.get("km") or 0.0, p.get("name") or ""))
    return [dict(p, number=i, kind_word=word(PLACE_KINDS, p.get("kind"), p.get("kind") or ""),
                 km_text=number(p.get("km") or 0.0),
                 detour_text=format_distance(p["detour_m"], lang)
                 if p.get("detour_m") else "")
            for i, p in enumerate(best, start=1)]


def static_map(itinerary, graph, places: list[dict]):
    """The map of the route over the network, stages in turn of colour."""
    parts = itinerary.stages or [itinerary]
    colours = STAGE_COLOURS if itinerary.stages else (ROUTE_COLOUR,)
    lines = [Line(s.lat, s.lon, colours[i % len(colours)]) for i, s in enumerate(parts)]
    start = (float(itinerary.lat[0]), float(itinerary.lon[0]))
    end = (float(itinerary.lat[-1]), float(itinerary.lon[-1]))
    markers = [Marker(p["lat"], p["lon"], str(p["number"])) for p in places]
    markers += [Marker(float(s.lat[-1]), float(s.lon[-1]), str(i), "stage")
                for i, s in enumerate(itinerary.stages[:-1], start=1)]
    if itinerary.is_closed:
        markers.append(Marker(*start, kind="start_end"))
    else:
        markers += [Marker(*start, kind="start"), Marker(*end, kind="end")]
    return draw_map(graph, lines, markers, width_mm=MAP_MM[0], height_mm=MAP_MM[1],
                    label=_("Map of the itinerary"))


def legend(drawing, stages: int = 0) -> list[dict]:
    """Legend entries for what the map shows: ``swatch`` (inline SVG) and ``label``;
    ``stages``: one colour per stage."""
    words = way_words()

    def line(colour, width, dash=None, opacity=1.0):
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        return Markup(f'<svg viewBox="0 0 80 24" width="8mm" height="2.4mm" aria-hidden="true">'
                      f'<line x1="2" y1="12" x2="78" y2="12" stroke="{colour}" '
                      f'stroke-width="{width}" stroke-opacity="{opacity}"{dash_attr}/></svg>')

    if stages:                          # colours repeat: « Stage 1, 8 » share one
        colours = len(STAGE_COLOURS)
        entries = [{"swatch": line(STAGE_COLOURS[i], 12), "label": _("Stage %(num)s", num=", ".join(
            str(n) for n in range(i + 1, stages + 1, colours)))} for i in range(min(stages, colours))]
    else:
        entries = [{"swatch": line(ROUTE_COLOUR, 12), "label": _("Itinerary")}]
    entries += [{"swatch": Markup(f'<svg viewBox="0 0 24 24" width="2.4mm" height="2.4mm" '
                                 f'aria-hidden="true"><circle cx="12" cy="12" r="10" '
                                 f'fill="{START_COLOUR}"/></svg>'), "label": _("Start")},
               {"swatch": Markup(f'<svg viewBox="0 0 24 24" width="2.4mm" height="2.4mm" '
                                 f'aria-hidden="true"><rect x="2" y="2" width="20" height="20" '
                                 f'fill="{END_COLOUR}"/></svg>'), "label": _("Finish")}]
    for name in drawing.route_bands:
        colour, width, opacity = ROUTE_BANDS[name]
        entries.append({"swatch": line(colour, width, opacity=opacity), "label": words[name]})
    for name in reversed(drawing.kinds):
        colour, width, dash = WAY_STYLES[name]
        entries.append({"swatch": line(colour, width * 1.5, dash), "label": words[name]})
    return entries


def profile(itinerary, places: list[dict], lang: str):
    # where each night's stop leaves the route (stages also hold the detours to lodging)
    ends = [1000 * float(e["km"]) for e in itinerary.meta.get("stage_ends") or []
            if e.get("km") is not None]
    return draw_profile(itinerary.cum_m, itinerary.ele, width_mm=PROFILE_MM[0],
                        height_mm=PROFILE_MM[1], stage_ends_m=ends,
                        places=[(p.get("km") or 0.0, str(p["number"])) for p in places],
                        decimal="," if lang == "fr" else ".",
                        label=_("Elevation profile"))


def roadbook(service, itinerary, lang: str) -> tuple[list[dict], int]:
    """Steps (``km``, ``instruction``, ``then``) and how many were left out."""
    steps = itinerary_steps(service, itinerary, lang)
    rows = [{"km": number(s["at_m"] / 1000), "instruction": s["instruction"],
             "then": format_distance(s["distance"], lang) if s["distance"] > 0 else ""}
            for s in steps[:MAX_STEPS]]
    return rows, max(0, len(steps) - MAX_STEPS)


def stage_rows(itinerary) -> list[dict]:
    """One row per stage; an end that is no named place is given by its km on the route."""
    cuts = [0.0] + [float(e.get("km") or 0.0) for e in itinerary.meta.get("stage_ends") or []]
    cuts += [itinerary.distance_m / 1000]
    rows = []
    for i, stage in enumerate(itinerary.stages, start=1):
        names = [w.get("name") for w in stage.waypoints[:1] + stage.waypoints[-1:]] or [None]
        at = cuts[i - 1:i + 1] if len(cuts) > i else [0.0, 0.0]
        rows.append({"number": i,
                     "start": names[0] or f"km {number(at[0])}",
                     "end": names[-1] or f"km {number(at[-1])}",
                     "distance": km_text(stage.distance_m),
                     "duration": duration_text(stage.duration_s),
                     "ascent": f"{number(stage.ascent_m, 0)} m" if stage.has_elevation else ""})
    return rows


def fiche_context(item, itinerary, service, lang: str) -> dict:
    """Everything ``fiche.html`` prints about the saved itinerary ``item``."""
    places = chosen_places(itinerary, lang)
    drawing = static_map(itinerary, service.graph if service is not None else None, places)
    elevation = profile(itinerary, places, lang)
    steps, steps_left = roadbook(service, itinerary, lang) if service is not None else ([], 0)
    kinds = classification(itinerary)
    return {
        "lang": lang, "name": item.name or itinerary.name,
        # the subtitle adds the themes (as Geotrek's, e.g. mining heritage, slag heaps)
        "subtitle": " · ".join([word(PRACTICES, itinerary.profile), shape_word(itinerary, kinds),
                                word(DIFFICULTIES, kinds["level"])] + kinds.get("themes", [])),
        "description": paragraphs(item.description),
        "author": getattr(item, "author_name", "") or "",
        "figures": figures(itinerary, kinds),
        "map_svg": Markup(drawing.svg), "legend": legend(drawing, len(itinerary.stages)),
        "scale": format_decimal(drawing.scale_denominator, format="#,##0"),
        "profile_svg": Markup(elevation.svg) if elevation else None,
        "elevation": {"min": number(elevation.min_m, 0), "max": number(elevation.max_m, 0)}
        if elevation else None,
        "steps": steps, "steps_left": steps_left,
        "places": places, "places_left": max(0, len(itinerary.places) - len(places)),
        "warnings": [warning_text(w, itinerary.profile, lang)
                     for w in itinerary.warnings[:MAX_WARNINGS]],
        "warnings_left": max(0, len(itinerary.warnings) - MAX_WARNINGS),
        "stages": stage_rows(itinerary),
        "drawing": drawing,
    }
