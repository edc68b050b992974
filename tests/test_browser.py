"""A real browser (Debian's headless Chromium, driven by Playwright) on the real app."""
from pathlib import Path

import pytest

from .browser import ARTIFACTS, NEEDS_CHROMIUM, keep_screenshot, log_in, open_page, serving
from .itinerary_pages import publish

pytestmark = NEEDS_CHROMIUM


def test_staff_designer_plans_a_route(live_server, browser):
    page, errors = open_page(browser)
    log_in(page, live_server)
    page.wait_for_url("**/designer")
    page.goto(f"{live_server}/designer?points=50.4432,2.7885;50.4306,2.8033")
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive", timeout=60000)
    page.wait_for_function("document.querySelector('#stats').textContent.includes('km')")
    assert "km" in page.inner_text("#stats")
    # a click on the map adds a third waypoint and the route is planned again
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
    page.wait_for_function("document.querySelectorAll('#waypoints li').length === 3")
    page.wait_for_timeout(800)
    png = page.screenshot(full_page=True)
    keep_screenshot(png, "designer.png")
    assert page.evaluate("document.documentElement.dataset.jsErrors || '0'") == "0"
    assert errors == [], errors


def test_embed_page_shows_the_published_route(web_app, live_server, browser):
    item = publish(web_app, {
        "name": "Des terrils au Louvre-Lens", "kind": "route",
        "request": {"profile": "bike", "points": "site:base-11-19;terril:T075;site:louvre-lens"}})
    page, errors = open_page(browser)
    page.goto(f"{live_server}/embed/{item['slug']}")
    page.wait_for_selector("path.leaflet-interactive", timeout=60000)
    assert page.locator("path.leaflet-interactive").count() >= 2
    page.wait_for_timeout(800)              # let the zoom-to-route animation end
    png = page.screenshot()
    keep_screenshot(png, "embed.png")
    assert page.evaluate("document.documentElement.dataset.jsErrors || '0'") == "0"
    assert errors == [], errors
    page.goto(f"{live_server}/i/{item['slug']}")
    assert "Des terrils au Louvre-Lens" in page.inner_text("h1")
    page.locator("#trek-map path.leaflet-interactive").first.wait_for(timeout=60000)
    keep_screenshot(page.screenshot(full_page=True), "public.png")
    Path(ARTIFACTS / "embed-snippet.html").write_text(
        f'<iframe src="{live_server}/embed/{item["slug"]}" width="100%" height="480"></iframe>')


@pytest.fixture()
def node_server(tmp_path):
    """The app on the node-network fixture (both forms), served on loopback."""
    import graphs
    import routing
    from web import create_app

    from .conftest import FIXTURES

    graph = graphs.build_graph(FIXTURES / "node_network.osm.xml", name="nodes")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}",
                      "INSTANCE_DIR": str(tmp_path / "instance"), "TESTING": True},
                     router=routing.RoutingService(graph))
    with serving(app) as url:
        yield url


def test_node_designer_builds_the_sequence_by_clicks(node_server, browser):
    page, errors = open_page(browser)
    page.goto(f"{node_server}/nodes?network=rcn")
    page.wait_for_selector(".node-label", timeout=60000)
    # the network layer draws the graph under the nodes
    page.wait_for_selector(".leaflet-container[data-network-state=ready]", timeout=60000)
    assert page.locator(".leaflet-bassinNetwork-pane path.bassin-net").count() >= 1
    for label in ("12", "45", "3"):
        page.locator(".node-label", has_text=label).first.click()
    assert page.locator("#node-sequence").inner_text() == "12 – 45 – 3"
    # the strip of the whole sequence: an answer for 12 – 45 alone must never stay drawn
    page.locator("#node-strip", has_text="07 – 3").wait_for(timeout=30000)
    strip = page.locator("#node-strip").inner_text()
    assert "12 – 45 – 07 – 3" in strip           # 45 → 3 passes node 07
    assert "format=gpx" in page.locator("#node-gpx").get_attribute("href")
    page.select_option("#node-network", "rwn")
    page.wait_for_selector(".node-label >> text=Am Teich & <See>", timeout=60000)
    keep_screenshot(page.screenshot(), "node-designer.png")
    assert page.evaluate("document.documentElement.dataset.jsErrors") is None
    assert errors == [], errors
