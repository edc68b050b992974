"""/metrics in Prometheus format; JSON logs carrying the request id (X-Request-Id)."""
import io
import json
import logging

from prometheus_client.parser import text_string_to_metric_families
from werkzeug.middleware.proxy_fix import ProxyFix

from web.logs import JsonFormatter, RequestIdFilter, lean_records, utc_milliseconds

from .conftest import login
from .test_web_saved import NEW

ROUTE = "/api/v1/route?profile=hike&points=site:base-11-19;site:louvre-lens"


def samples(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for s in family.samples}


def test_metrics_count_requests_latency_planner_and_cache(web_app):
    client = web_app.test_client()
    for _ in range(3):
        assert client.get(ROUTE).status_code == 200
    assert client.get("/api/v1/route?profile=hike&points=1,2").status_code == 422
    assert client.get(ROUTE + "&route_preference=7").status_code == 200
    assert client.get(ROUTE + "&route_preference=7").status_code == 200
    csrf = login(client)
    item = client.post("/api/v1/itineraries", json=NEW, headers={"X-CSRF-Token": csrf})
    url = f"/api/v1/itineraries/{item.get_json()['id']}"
    assert client.get(url, headers={"If-None-Match": item.headers["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"v0"'}).status_code == 200
    got = samples(client)
    ok = (("endpoint", "/api/v1/route"), ("method", "GET"), ("status", "200"))
    assert got[("bassin_http_requests_total", ok)] == 5
    assert got[("bassin_http_requests_total", ok[:2] + (("status", "422"),))] == 1
    assert got[("bassin_http_request_duration_seconds_count", (("endpoint", "/api/v1/route"),))] == 6
    assert got[("bassin_http_request_duration_seconds_sum", (("endpoint", "/api/v1/route"),))] > 0
    planner = (("kind", "route"), ("profile", "hike"))
    assert got[("bassin_planner_duration_seconds_count", planner)] == 6
    assert got[("bassin_planner_duration_seconds_count", (("kind", "loop"), ("profile", "hike")))] == 1
    assert got[("bassin_http_cache_requests_total", (("result", "hit"),))] == 1
    assert got[("bassin_http_cache_requests_total", (("result", "miss"),))] == 1
    lookups = {dict(k[1])["result"]: v for k, v in got.items()
               if k[0] == "bassin_network_cache_lookups_total"}
    assert lookups["hit"] >= 1 and lookups["miss"] >= 1     # preference 7: built, then found


def test_request_id_is_honoured_echoed_and_logged_as_json(web_app):
    web_app.wsgi_app = ProxyFix(web_app.wsgi_app, x_for=1)       # BASSIN_PROXY_HOPS=1
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("web.access")
    access.addHandler(handler)
    try:
        client = web_app.test_client()
        sent = client.get(ROUTE, headers={"X-Request-Id": "proxy-4f2a.17",
                                          "X-Forwarded-For": "198.51.100.7"})
        assert sent.headers["X-Request-Id"] == "proxy-4f2a.17"
        forged = client.get("/health", headers={"X-Request-Id": 'x" injected <script>'})
        fresh = forged.headers["X-Request-Id"]
        assert len(fresh) == 32 and "injected" not in fresh
        problem = client.get("/api/v1/route?profile=nope&points=1,2")
        assert problem.status_code == 400 and problem.headers["X-Request-Id"]
    finally:
        access.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(e["request_id"], e["path"], e["status"]) for e in lines] == [
        ("proxy-4f2a.17", "/api/v1/route", 200), (fresh, "/health", 200),
        (problem.headers["X-Request-Id"], "/api/v1/route", 400)]
    assert lines[0]["remote"] == "198.51.100.7" and lines[1]["remote"] == "127.0.0.1"
    assert all(e["level"] == "INFO" and e["logger"] == "web.access" and e["duration_ms"] >= 0
               and e["time"].endswith("+00:00") for e in lines)


def test_proxy_hops_trust_the_proxy_address(router_for, tmp_path):
    from web import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "PROXY_HOPS": 1,
                      "INSTANCE_DIR": str(tmp_path)}, router=router_for("basin"))

    @app.get("/_address")
    def _address():
        from flask import request
        return request.remote_addr

    answer = app.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.get_data(as_text=True) == "203.0.113.9"
    app.extensions["bassin_db"].engine.dispose()


