"""A real CSP on every HTML answer: every script of ours carries the request's nonce, and
map data can neither close its script nor be evaluated as a template on the server."""
import html as html_module
import json
import re

import graphs
from web.maps import json_for_script
from web.security import create_token

from .conftest import login

NONCE = re.compile(r"script-src 'nonce-([\w-]+)'")


def _check_page(response) -> int:
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "default-src 'self'"):
        assert directive in policy, policy
    nonce = NONCE.search(policy).group(1)
    html = response.get_data(as_text=True)
    tags = re.findall(r"<script\b[^>]*>", html, re.IGNORECASE)
    assert tags, "no script at all?"
    for tag in tags:
        assert f'nonce="{nonce}"' in tag, tag
    assert 'onerror=' not in html.lower() and "javascript:" not in html.lower()
    return len(tags)


def test_every_html_response_has_a_nonce_policy(web_app):
    client = web_app.test_client()
    token = create_token(web_app.extensions["bassin_db"], "staff", "t")
    bearer = {"Authorization": f"Bearer {token}"}
    item = client.post("/api/v1/itineraries", headers=bearer, json={
        "name": "{{ 7 * 7 }} {% raw %}", "description": "${alert(1)}", "kind": "stages",
        "request": {"profile": "hike", "points": "site:base-11-19;site:louvre-lens",
                    "days": 2}}).get_json()
    client.post(f"/api/v1/itineraries/{item['id']}/publish",
                headers=dict(bearer, **{"If-Match": '"v1"'}))
    staff = web_app.test_client()
    login(staff)
    pages = [client.get(url, headers={"Accept": "text/html"}) for url in (
        "/login", "/itineraries", "/docs", "/i/no-such-thing", f"/i/{item['slug']}",
        f"/i/{item['slug']}/map", f"/embed/{item['slug']}",
        f"/api/v1/itineraries/{item['id']}/export.html",
        "/api/v1/route?points=site:base-11-19;site:louvre-lens&format=html")]
    pages.append(staff.get("/designer"))
    pages = [p for p in pages if p.mimetype == "text/html"]
    assert len(pages) == 10, [p.status for p in pages]
    assert sum(_check_page(p) for p in pages) >= 20
    assert "frame-ancestors https://www.pas-de-calais-tourisme.com" in \
        pages[6].headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in pages[4].headers["Content-Security-Policy"]
    # the name is data, not a template: no 49 rendered, the text intact in the map's JSON
    map_html = pages[5].get_data(as_text=True)
    assert "{{ 7 * 7 }}" in map_html and ">49" not in map_html
    # two answers, two nonces
    assert NONCE.search(pages[0].headers["Content-Security-Policy"]).group(1) != \
        NONCE.search(client.get("/login").headers["Content-Security-Policy"]).group(1)


def test_json_for_script_cannot_close_the_script():
    hostile = "</script><!--<script>\u2028\u2029&amp;`${x}`"
    text = json_for_script({"name": hostile})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"name": hostile}


def test_map_file_written_by_the_cli_carries_its_policy(tmp_path, router_for):
    from web.cli import main

    out = tmp_path / "map.html"
    graph = tmp_path / "graph"
    graphs.save_graph(router_for("basin").graph, graph)
    code = main(["route", "--graph", str(graph), "--points", "site:base-11-19;terril:T075",
                 "--map", str(out)])
    assert code == 0
    html = out.read_text("utf-8")
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    policy = html_module.unescape(meta.group(1))
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy
    nonce = NONCE.search(policy).group(1)
    tags = re.findall(r"<script\b[^>]*>", html)
    assert tags and all(f'nonce="{nonce}"' in tag for tag in tags)
