"""The PDF fiche (/i/<slug>/fiche.pdf): valid, readable, in both languages, bounded, safe.

Each PDF is checked with poppler: ``pdfinfo`` (pages), ``pdftotext`` (the words and
figures) and ``pdftoppm`` (page 1 rendered, not blank, kept in ``artifacts/``). The
figures of each render (pages, bytes, seconds) go to ``artifacts/fiche-figures.json``.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from web.pdf_render import render_pdf
from web.security import create_token

from .browser import ARTIFACTS, keep_screenshot
from .conftest import login
from .hostile import CORPUS

POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext") and shutil.which("pdfinfo")
if not POPPLER and os.environ.get("CI"):
    raise RuntimeError("CI is set but poppler-utils (pdftoppm, pdftotext, pdfinfo) is missing")
pytestmark = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed "
                                "(apt-get install poppler-utils)")

ROUTE = {"profile": "bike", "points": "site:base-11-19;terril:T075;site:louvre-lens"}
STAGES = {"profile": "hike", "points": "site:base-11-19;site:louvre-lens;site:lewarde", "days": 2}
CREDITS = ("OpenStreetMap", "ODbL", "Mission Bassin Minier / data.gouv.fr", "Etalab 2.0")
WORDS = {"fr": ("Distance", "Durée", "Pratique", "Départ", "Feuille de route",
                "Lieux le long du parcours", "Échelle 1:", "contributeurs"),
         "en": ("Distance", "Duration", "Practice", "Start", "Roadbook",
                "Places along the route", "Scale 1:", "contributors")}


def _run(args, data: bytes) -> bytes:
    done = subprocess.run(args, input=data, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


def pdf_pages(data: bytes) -> int:
    info = _run(["pdfinfo", "-"], data).decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def pdf_text(data: bytes) -> str:
    """The text of every page, with runs of spaces made one (table cells, justified lines)."""
    return re.sub(r"[ \t\u00a0\u202f]+", " ", _run(["pdftotext", "-layout", "-", "-"], data)
                  .decode("utf-8"))


def first_page_png(data: bytes, dpi: int = 110) -> bytes:
    return _run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", "-"],
                data)


def record(name: str, response) -> dict:
    """Keep the figures of one render (for the closing note) and return them."""
    figures = {"pages": pdf_pages(response.data), "bytes": len(response.data),
               "render_ms": int(re.search(r"dur=(\d+)", response.headers["Server-Timing"])[1])}
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "fiche-figures.json"
    kept = json.loads(path.read_text()) if path.exists() else {}
    kept[name] = figures
    path.write_text(json.dumps(kept, indent=1, sort_keys=True))
    return figures


def _number(value: float, lang: str, digits: int = 1) -> str:
    text = f"{value:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",") if lang == "fr" else text


@pytest.fixture()
def staff_api(web_app):
    token = create_token(web_app.extensions["bassin_db"], "staff", "fiche-test")
    return web_app.test_client(), {"Authorization": f"Bearer {token}"}


def save(staff_api, name="Des terrils au Louvre-Lens", description="Par les cavaliers.",
         kind="route", request=ROUTE, publish=True) -> dict:
    client, bearer = staff_api
    created = client.post("/api/v1/itineraries", headers=bearer, json={
        "name": name, "description": description, "kind": kind, "request": request})
    assert created.status_code == 201, created.get_data(as_text=True)
    item = created.get_json()
    if publish:
        done = client.post(f"/api/v1/itineraries/{item['id']}/publish",
                           headers=dict(bearer, **{"If-Match": '"v1"'}))
        assert done.status_code == 200
        item["version"] = done.get_json()["version"]
    return item


def test_day_trip_fiche_in_both_languages(web_app, staff_api):
    item = save(staff_api)
    summary = item["itinerary"]
    visitor = web_app.test_client()
    texts = {}
    for lang in ("fr", "en"):
        response = visitor.get(f"/i/{item['slug']}/fiche.pdf?lang={lang}")
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
        assert response.headers["Content-Language"] == lang
        assert "public" in response.headers["Cache-Control"]
        figures = record(f"day-{lang}", response)
        assert 1 <= figures["pages"] <= 2, figures        # a day trip fits on one sheet
        assert re.search(r"^Tagged:\s+yes", _run(["pdfinfo", "-"], response.data).decode(),
                         re.MULTILINE)                    # PDF/UA: structure for screen readers
        assert figures["bytes"] < 400_000, figures        # geometry simplified to the paper
        text = texts[lang] = pdf_text(response.data)
        assert "Des terrils au Louvre-Lens" in text and "Par les cavaliers." in text
        assert f"{_number(summary['distance_m'] / 1000, lang)} km" in text
        minutes = round(summary["duration_s"] / 60)
        assert (f"{minutes // 60} h {minutes % 60:02d}" if minutes >= 60 else f"{minutes} min") in text
        assert summary["waypoints"][0]["name"] in text    # the start, by name
        for word in WORDS[lang]:                         # labels may be set in capitals
            assert word.casefold() in text.casefold(), (lang, word)
        for word in CREDITS:
            assert word in text, (lang, word)
        terril = min((p for p in summary["places"] if p["kind"] == "terril"),
                     key=lambda p: len(p["name"]))      # terrils are listed before mine shafts
        assert terril["name"] in text
        keep_screenshot(first_page_png(response.data), f"fiche-{lang}.png")
    assert "Partez vers" in texts["fr"] and "Head " in texts["en"]     # the roadbook's words
    assert "Traversée (aller simple)" in texts["fr"] and "One way" in texts["en"]


def test_multi_day_fiche_lists_its_stages(web_app, staff_api):
    item = save(staff_api, name="Traversée du Bassin minier", kind="stages", request=STAGES)
    stages = item["itinerary"]["stages"]
    assert len(stages) == 2
    for lang, word in (("fr", "Étapes"), ("en", "Stages")):
        response = web_app.test_client().get(f"/i/{item['slug']}/fiche.pdf?lang={lang}")
        assert response.status_code == 200
        figures = record(f"stages-{lang}", response)
        assert 2 <= figures["pages"] <= 6, figures
        text = pdf_text(response.data)
        assert word in text
        for stage in stages:
            assert f"{_number(stage['distance_m'] / 1000, lang)} km" in text
        keep_screenshot(first_page_png(response.data), f"fiche-stages-{lang}.png")


class _Recorder(BaseHTTPRequestHandler):
    hits: list          # given per server by the fixture

    def do_GET(self):                                   # http.server's name for GET
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture()
def loopback():
    """A loopback HTTP server that records every request it gets (there must be none)."""
    handler = type("Recorder", (_Recorder,), {"hits": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", handler.hits
    server.shutdown()
    server.server_close()


def test_hostile_text_is_printed_and_nothing_is_fetched(web_app, staff_api, loopback):
    base, hits = loopback
    name = f'<img src={base}/name.png> « ${{7*7}} » </title><script>__xss(1)</script>'
    description = "\n".join([
        f'<img src="{base}/description.png">', f"<div style=\"background: url({base}/bg.png)\">",
        f"<style>@import url({base}/import.css); body {{ background: url({base}/b.png) }}</style>",
        f'<link rel="stylesheet" href="{base}/link.css"><svg><image href="{base}/svg.png"/></svg>',
        f"url({base}/plain.png) <object data='{base}/obj'></object>"] + CORPUS[:40])
    item = save(staff_api, name=name, description=description[:5000])
    response = web_app.test_client().get(f"/i/{item['slug']}/fiche.pdf?lang=en")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    text = pdf_text(response.data)
    assert f"<img src={base}/name.png>" in text           # printed as text, not read as markup
    assert f"url({base}/plain.png)" in text and "<script>__xss(1)</script>" in text
    assert hits == []                                     # and nothing asked for anything


def test_markup_that_slipped_through_fetches_nothing(loopback):
    """The fetcher itself refuses: even unescaped markup cannot make the server fetch."""
    base, hits = loopback
    html = (f'<html><head><link rel="stylesheet" href="{base}/a.css"></head><body>'
            f'<img src="{base}/b.png"><div style="background: url({base}/c.png)">x</div>'
            f'<svg><image href="{base}/d.png" width="10" height="10"/></svg>'
            '<img src="file:///etc/passwd"></body></html>')
    rendered = render_pdf(html, css=f"@import url({base}/e.css); body {{ color: black }}")
    assert rendered.data.startswith(b"%PDF-") and rendered.pages == 1
    assert hits == []
    assert {f"{base}/{n}" for n in ("a.css", "b.png", "c.png", "e.css")} <= set(rendered.refused)
    assert "file:///etc/passwd" in rendered.refused


def test_drafts_are_for_staff_only(web_app, staff_api):
    item = save(staff_api, name="Brouillon", publish=False)
    url = f"/i/{item['slug']}/fiche.pdf"
    assert web_app.test_client().get(url).status_code == 404
    assert web_app.test_client().get("/i/no-such-itinerary/fiche.pdf").status_code == 404
    staff = web_app.test_client()
    login(staff)
    response = staff.get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Brouillon" in pdf_text(response.data)


def test_language_is_checked_and_renders_are_cached(web_app, staff_api):
    item = save(staff_api, name="Boucle du 11/19")
    client = web_app.test_client()
    url = f"/i/{item['slug']}/fiche.pdf"
    bad = client.get(url + "?lang=de")
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    assert bad.get_json()["field"] == "lang"
    first = client.get(url + "?lang=fr")
    cache = web_app.extensions["bassin_fiche_cache"]
    hits = cache.hits
    again = client.get(url + "?lang=fr")
    assert again.data == first.data and cache.hits == hits + 1     # served from the cache
    assert client.get(url + "?lang=fr", headers={"If-None-Match": first.headers["ETag"]}
                      ).status_code == 304
    english = client.get(url + "?lang=en")
    assert english.headers["ETag"] != first.headers["ETag"]
    # a new version of the itinerary is a new fiche
    api, bearer = staff_api
    edited = api.put(f"/api/v1/itineraries/{item['id']}", json={"name": "Boucle du 9-9 bis"},
                     headers=dict(bearer, **{"If-Match": f'"v{item["version"]}"'}))
    assert edited.status_code == 200, edited.get_data(as_text=True)
    renewed = client.get(url + "?lang=fr", headers={"If-None-Match": first.headers["ETag"]})
    assert renewed.status_code == 200 and "Boucle du 9-9 bis" in pdf_text(renewed.data)


@pytest.mark.slow
def test_mountain_fiche_has_its_elevation_profile(router_for, tmp_path):
    """Andorra with its SRTM tile: the profile, ascent and descent are printed; the basin
    test network has no elevation, and there the profile is left out."""
    from web import create_app
    from web.security import create_user

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
                      "INSTANCE_DIR": str(tmp_path / "instance"), "TESTING": True,
                      "BUDGET_SECONDS": None}, router=router_for("andorra"))
    create_user(app.extensions["bassin_db"], "staff", "correct horse battery")
    item = save((app.test_client(), {"Authorization": "Bearer " + create_token(
        app.extensions["bassin_db"], "staff", "andorra")}), name="Vers le GR 11",
        request={"profile": "hike", "points": "42.5078,1.5211;42.5631,1.6047"})
    summary = item["itinerary"]
    assert summary["ascent_m"] > 300
    for lang, words in (("fr", ("Profil altimétrique", "Dénivelé positif", "Point le plus haut")),
                        ("en", ("Elevation profile", "Ascent", "highest point"))):
        response = app.test_client().get(f"/i/{item['slug']}/fiche.pdf?lang={lang}")
        assert response.status_code == 200
        figures = record(f"mountain-{lang}", response)
        assert 1 <= figures["pages"] <= 2, figures
        text = pdf_text(response.data)
        for word in words:
            assert word.casefold() in text.casefold(), (lang, word)
        assert f"{_number(summary['ascent_m'], lang, 0)} m" in text
        keep_screenshot(first_page_png(response.data), f"fiche-mountain-{lang}.png")
    app.extensions["bassin_db"].engine.dispose()


def test_no_profile_without_elevation(web_app, staff_api):
    item = save(staff_api)                 # the basin test network carries no elevation
    text = pdf_text(web_app.test_client().get(f"/i/{item['slug']}/fiche.pdf?lang=en").data)
    assert "Elevation profile" not in text and "Ascent" not in text


def test_a_description_of_thousands_of_lines_stays_a_few_pages(web_app, staff_api):
    item = save(staff_api, name="W" * 200, description="l\n" * 2000 + "a" * 900)
    response = web_app.test_client().get(f"/i/{item['slug']}/fiche.pdf?lang=fr")
    assert response.status_code == 200
    assert pdf_pages(response.data) <= 3                # 30 paragraphs at most, then run on
    assert "a" * 60 in pdf_text(response.data).replace("\n", "")


def test_the_cache_is_bounded_in_count_and_bytes():
    from web.fiche import FicheCache
    from web.pdf_render import RenderedPDF

    cache = FicheCache(max_items=3, max_bytes=10_000)
    for key in range(5):
        cache.put(key, RenderedPDF(b"x" * 1000, 1, 0.1, ()))
    assert cache.get(0) is None and cache.get(1) is None and cache.get(4) is not None
    cache.get(2)                                        # used: kept over 3
    cache.put(5, RenderedPDF(b"y" * 8500, 1, 0.1, ()))
    assert cache.get(3) is None and cache.get(5) is not None
    assert sum(len(cache.get(k).data) for k in (2, 4, 5) if cache.get(k)) <= 10_000


def test_hostile_osm_names_in_the_roadbook_and_places(tmp_path, caplog):
    """Way, route and place names from the hostile corpus (graphs built from OSM) are
    printed as text; no render even tries a URL."""
    import logging

    import graphs
    import routing
    from web import create_app
    from web.security import create_user

    from .hostile import osm_xml

    (tmp_path / "hostile.osm.xml").write_text(osm_xml(CORPUS), "utf-8")
    graph = graphs.build_graph(tmp_path / "hostile.osm.xml", name="hostile")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
                      "INSTANCE_DIR": str(tmp_path / "instance"), "TESTING": True,
                      "RATELIMIT_ENABLED": False, "BUDGET_SECONDS": 120.0},
                     router=routing.Router(graph))
    create_user(app.extensions["bassin_db"], "staff", "correct horse battery")
    bearer = {"Authorization": "Bearer " + create_token(app.extensions["bassin_db"], "staff", "h")}
    places = [p.id for p in graph.places if p.id.startswith("osm:")]
    item = save((app.test_client(), bearer), name=CORPUS[5], description=CORPUS[6],
                request={"profile": "hike", "points": f"{places[0]};{places[-1]}"})
    assert item["itinerary"]["places"]
    caplog.set_level(logging.INFO, logger="web.pdf_render")
    for lang in ("fr", "en"):
        response = app.test_client().get(f"/i/{item['slug']}/fiche.pdf?lang={lang}")
        assert response.status_code == 200 and response.data.startswith(b"%PDF-")
        text = pdf_text(response.data)
        assert CORPUS[5] in text and CORPUS[6] in text    # the name and description, as text
    renders = [r for r in caplog.records if r.getMessage() == "pdf rendered"]
    assert len(renders) == 2 and all(r.refused_urls == 0 for r in renders)
    app.extensions["bassin_db"].engine.dispose()
