"""The public itinerary page ``/i/<slug>`` and its embed ``/embed/<slug>``: the page model.

One function per part of the page: :func:`key_figures`, :func:`map_data` (the JSON the
page's scripts draw: route lines coloured by surface or stage, numbered places, ends,
the elevation profile), :func:`stage_rows`, :func:`downloads`, :func:`embed_code`.
Routing gives numbers; the words are made here and in :mod:`web.page_words`. User
text (names) reaches the browser only escaped by Jinja or inside the JSON data block,
which the scripts put on the page with ``textContent``.
"""
from __future__ import annotations

from importlib import resources

import numpy as np
from flask import current_app, g, render_template, url_for
from flask_babel import format_decimal, gettext as _
from markupsafe import escape

from gpx.geotrek import cirkwi_level, load_vocabulary, references, route_kind, translated

from . import isochrone_layer
from .extensions import get_routing
from .instructions import itinerary_steps
from .maps import ETALAB, SURFACE_COLOURS, STAGE_COLOURS, json_for_script, pieces_fit, \
    surface_group, surface_runs
from .page_meta import page_meta
from .page_words import DIFFICULTIES, PRACTICES, ROUTE_KINDS, SURFACES, word
from .params import Param, arg
from .roadbook import places_along, roadbook, stage_starts
from .words import localised

MAP_NAME = "bassinTrekMap"   # window[MAP_NAME]: the page's Leaflet map, for add-ons
MAX_ROUTE_POINTS = 4000       # vertices sent for hovering the route (the lines keep all)
PROFILE_POINTS = 600          # samples of the elevation profile
EMBED_PARAMS = (
    Param("height", "integer", "Height of the embedded map in pixels", default=480,
          minimum=200, maximum=2000),
    Param("lang", enum=("fr", "en"), max_length=5, description="Language of the embed"),
    Param("profile", "boolean", "Show the elevation profile under the map", default=True),
)


def km_text(metres: float) -> str:
    """« 12,8 km » / « 12.8 km » in the request's language."""
    return f"{format_decimal(round(metres / 1000, 1), format='#,##0.0')} km"


def duration_text(seconds: float) -> str:
    hours, minutes = divmod(int(round(seconds / 60)), 60)
    return f"{hours} h {minutes:02d}" if hours else f"{minutes} min"


def elevation_range(itinerary) -> tuple[float, float] | None:
    ele = itinerary.ele[np.isfinite(itinerary.ele)]
    return (float(ele.min()), float(ele.max())) if len(ele) else None


def _entry(vocabulary: dict, kind: str, ref_id):
    return next((e for e in vocabulary[kind] if e["id"] == ref_id), None)


def classification(itinerary) -> dict:
    """Difficulty level (1-5), route kind and theme labels, as the Geotrek export gives them
    (so references an import brought win): ``{"level", "route", "themes"}``."""
    vocabulary = load_vocabulary()
    refs = references(itinerary, vocabulary)
    level = _entry(vocabulary, "difficulty", refs["difficulty"])
    route = _entry(vocabulary, "route", refs["route"])
    lang = g.get("lang") or "fr"
    themes = [_entry(vocabulary, "theme", t) for t in refs["themes"]]
    return {"level": level["cirkwi_level"] if level else cirkwi_level(itinerary),
            "route": route["kind"] if route else route_kind(itinerary),
            "themes": [translated(t["label"], lang, fallback=True) for t in themes if t]}


def key_figures(itinerary, kinds: dict | None = None) -> list[dict]:
    """``{"key", "label", "value"}`` of the figures a hiker reads first."""
    kinds = kinds or classification(itinerary)
    rows = [("distance", _("Distance"), km_text(itinerary.distance_m)),
            ("duration", _("Duration"), duration_text(itinerary.duration_s))]
    if itinerary.ascent_m is not None:
        rows += [("ascent", _("Ascent"), f"{itinerary.ascent_m:.0f} m"),
                 ("descent", _("Descent"), f"{itinerary.descent_m:.0f} m")]
        low, high = elevation_range(itinerary)
        rows += [("min_altitude", _("Lowest point"), f"{low:.0f} m"),
                 ("max_altitude", _("Highest point"), f"{high:.0f} m")]
    rows += [("practice", _("Practice"), word(PRACTICES, itinerary.profile)),
             ("difficulty", _("Difficulty"), word(DIFFICULTIES, kinds["level"])),
             ("route", _("Route"), word(ROUTE_KINDS, kinds["route"]))]
    if itinerary.stages:
        rows.append(("stages", _("Stages"), str(len(itinerary.stages))))
    if itinerary.signed_share >= 0.01:
        rows.append(("signed", _("On signed routes"), f"{itinerary.signed_share * 100:.0f} %"))
    return [{"key": k, "label": label, "value": value} for k, label, value in rows]


def _coords(lat, lon) -> list:
    return [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lat, lon)]