def test_lean_records_keep_every_field_of_a_json_line(monkeypatch):
    """Serving processes stop looking up thread, process and source line
    (``lean_records``): the JSON line is the same, fields and extras."""
    for flag in ("logThreads", "logProcesses", "logMultiprocessing", "_srcfile"):
        monkeypatch.setattr(logging, flag, getattr(logging, flag))   # restored after
    lines = []
    for lean in (False, True):
        if lean:
            lean_records()
        logger = logging.getLogger(f"web.test_lean_{lean}")
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())
        logger.addHandler(handler)
        logger.propagate = False
        try:
            logger.warning("%s %s", "GET", "/x", extra={"status": 200, "duration_ms": 1.5})
        finally:
            logger.removeHandler(handler)
        entry = json.loads(stream.getvalue())
        lines.append({k: v for k, v in entry.items() if k not in ("time", "logger")})
        assert entry["time"].endswith("+00:00")
    assert logging._srcfile is None and not logging.logThreads
    assert lines[0] == lines[1] == {"level": "WARNING", "message": "GET /x", "request_id": None,
                                    "status": 200, "duration_ms": 1.5}


def test_log_times_are_datetimes_isoformat():
    """The line's time is ``datetime.fromtimestamp(t, utc).isoformat(timespec="milliseconds")``
    to the character, halves of a microsecond and second boundaries too."""
    import datetime as dt
    import random

    rng = random.Random(3)
    stamps = [rng.uniform(0, 4e9) for _ in range(20000)]
    stamps += [s + d for s in (1764720000.0, 1764720059.0, 0.0, 1e9)
               for d in (0.0, 0.0005, 0.0004995, 0.0000005, 0.0000015, 0.9999995, 0.9999994,
                         0.999, 0.9995, -0.0000005)]
    for t in stamps:
        assert utc_milliseconds(t) == dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat(
            timespec="milliseconds"), t


def test_json_lines_encode_what_orjson_refuses():
    """Extras orjson cannot write (a lone surrogate, a huge int) still give the line."""
    record = logging.makeLogRecord({"msg": "x", "odd": "\ud800", "big": 2 ** 70,
                                    "when": __import__("datetime").date(2026, 12, 3)})
    entry = json.loads(JsonFormatter().format(record))
    assert entry["odd"] == "\ud800" and entry["big"] == 2 ** 70 and entry["when"] == "2026-12-03"
    plain = json.loads(JsonFormatter().format(logging.makeLogRecord(
        {"msg": "%s ok", "args": ("é",), "n": 3, "when": __import__("datetime").date(2026, 1, 2)})))
    assert plain["message"] == "é ok" and plain["n"] == 3 and plain["when"] == "2026-01-02"


def test_access_lines_written_directly_are_the_logging_modules(web_app, monkeypatch):
    """With install()'s JSON handler the only one on the way, log_access writes the line
    itself: the same text as the record the logging module would have formatted."""
    from web import logs

    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    handler.bassin = True
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    monkeypatch.setattr(root, "handlers", [handler])
    monkeypatch.setattr(logging.getLogger("web"), "level", logging.INFO)
    monkeypatch.setattr(logs.time, "time", lambda: 1764800000.1234)
    monkeypatch.setattr(logs.time, "perf_counter", lambda: 10.5)
    access = logging.getLogger("web.access")
    calls = [("GET", "/api/v1/route", 200, 10.25, "127.0.0.1"),
             ("POST", "/x\u00e9\"<", 400, None, None), ("GET", "/", 500, 9.0, "::1")]

    def lines(direct: bool) -> list[str]:
        handler.stream = io.StringIO()
        with web_app.app_context():
            from flask import g
            g.request_id = "from-g"
            for call in calls:
                assert (logs._json_handler_alone() is handler) == direct
                logs.log_access(*call)
        logs.log_access(*calls[0])                  # outside a request: no id
        return handler.stream.getvalue().splitlines()

    written = lines(direct=True)
    keep_all = logging.Filter()                  # a filter on the way: the logging module
    access.addFilter(keep_all)
    try:
        logged = lines(direct=False)
    finally:
        access.removeFilter(keep_all)
    assert written == logged and len(written) == 4
    assert [json.loads(line)["request_id"] for line in written] == ["from-g"] * 3 + [None]
    # another handler, a text format or a logger that stops propagating: the logging module
    for change in (lambda: access.addHandler(logging.NullHandler()),
                   lambda: setattr(handler, "formatter", logging.Formatter()),
                   lambda: setattr(access, "propagate", False)):
        before = (list(access.handlers), handler.formatter, access.propagate)
        change()
        try:
            assert logs._json_handler_alone() is None
        finally:
            access.handlers[:], handler.formatter, access.propagate = before
