"""web.fast_route answers GET /api/v1/route as Flask does: body, status, headers, log
line and counts; every request it does not answer reaches Flask untouched."""
import logging
import re
import threading

import pytest

from .test_observability import samples

BASE = "/api/v1/route?profile=hike&points="
#: Requests the fast path answers (points of the basin test network), with their headers.
ANSWERED = [
    (BASE + "site:base-11-19;site:louvre-lens", {}),
    (BASE + "site:base-11-19;site:louvre-lens", {"Accept-Language": "en-GB,en;q=0.9"}),
    (BASE + "site:louvre-lens;site:base-11-19&route_preference=6", {"Accept-Language": "de, en;q=0.2"}),
    (BASE + "site:base-11-19;site:louvre-lens&corridor_m=400", {"Accept-Language": "fr;q=0.1, en"}),
    ("/api/v1/route?points=site:base-11-19%3Bsite:louvre-lens&format=geojson&profile=bike", {}),
    (BASE + "site:base-11-19;site:louvre-lens&format=geojson&format=gpx", {}),
    (BASE + "site:base-11-19;site:louvre-lens", {"X-Request-Id": "proxy-4f2a.17"}),
    (BASE + "site:base-11-19;site:louvre-lens", {"X-Request-Id": "bad id\"<x>"}),
]
#: Requests it hands to Flask: with the exception it met, or untouched.
REFUSED = [
    (BASE + "1,2", {}),                                        # outside the network: 422
    (BASE + "abc", {}),                                        # not a point: 400
    ("/api/v1/route?profile=horse&points=site:base-11-19;site:louvre-lens", {}),
    (BASE + "site:base-11-19;site:louvre-lens&route_preference=99", {}),
    (BASE + "site:base-11-19;site:nowhere", {}),
    ("/api/v1/route?profile=hike", {}),                        # points missing
    (BASE + "site:base-11-19;site:louvre-lens&format=json", {}),
    (BASE + "site:base-11-19;site:louvre-lens&format=html&embed=1", {}),
    (BASE + "site:base-11-19;site:louvre-lens&embed=maybe", {}),
    (BASE + "site:base-11-19;site:louvre-lens&lang=en", {}),   # remembered: a cookie is set
    (BASE + "site:base-11-19;site:louvre-lens", {"Cookie": "session=forged"}),
    (BASE + "site:base-11-19;site:louvre-lens", {"Authorization": "Bearer nope"}),
    (BASE + "site:base-11-19;site:louvre-lens", {"If-None-Match": '"v1"'}),
    ("/api/v1/route/?profile=hike&points=site:base-11-19;site:louvre-lens", {}),
]


@pytest.fixture()
def apps(router_for, tmp_path):
    """The app with the fast path and without it, on the same routing service."""
    from web import create_app

    made = {}
    for fast in (True, False):
        made[fast] = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/{fast}.db",
                                 "INSTANCE_DIR": str(tmp_path / f"instance-{fast}"),
                                 "TESTING": True, "BUDGET_SECONDS": None, "FAST_ROUTE": fast},
                                router=router_for("basin"))
    yield made
    for app in made.values():
        app.extensions["bassin_db"].engine.dispose()


def view_calls(app) -> list:
    """Count the calls of the blueprint's route view (the fast path makes none)."""
    calls, view = [], app.view_functions["api.route"]

    def counted(*args, **kwargs):
        calls.append(1)
        return view(*args, **kwargs)
    app.view_functions["api.route"] = counted
    return calls


def answer(app, url, headers, method="GET"):
    """Status, body and headers; a page's script nonce (one per answer) written ``N``."""
    client, headers = app.test_client(), dict(headers)
    if "Cookie" in headers:             # the test client sends the cookies of its own jar
        client.set_cookie(*headers.pop("Cookie").split("=", 1))
    response = client.open(url, method=method, headers=headers)
    body, items = response.get_data(), list(response.headers.items())
    nonce = re.search(r"'nonce-([^']+)'", response.headers.get("Content-Security-Policy", ""))
    if nonce:
        body = body.replace(nonce[1].encode(), b"N")
        items = [(k, v.replace(nonce[1], "N")) for k, v in items]
    return response.status_code, body, items


def same_answers(fast, flask, url, headers, method="GET"):
    got, want = answer(fast, url, headers, method), answer(flask, url, headers, method)
    assert got[0] == want[0], url
    if not dict(got[2]).get("Content-Type", "").startswith("text/html"):
        assert got[1] == want[1], url            # the same bytes (a map names its elements
                                                 # at random: pages are compared by headers)
    # the same headers in the same order; the request id a fresh one unless it was sent
    strip = {"X-Request-Id", "Set-Cookie"}
    assert [h for h in got[2] if h[0] not in strip] == [h for h in want[2] if h[0] not in strip]
    ids = [dict(a[2])["X-Request-Id"] for a in (got, want)]
    sent = headers.get("X-Request-Id")
    if sent and " " not in sent:
        assert ids == [sent, sent]
    else:
        assert ids[0] != ids[1] and all(len(i) == 32 for i in ids)
    assert ("Set-Cookie" in dict(got[2])) == ("Set-Cookie" in dict(want[2]))
    return got


