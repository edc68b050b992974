"""French by default, English available (``?lang=en``, remembered in the session)."""
from __future__ import annotations

from flask import current_app, g, request, session

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
