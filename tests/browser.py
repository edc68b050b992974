"""Shared fixtures for the headless-Chromium tests (Debian's chromium, driven by Playwright).

The fixtures (``browser``, ``live_server``) are registered in ``conftest.py``; import the
helpers a test module needs: ``from .browser import NEEDS_CHROMIUM, open_page, axe_violations``.

- ``live_server``: the test app (``web_app``) served on loopback in a thread;
- ``browser``: one Chromium for the whole session (launching it costs a second);
- ``open_page(browser)``: a page with the tile server stubbed and script errors collected;
- ``axe_violations(page)``: axe-core's serious and critical violations on the page;
- ``keep_screenshot(png, name)``: kept in ``artifacts/`` and checked not blank.
"""
from __future__ import annotations

import base64
import io
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
# A 1x1 grey PNG stands in for the tile server, which this machine cannot reach.
TILE = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGPY"
                        "uXMnAAQuAhcTcUbyAAAAAElFTkSuQmCC")
NEEDS_CHROMIUM = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                    "(apt-get install chromium)")
STAFF = ("staff", "correct horse battery")        # the account conftest's web_app creates


@contextmanager
def serving(app):
    """``app`` served on a free loopback port, warmed up first as ``serve`` and gunicorn
    warm it (kernels compiled: on a clean checkout that takes the minute a browser wait
    must not spend); yields its base URL."""
    from web.app import warm_up
    from web.extensions import EXTENSION_KEY

    state = app.extensions.get(EXTENSION_KEY)
    if getattr(state, "service", None) is not None:
        state.service.warm_up()
    warm_up(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture()
def live_server(web_app):
    with serving(web_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])
        yield chrome
        chrome.close()


def open_page(browser, tiles: bool = True, **options):
    """A new page and the list its script errors land in.

    Tile requests get a grey pixel (``tiles=True``) or are aborted (``tiles=False``,
    as when a tile server is blocked or the visitor is offline).
    """
    page = browser.new_page(**({"viewport": {"width": 1280, "height": 800}} | options))
    # waits that pass take what they take; the bound is for a loaded 2-core CI machine
    page.set_default_timeout(60_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
            and "Failed to load resource" not in msg.text else None)
    if tiles:
        page.route("https://tile.openstreetmap.org/**",
                   lambda route: route.fulfill(status=200, content_type="image/png", body=TILE))
    else:
        page.route("https://**/*", lambda route: route.abort())
    return page, errors


def log_in(page, base_url: str, user: tuple[str, str] = STAFF) -> None:
    """Log in through the login form, as staff by default."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", user[0])
    page.fill("input[name=password]", user[1])
    page.click("button[type=submit]")
    page.wait_for_load_state()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's violations of the given impacts on the page as it is now.

    Each is ``{"id", "impact", "help", "nodes": [target selectors…]}``, short enough
    to print in an assertion message.
    """
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in found if v["impact"] in impacts]


def keep_screenshot(png: bytes, name: str) -> None:
    """Keep ``png`` as ``artifacts/<name>`` and check it is not a blank image."""
    from PIL import Image

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(png)
    image = Image.open(io.BytesIO(png)).convert("RGB").resize((160, 100))
    colours = len(set(getattr(image, "get_flattened_data", image.getdata)()))
    assert colours > 20, f"{name} looks blank ({colours} colours)"
