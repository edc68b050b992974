"""Hostile names through every entry path, every page and map, in headless Chromium.

Entry paths: API create (bearer token) and staff edit (session + CSRF) of saved
itineraries, Geotrek import (treks and a tour with steps), GPX import (match),
OSM place, way and route names (a graph built from an OSM-XML fixture where
every POI is named from the corpus), a staff display name. ``alert``,
``confirm``, ``prompt`` and the marker ``__xss`` are hooked in every frame,
dialogs are caught, and every CSP violation is recorded: all must stay at 0.
"""
import base64
import json
import re

import pytest
from markupsafe import escape

import graphs
import routing
from gpx.text import clean_text
from routing import Itinerary
from web import create_app
from web.db import SavedItinerary
from web.maps import standalone_map_html
from web.security import create_token, create_user

from .conftest import ROOT
from .hostile import CORPUS, gpx_document, geotrek_document, osm_xml
from .browser import CHROMIUM, TILE, serving

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")]

HOOKS = """
(() => {
  const hit = (kind) => function () { window.__bassinHit(kind + ':' + String(arguments[0])); };
  window.alert = hit('alert'); window.confirm = hit('confirm'); window.prompt = hit('prompt');
  window.print = hit('print'); window.__xss = hit('xss');
  document.addEventListener('securitypolicyviolation', (e) =>
    window.__bassinCsp(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
})();
"""
# Opens every tooltip and popup Leaflet knows of, so each name is in the DOM.
OPEN_ALL = """() => {
  let n = 0;
  for (const key of Object.keys(window)) {
    const layer = window[key];
    if (!layer || typeof L === 'undefined' || !(layer instanceof L.Layer)) continue;
    if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); n++; }
    if (layer.getPopup && layer.getPopup()) {
      layer.getPopup().options.autoPan = false; layer.openPopup(); layer.closePopup(); n++;
    }
  }
  return n;
}"""
# The same on the itinerary page and its embed, whose map is drawn by static/itinerary.js.
OPEN_PAGE_MAP = """() => {
  const b = window.bassinItinerary;
  if (!b.map.hasLayer(b.places)) b.places.addTo(b.map);
  let n = 0;
  b.map.eachLayer((layer) => {
    if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); layer.closeTooltip(); n++; }
  });
  return n;
}"""
# Where the page repeats the itinerary's name: heading, OpenGraph, JSON-LD, embed generator.
PAGE_NAMES = """() => [
  document.querySelector('h1').textContent,
  document.querySelector('meta[property="og:title"]').content,
  JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent).name,
  document.getElementById('embed-form').dataset.title]"""
API_SHARE, EDIT_SHARE, GEOTREK_SHARE = 100, 40, 80     # names per path; GPX gets the rest


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.osm.xml").write_text(osm_xml(CORPUS), "utf-8")
    graph = graphs.build_graph(folder / "hostile.osm.xml", name="hostile")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'web.db'}",
                      "INSTANCE_DIR": str(folder / "instance"), "TESTING": True,
                      "RATELIMIT_ENABLED": False, "BUDGET_SECONDS": 120.0,  # cold numba caches
                      # one grey tile for all (no tile server here): a data: URL, no requests
                      "TILE_URL": "data:image/png;base64," + base64.b64encode(TILE).decode()},
                     router=routing.Router(graph))
    create_user(app.extensions["bassin_db"], "staff", "correct horse battery",
                display_name=CORPUS[-1])
    return app, graph


def _chunks(names, size):
    return [names[i:i + size] for i in range(0, len(names), size)]


