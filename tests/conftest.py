"""Shared fixtures: the real data in ../shared/data, read in place, and built graphs."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from .browser import browser, live_server  # noqa: F401  (fixtures shared by the browser tests)
from .itinerary_pages import mountain_app  # noqa: F401  (shared by the itinerary page tests)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_path(*parts: str) -> Path:
    """A file of ../shared/data; skip when absent (fresh clone), fail in CI."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the shared data file {path} is missing")
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build (once per session) and save a graph; returns a loader by name."""
    import graphs

    cache: dict = {}
    specs = {
        "heidelberg": dict(osm=("osm", "heidelberg.osm.pbf")),
        "liechtenstein": dict(osm=("osm", "liechtenstein.osm.pbf")),
        "andorra": dict(osm=("osm", "andorra.osm.pbf"), dem_dir=("dem",)),
        "krems": dict(osm=("osm", "krems.osm.gz")),
        "basin": dict(osm=("bassin-minier", "network.osm"), heritage_dir=("bassin-minier",)),
    }

    def get(name: str):
        if name not in cache:
            kwargs = {k: shared_path(*v) for k, v in specs[name].items()}
            graph = graphs.build_graph(name=name, **kwargs)
            out = graphs.save_graph(graph, tmp_path_factory.mktemp("graphs") / name)
            cache[name] = (graphs.load_graph(out), out)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def fixture_graph():
    import graphs

    return graphs.build_graph(FIXTURES / "tag_rules.osm.xml", name="fixture")


@pytest.fixture(scope="session")
def router_for(built):
    """A Router per real graph, shared by the session."""
    import routing

    routers: dict = {}

    def get(name: str):
        if name not in routers:
            routers[name] = routing.Router(built(name)[0])
        return routers[name]

    return get


@pytest.fixture(scope="session")
def fixture_router(fixture_graph):
    import routing

    return routing.Router(fixture_graph)


def pytest_configure(config):
    config.addinivalue_line("markers", "both_databases: run the module's tests on SQLite and "
                                       "on PostgreSQL (the `database_url` fixture)")


def pytest_generate_tests(metafunc):
    """Tests marked ``both_databases`` run once per backend; the others on SQLite."""
    if "database_url" in metafunc.fixturenames and \
            metafunc.definition.get_closest_marker("both_databases"):
        metafunc.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="session")
def postgres_server():
    """URL of a PostgreSQL server the test run started (``.ci/run``'s, or one started here).

    Without PostgreSQL binaries the tests that need it skip; with ``CI`` set they fail.
    """
    from . import postgres

    given = os.environ.get("BASSIN_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    try:
        directory = postgres.start()
    except RuntimeError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but PostgreSQL cannot run: {exc}")
        pytest.skip(str(exc))
    try:
        yield postgres.url(directory)
    finally:
        postgres.stop(directory)


@pytest.fixture()
def database_url(request, tmp_path):
    """A fresh empty database: SQLite by default, PostgreSQL when parametrised so."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield f"sqlite:///{tmp_path / 'web.db'}"
        return
    from . import postgres

    server = request.getfixturevalue("postgres_server")
    url, name = postgres.create_database(server)
    yield url
    postgres.drop_database(server, name)


@pytest.fixture()
def web_app(router_for, tmp_path, database_url):
    """The real app on the basin test network, with its own empty database."""
    from web import create_app
    from web.security import create_user

    app = create_app({"DATABASE_URL": database_url,
                      "INSTANCE_DIR": str(tmp_path / "instance"), "TESTING": True,
                      "EMBED_ORIGINS": "https://www.pas-de-calais-tourisme.com",
                      # kernels compile inside the first requests of a test session (a server
                      # compiles before it serves): no deadline, the work bound stays
                      "BUDGET_SECONDS": None},
                     router=router_for("basin"))
    create_user(app.extensions["bassin_db"], "staff", "correct horse battery")
    yield app
    app.extensions["bassin_db"].engine.dispose()


def login(client, username="staff", password="correct horse battery"):
    """Log a test client in through the real form; returns its CSRF token."""
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get("/designer").get_data(as_text=True)
    return re.search(r'data-csrf="([^"]+)"', page).group(1)


def assert_valid_gpx(data: bytes | str, tmp_path: Path) -> None:
    """Validate GPX text against the GPX 1.1 schema with xmllint."""
    import subprocess

    path = tmp_path / "checked.gpx"
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    check = subprocess.run(["xmllint", "--noout", "--schema",
                            str(shared_path("schemas", "gpx-1.1.xsd")), str(path)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
