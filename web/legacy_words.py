"""Deprecated: ``t('key')`` in templates, for the templates not yet written with ``_()``.

Words are gettext messages now (English msgids, French in the catalog): write
``{{ _('Download GPX') }}``. Until every template is converted, ``t(key)`` answers
the message its key stood for, and the designer's script reads these words from
:func:`designer_messages`. Remove this module when nothing calls ``t`` any more.
"""
from __future__ import annotations

from flask_babel import lazy_gettext

from .words import PROFILE_NAMES

KEYS = {
    "title": lazy_gettext("Bassin minier itineraries"),
    "designer": lazy_gettext("Itinerary designer"),
    "profile": lazy_gettext("Profile"), "distance": lazy_gettext("Distance"),
    "duration": lazy_gettext("Duration"), "ascent": lazy_gettext("Ascent"),
    "surface": lazy_gettext("Surfaces"), "places": lazy_gettext("Places along the route"),
    "waypoints": lazy_gettext("Waypoints"),
    "click_to_add": lazy_gettext("Click the map to add a point; drag to move; click a point "
                                 "to delete it."),
    "search_places": lazy_gettext("Search a place (terril, cité, site…)"),
    "optimise": lazy_gettext("Optimise order"), "loop": lazy_gettext("Loop"),
    "km": lazy_gettext("km"), "stages": lazy_gettext("Stages"), "days": lazy_gettext("days"),
    "save": lazy_gettext("Save"), "publish": lazy_gettext("Publish"),
    "unpublish": lazy_gettext("Unpublish"), "saved": lazy_gettext("Saved itineraries"),
    "name": lazy_gettext("Name"), "description": lazy_gettext("Description"),
    "download_gpx": lazy_gettext("Download GPX"),
    "download_zip": lazy_gettext("Download stages (zip)"),
    "embed_code": lazy_gettext("Embed code"), "login": lazy_gettext("Log in"),
    "logout": lazy_gettext("Log out"), "username": lazy_gettext("Username"),
    "password": lazy_gettext("Password"),
    "bad_login": lazy_gettext("Wrong username or password."),
    "draft": lazy_gettext("draft"), "published": lazy_gettext("published"),
    "clear": lazy_gettext("Clear"), "new": lazy_gettext("New"),
    "warnings": lazy_gettext("Watch out"), "not_found": lazy_gettext("Itinerary not found."),
    "credits": lazy_gettext("Data © OpenStreetMap contributors (ODbL); heritage: Mission "
                            "Bassin Minier / data.gouv.fr (Licence Ouverte Etalab 2.0)."),
    "conflict": lazy_gettext("Changed elsewhere meanwhile: reload."),
    "search": lazy_gettext("Search"), "roadbook": lazy_gettext("Roadbook"),
    **PROFILE_NAMES,
}


def t(key: str) -> str:
    """Deprecated: the message a legacy key stands for (the key itself if unknown)."""
    return str(KEYS.get(key, key))


def designer_messages() -> dict:
    """Every legacy word in the current language, for the designer's script."""
    return {key: str(text) for key, text in KEYS.items()}
