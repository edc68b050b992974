"""The itinerary page and its embed in headless Chromium: profile tied to the map, roadbook
that pans it, embed options, keyboard use, axe-core (0 serious or critical), screenshots."""
import pytest

from .browser import NEEDS_CHROMIUM, axe_violations, keep_screenshot, open_page, serving
from .itinerary_pages import ROUTE, STAGES, publish

pytestmark = [NEEDS_CHROMIUM, pytest.mark.slow]

MARKER = "() => { const m = window.bassinItinerary.marker; " \
         "return m._map ? [m.getLatLng().lat, m.getLatLng().lng] : null; }"
CENTER = "() => { const c = window.bassinItinerary.map.getCenter(); return [c.lat, c.lng]; }"


def _clean(page, errors):
    assert page.evaluate("document.documentElement.dataset.jsErrors || '0'") == "0"
    assert errors == [], errors


def _profile_box(page) -> dict:
    page.locator("#profile").scroll_into_view_if_needed()
    return page.locator("#profile svg").bounding_box()


def _open_drawn(page, url: str) -> dict:
    """Open ``url``, wait for its profile and route; the profile's box."""
    page.goto(url)
    page.wait_for_selector("#profile svg polyline")
    page.wait_for_selector("#trek-map path.leaflet-interactive")
    return _profile_box(page)


def _hover(page, box: dict, fraction: float) -> None:
    page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)


def _axe(page, where: str):
    found = axe_violations(page)
    assert found == [], (where, found)


def test_profile_hover_and_keys_move_the_map_marker(mountain_app, browser):
    app, item = mountain_app
    with serving(app) as base:
        page, errors = open_page(browser, viewport={"width": 1280, "height": 1200})
        box = _open_drawn(page, f"{base}/i/{item['slug']}?lang=fr")
        assert page.evaluate(MARKER) is None                    # no point followed yet
        _hover(page, box, 0.25)
        first = page.evaluate(MARKER)
        readout = page.inner_text("#profile-readout")
        assert first is not None and readout.startswith("km ") and readout.endswith(" m")
        assert "," in readout.split(" · ")[0]                    # French decimal comma
        _hover(page, box, 0.8)
        second = page.evaluate(MARKER)
        assert second != first and page.inner_text("#profile-readout") != readout
        # the marker sits on the route: within a few metres of a vertex
        near = page.evaluate("""([lat, lon]) => { const r = JSON.parse(
            document.getElementById('itinerary-data').textContent).route;
            let best = 1e9; for (let i = 0; i < r.lat.length; i++) best = Math.min(best,
            Math.hypot(r.lat[i] - lat, (r.lon[i] - lon) * 0.74)); return best * 111000; }""",
                             second)
        assert near < 60, near
        # leaving the profile hides the marker; hovering the route shows its point on the profile
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] - 200)
        page.mouse.move(5, 5)
        assert page.evaluate(MARKER) is None
        point = page.evaluate("""() => { const d = JSON.parse(document.getElementById(
            'itinerary-data').textContent).route; const i = Math.floor(d.lat.length * 0.6);
            const map = window.bassinItinerary.map; const p = map.latLngToContainerPoint([d.lat[i],
            d.lon[i]]); const b = map.getContainer().getBoundingClientRect();
            return [b.left + p.x, b.top + p.y, d.km[i]]; }""")
        page.mouse.move(point[0], point[1])
        page.wait_for_function("document.querySelector('#profile .profile-cursor')"
                               ".getAttribute('visibility') === 'visible'")
        shown = float(page.get_attribute("#profile", "aria-valuenow"))
        assert abs(shown - point[2]) < 0.5, (shown, point[2])
        # keyboard: the profile is a slider
        page.mouse.move(5, 5)
        page.focus("#profile")
        start = float(page.get_attribute("#profile", "aria-valuenow"))
        at_focus = page.evaluate(MARKER)
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        moved = float(page.get_attribute("#profile", "aria-valuenow"))
        assert moved > start and page.evaluate(MARKER) != at_focus
        page.keyboard.press("End")
        assert page.get_attribute("#profile", "aria-valuenow") == \
            page.get_attribute("#profile", "aria-valuemax")
        assert "km" in page.get_attribute("#profile", "aria-valuetext")
        page.keyboard.press("Home")
        assert float(page.get_attribute("#profile", "aria-valuenow")) == 0
        _hover(page, box, 0.45)
        _axe(page, "itinerary fr")
        keep_screenshot(page.screenshot(full_page=True), "itinerary-fr.png")
        _clean(page, errors)
        box = _open_drawn(page, f"{base}/i/{item['slug']}?lang=en")
        assert page.inner_text("#roadbook-title") == "Roadbook"
        assert page.inner_text(".fig-ascent dt") == "Ascent"
        _axe(page, "itinerary en")
        _hover(page, box, 0.6)
        assert "." in page.inner_text("#profile-readout").split(" · ")[0]
        keep_screenshot(page.screenshot(full_page=True), "itinerary-en.png")
        _clean(page, errors)
        page.close()