def _saved_through_api(app, graph) -> list[dict]:
    """API create with a token, then staff edit (session + CSRF) of the first ones."""
    from .conftest import login

    client = app.test_client()
    token = create_token(app.extensions["bassin_db"], "staff", "hostile")
    bearer = {"Authorization": f"Bearer {token}"}
    place_ids = [p.id for p in graph.places if p.id.startswith("osm:")]
    items = []
    for k, (name, description) in enumerate(_chunks(CORPUS[:API_SHARE], 2)):
        # the first one passes every place; the others a few (pages stay light)
        points = [place_ids[0], place_ids[-1]] if k == 0 else [
            place_ids[(5 * k + i) % len(place_ids)] for i in (0, 2, 4)]
        body = {"name": name, "description": description, "kind": "route", "request": {
            "profile": "hike", "points": ";".join(points)}}
        created = client.post("/api/v1/itineraries", json=body, headers=bearer)
        assert created.status_code == 201, created.get_data(as_text=True)
        item = created.get_json()
        published = client.post(f"/api/v1/itineraries/{item['id']}/publish",
                                headers=dict(bearer, **{"If-Match": f'"v{item["version"]}"'}))
        assert published.status_code == 200
        items.append(dict(item, version=published.get_json()["version"]))
    staff = app.test_client()
    csrf = login(staff)
    edits = _chunks(CORPUS[API_SHARE:API_SHARE + EDIT_SHARE], 2)
    for item, (name, description) in zip(items, edits):
        edited = staff.put(f"/api/v1/itineraries/{item['id']}", json={
            "name": name, "description": description},
            headers={"X-CSRF-Token": csrf, "If-Match": f'"v{item["version"]}"'})
        assert edited.status_code == 200, edited.get_data(as_text=True)
        item.update(edited.get_json())
    return items


def _saved_through_geotrek(app) -> list[dict]:
    names = CORPUS[API_SHARE + EDIT_SHARE:API_SHARE + EDIT_SHARE + GEOTREK_SHARE]
    token = create_token(app.extensions["bassin_db"], "staff", "geotrek")
    document = geotrek_document(names)
    response = app.test_client().post("/api/v1/geotrek/import", json=document,
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_data(as_text=True)
    items = response.get_json()["itineraries"]
    assert len(items) == len(document)
    for item in items:
        published = app.test_client().post(
            f"/api/v1/itineraries/{item['id']}/publish",
            headers={"Authorization": f"Bearer {token}", "If-Match": f'"v{item["version"]}"'})
        assert published.status_code == 200
    return items


def _served(response):
    """A Playwright route handler answering with a Flask test response."""
    return lambda route: route.fulfill(status=response.status_code, headers=dict(response.headers),
                                       body=response.get_data())


class Watch:
    """Hooks, dialogs and CSP violations of every page and frame, counted."""

    def __init__(self, context):
        self.hits, self.violations, self.errors, self.pages = [], [], [], 0
        context.expose_binding("__bassinHit", lambda _source, text: self.hits.append(text))
        context.expose_binding("__bassinCsp", lambda _source, text: self.violations.append(text))
        context.add_init_script(HOOKS)
        self.page = context.new_page()
        self.page.set_default_timeout(60_000)          # a loaded 2-core CI machine
        self.page.on("dialog", lambda dialog: (self.hits.append("dialog:" + dialog.message),
                                               dialog.dismiss()))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: self.errors.append(msg.text)
                     if msg.type == "error" and "Failed to load resource" not in msg.text
                     else None)

    def visit(self, url: str, open_layers: bool = False) -> int:
        response = self.page.goto(url, wait_until="load")
        assert response.status == 200, url
        csp = response.headers["content-security-policy"]
        assert re.search(r"script-src 'nonce-[\w-]+'", csp) and "object-src 'none'" in csp, url
        self.pages += 1
        return self.page.evaluate(OPEN_ALL) if open_layers else 0