def route_lines(itinerary, graph) -> tuple[list[dict], list[dict]]:
    """The coloured lines and their legend ``{"colour", "label", "share"}``.

    By stage for a multi-day itinerary; else by surface when the itinerary was planned
    on this very build of the graph; else one line.
    """
    if itinerary.stages:
        lines = [{"colour": STAGE_COLOURS[i % len(STAGE_COLOURS)], "label": _(
            "Stage %(n)d", n=i + 1), "coords": _coords(s.lat, s.lon), "metres": s.distance_m}
            for i, s in enumerate(itinerary.stages)]
    elif pieces_fit(itinerary, graph):
        lines = [{"colour": SURFACE_COLOURS[group], "label": word(SURFACES, group),
                  "coords": [[round(a, 6), round(b, 6)] for a, b in coords], "group": group}
                 for group, coords in surface_runs(itinerary, graph)]
        metres: dict = {}
        for leg in itinerary.pieces:
            for edge, a, b in leg:
                group = surface_group(graph, edge)
                metres[group] = metres.get(group, 0.0) + abs(b - a)
        total = sum(metres.values()) or 1.0
        legend = [{"colour": SURFACE_COLOURS[k], "label": word(SURFACES, k),
                   "share": round(100 * metres[k] / total)} for k in SURFACE_COLOURS if k in metres]
        return lines, legend
    else:
        lines = [{"colour": SURFACE_COLOURS["paved"], "label": _("Itinerary"),
                  "coords": _coords(itinerary.lat, itinerary.lon), "metres": itinerary.distance_m}]
    total = itinerary.distance_m or 1.0
    legend = [{"colour": line["colour"], "label": line["label"],
               "share": round(100 * line.pop("metres") / total)} for line in lines]
    return lines, legend


def profile_samples(itinerary) -> dict | None:
    """The elevation profile resampled: ``km``, ``ele``, ``lat``, ``lon`` (None without it)."""
    ok = np.isfinite(itinerary.ele)
    if not ok.any() or itinerary.distance_m <= 0:
        return None
    at = np.linspace(0.0, itinerary.distance_m, PROFILE_POINTS)
    ele = np.interp(at, itinerary.cum_m[ok], itinerary.ele[ok])
    return {"km": [round(float(v) / 1000, 3) for v in at],
            "ele": [round(float(v), 1) for v in ele],
            "lat": [round(float(v), 6) for v in np.interp(at, itinerary.cum_m, itinerary.lat)],
            "lon": [round(float(v), 6) for v in np.interp(at, itinerary.cum_m, itinerary.lon)]}


