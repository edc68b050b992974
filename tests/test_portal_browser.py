"""The home in headless Chromium: filters change the list (with and without JavaScript),
map and list in step, keyboard use, axe-core, screenshots (artifacts/home-*.png)."""
from urllib.parse import urlencode

import pytest

from .browser import NEEDS_CHROMIUM, axe_violations, keep_screenshot, open_page, serving
from .portal_fixtures import make_portal_app

pytestmark = [pytest.mark.slow, NEEDS_CHROMIUM]

#: Counts the map's layers: heritage markers and itinerary lines (the map hangs on #home).
MAP_LAYERS = """() => {
  const map = document.getElementById('home').bassinMap;
  let markers = 0, lines = 0;
  map.eachLayer(l => { if (l instanceof L.CircleMarker) markers++;
                       else if (l instanceof L.Polyline && l.options.interactive !== false) lines++; });
  return {markers, lines};
}"""

#: The screen point of itinerary ``id``'s line farthest from every other line (to hover it).
LONELY_POINT = """(id) => {
  const m = document.getElementById('home').bassinMap, mine = [], others = [];
  m.eachLayer(l => { if (l instanceof L.Polyline && l.options.interactive !== false)
    (l.options.itinerary === id ? mine : others).push(...l.getLatLngs().map(x => m.latLngToContainerPoint(x))); });
  let best = null, far = -1;
  for (const p of mine) {
    const d = Math.min(...others.map(o => p.distanceTo(o)), 1e9);
    if (d > far) { far = d; best = p; }
  }
  const box = m.getContainer().getBoundingClientRect();
  return [box.left + best.x, box.top + best.y];
}"""


@pytest.fixture(scope="module")
def portal_url(router_for, tmp_path_factory):
    app, _, rows = make_portal_app(router_for("basin"), tmp_path_factory.mktemp("portal-ui"))
    with serving(app) as url:
        yield url, rows
    app.extensions["bassin_db"].engine.dispose()


def card_names(page) -> list[str]:
    return page.eval_on_selector_all(".it-card h3 a", "els => els.map(e => e.textContent)")


def test_filters_change_the_list_live_and_the_map_follows(browser, portal_url):
    url, rows = portal_url
    page, errors = open_page(browser)
    page.goto(f"{url}/?lang=en")
    page.wait_for_selector("#home[data-ready='1']")
    published = {r["name"] for r in rows if r["published"]}
    assert set(card_names(page)) == published
    layers = page.evaluate(MAP_LAYERS)
    assert layers == {"markers": 6 + 6 + 51 + 124, "lines": len(published)}
    page.evaluate("window.__sameDocument = true")
    page.check("input[name=practice][value=bike]")
    page.wait_for_function("() => document.getElementById('home').dataset.refreshed === '1'")
    bikes = {r["name"] for r in rows if r["published"] and r["profile"] == "bike"}
    assert set(card_names(page)) == bikes
    assert page.evaluate("window.__sameDocument") is True          # no reload
    assert "practice=bike" in page.url
    assert page.evaluate(MAP_LAYERS)["lines"] == len(bikes)
    assert page.text_content("#results-status") == f"{len(bikes)} itineraries"
    # the count beside "Loop" is what it would give with the bike filter kept: none
    assert page.text_content("[data-count='route:loop']") == "0"
    # hovering a card highlights its line; hovering a line highlights its card
    first = page.locator(".it-card").first
    first.hover()
    assert page.evaluate("""() => { const m = document.getElementById('home').bassinMap;
        let w = []; m.eachLayer(l => { if (l instanceof L.Polyline && l.options.interactive !== false)
        w.push(l.options.weight); }); return Math.max(...w); }""") == 8
    page.mouse.move(5, 5)
    point = page.evaluate(LONELY_POINT, int(page.locator(".it-card").nth(1).get_attribute("data-id")))
    page.mouse.move(*point)
    page.wait_for_selector(".it-card.is-active")
    assert page.locator(".it-card").nth(1).get_attribute("class").endswith("is-active")
    # text search, then reset by unchecking: the list and URL follow
    page.fill("#f-q", "traversée")
    page.wait_for_function("() => document.getElementById('home').dataset.refreshed === '2'")
    assert card_names(page) == ["Grande traversée à vélo"]
    assert errors == []