def test_hostile_names_never_execute(hostile_app, browser, tmp_path):  # noqa: F811
    app, graph = hostile_app
    items = _saved_through_api(app, graph) + _saved_through_geotrek(app)
    gpx_names = CORPUS[API_SHARE + EDIT_SHARE + GEOTREK_SHARE:]
    context = browser.new_context(viewport={"width": 900, "height": 600})
    watch = Watch(context)
    layers = 0
    with serving(app) as base:
        page = watch.page
        for n, item in enumerate(items):
            watch.visit(f"{base}/i/{item['slug']}")        # the page, with its own map
            assert page.evaluate(PAGE_NAMES) == [item["name"]] * 4
            if item["description"]:
                assert page.eval_on_selector(".desc", "e => e.textContent") == item["description"]
            layers += page.evaluate(OPEN_PAGE_MAP)
            assert f'title="{escape(item["name"])}"' in page.input_value("#embed-code")
            if n % 5 == 0:                                 # the same maps by other doors
                watch.visit(f"{base}/embed/{item['slug']}")
                layers += page.evaluate(OPEN_PAGE_MAP)
                watch.visit(f"{base}/i/{item['slug']}/map")      # the Folium map
                layers += page.evaluate(OPEN_ALL)
                layers += watch.visit(f"{base}/api/v1/itineraries/{item['id']}/export.html",
                                      open_layers=True)
        anonymous = app.test_client()
        for k, (name, track) in enumerate(_chunks(gpx_names, 2)):
            # the upload is a POST: its answer (headers and all) is served at /gpx-view/k
            matched = anonymous.post("/api/v1/gpx/match?format=html",
                                     data=gpx_document(name, track),
                                     content_type="application/gpx+xml")
            assert matched.status_code == 200, matched.get_data(as_text=True)
            page.route(f"{base}/gpx-view/{k}", _served(matched))
            layers += watch.visit(f"{base}/gpx-view/{k}", open_layers=True)
            assert page.eval_on_selector(".bassin-summary strong",
                                         "e => e.textContent") == clean_text(name)
        # the staff side: listing, designer, place search over the hostile OSM names
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "staff")
        page.fill("input[name=password]", "correct horse battery")
        page.click("button[type=submit]")
        page.wait_for_url("**/designer")
        watch.pages += 1
        watch.visit(f"{base}/itineraries")
        listed = page.eval_on_selector_all("ul.list li a", "els => els.map(e => e.textContent)")
        assert {i["name"] for i in items} <= set(listed)
        watch.visit(f"{base}/designer")
        page.wait_for_function("() => document.querySelectorAll('#saved li').length > 0")
        for index in range(0, min(len(items), 60), 6):
            # generous: on a clean checkout the first export compiles numba kernels
            with page.expect_response(lambda r: "/export.geojson" in r.url, timeout=120_000):
                page.locator("#saved li button").nth(index).click()
        for query in ("script", "alert", "javascript", "${", "`$", "onerror"):  # >= 2 chars
            page.fill("#place-search", query)
            page.wait_for_function("() => document.querySelectorAll('#place-results li').length > 0")
        # map files written by the CLI (a <meta> policy, Leaflet inlined), opened from disk
        with app.extensions["bassin_db"].session() as session:
            saved = [Itinerary.from_dict(session.get(SavedItinerary, i["id"]).data)
                     for i in (items[0], items[-1])]
        for k, itinerary in enumerate(saved):
            path = tmp_path / f"map-{k}.html"
            path.write_text(standalone_map_html(itinerary), "utf-8")
            page.goto(path.as_uri(), wait_until="load")
            watch.pages += 1
            layers += page.evaluate(OPEN_ALL)
            assert page.eval_on_selector(".bassin-summary strong",
                                         "e => e.textContent") == itinerary.name
        page.wait_for_timeout(300)
        report = {"names_tried": len(CORPUS), "itineraries": len(items),
                  "gpx_imports": len(gpx_names) // 2, "pages_checked": watch.pages,
                  "tooltips_and_popups_opened": layers, "executions": len(watch.hits),
                  "csp_violations": len(watch.violations), "script_errors": len(watch.errors)}
        (ROOT / "artifacts").mkdir(exist_ok=True)
        (ROOT / "artifacts" / "hostile-names.json").write_text(json.dumps(report, indent=1))
        print(report)
        assert watch.hits == [], watch.hits[:5]
        assert watch.violations == [], watch.violations[:5]
        assert watch.errors == [], watch.errors[:5]
        assert watch.pages >= 2 * len(items) and layers > len(CORPUS)
        # The hooks and the policy are live: a real call is caught, injected markup is blocked.
        page.evaluate("alert('control')")
        page.evaluate("document.body.insertAdjacentHTML('beforeend', "
                      "'<img src=x onerror=\"__xss(1)\">')")
        page.wait_for_timeout(300)
        assert watch.hits == ["alert:control"]
        assert any("script-src" in v for v in watch.violations)
    context.close()