def test_answers_are_flasks_byte_for_byte(apps):
    fast, flask = apps[True], apps[False]
    calls = view_calls(fast)
    for url, headers in ANSWERED:
        status, body, got_headers = same_answers(fast, flask, url, headers)
        assert status == 200 and dict(got_headers)["Content-Type"] == "application/geo+json"
    assert calls == []                       # all answered without the blueprint's view
    for url, headers in REFUSED:
        status, *_ = same_answers(fast, flask, url, headers)
        assert status != 500, url
    same_answers(fast, flask, BASE + "site:base-11-19;site:louvre-lens", {}, method="HEAD")
    assert len(calls) == len([u for u, _ in REFUSED if not u.startswith("/api/v1/route/")]) + 1


def test_counts_and_log_lines_are_flasks(apps, caplog):
    lines = {}
    for fast, app in apps.items():
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="web.access"):
            for url, headers in ANSWERED + REFUSED:
                answer(app, url, headers)
        lines[fast] = [(r.method, r.path, r.status, r.remote)
                       for r in caplog.records if r.name == "web.access"]
        assert all(r.duration_ms >= 0 for r in caplog.records if r.name == "web.access")
        sent = [r.request_id for r in caplog.records if r.name == "web.access"]
        assert sent.count("proxy-4f2a.17") == 1
    assert lines[True] == lines[False] and len(lines[True]) == len(ANSWERED + REFUSED)
    counted = {fast: samples(app.test_client()) for fast, app in apps.items()}

    def counts(got):             # counters and histogram counts; not the measured seconds
        return {k: v for k, v in got.items()
                if k[0].endswith(("_total", "_count")) and "network_cache" not in k[0]}
    assert counts(counted[True]) == counts(counted[False])
    planner = (("kind", "route"), ("profile", "hike"))
    # planned once per request that got that far, refused ones too (not twice)
    assert counted[True][("bassin_planner_duration_seconds_count", planner)] == \
        counted[False][("bassin_planner_duration_seconds_count", planner)] >= len(ANSWERED) - 1


def test_an_app_with_another_request_hook_is_served_by_flask(apps, caplog):
    fast = apps[True]
    seen = []
    fast.before_request(lambda: seen.append(1))
    calls = view_calls(fast)
    with caplog.at_level(logging.WARNING, logger="web.fast_route"):
        assert answer(fast, *ANSWERED[0])[0] == 200
        assert answer(fast, *ANSWERED[0])[0] == 200
    assert calls == [1, 1] and seen == [1, 1]
    assert sum("fast route path off" in r.getMessage() for r in caplog.records) == 1


def test_threads_get_the_single_thread_answers(apps):
    fast = apps[True]
    urls = [url for url, headers in ANSWERED if not headers]
    expected = {url: answer(fast, url, {})[1] for url in urls}
    mismatches, errors = [], []

    def work(seed):
        try:
            client = fast.test_client()
            for i in range(12):
                url = urls[(seed + i) % len(urls)]
                if client.get(url).get_data() != expected[url]:
                    mismatches.append(url)
        except Exception as exc:            # noqa: BLE001 (reported below)
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors and not mismatches and not any(t.is_alive() for t in threads)


@pytest.mark.parametrize("query", [
    "", "profile=hike&points=50.4,2.8;50.5,2.9", "a=1&a=2&b=", "a&b=&=c", "x=%ZZ%41&y=%FF%C3%A9",
    "name=caf%C3%A9+cr%C3%A8me&name=other", "points=50.4%2C2.8%3B50.5%2C2.9&lang=", "a=1;b=2",
    "%E2%82%AC=%E2%82%AC&k=v=w", "caf\u00c3\u00a9=\u00c3\u00a9",    # raw UTF-8 bytes, as WSGI hands them
    "a=1&&b=2", "&", "=", "a==b&a=c", "&&x"])            # nothing to decode: split alone
def test_query_args_are_werkzeugs(query):
    from flask import Flask

    from web.fast_route import query_args

    environ = {"QUERY_STRING": query, "REQUEST_METHOD": "GET", "PATH_INFO": "/",
               "SERVER_NAME": "x", "SERVER_PORT": "80", "wsgi.url_scheme": "http"}
    assert query_args(environ) == Flask.request_class(environ).args.to_dict()
