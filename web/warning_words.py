"""Words (French, English) for the warning codes routing emits (:mod:`routing.hazards`)."""
from __future__ import annotations

WORDS = {
    "fr": {
        "steps": "escaliers", "steps_bike": "escaliers : vélo à porter",
        "unpaved": "chemin non revêtu ({surface})",
        "poor_smoothness": "revêtement dégradé ({smoothness})",
        "busy_road": "route fréquentée ({highway}{name}{maxspeed})",
        "ford": "gué à traverser", "dismount": "pied à terre obligatoire",
        "difficult": "passage difficile (échelle SAC {sac_scale})",
        "private_access": "accès réservé ({access})",
        "no_lodging": "aucun hébergement à moins de {within_km} km",
        "at": "km {from_km} – {to_km} ({length} m)", "at_point": "km {from_km}",
    },
    "en": {
        "steps": "steps", "steps_bike": "steps: carry the bike",
        "unpaved": "unpaved ({surface})",
        "poor_smoothness": "poor surface ({smoothness})",
        "busy_road": "busy road ({highway}{name}{maxspeed})",
        "ford": "ford to cross", "dismount": "dismount: walk the bike",
        "difficult": "difficult section (SAC scale {sac_scale})",
        "private_access": "restricted access ({access})",
        "no_lodging": "no lodging within {within_km} km",
        "at": "km {from_km} – {to_km} ({length} m)", "at_point": "km {from_km}",
    },
}
BICYCLE_PROFILES = ("bike", "gravel", "mtb")


def warning_text(warning: dict, profile: str = "", lang: str = "fr") -> str:
    """One warning in words, with where it is: plain text (escape it for HTML)."""
    words = WORDS.get(lang, WORDS["fr"])
    code = warning.get("type", "")
    if code == "steps" and profile in BICYCLE_PROFILES:
        code = "steps_bike"
    values = {k: ("" if v is None else v) for k, v in warning.items()}
    values["name"] = f", {warning['name']}" if warning.get("name") else ""
    values["maxspeed"] = f", {warning['maxspeed']:.0f} km/h" if warning.get("maxspeed") else ""
    if "within_m" in warning:
        values["within_km"] = f"{warning['within_m'] / 1000:g}"
    template = words.get(code)
    text = template.format_map(_Missing(values)) if template else warning.get("detail", code)
    length = warning.get("length_m") or 0
    where = (words["at"] if length >= 1 else words["at_point"]).format(
        from_km=warning.get("from_km"), to_km=warning.get("to_km"), length=round(length))
    return f"{where}{' : ' if lang == 'fr' else ': '}{text}"


class _Missing(dict):
    def __missing__(self, key):
        return "?"