def test_embed_options_are_honoured(mountain_app, browser):
    app, item = mountain_app
    with serving(app) as base:
        page, errors = open_page(browser, viewport={"width": 800, "height": 600})
        box = _open_drawn(page, f"{base}/embed/{item['slug']}?height=560&lang=en&profile=1")
        assert page.evaluate("document.body.getBoundingClientRect().height") == 560
        assert page.get_attribute("html", "lang") == "en"
        _hover(page, box, 0.5)
        assert page.evaluate(MARKER) is not None
        _axe(page, "embed en")
        keep_screenshot(page.screenshot(), "embed.png")
        page.goto(f"{base}/embed/{item['slug']}?height=400&lang=fr&profile=0")
        page.wait_for_selector("#trek-map path.leaflet-interactive")
        assert page.locator("#profile").count() == 0
        assert page.evaluate("document.getElementById('trek-map').getBoundingClientRect()"
                             ".height") == 400 - 34
        assert page.get_attribute("html", "lang") == "fr"
        _axe(page, "embed fr")
        _clean(page, errors)
        page.close()


def test_roadbook_click_and_keyboard_pan_the_map(web_app, browser):
    route = publish(web_app, ROUTE)
    stages = publish(web_app, STAGES)
    with serving(web_app) as base:
        page, errors = open_page(browser)
        page.goto(f"{base}/i/{route['slug']}?lang=fr")
        page.wait_for_selector("#trek-map path.leaflet-interactive")
        assert page.locator("#profile").count() == 0           # no elevation: no profile
        lines = page.locator(".rb-line")
        assert lines.count() > 10
        before = page.evaluate(CENTER)
        last = lines.nth(lines.count() - 1)
        target = [float(last.get_attribute("data-lat")), float(last.get_attribute("data-lon"))]
        last.click()
        after = page.evaluate(CENTER)
        assert after != before
        assert abs(after[0] - target[0]) < 1e-4 and abs(after[1] - target[1]) < 1e-4
        assert page.evaluate(MARKER) == pytest.approx(target, abs=1e-6)
        assert last.get_attribute("aria-current") == "true"
        # by keyboard: focus a line, Enter pans there
        other = lines.nth(3)
        other.focus()
        page.keyboard.press("Enter")
        goal = [float(other.get_attribute("data-lat")), float(other.get_attribute("data-lon"))]
        assert page.evaluate(CENTER) == pytest.approx(goal, abs=1e-4)
        # the isochrone control of map pages works on the page's own map
        page.click(".bassin-isochrone-toggle")
        page.click(".bassin-isochrone-start")
        page.locator("#trek-map path.bassin-isochrone-band").first.wait_for(timeout=30000)
        assert page.get_attribute(".bassin-isochrone", "aria-busy") == "false"
        # roadbook filters: places off, then on again
        places = page.locator("li.rb-place")
        assert places.count() > 0 and places.first.is_visible()
        page.uncheck("#roadbook-filters input[value=place]")
        assert not places.first.is_visible() and page.locator("li.rb-step").first.is_visible()
        page.check("#roadbook-filters input[value=place]")
        assert places.first.is_visible()
        # the embed generator follows its options
        page.fill("#embed-height", "640")
        page.select_option("#embed-lang", "en")
        page.uncheck("#embed-profile")
        code = page.input_value("#embed-code")
        assert "height=640" in code and "lang=en" in code and "profile=0" in code
        assert 'height="640"' in code and "&lt;b&gt;&amp;&lt;/b&gt;" in code   # name escaped
        page.evaluate("window.scrollTo(0, 0)")
        _axe(page, "itinerary without profile fr")
        keep_screenshot(page.screenshot(full_page=True), "itinerary-basin-fr.png")
        page.goto(f"{base}/i/{stages['slug']}?lang=en")
        page.wait_for_selector("#trek-map path.leaflet-interactive")
        assert page.locator("tr.stage-row").count() == 2
        assert page.locator("li.rb-stage").count() == 1
        assert page.locator("#trek-map path.leaflet-interactive").count() >= 2   # one per stage
        page.click("tr.stage-row:nth-child(2) .stage-zoom")            # fits the map to stage 2
        south, west, north, east = (float(v) for v in page.get_attribute(
            "tr.stage-row:nth-child(2) .stage-zoom", "data-bounds").split(","))
        shown = page.evaluate("() => window.bassinItinerary.map.getBounds().toBBoxString()")
        w, s_, e, n = (float(v) for v in shown.split(","))
        assert w <= west and s_ <= south and e >= east and n >= north
        assert page.evaluate(CENTER) == pytest.approx([(south + north) / 2, (west + east) / 2],
                                                      abs=2e-3)
        page.evaluate("window.scrollTo(0, 0)")
        _axe(page, "itinerary stages en")
        keep_screenshot(page.screenshot(full_page=True), "itinerary-stages.png")
        _clean(page, errors)
        page.close()
