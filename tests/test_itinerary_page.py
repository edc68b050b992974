"""The itinerary page /i/<slug> and the embed /embed/<slug>, through the test client:
figures, roadbook, places, warnings, stages, downloads, OpenGraph, JSON-LD, embed options."""
import html
import io
import json
import re
import struct
import zipfile

import defusedxml.ElementTree as ET
import numpy as np
import pytest

from routing import Itinerary
from web.db import SavedItinerary
from web.extensions import get_routing
from web.instructions import itinerary_steps
from web.page_meta import MAX_LD_PLACES
from web.warning_words import warning_text

from .conftest import assert_valid_gpx
from .itinerary_pages import ROUTE, STAGES, publish

LINE = re.compile(r'<li class="rb-(\w+)"><button type="button" class="rb-line" '
                  r'data-lat="([-\d.]+)" data-lon="([-\d.]+)" data-km="([\d.]+)">(.*?)</button></li>',
                  re.S)


def _itinerary(app, item_id: int) -> Itinerary:
    with app.extensions["bassin_db"].session() as s:
        return Itinerary.from_dict(s.get(SavedItinerary, item_id).data)


def _text(fragment: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", fragment).split()))


def _lines(page: str) -> list[tuple[str, float, float, float, str, str]]:
    """Roadbook lines: kind, lat, lon, km, text, markup."""
    return [(kind, float(lat), float(lon), float(km), _text(body), body)
            for kind, lat, lon, km, body in LINE.findall(page)]


def _meta(page: str, prop: str) -> str:
    found = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)">', page)
    assert found, prop
    return html.unescape(found.group(1))


def _json_ld(page: str) -> dict:
    found = re.search(r'<script type="application/ld\+json" nonce="[\w-]+">(.*?)</script>', page,
                      re.S)
    assert found, "no JSON-LD"
    return json.loads(found.group(1))


def _hrefs(page: str) -> dict:
    block = re.search(r'<ul class="downloads">(.*?)</ul>', page, re.S).group(1)
    return {_text(label): html.unescape(href) for href, label in
            re.findall(r'<a class="button" href="([^"]+)"[^>]*>(.*?)</a>', block)}


def test_page_figures_roadbook_places_and_metadata(web_app, tmp_path):
    item = publish(web_app, ROUTE)
    itinerary = _itinerary(web_app, item["id"])
    client = web_app.test_client()
    page = client.get(f"/i/{item['slug']}?lang=fr").get_data(as_text=True)
    # key figures, French decimal comma
    km = f"{itinerary.distance_m / 1000:.1f}".replace(".", ",")
    assert f'<div class="fig-distance"><dt>Distance</dt><dd>{km} km</dd>' in page
    assert '<div class="fig-practice"><dt>Pratique</dt><dd>Vélo</dd>' in page
    assert re.search(r'class="fig-difficulty"><dt>Difficulté</dt><dd>(Très facile|Facile|Moyen|'
                     r'Difficile|Très difficile)</dd>', page)
    assert '<dt>Parcours</dt><dd>Traversée (aller simple)</dd>' in page
    themes = re.search(r'<ul class="themes" aria-label="Thèmes">(.*?)</ul>', page).group(1)
    assert "<li>Patrimoine minier</li>" in themes and "<li>Terrils</li>" in themes
    # roadbook: every turn step, every place (numbered, with its detour), in km order
    lines = _lines(page)
    with web_app.app_context():
        steps = itinerary_steps(get_routing(), itinerary, "fr")
    step_lines = [line for line in lines if line[0] == "step"]
    assert len(step_lines) == len(steps) > 3
    for line, step in zip(step_lines, steps):
        assert line[4].startswith("km " + f"{step['at_m'] / 1000:.1f}".replace(".", ","))
        assert step["instruction"] in line[4]
    places = [line for line in lines if line[0] == "place"]
    assert len(places) == len(itinerary.places) > 5
    kms = [line[3] for line in lines]
    assert kms == sorted(kms) and kms[-1] == pytest.approx(itinerary.distance_m / 1000, abs=0.01)
    numbers = [int(re.search(r'<span class="num" aria-hidden="true">(\d+)</span>', line[5])
                   .group(1)) for line in places]
    assert numbers == list(range(1, len(places) + 1))
    detoured = [p for p in sorted(itinerary.places, key=lambda p: p["km"]) if p["detour_m"] >= 10]
    assert detoured and any("détour de" in line[4] and "aller-retour" in line[4] for line in places)
    for place in itinerary.places:
        assert any(html.unescape(place["name"] or "") in line[4] for line in places)
    # canonical, hreflang, OpenGraph, JSON-LD
    canonical = f"http://localhost/i/{item['slug']}?lang=fr"
    assert f'<link rel="canonical" href="{canonical}">' in page
    for code in ("fr", "en"):
        assert f'hreflang="{code}" href="http://localhost/i/{item["slug"]}?lang={code}"' in page
    assert f'hreflang="x-default" href="http://localhost/i/{item["slug"]}"' in page
    assert _meta(page, "og:title") == ROUTE["name"] and _meta(page, "og:url") == canonical
    assert _meta(page, "og:description") == ROUTE["description"]
    ld = _json_ld(page)
    assert ld["@type"] == "TouristTrip" and ld["name"] == ROUTE["name"] and ld["url"] == canonical
    stops = ld["itinerary"]["itemListElement"]
    assert [s["position"] for s in stops] == list(range(1, len(stops) + 1))
    assert len(stops) == min(len(itinerary.places), MAX_LD_PLACES) + 2     # start, places, end
    assert stops[0]["item"]["name"] == itinerary.waypoints[0]["name"]
    assert {"name": "distance", "unitCode": "KMT",
            "value": round(itinerary.distance_m / 1000, 2)}.items() <= ld["additionalProperty"][0].items()
    image = client.get(_meta(page, "og:image").replace("http://localhost", ""))
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", image.data[16:24]) == (1200, 630)
    # English
    english = client.get(f"/i/{item['slug']}?lang=en").get_data(as_text=True)
    assert '<dt>Practice</dt><dd>Cycling</dd>' in english and "Roadbook" in english
    assert _json_ld(english)["inLanguage"] == "en" and _meta(english, "og:locale") == "en_GB"


