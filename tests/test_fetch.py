"""CLI URL imports refuse the machine's own and private networks unless --allow-private, and
follow no redirect to another scheme: tested against a real HTTP server on loopback."""
import http.server
import json
import subprocess
import sys
import threading

import pytest

from web.fetch import FetchError, fetch_url, is_public

from .conftest import FIXTURES

CLI = [sys.executable, "-m", "web.cli"]
TREK = (FIXTURES / "geotrek_trek.json").read_bytes()


class Handler(http.server.BaseHTTPRequestHandler):
    routes = {}

    def do_GET(self):
        status, headers, body = self.routes.get(self.path, (404, {}, b"no"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value.format(port=self.server.server_port))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


Handler.routes = {
    "/trek.json": (200, {"Content-Type": "application/json"}, TREK),
    "/same": (302, {"Location": "/trek.json"}, b""),
    "/absolute": (301, {"Location": "http://127.0.0.1:{port}/trek.json"}, b""),
    "/to-https": (302, {"Location": "https://127.0.0.1:{port}/trek.json"}, b""),
    "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
    "/forever": (302, {"Location": "/forever"}, b""),
    "/gone": (410, {}, b"gone"),
    "/deep": (200, {}, b"[" * 50_000 + b"]" * 50_000),
}


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.mark.parametrize("address, public", [
    ("127.0.0.1", False), ("127.8.9.10", False), ("::1", False), ("0.0.0.0", False),
    ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False), ("100.64.0.1", False),
    ("169.254.169.254", False), ("fe80::1%eth0", False), ("fc00::1", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False), ("224.0.0.1", False),
    ("93.184.216.34", True), ("2a00:1450:4007:80f::200e", True), ("::ffff:93.184.216.34", True),
])
def test_address_classes(address, public):
    assert is_public(address) is public


def test_loopback_is_refused_without_the_flag_and_read_with_it(server):
    with pytest.raises(FetchError, match="loopback, private or link-local.*--allow-private"):
        fetch_url(f"{server}/trek.json")
    assert fetch_url(f"{server}/trek.json", allow_private=True) == TREK


def test_redirects_stay_within_the_scheme(server):
    assert fetch_url(f"{server}/same", allow_private=True) == TREK
    assert fetch_url(f"{server}/absolute", allow_private=True) == TREK
    with pytest.raises(FetchError, match="redirect from http to https"):
        fetch_url(f"{server}/to-https", allow_private=True)
    with pytest.raises(FetchError, match="redirect from http to file"):
        fetch_url(f"{server}/to-file", allow_private=True)
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch_url(f"{server}/forever", allow_private=True)


def test_other_failures_are_typed(server):
    with pytest.raises(FetchError, match="HTTP 410"):
        fetch_url(f"{server}/gone", allow_private=True)
    with pytest.raises(FetchError, match="larger than 0 MB"):
        fetch_url(f"{server}/trek.json", allow_private=True, max_bytes=100)
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://x"):
        with pytest.raises(FetchError, match="only http and https"):
            fetch_url(url)
    with pytest.raises(FetchError, match="cannot connect"):
        fetch_url("http://127.0.0.1:9/", allow_private=True)


def test_cli_import_from_a_loopback_server(server, tmp_path):
    env = {"BASSIN_INSTANCE_DIR": str(tmp_path / "instance"), "PATH": "/usr/bin:/bin"}
    refused = subprocess.run(CLI + ["geotrek", "import", f"{server}/same"],
                             capture_output=True, text=True, env=env, timeout=120)
    assert refused.returncode == 2 and "--allow-private" in refused.stderr
    assert "Traceback" not in refused.stderr
    accepted = subprocess.run(CLI + ["geotrek", "import", "--allow-private", f"{server}/same"],
                              capture_output=True, text=True, env=env, timeout=120)
    assert accepted.returncode == 0, accepted.stderr
    assert json.loads(accepted.stdout)[0]["kind"] == "geotrek"
    scheme = subprocess.run(CLI + ["geotrek", "import", "--allow-private", f"{server}/to-https"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert scheme.returncode == 2 and "redirect from http to https" in scheme.stderr
    deep = subprocess.run(CLI + ["geotrek", "import", "--allow-private", f"{server}/deep"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert deep.returncode == 2 and "Traceback" not in deep.stderr
