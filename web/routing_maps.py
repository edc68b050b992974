"""Map layers of the traveller's routing: alternatives beside the best route, isochrone bands.

Same rules as :mod:`web.maps`: Leaflet from ``/static``, no user text given to Folium (these
layers carry only numbers and our own fixed labels), rendered with the request's nonce by
:func:`web.maps.render_map`.
"""
from __future__ import annotations

import numpy as np
from flask_babel import gettext
from markupsafe import escape

from .maps import ETALAB, VENDOR, folium, itinerary_map

ALTERNATIVE_COLOURS = ("#7c3aed", "#db2777")
BAND_COLOURS = ("#1d4ed8", "#0891b2", "#059669", "#65a30d", "#ca8a04", "#dc2626")


def alternatives_map(itineraries: list, graph, tile_url: str, tile_attribution: str,
                     labels: dict | None = None, network: dict | None = None) -> folium.Map:
    """The best route's map with the alternatives drawn dashed beneath it (and the routing
    network under both when ``network`` is given, see :func:`web.maps.itinerary_map`)."""
    fmap = itinerary_map(itineraries[0], graph, tile_url, tile_attribution, labels=labels,
                         network=network)
    group = folium.FeatureGroup(name=escape((labels or {}).get("alternatives")
                                            or gettext("Alternatives")))
    for i, it in enumerate(itineraries[1:]):
        coords = np.column_stack([it.lat, it.lon]).tolist()
        folium.PolyLine(coords, color=ALTERNATIVE_COLOURS[i % len(ALTERNATIVE_COLOURS)], weight=4,
                        opacity=0.85, dash_array="8 6").add_to(group)
    group.add_to(fmap)
    south = min(float(it.lat.min()) for it in itineraries)
    north = max(float(it.lat.max()) for it in itineraries)
    west = min(float(it.lon.min()) for it in itineraries)
    east = max(float(it.lon.max()) for it in itineraries)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def isochrone_map(collection: dict, tile_url: str, tile_attribution: str) -> folium.Map:
    """Bands of an isochrone (largest first, as :func:`routing.isochrone.isochrone` gives)."""
    lon, lat = collection["properties"]["origin"]
    fmap = folium.Map(location=[lat, lon], tiles=None, control_scale=True)
    fmap.default_js = [("leaflet", f"{VENDOR}/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{VENDOR}/leaflet.css")]
    folium.TileLayer(tiles=tile_url, attr=f"{tile_attribution} | {escape(ETALAB)}", name="OpenStreetMap",
                     max_zoom=19).add_to(fmap)
    bounds = None
    for i, feature in enumerate(collection["features"]):
        colour = BAND_COLOURS[(len(collection["features"]) - 1 - i) % len(BAND_COLOURS)]
        unit = "min" if feature["properties"]["metric"] == "time" else "km"
        layer = folium.GeoJson(feature["geometry"], name=f"{feature['properties']['contour']:g} {unit}",
                               style_function=lambda _, c=colour: {
                                   "color": c, "weight": 1, "fillColor": c, "fillOpacity": 0.25})
        layer.add_to(fmap)
        bounds = bounds or layer.get_bounds()
    folium.CircleMarker([lat, lon], radius=6, color="#111827", fill=True,
                        fill_opacity=1).add_to(fmap)
    if bounds:
        fmap.fit_bounds(bounds)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap
