"""The isochrone control of the itinerary map pages: its data block, its words in both
languages, the request it makes, and (in Chromium) the bands it draws."""
import json
import re

import pytest

from routing.isochrone import MAX_BANDS, MAX_MINUTES
from web.isochrone_layer import DATA_ID, PRESETS

from .browser import NEEDS_CHROMIUM, axe_violations, keep_screenshot, open_page
from .itinerary_pages import publish

BLOCK = re.compile(rf'<script[^>]*type="application/json" id="{DATA_ID}">(.*?)</script>', re.S)


@pytest.fixture()
def published(web_app):
    return publish(web_app, {
        "name": "Du 11/19 au Louvre-Lens", "kind": "route",
        "request": {"profile": "bike", "points": "site:base-11-19;site:louvre-lens"}})


def _control(response) -> dict | None:
    assert response.status_code == 200
    found = BLOCK.search(response.get_data(as_text=True))
    return json.loads(found.group(1)) if found else None


def test_map_page_carries_the_control(web_app, published, router_for):
    client = web_app.test_client()
    fr = _control(client.get(f"/i/{published['slug']}/map"))
    en = _control(client.get(f"/i/{published['slug']}/map?lang=en"))
    assert fr["url"] == "/api/v1/isochrone" and fr["profile"] == "bike"
    start = router_for("basin").route(["site:base-11-19", "site:louvre-lens"], "bike").waypoints[0]
    assert fr["start"] == pytest.approx([start["lat"], start["lon"]], abs=1e-6)
    assert fr["words"]["from_start"] == "Depuis le départ" and en["words"]["from_start"] == \
        "From the start"
    assert fr["lang"] == "fr" and en["lang"] == "en"
    assert all(len(p) <= MAX_BANDS and max(p) <= MAX_MINUTES for p in fr["presets"])
    assert fr["presets"] == [list(p) for p in PRESETS]
    # what the script asks for is answered: one band per preset value
    point = ",".join(f"{v:.6f}" for v in fr["start"])
    bands = client.get(f"{fr['url']}?profile=bike&point={point}&minutes=10,20,30")
    assert bands.status_code == 200
    assert [f["properties"]["contour"] for f in bands.get_json()["features"]] == [30, 20, 10]


def test_no_control_in_embeds_or_when_switched_off(web_app, published):
    client = web_app.test_client()
    assert _control(client.get(f"/embed/{published['slug']}")) is None
    web_app.config["MAP_ISOCHRONES"] = False
    try:
        assert _control(client.get(f"/i/{published['slug']}/map")) is None
    finally:
        web_app.config["MAP_ISOCHRONES"] = True


@NEEDS_CHROMIUM
@pytest.mark.slow
def test_control_draws_the_bands_in_a_browser(published, live_server, browser):
    page, errors = open_page(browser)
    page.goto(f"{live_server}/i/{published['slug']}/map?lang=en")
    page.wait_for_selector(".bassin-isochrone-toggle", timeout=60000)
    page.click(".bassin-isochrone-toggle")
    assert page.get_attribute(".bassin-isochrone-toggle", "aria-pressed") == "true"
    page.click(".bassin-isochrone-start")
    # (locators, not wait_for_function: the page's CSP refuses the eval it needs)
    page.locator(".bassin-isochrone-status", has_text="3 bands drawn").wait_for(timeout=30000)
    assert page.locator("path.bassin-isochrone-band").count() == 3
    # a click on the map: bands from there instead
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.55)
    page.locator(".bassin-isochrone-status", has_text="Computing").wait_for(timeout=5000)
    page.locator(".bassin-isochrone-status", has_text="drawn").wait_for(timeout=30000)
    assert page.locator("path.bassin-isochrone-band").count() >= 1
    page.wait_for_timeout(500)
    keep_screenshot(page.screenshot(), "isochrone-layer.png")
    mine = [v for v in axe_violations(page) if any("isochrone" in str(n) for n in v["nodes"])]
    assert mine == [], axe_violations(page)     # the map page itself is not this test's
    page.click(".bassin-isochrone-clear")
    assert page.locator("path.bassin-isochrone-band").count() == 0
    assert page.evaluate("document.documentElement.dataset.jsErrors || '0'") == "0"
    assert errors == [], errors
