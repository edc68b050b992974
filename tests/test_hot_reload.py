"""Hot graph reload: ``bassin-routes build`` publishes a new versioned build behind the
pointer, SIGHUP makes gunicorn serve it, and a client looping on /api/v1/route meanwhile
sees no failed request. Slow: real builds, a real gunicorn on a loopback port."""
import os
import signal
import threading
import time

import pytest
import requests

from graphs.versions import builds_dir, prune, switch_pointer
from web.cli import main as cli

from . import instances
from .conftest import shared_path

ROUTE = "/api/v1/route?profile=hike&points=site:base-11-19;site:louvre-lens&format=json"
MAX_REQUESTS = 20000


def build(pointer, capsys):
    assert cli(["build", "--osm", str(shared_path("bassin-minier", "network.osm")),
                "--heritage", str(shared_path("bassin-minier")), "--out", str(pointer)]) == 0
    capsys.readouterr()
    return pointer.resolve()


def test_pointer_switch_is_atomic_and_old_builds_are_pruned(tmp_path):
    pointer = tmp_path / "graph"
    pointer.mkdir()
    (pointer / "meta.json").write_text("{}")              # a graph of before versioning
    builds = []
    for n in range(5):
        # named after any day the test runs on: the folder the unversioned graph moves to
        # is stamped with the time of the switch, and must be the oldest build
        build_dir = builds_dir(pointer) / f"2999120{n}T000000-b{n}"
        build_dir.mkdir(parents=True)
        switch_pointer(pointer, build_dir)
        builds.append(build_dir)
        assert pointer.is_symlink() and pointer.resolve() == build_dir
        assert not os.path.isabs(os.readlink(pointer))    # relative: the folder may move
    assert [p.name.endswith("-unversioned") for p in builds_dir(pointer).iterdir()].count(True) == 1
    deleted = prune(pointer, keep=2)
    assert sorted(p.name for p in builds_dir(pointer).iterdir()) == [b.name for b in builds[-2:]]
    assert len(deleted) == 4 and pointer.resolve() == builds[-1]


class Looper(threading.Thread):
    """GET /api/v1/route (and /health) in a bounded loop; counts answers by build id."""

    def __init__(self, base):
        super().__init__(daemon=True)
        self.base, self.stop = base, threading.Event()
        self.failures, self.builds, self.requests, self.slowest = [], {}, 0, 0.0

    def run(self):
        while not self.stop.is_set() and self.requests < MAX_REQUESTS:
            started = time.perf_counter()
            try:
                route = requests.get(self.base + ROUTE, timeout=60)
                health = requests.get(self.base + "/health", timeout=60)
                if route.status_code != 200 or health.status_code != 200:
                    self.failures.append((route.status_code, health.status_code))
                else:
                    build_id = health.json()["graph"]["build_id"]
                    self.builds[build_id] = self.builds.get(build_id, 0) + 1
            except requests.RequestException as exc:
                self.failures.append(repr(exc))
            self.requests += 1
            self.slowest = max(self.slowest, time.perf_counter() - started)


@pytest.mark.slow
def test_sighup_serves_the_new_build_with_no_failed_request(tmp_path, capsys):
    pointer = tmp_path / "graph"
    first = build(pointer, capsys)
    port, log, pidfile = instances.free_port(), tmp_path / "gunicorn.log", tmp_path / "pid"
    env = {"BASSIN_GRAPH_DIR": str(pointer), "BASSIN_PROFILES": "hike",
           "BASSIN_DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
           "BASSIN_INSTANCE_DIR": str(tmp_path / "instance"), "BASSIN_LOG_FORMAT": "none"}
    server = instances.start(port, env, log, pidfile=pidfile)
    base = f"http://127.0.0.1:{port}"
    looper = Looper(base)
    try:
        old_id = instances.wait_healthy(base, server, log)["graph"]["build_id"]
        looper.start()
        second = build(pointer, capsys)                     # while the client loops
        assert second != first and first.is_dir()           # the old build is kept
        new_id = requests.get(base + "/health", timeout=30).json()["graph"]["build_id"]
        assert new_id == old_id                             # not served before the signal
        os.kill(int(pidfile.read_text()), signal.SIGHUP)
        deadline, streak = time.monotonic() + 180, 0
        while streak < 20 and time.monotonic() < deadline:
            health = requests.get(base + "/health", timeout=60).json()
            streak = streak + 1 if health["graph"]["build_id"] != old_id else 0
            time.sleep(0.05)
        assert streak == 20, log.read_text(errors="replace")[-3000:]
        time.sleep(1)
    finally:
        looper.stop.set()
        looper.join(120)
        instances.stop(server)
    print(f"\nreload: {looper.requests} route+health rounds, {len(looper.failures)} failed, "
          f"by build {sorted(looper.builds.values())}, slowest round {looper.slowest:.2f} s")
    assert looper.failures == []
    assert old_id in looper.builds and len(looper.builds) == 2 and looper.requests > 20