def test_filters_work_without_javascript(browser, portal_url):
    url, rows = portal_url
    page = browser.new_page(java_script_enabled=False)
    page.set_default_timeout(60_000)
    page.goto(f"{url}/?lang=en")
    page.check("input[name=route][value=loop]")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "route=loop" in page.url
    loops = {r["name"] for r in rows if r["published"] and r["itinerary"]["closed"]}
    assert set(card_names(page)) == loops
    page.goto(f"{url}/?lang=en&per_page=2")
    page.click("nav.pagination a[rel=next]")
    page.wait_for_load_state()
    assert "page=2" in page.url and len(card_names(page)) == 2
    page.close()


def test_keyboard_tab_to_the_filters_and_enter_applies(browser, portal_url):
    url, rows = portal_url
    page, errors = open_page(browser)
    page.goto(f"{url}/?lang=en")
    page.wait_for_selector("#home[data-ready='1']")
    for _ in range(30):                                   # skip link, nav, then the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "f-q":
            break
    assert page.evaluate("document.activeElement.id") == "f-q"
    page.keyboard.type("jumeaux boucle")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.it-card').length === 1")
    assert card_names(page) == ["Boucle des terrils jumeaux"]
    page.keyboard.press("Tab")                            # the first practice checkbox
    assert page.evaluate("document.activeElement.name") == "practice"
    page.keyboard.press("Space")
    page.wait_for_function("() => location.search.includes('practice=')")
    assert errors == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_home_has_no_serious_axe_violations(browser, portal_url, lang):
    url, _ = portal_url
    page, errors = open_page(browser)
    page.goto(f"{url}/?lang={lang}")
    page.wait_for_selector("#home[data-ready='1']")
    assert axe_violations(page) == []
    keep_screenshot(page.screenshot(full_page=False), f"home-{lang}.png")
    assert errors == []


def test_empty_home_shows_the_map_the_places_and_a_way_to_start(browser, live_server):
    page, errors = open_page(browser)
    page.goto(f"{live_server}/?lang=fr")
    page.wait_for_selector("#home[data-ready='1']")
    assert page.evaluate(MAP_LAYERS) == {"markers": 187, "lines": 0}
    assert page.is_visible("form.plan") and page.is_visible("text=Calculer un itinéraire")
    assert axe_violations(page) == []
    keep_screenshot(page.screenshot(full_page=False), "home-empty.png")
    with page.expect_navigation():
        page.click("form.plan button[type=submit]")
    assert "/api/v1/route?points=" in page.url
    assert errors == []


#: Catches what a name that ran would do: dialogs, the corpus' __xss marker, CSP reports.
TRAPS = """
window.__trapped = [];
['alert', 'confirm', 'prompt'].forEach(k => { window[k] = (m) => window.__trapped.push(k + ':' + m); });
window.__xss = (m) => window.__trapped.push('xss:' + m);
document.addEventListener('securitypolicyviolation', e => window.__trapped.push('csp:' + e.violatedDirective));
"""
OPEN_MAP_WORDS = """() => { const m = document.getElementById('home').bassinMap; let n = 0;
  m.eachLayer(l => { if (l.getTooltip && l.getTooltip()) { l.openTooltip(); n++; } }); return n; }"""


def test_hostile_names_stay_text_on_the_home(browser, router_for, tmp_path_factory):
    from .hostile import CORPUS

    names = CORPUS[:24]
    itineraries = tuple((names[2 * k], names[2 * k + 1], "route", {
        "profile": "hike", "points": "site:base-11-19;site:louvre-lens"}, True) for k in range(12))
    app, _, rows = make_portal_app(router_for("basin"), tmp_path_factory.mktemp("portal-hostile"),
                                   itineraries)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(TRAPS)
    page = context.new_page()
    page.set_default_timeout(60_000)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with serving(app) as url:
        page.goto(f"{url}/?lang=en&per_page=12")
        page.wait_for_selector("#home[data-ready='1']")
        assert sorted(card_names(page)) == sorted(r["name"] for r in rows)
        assert page.evaluate(OPEN_MAP_WORDS) >= 12
        page.fill("#f-q", names[0][:100])
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.getElementById('home').dataset.refreshed === '1'")
        page.goto(f"{url}/?" + urlencode({"q": names[3][:90], "commune": names[5][:20]}))
        page.wait_for_selector("#home[data-ready='1']")
        page.wait_for_timeout(200)
        assert page.evaluate("window.__trapped") == [] and dialogs == []
    context.close()
    app.extensions["bassin_db"].engine.dispose()
