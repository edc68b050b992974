"""The designer and the maps in headless Chromium, with the tile server blocked: the network
layer keeps them legible; alternatives, undo/redo and the options of each mode work; axe-core
finds no serious or critical violation; screenshots in both languages land in artifacts/."""
import re
from contextlib import contextmanager

import pytest

from web.security import create_token

from .browser import NEEDS_CHROMIUM, axe_violations, keep_screenshot, log_in, open_page

pytestmark = [NEEDS_CHROMIUM, pytest.mark.slow]

#: Fosse 11/19 to the terril T080: three routes differing by >= 30 % on the basin network.
PAIR = "50.443206,2.788481;50.4146335,2.797397"
NETWORK_PATHS = ".leaflet-bassinNetwork-pane path.bassin-net"
TOGGLE_WORDS = {"en": "Show the network", "fr": "Afficher le réseau"}


def _planned(page, after: int) -> int:
    """Wait until the designer planned past ``after``; the new plan's number."""
    page.wait_for_function("n => Number(document.getElementById('designer').dataset.planned"
                           " || 0) > n && !document.getElementById('designer').dataset.planning",
                           arg=after, timeout=30000)
    return int(page.get_attribute("#designer", "data-planned"))


@contextmanager
def _answer(page, path: str, *needles: str):
    """Run the block, then wait for the answer to a request to ``path`` holding every one of
    ``needles`` and for the designer to have shown it."""
    with page.expect_response(lambda r: path in r.url and all(n in r.url for n in needles),
                              timeout=30000) as answer:
        yield
    assert answer.value.status == 200, answer.value.url
    page.wait_for_function("() => !document.getElementById('designer').dataset.planning",
                           timeout=30000)


def _waypoints(page) -> list[str]:
    return [t.strip() for t in page.locator("#waypoints .wp-name").all_inner_texts()]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_designer_alternatives_undo_options_offline(live_server, browser, lang):
    page, errors = open_page(browser, tiles=False)
    log_in(page, live_server)
    page.goto(f"{live_server}/designer?lang={lang}&points={PAIR}")
    n = _planned(page, 0)
    # the network is drawn though no tile loads, and the legend speaks the page's language
    page.wait_for_selector(".leaflet-container[data-network-state=ready]", timeout=60000)
    # the view may still move to fit the route (a new, closer answer replaces the first)
    page.wait_for_function("sel => document.querySelectorAll(sel).length > 20",
                           arg=NETWORK_PATHS, timeout=60000)
    assert TOGGLE_WORDS[lang] in page.inner_text(".bassin-net-legend")
    # two alternatives beside the best, drawn and listed with a button each
    page.wait_for_selector("button.use-alternative", timeout=60000)
    assert page.locator("button.use-alternative").count() == 2
    assert page.locator("path.designer-alternative").count() == 2
    best_km = float(re.search(r"([\d.]+) km", page.inner_text("#stats")).group(1))
    # the waypoints are named after the nearest place or way, not numbered
    page.wait_for_function("() => [...document.querySelectorAll('#waypoints .wp-name')]"
                           ".every(e => !/^(Point|Étape|Point) \\d+$/.test(e.textContent))")
    names = _waypoints(page)
    assert len(names) == 2 and all(names), names
    assert page.locator("#surface-legend li").count() >= 1
    assert page.locator("#warnings li").count() >= 1
    violations = axe_violations(page)
    assert violations == [], violations
    keep_screenshot(page.screenshot(), f"designer-{lang}.png")
    # choose the first alternative: a waypoint now holds it
    page.locator("button.use-alternative").first.click()
    n = _planned(page, n)
    assert len(_waypoints(page)) == 3
    chosen_km = float(re.search(r"([\d.]+) km", page.inner_text("#stats")).group(1))
    assert chosen_km > best_km
    # undo (button), redo (keyboard), undo again (keyboard)
    page.click("#undo")
    n = _planned(page, n)
    assert len(_waypoints(page)) == 2 and page.locator("button.use-alternative").count() == 2
    page.locator("#map").focus()
    page.keyboard.press("Control+y")
    n = _planned(page, n)
    assert len(_waypoints(page)) == 3
    assert page.locator("#redo").is_disabled()
    # a map click adds a fourth point, named once looked up
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.45)
    n = _planned(page, n)
    assert len(_waypoints(page)) == 4
    page.keyboard.press("Control+z")
    n = _planned(page, n)
    assert len(_waypoints(page)) == 3
    # each mode's options go into its request
    with _answer(page, "/api/v1/loop?", "km=6", "favour=terril"):
        page.check("input[name=mode][value=loop]")
        page.fill("#loop-km", "6")
        page.check("input[name=favour][value=terril]")
        page.locator("#loop-km").dispatch_event("change")
    assert page.locator("#alternatives li.chosen").count() == 1      # the ranked loops
    with _answer(page, "/api/v1/stages?", "max_km=4"):
        page.check("input[name=mode][value=stages]")
        page.fill("#stage-days", "")
        page.fill("#stage-max-km", "4")
        page.locator("#stage-max-km").dispatch_event("change")
    assert page.locator("path.designer-route").count() >= 2          # one line per stage
    with _answer(page, "/api/v1/tour?", "fixed_end=1"):
        page.check("input[name=mode][value=tour]")
        page.check("#tour-fixed-end")
    assert len(_waypoints(page)) == 3
    assert page.evaluate("document.documentElement.dataset.jsErrors || '0'") == "0"
    assert errors == [], errors


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_itinerary_map_and_embed_legible_without_tiles(web_app, live_server, browser, lang):
    client = web_app.test_client()
    token = create_token(web_app.extensions["bassin_db"], "staff", "browser-test")
    headers = {"Authorization": f"Bearer {token}"}
    item = client.post("/api/v1/itineraries", headers=headers, json={
        "name": "Des terrils au Louvre-Lens", "kind": "route",
        "request": {"profile": "bike", "points": "site:base-11-19;terril:T075;site:louvre-lens"}}
    ).get_json()
    client.post(f"/api/v1/itineraries/{item['id']}/publish",
                headers=dict(headers, **{"If-Match": '"v1"'}))
    page, errors = open_page(browser, tiles=False)
    for url, name in ((f"/i/{item['slug']}/map?lang={lang}", f"map-offline-{lang}.png"),
                      (f"/embed/{item['slug']}?lang={lang}", f"embed-offline-{lang}.png")):
        page.goto(live_server + url)
        page.wait_for_selector(".leaflet-container[data-network-state=ready]", timeout=60000)
        drawn = page.locator(NETWORK_PATHS).count()       # one path per class and route
        assert drawn >= 3, drawn
        assert int(page.get_attribute(".leaflet-container", "data-network-lines")) > 100
        assert page.locator("img.leaflet-tile-loaded").count() == 0       # no tile at all
        assert TOGGLE_WORDS[lang] in page.inner_text(".bassin-net-legend")
        page.wait_for_timeout(500)
        keep_screenshot(page.screenshot(), name)
    # the checkbox hides and shows the layer, by keyboard
    page.focus(".bassin-net-toggle input")
    page.keyboard.press("Space")
    page.wait_for_selector(".leaflet-container[data-network-state=hidden]")
    assert page.locator(NETWORK_PATHS).count() == 0
    page.keyboard.press("Space")
    page.wait_for_selector(".leaflet-container[data-network-state=ready]", timeout=60000)
    assert page.locator(NETWORK_PATHS).count() == drawn
    violations = axe_violations(page)
    assert violations == [], violations
    assert page.evaluate("document.documentElement.dataset.jsErrors || '0'") == "0"
    assert errors == [], errors


