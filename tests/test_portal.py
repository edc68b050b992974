"""The home ``/``: each filter narrows the published itineraries as it says, pages, URLs that
round-trip, a list that works without JavaScript, the facet table, the sitemap."""
import math
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree as ET

import pytest
from werkzeug.datastructures import MultiDict

from gpx.geotrek import cirkwi_level
from routing import Itinerary
from web.db import SavedItinerary, select
from web.facets import RANGES, ItineraryFacets
from web.portal_query import MAX_Q, parse_query

from .portal_fixtures import bearer, make_portal_app


@pytest.fixture(scope="module")
def portal(router_for, tmp_path_factory):
    app, token, rows = make_portal_app(router_for("basin"), tmp_path_factory.mktemp("portal"))
    yield app, token, rows
    app.extensions["bassin_db"].engine.dispose()


def published(rows):
    return [r for r in rows if r["published"]]


def found(client, query: str) -> set:
    """Names of every itinerary the API finds for ``query`` (all pages)."""
    answer = client.get(f"/api/v1/portal/itineraries?per_page=48&{query}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["pages"] == 1
    return {i["name"] for i in body["itineraries"]}


def names(rows, test) -> set:
    return {r["name"] for r in rows if r["published"] and test(r)}


def bucket(facet, value):
    return next(k for k, (lo, hi) in RANGES[facet].items() if lo <= value < hi)


def test_every_filter_narrows_to_what_it_says(portal):
    app, _, rows = portal
    client = app.test_client()
    assert found(client, "") == names(rows, lambda r: True)
    assert "Brouillon secret" not in found(client, "")
    for profile in ("hike", "bike", "trail", "family"):
        assert found(client, f"practice={profile}") == names(
            rows, lambda r: r["profile"] == profile), profile
    assert found(client, "practice=hike&practice=bike") == found(client, "practice=hike,bike") \
        == names(rows, lambda r: r["profile"] in ("hike", "bike"))
    for r in published(rows):
        km = r["itinerary"]["distance_m"] / 1000
        assert r["name"] in found(client, f"length={bucket('length', km)}")
        hours = r["itinerary"]["duration_s"] / 3600
        assert r["name"] in found(client, f"duration={bucket('duration', hours)}")
    for key, (lo, hi) in RANGES["length"].items():
        assert found(client, f"length={key}") == names(
            rows, lambda r: lo <= r["itinerary"]["distance_m"] / 1000 < hi), key
    assert found(client, "route=loop") == names(rows, lambda r: r["itinerary"]["closed"]) \
        == {"Boucle des terrils jumeaux", "Trail de Loos-en-Gohelle"}
    assert found(client, "route=multi-day") == names(rows, lambda r: r["itinerary"]["stages"]) \
        == {"Grande traversée à vélo"}
    assert found(client, "route=one-way") == names(rows, lambda r: not r["itinerary"]["closed"])
    # no elevation on the basin network: no itinerary has a known ascent
    assert found(client, "ascent=0-50") == set()
    for kind in ("terril", "major_site", "museum", "cavalier"):
        assert found(client, f"kind={kind}") == names(
            rows, lambda r: kind in {p["kind"] for p in r["itinerary"]["places"]}), kind
    # the terrils theme (vocabulary id 2) is given by the terrils passed
    assert found(client, "theme=2") == found(client, "kind=terril")
    assert found(client, "route=loop&practice=trail") == {"Trail de Loos-en-Gohelle"}


def test_difficulty_is_derived_from_effort(portal):
    app, _, rows = portal
    client = app.test_client()
    with app.extensions["bassin_db"].session() as s:
        levels = {i.name: cirkwi_level(Itinerary.from_dict(i.data))
                  for i in s.scalars(select(SavedItinerary))}
    for r in published(rows):
        effort = r["itinerary"]["distance_m"] / 1000 / (3.5 if r["profile"] == "bike" else 1)
        expected = 1 + sum(effort >= limit for limit in (6, 12, 20, 30))
        assert levels[r["name"]] == expected, r["name"]
        assert r["name"] in found(client, f"difficulty={expected}")
    body = client.get("/api/v1/portal/itineraries").get_json()
    assert sum(body["facets"]["difficulty"].values()) == len(published(rows))


def test_commune_and_text_search(portal):
    app, _, rows = portal
    client = app.test_client()
    body = client.get("/api/v1/portal/itineraries").get_json()
    assert "lewarde" in body["facets"]["commune"]
    lewarde = found(client, "commune=lewarde")
    assert "Lewarde – Arenberg à vélo" in lewarde and "Boucle des terrils jumeaux" not in lewarde
    assert found(client, "q=jumeaux") == {"Du 11/19 au Louvre-Lens", "Boucle des terrils jumeaux"}
    assert found(client, "q=TRAVERSEE") == {"Grande traversée à vélo"}      # no case, no accent
    assert found(client, "q=jumeaux%20boucle") == {"Boucle des terrils jumeaux"}   # all words
    assert found(client, "q=secret") == set()                                       # a draft
    # the places passed and the communes crossed are searched too
    assert "Du 11/19 au Louvre-Lens" in found(client, "q=loos")


def test_counts_are_disjunctive(portal):
    app, _, rows = portal
    client = app.test_client()
    body = client.get("/api/v1/portal/itineraries?practice=bike").get_json()
    hikes = len(names(rows, lambda r: r["profile"] == "hike"))
    # another practice counts what choosing it would add; the other facets count the hits
    assert body["facets"]["practice"]["hike"] == hikes
    assert body["facets"]["practice"]["bike"] == body["count"] == 2
    assert sum(body["facets"]["route"].get(k, 0) for k in ("loop", "one-way")) == body["count"]


def test_pages(portal):
    app, _, rows = portal
    client = app.test_client()
    total = len(published(rows))
    seen = []
    for page in range(1, 5):
        body = client.get(f"/api/v1/portal/itineraries?per_page=2&page={page}&sort=name").get_json()
        assert body["pages"] == math.ceil(total / 2) and body["count"] == total
        if page <= body["pages"]:
            seen += [i["name"] for i in body["itineraries"]]
    assert len(seen) == total and len(set(seen)) == total
    assert seen == sorted(seen, key=lambda n: n.lower().replace("é", "e"))
    html = client.get("/?per_page=2&page=99").get_data(as_text=True)   # clamped to the last
    assert 'aria-current="page">3<' in html
    for bad, field in (("per_page=100", "per_page"), ("page=0", "page"), ("page=x", "page"),
                       ("sort=best", "sort"), ("q=" + "a" * (MAX_Q + 1), "q"),
                       ("practice=swim", "practice"), ("length=3-4", "length"),
                       ("kind=" + ",".join(["terril"] * 31), "kind"), ("commune=%3Cx%3E", "commune")):
        answer = client.get(f"/api/v1/portal/itineraries?{bad}")
        assert answer.status_code == 400 and answer.get_json()["field"] == field, bad
        assert client.get(f"/?{bad}").status_code == 200, bad       # the page drops or clamps


class Page(HTMLParser):
    """The cards, checked inputs, links of the head and pagination links of a home page."""

    def __init__(self):
        super().__init__()
        self.cards, self.checked, self.head_links, self.pages = [], [], [], []
        self._in_card_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "li" and "it-card" in (a.get("class") or ""):
            self.cards.append("")
        if tag == "h3" and self.cards:
            self._in_card_title = True
        if tag == "input" and "checked" in a:
            self.checked.append((a["name"], a["value"]))
        if tag == "option" and "selected" in a and a.get("value"):
            self.checked.append(("select", a["value"]))
        if tag == "link" and a.get("rel") in ("canonical", "alternate"):
            self.head_links.append((a["rel"], a.get("hreflang"), a["href"]))
        if tag == "a" and a.get("href", "").startswith("/?"):
            self.pages.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "h3":
            self._in_card_title = False

    def handle_data(self, data):
        if self._in_card_title:
            self.cards[-1] += data


def parsed(client, url) -> Page:
    answer = client.get(url)
    assert answer.status_code == 200
    page = Page()
    page.feed(answer.get_data(as_text=True))
    return page


def test_list_works_without_javascript_and_urls_round_trip(portal):
    app, _, rows = portal
    client = app.test_client()
    page = parsed(client, "/?route=loop&practice=hike&practice=trail&q=&sort=name&lang=en")
    assert page.cards == ["Boucle des terrils jumeaux", "Trail de Loos-en-Gohelle"]
    assert set(page.checked) >= {("route", "loop"), ("practice", "hike"), ("practice", "trail"),
                                 ("select", "name")}
    canonical = next(href for rel, _, href in page.head_links if rel == "canonical")
    assert canonical == ("http://localhost/?lang=en&practice=hike&practice=trail&route=loop"
                         "&sort=name")
    hreflangs = {lang for rel, lang, _ in page.head_links if rel == "alternate"}
    assert hreflangs == {"fr", "en", "x-default"}
    # the canonical query parses back to the same query
    pairs = [p for p in parse_qsl(urlsplit(canonical).query) if p[0] != "lang"]
    assert parse_query(MultiDict(pairs), strict=True) == parse_query(MultiDict(
        [("route", "loop"), ("practice", "trail"), ("practice", "hike"), ("sort", "name")]))
    # pagination links keep the filters
    paged = parsed(client, "/?practice=hike&practice=bike&practice=family&per_page=2")
    assert len(paged.cards) == 2
    assert any("page=2" in href and "practice=bike" in href and "per_page=2" in href
               for href in paged.pages)
    second = parsed(client, next(h for h in paged.pages if "page=2" in h))
    assert second.cards and not set(second.cards) & set(paged.cards)


def test_french_page_and_fragment(portal):
    app, _, rows = portal
    client = app.test_client()
    html = client.get("/?lang=fr").get_data(as_text=True)
    assert "Itinéraires du Bassin minier" in html and "Pratique" in html and "Boucle" in html
    fragment = client.get("/?practice=bike&fragment=1").get_data(as_text=True)
    assert fragment.lstrip().startswith("<section id=\"results\"") and "<html" not in fragment
    assert "Grande traversée à vélo" in fragment and "Trail de Loos-en-Gohelle" not in fragment


def test_facets_are_precomputed_once_per_version(portal):
    app, token, rows = portal
    client = app.test_client()
    client.get("/")
    db = app.extensions["bassin_db"]
    with db.session() as s:
        facet_rows = {f.itinerary_id: f.version for f in s.scalars(select(ItineraryFacets))}
    assert facet_rows == {r["id"]: r["version"] for r in published(rows)}
    # an edit recomputes that one row, and the list follows
    trail = next(r for r in rows if r["name"] == "Trail de Loos-en-Gohelle")
    edited = client.put(f"/api/v1/itineraries/{trail['id']}", json={"name": "Trail des Pyramides"},
                        headers=bearer(token, f'"v{trail["version"]}"'))
    assert edited.status_code == 200
    trail["version"], trail["name"] = edited.get_json()["version"], "Trail des Pyramides"
    assert found(client, "q=pyramides") == {"Trail des Pyramides"}
    assert app.extensions["bassin_portal"].computed == 1
    assert found(client, "q=pyramides") == {"Trail des Pyramides"}   # cached: nothing computed
    assert app.extensions["bassin_portal"].computed == 1


def test_sitemap_lists_the_published_pages_in_both_languages(portal):
    app, _, rows = portal
    client = app.test_client()
    answer = client.get("/sitemap.xml")
    assert answer.status_code == 200 and answer.mimetype == "application/xml"
    root = ET.fromstring(answer.data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = root.findall("s:url", ns)
    locs = [u.find("s:loc", ns).text for u in urls]
    slugs = {r["slug"] for r in published(rows)}
    expected = {f"http://localhost/i/{s}?lang={lang}" for s in slugs for lang in ("fr", "en")}
    assert set(locs) == expected | {"http://localhost/?lang=fr", "http://localhost/?lang=en"}
    assert not any("brouillon" in loc for loc in locs)
    for url in urls:
        assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", url.find("s:lastmod", ns).text)
        assert {a.get("hreflang") for a in url.findall("x:link", ns)} == {"fr", "en", "x-default"}
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in robots and "Disallow: /designer" in robots


def test_plan_form_for_visitors(portal):
    app, _, _ = portal
    client = app.test_client()
    answer = client.get("/plan?kind=route&from=site:lewarde&to=site:louvre-lens&profile=bike")
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/api/v1/route?points=site:lewarde")
    shown = client.get(answer.headers["Location"])
    assert shown.status_code == 200 and shown.mimetype == "text/html"
    loop = client.get("/plan?kind=loop&from=site:lewarde&km=12&profile=hike")
    assert loop.status_code == 303 and "/api/v1/loop?start=site:lewarde&km=12" in \
        loop.headers["Location"]
    for bad, field in (("from=osm:node/1&to=site:lewarde", "from"), ("kind=tour", "kind"),
                       ("from=site:lewarde&to=site:lewarde&profile=car", "profile"),
                       ("kind=loop&from=site:lewarde&km=1000", "km")):
        refused = client.get(f"/plan?{bad}")
        assert refused.status_code == 400 and refused.get_json()["field"] == field, bad


@pytest.mark.both_databases
def test_empty_home_and_the_facet_table(web_app):
    client = web_app.test_client()
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "No published itinerary yet" in html and 'action="/plan"' in html
    assert "/designer" not in html.split('id="content"')[1]      # visitors: no designer link
    data = re.search(r'<script type="application/json" id="home-data"[^>]*>(.*?)</script>',
                     html, re.S).group(1)
    import json
    layers = {layer["key"]: len(layer["places"]) for layer in json.loads(data)["layers"]}
    assert layers == {"sites": 6, "parks": 6, "terrils": 51, "cites": 124}
    from .conftest import login
    staff = web_app.test_client()
    csrf = login(staff)
    assert 'href="/designer">Design the first' in staff.get("/?lang=en").get_data(as_text=True)
    # a published itinerary gets its facet row, which goes with it when it is deleted
    created = staff.post("/api/v1/itineraries", headers={"X-CSRF-Token": csrf}, json={
        "name": "Boucle", "kind": "loop",
        "request": {"profile": "hike", "start": "site:base-11-19", "km": 6, "seed": 1}}).get_json()
    staff.post(f"/api/v1/itineraries/{created['id']}/publish",
               headers={"X-CSRF-Token": csrf, "If-Match": '"v1"'})
    assert "1 itinerary" in client.get("/?lang=en").get_data(as_text=True)
    db = web_app.extensions["bassin_db"]
    with db.session() as s:
        assert s.get(ItineraryFacets, created["id"]).route == "loop"
    deleted = staff.delete(f"/api/v1/itineraries/{created['id']}",
                           headers={"X-CSRF-Token": csrf, "If-Match": '"v2"'})
    assert deleted.status_code == 204
    with db.session() as s:
        assert s.get(ItineraryFacets, created["id"]) is None
    assert "No published itinerary yet" in client.get("/?lang=en").get_data(as_text=True)


def test_listing_keeps_working_with_its_canonical_url(portal):
    app, _, rows = portal
    page = parsed(app.test_client(), "/itineraries?q=boucle&lang=fr")
    assert ("canonical", None, "http://localhost/itineraries?lang=fr&q=boucle") in page.head_links
    assert {lang for rel, lang, _ in page.head_links if rel == "alternate"} == \
        {"fr", "en", "x-default"}
