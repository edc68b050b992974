"""What search engines and link previews read of an itinerary page.

- canonical URL per language (``?lang=fr|en``) and ``hreflang`` alternates, the bare
  address as ``x-default``; ``BASSIN_PUBLIC_URL`` (``PUBLIC_URL``) gives the site's
  address behind a proxy, else the request's;
- OpenGraph (``og:title``, ``og:description``, ``og:image`` = the PNG preview,
  ``og:url`` = canonical, ``og:locale``);
- schema.org JSON-LD: a ``TouristTrip`` whose ``itinerary`` lists the start, the
  places along (in order) and the end, with distance, duration and ascent as
  ``PropertyValue``. Serialised by :func:`web.maps.json_for_script`, so no name can
  close the script element.
"""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _

from .maps import json_for_script
from .page_words import PRACTICES, word

LOCALES = {"fr": "fr_FR", "en": "en_GB"}
MAX_LD_PLACES = 50


def absolute(path: str) -> str:
    """``path`` (from ``url_for``) as an absolute URL on the public site."""
    base = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    if base:
        return base + path
    return url_for("portal.home", _external=True).rstrip("/") + path


def description_text(item, itinerary) -> str:
    """The description, or a sentence of figures when there is none (at most 300 chars)."""
    text = " ".join((item.description or "").split())
    if not text:
        text = _("%(practice)s itinerary of %(km)s km in the Bassin minier (UNESCO World "
                 "Heritage).", practice=word(PRACTICES, itinerary.profile),
                 km=f"{itinerary.distance_m / 1000:.1f}")
    return text if len(text) <= 300 else text[:297].rstrip() + "…"


def json_ld(item, itinerary, canonical: str, image: str, lang: str) -> dict:
    """The schema.org ``TouristTrip`` of the itinerary."""
    def place(name, lat, lon, extra=None):
        return dict({"@type": "Place", "name": name,
                     "geo": {"@type": "GeoCoordinates", "latitude": round(float(lat), 6),
                             "longitude": round(float(lon), 6)}}, **(extra or {}))

    start, end = itinerary.waypoints[0], itinerary.waypoints[-1]
    stops = [place(start.get("name") or _("Start"), start["lat"], start["lon"])]
    for p in sorted(itinerary.places, key=lambda p: p.get("km") or 0)[:MAX_LD_PLACES]:
        stops.append(place(p.get("name") or p["kind"], p["lat"], p["lon"],
                           {"identifier": p["id"]}))
    stops.append(place(end.get("name") or _("Arrival"), end["lat"], end["lon"]))
    figures = [{"@type": "PropertyValue", "name": "distance", "unitCode": "KMT",
                "value": round(itinerary.distance_m / 1000, 2)},
               {"@type": "PropertyValue", "name": "duration", "unitCode": "HUR",
                "value": round(itinerary.duration_s / 3600, 2)}]
    if itinerary.ascent_m is not None:
        figures.append({"@type": "PropertyValue", "name": "ascent", "unitCode": "MTR",
                        "value": round(itinerary.ascent_m)})
    doc = {"@context": "https://schema.org", "@type": "TouristTrip", "@id": canonical,
           "name": item.name, "description": description_text(item, itinerary),
           "url": canonical, "image": image, "inLanguage": lang,
           "touristType": word(PRACTICES, itinerary.profile),
           "additionalProperty": figures,
           "itinerary": {"@type": "ItemList", "numberOfItems": len(stops),
                         "itemListElement": [{"@type": "ListItem", "position": i, "item": s}
                                             for i, s in enumerate(stops, start=1)]}}
    if itinerary.stages:
        doc["subTrip"] = [{"@type": "TouristTrip", "name": _("Stage %(n)d", n=k),
                           "additionalProperty": [{"@type": "PropertyValue", "name": "distance",
                                                   "unitCode": "KMT",
                                                   "value": round(s.distance_m / 1000, 2)}]}
                          for k, s in enumerate(itinerary.stages, start=1)]
    if item.author_name:
        doc["provider"] = {"@type": "Organization", "name": item.author_name}
    return doc


def page_meta(item, itinerary, lang: str) -> dict:
    """``canonical``, ``alternates`` [(hreflang, url)], ``og`` [(property, content)], ``ld``
    (the JSON-LD text, safe inside a script element)."""
    canonical = absolute(url_for("pages.public", slug=item.slug, lang=lang))
    image = absolute(url_for("pages.preview_image", slug=item.slug))
    alternates = [(code, absolute(url_for("pages.public", slug=item.slug, lang=code)))
                  for code in LOCALES]
    alternates.append(("x-default", absolute(url_for("pages.public", slug=item.slug))))
    description = description_text(item, itinerary)
    og = [("og:type", "website"), ("og:title", item.name), ("og:description", description),
          ("og:url", canonical), ("og:image", image), ("og:image:type", "image/png"),
          ("og:image:width", "1200"), ("og:image:height", "630"),
          ("og:image:alt", _("Map of the itinerary")),
          ("og:site_name", _("Bassin minier itineraries")), ("og:locale", LOCALES[lang])]
    og += [("og:locale:alternate", v) for k, v in LOCALES.items() if k != lang]
    return {"canonical": canonical, "alternates": alternates, "og": og,
            "description": description,
            "ld": json_for_script(json_ld(item, itinerary, canonical, image, lang))}
