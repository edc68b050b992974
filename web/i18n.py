"""French by default, English available (``?lang=en``, remembered in the session).

Words live in gettext catalogs (Flask-Babel): the source strings are English, the French
catalog is ``web/translations/fr/LC_MESSAGES/messages.po``. Templates call ``_('…')``,
web code ``flask_babel.gettext`` (``lazy_gettext`` at import time). No ``.mo`` file is
kept in the repository: :func:`init_babel` compiles the catalogs once per content into a
cache folder, so a ``.po`` edit is live on the next start and never out of step.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import Flask, current_app, g, request, session

LANGUAGES = ("fr", "en")

MESSAGES = {
    "fr": {
        "title": "Itinéraires du Bassin minier", "designer": "Concepteur d'itinéraires",
        "profile": "Profil", "hike": "Randonnée", "trail": "Trail", "family": "Famille",
        "bike": "Vélo", "gravel": "Gravel", "mtb": "VTT", "distance": "Distance",
        "duration": "Durée", "ascent": "Dénivelé +", "surface": "Revêtements",
        "places": "Lieux le long du parcours", "waypoints": "Points de passage",
        "click_to_add": "Cliquez sur la carte pour ajouter un point ; glissez pour déplacer ; "
                        "clic sur un point pour le supprimer.",
        "search_places": "Chercher un lieu (terril, cité, site…)", "optimise": "Optimiser l'ordre",
        "loop": "Boucle", "km": "km", "stages": "Étapes", "days": "jours", "save": "Enregistrer",
        "publish": "Publier", "unpublish": "Dépublier", "saved": "Itinéraires enregistrés",
        "name": "Nom", "description": "Description", "download_gpx": "Télécharger le GPX",
        "download_zip": "Télécharger les étapes (zip)", "embed_code": "Code d'intégration",
        "login": "Connexion", "logout": "Déconnexion", "username": "Identifiant",
        "password": "Mot de passe", "bad_login": "Identifiant ou mot de passe incorrect.",
        "draft": "brouillon", "published": "publié", "clear": "Effacer", "new": "Nouveau",
        "warnings": "Points d'attention", "not_found": "Itinéraire introuvable.",
        "credits": "Données © contributeurs OpenStreetMap (ODbL) ; patrimoine : Mission "
                   "Bassin Minier / data.gouv.fr (Licence Ouverte Etalab 2.0).",
        "conflict": "Modifié ailleurs entre-temps : rechargez.", "search": "Rechercher",
        "roadbook": "Feuille de route",
    },
    "en": {
        "title": "Bassin minier itineraries", "designer": "Itinerary designer",
        "profile": "Profile", "hike": "Hiking", "trail": "Trail running", "family": "Family",
        "bike": "Bike", "gravel": "Gravel", "mtb": "Mountain bike", "distance": "Distance",
        "duration": "Duration", "ascent": "Ascent", "surface": "Surfaces",
        "places": "Places along the route", "waypoints": "Waypoints",
        "click_to_add": "Click the map to add a point; drag to move; click a point to delete it.",
        "search_places": "Search a place (terril, cité, site…)", "optimise": "Optimise order",
        "loop": "Loop", "km": "km", "stages": "Stages", "days": "days", "save": "Save",
        "publish": "Publish", "unpublish": "Unpublish", "saved": "Saved itineraries",
        "name": "Name", "description": "Description", "download_gpx": "Download GPX",
        "download_zip": "Download stages (zip)", "embed_code": "Embed code",
        "login": "Log in", "logout": "Log out", "username": "Username",
        "password": "Password", "bad_login": "Wrong username or password.",
        "draft": "draft", "published": "published", "clear": "Clear", "new": "New",
        "warnings": "Watch out", "not_found": "Itinerary not found.",
        "credits": "Data © OpenStreetMap contributors (ODbL); heritage: Mission Bassin Minier / "
                   "data.gouv.fr (Licence Ouverte Etalab 2.0).",
        "conflict": "Changed elsewhere meanwhile: reload.", "search": "Search",
        "roadbook": "Roadbook",
    },
}


TRANSLATIONS = Path(__file__).with_name("translations")


def compiled_translations(source: Path = TRANSLATIONS) -> Path:
    """A folder of ``.mo`` files compiled from the ``.po`` catalogs under ``source``.

    The folder is named after a hash of the catalogs, so each content is compiled once
    (by the first process to start) and workers of one release share it.
    """
    catalogs = sorted(source.glob("*/LC_MESSAGES/*.po"))
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in catalogs)).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"bassin-translations-{digest}"
    if (target / "done").exists():
        return target
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in catalogs:
        mo = target / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parts[-3])
        partial = mo.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as f:
            write_mo(f, catalog)
        partial.replace(mo)                  # atomic: a concurrent reader sees old or new
    (target / "done").touch()
    return target


def init_babel(app: Flask) -> None:
    """Flask-Babel on ``app``: the request's language (``g.lang``), ``_`` in templates."""
    from flask_babel import Babel

    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config.get("DEFAULT_LANGUAGE", "fr"))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled_translations())
    Babel(app, locale_selector=lambda: g.get("lang") or select_language())


def select_language() -> str:
    """``?lang=`` (remembered), then the session, then Accept-Language, then the default."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    best = request.accept_languages.best_match(LANGUAGES)
    return best or current_app.config.get("DEFAULT_LANGUAGE", "fr")


def t(key: str) -> str:
    lang = g.get("lang") or "fr"
    return MESSAGES[lang].get(key, MESSAGES["fr"].get(key, key))
