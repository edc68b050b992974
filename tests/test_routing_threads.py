"""One routing service shared by many threads answers exactly what one thread answers."""
import hashlib
import random
import threading

import numpy as np
import pytest

import routing
from routing.router import NetworkCache
from routing.workspace import WorkspacePool

THREADS = 8
QUERIES = 500


def _fingerprint(result) -> tuple:
    """Every number an itinerary reports, geometry bytes included (exact, no tolerance)."""
    items = result if isinstance(result, list) else [result]
    out = []
    for it in items:
        digest = hashlib.sha1()
        for array in (it.lat, it.lon, it.cum_m):
            digest.update(np.ascontiguousarray(array).tobytes())
        out.append((it.kind, it.profile, it.meta.get("cost"), it.duration_s, digest.hexdigest(),
                    tuple(p["id"] for p in it.places), tuple(w["type"] for w in it.warnings)))
    return tuple(out)


def _queries(graph, count: int, seed: int) -> list:
    """Routes of four profiles (two with signed-route preferences), tours and loops."""
    rng = np.random.default_rng(seed)
    main = np.flatnonzero(graph.node_comp == np.argmax(graph.comp_length_m))
    centre = np.array([np.median(graph.node_lat[main]), np.median(graph.node_lon[main])])
    near = main[np.argsort(np.hypot(graph.node_lat[main] - centre[0],
                                    graph.node_lon[main] - centre[1]))[: len(main) // 8]]

    def point(pool):
        n = int(rng.choice(pool))
        return float(graph.node_lat[n]), float(graph.node_lon[n])

    queries = []
    for i in range(count):
        kind = i % 25
        if kind == 0:
            queries.append(("loop", point(near), float(rng.uniform(3, 6)), "hike"))
        elif kind < 4:
            queries.append(("tour", [point(near) for _ in range(4)], "bike"))
        else:
            profile = ("hike", "bike", "mtb", "family")[kind % 4]
            preference = (None, None, 5.0, 8.0)[kind % 4] if kind % 3 == 0 else None
            queries.append(("route", [point(main), point(main)], profile, preference))
    return queries


def _answer(service, query):
    try:
        if query[0] == "route":
            return _fingerprint(service.route(query[1], query[2], query[3]))
        if query[0] == "tour":
            return _fingerprint(service.tour(query[1], query[2]))
        return _fingerprint(service.loop(query[1], query[2], query[3], candidates=2))
    except routing.RoutingError as exc:          # the same error, for the same query
        return (type(exc).__name__, str(exc))


@pytest.mark.slow
def test_threads_get_the_single_thread_answers(built):
    graph, _ = built("heidelberg")
    queries = _queries(graph, QUERIES, seed=5)
    alone = routing.RoutingService(graph, profiles=("hike", "bike"))
    expected = [_answer(alone, q) for q in queries]
    assert sum(isinstance(e[0], tuple) for e in expected) > 0.9 * QUERIES    # mostly answers

    # A fresh service, so that the mtb/family and preference networks are built while
    # eight threads ask for them at once.
    shared = routing.RoutingService(graph, profiles=("hike", "bike"))
    results: dict = {}
    errors: list = []
    start = threading.Barrier(THREADS)

    def work(worker: int):
        order = list(range(QUERIES))
        random.Random(worker).shuffle(order)
        try:
            start.wait(timeout=60)
            results[worker] = {i: _answer(shared, queries[i]) for i in order}
        except Exception as exc:        # reported below, with the thread that raised it
            errors.append((worker, repr(exc)))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=1200)
    assert not errors
    assert sorted(results) == list(range(THREADS))
    for worker, answers in results.items():
        wrong = [i for i in range(QUERIES) if answers[i] != expected[i]]
        assert not wrong, f"thread {worker}: {len(wrong)} answers differ, e.g. query {wrong[0]}"


def test_network_cache_builds_each_key_once():
    calls: list = []
    gate = threading.Event()

    def build(key):
        calls.append(key)
        gate.wait(timeout=10)
        return object()

    cache = NetworkCache(build, size=4)
    got: list = []
    threads = [threading.Thread(target=lambda: got.append(cache.get("a"))) for _ in range(6)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(timeout=10)
    assert calls == ["a"] and len(got) == 6 and all(g is got[0] for g in got)
    for key in "bcde":
        cache.get(key)
    assert len(cache) == 4                     # bounded: the oldest key was forgotten


def test_workspace_pool_never_lends_one_workspace_twice():
    pool = WorkspacePool(lambda: [0])
    with pool.borrow() as first, pool.borrow() as second:
        assert first is not second
    assert len(pool) == 2
    with pytest.raises(ValueError), pool.borrow():
        raise ValueError("a query failed half-way")
    assert len(pool) == 1                      # the half-written workspace was dropped


def test_service_is_built_once_and_serves_its_profiles(fixture_graph):
    service = routing.RoutingService(fixture_graph, profiles=("hike",))
    assert service.profiles == ("hike",)
    assert service.network("hike") is service.network("hike")
    assert service.network("bike", 4.0) is service.network("bike", 4.0)
    assert service.network("hike").hierarchy is not None
    assert service.network("bike", 4.0).hierarchy is None      # re-weighted: ALT, not CH
    with pytest.raises(routing.InvalidQueryError, match="metric"):
        service.network("hike", metric="speed")
    assert routing.Router is routing.RoutingService
