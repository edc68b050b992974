"""The optional isochrone layer of the itinerary map pages.

:func:`add_isochrone_control` puts on a Folium map (one of :func:`web.maps.itinerary_map`)
a small control, ``static/bassin-isochrone.js``: armed, a click on the map (or its
« from the start » button) fetches ``/api/v1/isochrone`` for the itinerary's profile and
draws the bands as a layer. Its settings and words travel in their own JSON data block
(:func:`web.maps.json_for_script`), like the map's; the script is inlined, so
:func:`web.maps.render_map` gives it the request's CSP nonce, and it reaches only this
service (``connect-src 'self'``). Maps written to a file get no control: no server
answers them.
"""
from __future__ import annotations

from importlib import resources

from flask import current_app, url_for
from flask_babel import gettext as _

from .maps import RawElement, json_for_script

#: The band sets offered (minutes); the first is the default.
PRESETS = ((10, 20, 30), (15, 30, 45, 60), (30, 60, 90, 120))
DATA_ID = "bassin-isochrone-data"
STYLE = ("<style>.bassin-isochrone{background:#fff;padding:4px;font:12px/1.4 system-ui,"
         "sans-serif;max-width:220px}.bassin-isochrone button{font:inherit;margin:2px;"
         "padding:3px 6px;cursor:pointer}.bassin-isochrone-toggle[aria-pressed=true]"
         "{background:#1d4ed8;color:#fff}.bassin-isochrone label{display:block;margin:2px}"
         ".bassin-isochrone select{margin-left:4px}.bassin-isochrone-status{margin:2px;"
         "color:#334155}</style>")


def isochrone_words() -> dict:
    """The control's words in the request's language (``{…}``: filled in by the script)."""
    return {"title": _("Isochrones"), "minutes": _("Bands"),
            "hint": _("Click the map: what this profile reaches from there"),
            "from_start": _("From the start"),
            "clear": _("Clear the isochrones"),
            "loading": _("Computing the reachable area…"),
            "drawn": _("{count} bands drawn"),
            "band": _("within {minutes} min · {area} km²"),
            "failed": _("No isochrone:")}


def control_settings(map_name: str, itinerary, lang: str) -> dict:
    """The control's JSON block for the Leaflet map ``window[map_name]`` of ``itinerary``."""
    start = itinerary.waypoints[0]
    return {"map": map_name, "url": url_for("routing_api.isochrone_view"),
            "profile": itinerary.profile, "start": [start["lat"], start["lon"]],
            "presets": [list(p) for p in PRESETS], "lang": lang, "words": isochrone_words()}


def add_isochrone_control(fmap, itinerary, lang: str) -> None:
    """Add the isochrone control to ``fmap``, a map of ``itinerary`` served by this app."""
    doc = control_settings(fmap.get_name(), itinerary, lang)
    script = resources.files("web").joinpath("static/bassin-isochrone.js").read_text("utf-8")
    fmap.get_root().header.add_child(RawElement(STYLE))
    fmap.get_root().html.add_child(RawElement(
        f'<script type="application/json" id="{DATA_ID}">{json_for_script(doc)}</script>'
        f"<script>{script}</script>"))


def wanted(embed: bool) -> bool:
    """Whether a map page gets the control: full pages, when ``MAP_ISOCHRONES`` is on."""
    return not embed and bool(current_app.config.get("MAP_ISOCHRONES", True))