@pytest.fixture()
def heidelberg_server(built, tmp_path):
    """The app on Heidelberg (dense: a city, forests, the Neckar routes), no profile prepared."""
    import routing
    from web import create_app
    from web.security import create_user

    from .browser import serving

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}",
                      "INSTANCE_DIR": str(tmp_path), "TESTING": True},
                     router=routing.RoutingService(built("heidelberg")[0], profiles=[]))
    create_user(app.extensions["bassin_db"], "staff", "correct horse battery")
    with serving(app) as url:
        yield url
    app.extensions["bassin_db"].engine.dispose()


def test_dense_network_legible_from_zoom_11_to_17(heidelberg_server, browser):
    page, errors = open_page(browser, tiles=False)
    log_in(page, heidelberg_server)
    page.goto(f"{heidelberg_server}/designer?lang=en")
    page.wait_for_selector(".leaflet-container[data-network-state=ready]", timeout=30000)
    drawn = {}
    for zoom in (11, 13, 15, 17):
        page.evaluate("z => { const m = window.bassinDesigner.map; "
                      "m.getContainer().dataset.networkState = 'moving'; "
                      "m.setView([49.4094, 8.6942], z, {animate: false}); }", zoom)
        page.wait_for_selector(".leaflet-container[data-network-state=ready]", timeout=30000)
        drawn[zoom] = int(page.get_attribute(".leaflet-container", "data-network-lines"))
        assert page.locator(NETWORK_PATHS).count() >= 3
        if zoom in (13, 17):
            keep_screenshot(page.locator("#map").screenshot(), f"network-heidelberg-z{zoom}.png")
    # more ways close up per screen, fewer in all: the old town's footways, then its streets
    assert all(n > 200 for n in drawn.values()), drawn
    assert drawn[17] < drawn[13], drawn
    assert errors == [], errors