def map_data(itinerary, graph, places: list[dict], profile: bool = True) -> dict:
    """Everything the page's scripts draw, as one JSON-ready dict."""
    cfg = current_app.config
    step = max(1, len(itinerary.lat) // MAX_ROUTE_POINTS)
    keep = np.r_[np.arange(0, len(itinerary.lat), step), len(itinerary.lat) - 1]
    lines, legend = route_lines(itinerary, graph)
    start, end = itinerary.waypoints[0], itinerary.waypoints[-1]
    south, west, north, east = itinerary.bounds()
    return {
        "lang": g.get("lang") or "fr",
        "tiles": {"url": cfg["TILE_URL"], "attribution": f"{cfg['TILE_ATTRIBUTION']} | {ETALAB}"},
        "bounds": [[south, west], [north, east]],
        "lines": lines, "legend": legend,
        "route": {"lat": [round(float(itinerary.lat[i]), 6) for i in keep],
                  "lon": [round(float(itinerary.lon[i]), 6) for i in keep],
                  "km": [round(float(itinerary.cum_m[i]) / 1000, 3) for i in keep]},
        "ends": {"loop": itinerary.is_closed,
                 "start": {"lat": start["lat"], "lon": start["lon"],
                           "name": start.get("name") or _("Start")},
                 "end": {"lat": end["lat"], "lon": end["lon"],
                         "name": end.get("name") or _("Arrival")}},
        "places": [{"n": p["number"], "lat": p["lat"], "lon": p["lon"],
                    "name": p.get("name") or "", "kind": p["kind"]} for p in places],
        "profile": profile_samples(itinerary) if profile else None,
        "words": {"start": _("Start"), "end": _("Arrival"), "startEnd": _("Start and arrival"),
                  "altitude": _("altitude"), "map": _("Map of the itinerary"),
                  "copied": _("Copied")},
    }


def stage_rows(item, itinerary) -> list[dict]:
    """One row per stage: figures, ends and its own GPX."""
    rows = []
    for start in stage_starts(itinerary):
        stage, n = start["stage"], start["number"]
        first, last = stage.waypoints[0], stage.waypoints[-1]
        rows.append({
            "number": n, "colour": STAGE_COLOURS[(n - 1) % len(STAGE_COLOURS)],
            "from": first.get("name") or "", "to": last.get("name") or "",
            "start_km": start["start_m"] / 1000, "distance": km_text(stage.distance_m),
            "duration": duration_text(stage.duration_s),
            "ascent": None if stage.ascent_m is None else f"{stage.ascent_m:.0f} m",
            "descent": None if stage.descent_m is None else f"{stage.descent_m:.0f} m",
            "places": len(stage.places),
            "bounds": ",".join(f"{v:.6f}" for v in stage.bounds()),
            "gpx": url_for("itineraries.export_stage", item_id=item.id, number=n, fmt="gpx")})
    return rows


def downloads(item, itinerary, lang: str) -> list[dict]:
    """The files of the itinerary: ``{"label", "href", "type", "note"}``."""
    files = [(_("GPX track"), url_for("itineraries.export", item_id=item.id, fmt="gpx"),
              "application/gpx+xml", _("GPS devices and apps"))]
    if itinerary.stages:
        files.append((_("Stages (zip of GPX)"), url_for("itineraries.export", item_id=item.id,
                                                        fmt="zip"), "application/zip",
                      _("one GPX per stage")))
    files += [
        (_("KML"), url_for("geotrek.export_kml", item_id=item.id),
         "application/vnd.google-earth.kml+xml", _("Google Earth")),
        (_("GeoJSON"), url_for("itineraries.export", item_id=item.id, fmt="geojson"),
         "application/geo+json", _("GIS, web maps")),
        (_("Geotrek JSON"), url_for("geotrek.export_saved", item_id=item.id, language=lang),
         "application/json", _("Geotrek API v2 trek")),
        (_("PDF fiche"), url_for("fiche.fiche_pdf", slug=item.slug, lang=lang),
         "application/pdf", _("printable A4")),
    ]
    return [{"label": label, "href": href, "type": kind, "note": note}
            for label, href, kind, note in files]


def embed_url(slug: str, height: int = 480, lang: str = "fr", profile: bool = True) -> str:
    return url_for("pages.embed", slug=slug, height=height, lang=lang, profile=int(profile),
                   _external=True)


def embed_code(item, lang: str, height: int = 480, profile: bool = True) -> str:
    """The ``<iframe>`` a website pastes (plain text: the template escapes it once more)."""
    return (f'<iframe src="{escape(embed_url(item.slug, height, lang, profile))}" width="100%" '
            f'height="{height}" style="border:0" loading="lazy" allowfullscreen '
            f'title="{escape(item.name)}"></iframe>')


def network_layer_script() -> str | None:
    """``network-layer.js`` (the routing network drawn on every map) when this release has it."""
    found = resources.files("web").joinpath("static/network-layer.js").is_file()
    return url_for("static", filename="network-layer.js") if found else None


def render_public(item, itinerary):
    """The itinerary page, worded in the request's language (names, kinds, stages)."""
    lang = g.get("lang") or "fr"
    itinerary = localised(itinerary)
    places = places_along(itinerary)
    steps = itinerary_steps(get_routing(), itinerary, lang)
    data = map_data(itinerary, get_routing().graph, places)
    meta = page_meta(item, itinerary, lang)
    kinds = classification(itinerary)
    return render_template(
        "public.html", item=item, itinerary=itinerary, figures=key_figures(itinerary, kinds),
        themes=kinds["themes"],
        legend=data["legend"], has_profile=data["profile"] is not None,
        roadbook=roadbook(itinerary, steps, places, lang), places=places,
        stages=stage_rows(item, itinerary), downloads=downloads(item, itinerary, lang),
        share_url=meta["canonical"],
        embed_code=embed_code(item, lang), embed_base=url_for(
            "pages.embed", slug=item.slug, _external=True),
        meta=meta, data_json=json_for_script(data),
        network_js=network_layer_script(), isochrones=json_for_script(
            isochrone_layer.control_settings(MAP_NAME, itinerary, lang))
        if isochrone_layer.wanted(embed=False) else None, isochrone_style=isochrone_layer.STYLE)


def render_embed(item, itinerary):
    """The embed: map and (unless ``profile=0``) the profile, ``height`` pixels high.

    Bad options are a 400 problem naming the field (the generator on the page only
    writes good ones), so a wrong snippet is seen at once rather than half-honoured.
    """
    height, _lang, profile = (arg(spec) for spec in EMBED_PARAMS)
    itinerary = localised(itinerary)
    data = map_data(itinerary, get_routing().graph, places_along(itinerary), profile=profile)
    profile_height = min(130, max(70, height // 4)) if data["profile"] is not None else 0
    return render_template("embed.html", item=item, itinerary=itinerary, height=height,
                           map_height=height - 34 - profile_height,
                           profile_height=profile_height, figures=key_figures(itinerary)[:4],
                           page_url=url_for("pages.public", slug=item.slug, _external=True),
                           data_json=json_for_script(data), network_js=network_layer_script())