def test_downloads_are_valid_files(web_app, tmp_path):
    item = publish(web_app, STAGES)
    itinerary = _itinerary(web_app, item["id"])
    client = web_app.test_client()
    page = client.get(f"/i/{item['slug']}?lang=en").get_data(as_text=True)
    links = _hrefs(page)
    assert set(links) == {"GPX track", "Stages (zip of GPX)", "KML", "GeoJSON", "Geotrek JSON",
                          "PDF fiche"}
    assert_valid_gpx(client.get(links["GPX track"]).data, tmp_path)
    with zipfile.ZipFile(io.BytesIO(client.get(links["Stages (zip of GPX)"]).data)) as archive:
        assert len(archive.namelist()) == len(itinerary.stages) + 1
        for member in archive.namelist():
            assert_valid_gpx(archive.read(member), tmp_path)
    kml = ET.fromstring(client.get(links["KML"]).data)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    assert len(kml.find(".//k:LineString/k:coordinates", ns).text.split()) == len(itinerary.lat)
    geojson = client.get(links["GeoJSON"]).get_json()
    assert geojson["type"] == "FeatureCollection"
    assert sum(f["properties"]["role"] == "stage" for f in geojson["features"]) == 2
    trek = client.get(links["Geotrek JSON"]).get_json()
    assert trek["name"] == STAGES["name"] and len(trek["steps"]) == 2
    assert links["PDF fiche"] == f"/i/{item['slug']}/fiche.pdf?lang=en"
    fiche = client.get(links["PDF fiche"])
    assert fiche.status_code == 200 and fiche.data.startswith(b"%PDF-")
    # stages: a row each, with figures and a GPX of its own that validates
    rows = re.findall(r'<tr class="stage-row">(.*?)</tr>', page, re.S)
    assert len(rows) == 2
    for n, (row, stage) in enumerate(zip(rows, itinerary.stages), start=1):
        assert f"{stage.distance_m / 1000:.1f} km" in row
        href = html.unescape(re.search(r'<a href="([^"]+)" download>GPX of stage', row).group(1))
        assert href == f"/api/v1/itineraries/{item['id']}/stages/{n}/export.gpx"
        gpx = client.get(href)
        assert gpx.status_code == 200 and f"-{n:02d}.gpx" in gpx.headers["Content-Disposition"]
        assert_valid_gpx(gpx.data, tmp_path)
    stage_starts = [line for line in _lines(page) if line[0] == "stage"]
    assert len(stage_starts) == 1 and stage_starts[0][3] == pytest.approx(
        itinerary.stages[0].distance_m / 1000, abs=0.001)
    bad = client.get(f"/api/v1/itineraries/{item['id']}/stages/3/export.gpx")
    assert bad.status_code == 400 and bad.get_json()["field"] == "number"
    assert client.get(f"/api/v1/itineraries/{item['id']}/stages/1/export.kmz").status_code == 400


