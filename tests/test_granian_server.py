"""granian (``web.granian_server``): the preloaded app answers at once and as gunicorn does,
and no variable of the server's environment reaches a request."""
from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from web.bench import ROOT, free_port, granian_argv, server_env, stop_server
from web.granian_server import ProcessEnvironFilter


def _seen_environ(process_environ: dict, request_environ: dict) -> dict:
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        return [b""]

    ProcessEnvironFilter(app, process_environ)(dict(request_environ), lambda *a: None)
    return seen


def test_the_process_environment_does_not_reach_requests():
    process = {"BASSIN_SECRET_KEY": "s3cret", "PATH": "/usr/bin", "HTTP_PROXY": "http://evil:1",
               "PATH_INFO": "/ignored"}
    # granian's environ: a copy of the process environment, under the request's own keys
    request = dict(process, PATH_INFO="/api/v1/route", REQUEST_METHOD="GET",
                   HTTP_HOST="localhost", **{"wsgi.url_scheme": "http"})
    seen = _seen_environ(process, request)
    assert "BASSIN_SECRET_KEY" not in seen and "PATH" not in seen
    assert "HTTP_PROXY" not in seen                 # no 'Proxy' header the client never sent
    assert seen["PATH_INFO"] == "/api/v1/route" and seen["HTTP_HOST"] == "localhost"
    assert seen["wsgi.url_scheme"] == "http"


def test_a_header_the_client_sent_is_kept():
    seen = _seen_environ({"HTTP_PROXY": "http://evil:1"},
                         {"HTTP_PROXY": "http://other:2", "REQUEST_METHOD": "GET"})
    assert seen["HTTP_PROXY"] == "http://other:2"


def _get(conn, path: str):
    conn.request("GET", path)
    response = conn.getresponse()
    return response, response.read()


@pytest.mark.slow
def test_granian_answers_its_first_request_at_once_and_as_the_app_does(built):
    graph, graph_dir = built("basin")
    port = free_port()
    lat, lon = float(graph.node_lat[0]), float(graph.node_lon[0])
    path = f"/api/v1/route?profile=hike&points={lat:.5f},{lon:.5f};{lat + 0.004:.5f},{lon:.5f}"
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(granian_argv(port, 1), cwd=ROOT,
                                env=server_env(graph_dir, "hike", tmp),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            started = time.monotonic()
            while True:                      # the socket is bound once the app is warm
                assert proc.poll() is None, "granian exited"
                assert time.monotonic() - started < 300
                with socket.socket() as sock:
                    if sock.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.002)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            t0 = time.perf_counter()
            health, _ = _get(conn, "/health")
            first_ms = (time.perf_counter() - t0) * 1000
            assert health.status == 200
            assert first_ms < 1000           # ≤ 50 ms on a quiet machine (benchmarks/startup.py)
            answers = [_get(conn, p) for p in (path, "/nothing", path)]   # one connection
            (route, body), (missing, _), (_, again) = answers
            assert route.status == 200 and missing.status == 404 and body == again
            assert route.getheader("Content-Type") == "application/geo+json"
            for header in ("Content-Security-Policy", "X-Content-Type-Options",
                           "Referrer-Policy", "X-Frame-Options", "X-Request-Id"):
                assert route.getheader(header), header
            conn.close()
        finally:
            stop_server(proc)
    from web.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/t.db", "INSTANCE_DIR": tmp,
                          "GRAPH_DIR": str(graph_dir), "PROFILES": ["hike"]})
        assert app.test_client().get(path).data == body       # byte for byte


def test_granian_is_run_by_the_interpreter_of_the_tests():
    assert granian_argv(8000, 2)[:3] == [sys.executable, "-m", "web.granian_server"]
