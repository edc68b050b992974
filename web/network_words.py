"""The words of the network layer's legend and notes (``static/network-layer.js``), in the
request's language; pages hand them to the script as a JSON block, never as markup."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from .network_layer import CLASSES


def network_words() -> dict:
    """The words ``BassinNetwork.addTo`` reads (see the top of ``static/network-layer.js``)."""
    return {
        "title": _("Trail network"), "toggle": _("Show the network"), "legend": _("Legend"),
        "rows": {"main_road": _("Main road"), "minor_road": _("Minor road"),
                 "street": _("Street"), "cycleway": _("Cycleway, greenway"),
                 "path": _("Path"), "track": _("Track"), "footway": _("Footway"),
                 "steps": _("Steps"), "cycle_route": _("Signed cycle route (EV5, véloroutes)"),
                 "walk_route": _("Signed walking route (GR, PR)")},
        "classes": dict(zip(CLASSES, (
            _("Service road"), _("Footway"), _("Pedestrian street"), _("Steps"), _("Track"),
            _("Path"), _("Street"), _("Cycleway"), _("Minor road"), _("Secondary road"),
            _("Main road"), _("Trunk road")))),
        "zoom_in": _("Zoom in to see the network."), "loading": _("Loading the network…"),
        "too_large": _("Too much to draw here: zoom in."),
        "error": _("The network could not be loaded:"),
        "attribution": _("Network: © OpenStreetMap contributors (ODbL)"),
    }


def network_overlay() -> dict:
    """What a served Folium map needs to draw the network under its routes
    (``itinerary_map(..., network=network_overlay())``): the endpoint and the words."""
    return {"url": url_for("network_api.network"), "words": network_words()}