def test_profile_and_warnings_from_real_elevation(mountain_app):
    app, item = mountain_app
    itinerary = _itinerary(app, item["id"])
    assert itinerary.has_elevation and itinerary.warnings
    page = app.test_client().get(f"/i/{item['slug']}?lang=en").get_data(as_text=True)
    assert 'id="profile"' in page and 'role="slider"' in page
    ele = itinerary.ele[np.isfinite(itinerary.ele)]
    low, high = float(ele.min()), float(ele.max())
    assert f"<dt>Lowest point</dt><dd>{low:.0f} m</dd>" in page
    assert f"<dt>Highest point</dt><dd>{high:.0f} m</dd>" in page
    assert f"<dt>Ascent</dt><dd>{itinerary.ascent_m:.0f} m</dd>" in page
    data = json.loads(re.search(r'<script type="application/json" id="itinerary-data" '
                                r'nonce="[\w-]+">(.*?)</script>', page, re.S).group(1))
    profile = data["profile"]
    assert len(profile["km"]) == len(profile["ele"]) == len(profile["lat"]) == 600
    assert profile["km"][-1] == pytest.approx(itinerary.distance_m / 1000, abs=0.01)
    assert min(profile["ele"]) >= low - 1 and max(profile["ele"]) <= high + 1
    warnings = [line for line in _lines(page) if line[0] == "warning"]
    assert len(warnings) == len(itinerary.warnings)
    with app.test_request_context():
        expected = {warning_text(w, itinerary.profile, "en") for w in itinerary.warnings}
    assert {line[4].split(" Watch out: ", 1)[1] for line in warnings} == expected
    for line, w in zip(sorted(warnings, key=lambda x: x[3]),
                       sorted(itinerary.warnings, key=lambda w: w["from_km"])):
        assert line[3] == pytest.approx(w["from_km"], abs=0.001)


def test_embed_options_are_validated_and_honoured(mountain_app, web_app):
    app, item = mountain_app
    client = app.test_client()
    default = client.get(f"/embed/{item['slug']}")
    text = default.get_data(as_text=True)
    assert default.status_code == 200 and 'style="height:480px"' in text and 'id="profile"' in text
    off = client.get(f"/embed/{item['slug']}?height=320&lang=en&profile=0").get_data(as_text=True)
    assert 'style="height:320px"' in off and 'id="profile"' not in off and '<html lang="en">' in off
    assert json.loads(re.search(r'id="itinerary-data" nonce="[\w-]+">(.*?)</script>', off,
                                re.S).group(1))["profile"] is None
    for query, field in (("height=abc", "height"), ("height=5000", "height"), ("height=199", "height"),
                         ("lang=de", "lang"), ("profile=maybe", "profile")):
        bad = client.get(f"/embed/{item['slug']}?{query}")
        assert bad.status_code == 400 and bad.get_json()["field"] == field, query
    # framed only by EMBED_ORIGINS; the page itself only by this site; drafts never embedded
    route = publish(web_app, ROUTE)
    basin = web_app.test_client()
    assert "frame-ancestors https://www.pas-de-calais-tourisme.com" in basin.get(
        f"/embed/{route['slug']}").headers["Content-Security-Policy"]
    page = basin.get(f"/i/{route['slug']}")
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]
    code = html.unescape(re.search(r'<textarea id="embed-code" readonly rows="4">(.*?)</textarea>',
                                   page.get_data(as_text=True), re.S).group(1))
    assert code.startswith(f'<iframe src="http://localhost/embed/{route["slug"]}?height=480&amp;'
                           f'lang=fr&amp;profile=1" width="100%" height="480"')
    assert 'title="Des terrils au Louvre-Lens &lt;b&gt;&amp;&lt;/b&gt;"' in code
    from web.security import create_token

    token = create_token(web_app.extensions["bassin_db"], "staff", "draft")
    draft = basin.post("/api/v1/itineraries", json=dict(ROUTE, name="Brouillon"),
                       headers={"Authorization": f"Bearer {token}"}).get_json()
    assert basin.get(f"/embed/{draft['slug']}").status_code == 404
    assert basin.get(f"/i/{draft['slug']}").status_code == 404
    assert basin.get(f"/i/{draft['slug']}/preview.png").status_code == 404


def test_json_ld_and_data_cannot_close_their_script(web_app):
    hostile = "</script><script>alert(1)</script>\u2028<!-- ${x} {{ 7 * 7 }}"
    item = publish(web_app, dict(ROUTE, name=hostile, description=hostile))
    page = web_app.test_client().get(f"/i/{item['slug']}").get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.S)
    assert all("<script" not in body and "\u2028" not in body for body in scripts)
    assert _json_ld(page)["name"] == hostile
    assert _meta(page, "og:title") == hostile
    assert f"<h1>{html.escape(hostile, quote=False)}</h1>" in page.replace("&#34;", '"').replace(
        "&#39;", "'")
