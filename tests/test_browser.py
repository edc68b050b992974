"""A real browser (Debian's headless Chromium, driven by Playwright) on the real app."""
import base64
import io
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from web.security import create_token

from .conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "artifacts"
# A 1x1 grey PNG stands in for the tile server, which this machine cannot reach.
TILE = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGPY"
                        "uXMnAAQuAhcTcUbyAAAAAElFTkSuQmCC")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                "(apt-get install chromium)")


@pytest.fixture()
def live_server(web_app):
    server = make_server("127.0.0.1", 0, web_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture()
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])
        yield chrome
        chrome.close()


def _page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
            and "Failed to load resource" not in msg.text else None)
    page.route("https://tile.openstreetmap.org/**",
               lambda route: route.fulfill(status=200, content_type="image/png", body=TILE))
    return page, errors


def _non_blank(png: bytes, name: str) -> None:
    from PIL import Image

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(png)
    image = Image.open(io.BytesIO(png)).convert("RGB").resize((160, 100))
    colours = len(set(image.get_flattened_data()))
    assert colours > 20, f"{name} looks blank ({colours} colours)"


def test_staff_designer_plans_a_route(live_server, browser):
    page, errors = _page(browser)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "staff")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/designer")
    page.goto(f"{live_server}/designer?points=50.4432,2.7885;50.4306,2.8033")
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive", timeout=20000)
    page.wait_for_function("document.querySelector('#stats').textContent.includes('km')")
    assert "km" in page.inner_text("#stats")
    # a click on the map adds a third waypoint and the route is planned again
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
    page.wait_for_function("document.querySelectorAll('#waypoints li').length === 3")
    page.wait_for_timeout(800)
    png = page.screenshot(full_page=True)
    _non_blank(png, "designer.png")
    assert page.evaluate("document.documentElement.dataset.jsErrors || '0'") == "0"
    assert errors == [], errors


def test_embed_page_shows_the_published_route(web_app, live_server, browser):
    client = web_app.test_client()
    token = create_token(web_app.extensions["bassin_db"], "staff", "browser-test")
    headers = {"Authorization": f"Bearer {token}"}
    item = client.post("/api/v1/itineraries", headers=headers, json={
        "name": "Des terrils au Louvre-Lens", "kind": "route",
        "request": {"profile": "bike", "points": "site:base-11-19;terril:T075;site:louvre-lens"}}).get_json()
    client.post(f"/api/v1/itineraries/{item['id']}/publish", headers=dict(headers, **{"If-Match": '"v1"'}))
    page, errors = _page(browser)
    page.goto(f"{live_server}/embed/{item['slug']}")
    page.wait_for_selector("path.leaflet-interactive", timeout=20000)
    assert page.locator("path.leaflet-interactive").count() >= 2
    page.wait_for_timeout(800)              # let the zoom-to-route animation end
    png = page.screenshot()
    _non_blank(png, "embed.png")
    assert page.evaluate("document.documentElement.dataset.jsErrors || '0'") == "0"
    assert errors == [], errors
    page.goto(f"{live_server}/i/{item['slug']}")
    assert "Des terrils au Louvre-Lens" in page.inner_text("h1")
    page.frame_locator("iframe.map").locator("path.leaflet-interactive").first.wait_for(timeout=20000)
    _non_blank(page.screenshot(full_page=True), "public.png")
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
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_node_designer_builds_the_sequence_by_clicks(node_server, browser):
    page, errors = _page(browser)
    page.goto(f"{node_server}/nodes?network=rcn")
    page.wait_for_selector(".node-label", timeout=15000)
    for label in ("12", "45", "3"):
        page.locator(".node-label", has_text=label).first.click()
    page.locator("#node-strip", has_text="Total").wait_for(timeout=15000)
    assert page.locator("#node-sequence").inner_text() == "12 – 45 – 3"
    strip = page.locator("#node-strip").inner_text()
    assert "12 – 45 – 07 – 3" in strip           # 45 → 3 passes node 07
    assert "format=gpx" in page.locator("#node-gpx").get_attribute("href")
    page.select_option("#node-network", "rwn")
    page.wait_for_selector(".node-label >> text=Am Teich & <See>", timeout=15000)
    _non_blank(page.screenshot(), "node-designer.png")
    assert page.evaluate("document.documentElement.dataset.jsErrors") is None
    assert errors == [], errors
