"""Two gunicorn instances on one PostgreSQL: no lost update, sessions, tokens and rate
limits shared. Slow: starts real servers on loopback ports (bounded loops)."""
import re
import threading

import pytest
import requests

from web.db import Database
from web.security import create_token, create_user, list_tokens, revoke_token

from . import instances, postgres

pytestmark = pytest.mark.slow
CLIENTS_PER_INSTANCE, INCREMENTS, MAX_ATTEMPTS = 2, 15, 400
NEW = {"name": "Compteur", "description": "0", "kind": "route",
       "request": {"profile": "hike", "points": "site:base-11-19;site:louvre-lens"}}


@pytest.fixture(scope="module")
def two_instances(built, postgres_server, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("instances")
    url, name = postgres.create_database(postgres_server)
    db = Database(url)
    create_user(db, "staff", "correct horse battery")
    create_user(db, "mallory", "a password never guessed")
    env = {"BASSIN_GRAPH_DIR": str(built("basin")[1]), "BASSIN_DATABASE_URL": url,
           "BASSIN_SECRET_KEY": "shared-secret-of-both-instances", "BASSIN_PROFILES": "hike",
           "BASSIN_RATELIMIT_STORAGE": "database", "BASSIN_INSTANCE_DIR": str(tmp_path)}
    ports = [instances.free_port(), instances.free_port()]
    logs = [tmp_path / f"gunicorn-{p}.log" for p in ports]
    processes = [instances.start(p, env, log) for p, log in zip(ports, logs)]
    try:
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        for base, process, log in zip(bases, processes, logs):
            instances.wait_healthy(base, process, log)
        yield db, bases
    finally:
        for process in processes:
            instances.stop(process)
        db.engine.dispose()
        postgres.drop_database(postgres_server, name)


def increment(base, token, item, counts, name):
    """Read-modify-write the counter in the description; retry on 412 (bounded)."""
    auth = {"Authorization": f"Bearer {token}"}
    done = conflicts = 0
    with requests.Session() as http:
        for _ in range(MAX_ATTEMPTS):
            if done == INCREMENTS:
                break
            current = http.get(f"{base}/api/v1/itineraries/{item}", headers=auth, timeout=30)
            value = int(current.json()["description"])
            answer = http.put(f"{base}/api/v1/itineraries/{item}", timeout=30,
                              json={"description": str(value + 1)},
                              headers=dict(auth, **{"If-Match": current.headers["ETag"]}))
            if answer.status_code == 200:
                done += 1
            elif answer.status_code == 412:
                conflicts += 1
            else:
                raise AssertionError(f"{answer.status_code}: {answer.text}")
    counts[name] = (done, conflicts)


def test_concurrent_edits_across_instances_lose_nothing(two_instances):
    db, bases = two_instances
    token = create_token(db, "staff", "load")
    created = requests.post(f"{bases[0]}/api/v1/itineraries", json=NEW, timeout=60,
                            headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201, created.text
    item = created.json()["id"]
    counts: dict = {}
    threads = [threading.Thread(target=increment, args=(base, token, item, counts, f"{base}#{n}"))
               for base in bases for n in range(CLIENTS_PER_INSTANCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    successes = sum(done for done, _ in counts.values())
    conflicts = sum(c for _, c in counts.values())
    final = requests.get(f"{bases[1]}/api/v1/itineraries/{item}",
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
    lost = successes - int(final.json()["description"])
    print(f"\nlost updates: {lost} of {successes} accepted ({conflicts} refused with 412)")
    assert successes == len(threads) * INCREMENTS and lost == 0
    assert final.headers["ETag"] == f'"v{successes + 1}"'
    assert conflicts > 0          # the clients did collide: the lock was exercised


def _login(http, base, username, password):
    page = http.get(f"{base}/login", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return http.post(f"{base}/login", allow_redirects=False, timeout=30,
                     data={"username": username, "password": password, "csrf_token": csrf})


def test_sessions_tokens_and_rate_limits_work_on_both(two_instances):
    db, (a, b) = two_instances
    with requests.Session() as http:
        assert _login(http, a, "staff", "correct horse battery").status_code == 302
        page = http.get(f"{b}/designer", allow_redirects=False, timeout=30)
        assert page.status_code == 200                      # the session opened on A works on B
        csrf = re.search(r'data-csrf="([^"]+)"', page.text).group(1)
        saved = http.post(f"{b}/api/v1/itineraries", json=NEW, headers={"X-CSRF-Token": csrf},
                          timeout=60)
        assert saved.status_code == 201
        old_cookies = http.cookies.copy()
        assert http.post(f"{b}/logout", data={"csrf_token": csrf}, allow_redirects=False,
                         timeout=30).status_code == 302
    with requests.Session() as stale:
        stale.cookies.update(old_cookies)                 # logged out on B: dead on A too
        assert stale.get(f"{a}/designer", allow_redirects=False, timeout=30).status_code == 302

    token = create_token(db, "staff", "both")
    auth = {"Authorization": f"Bearer {token}"}
    for base in (a, b):
        listing = requests.get(f"{base}/api/v1/itineraries", headers=auth, timeout=30).json()
        assert saved.json()["id"] in [i["id"] for i in listing["itineraries"]]   # staff only
        public = requests.get(f"{base}/api/v1/itineraries", timeout=30).json()
        assert public["count"] == 0
    revoke_token(db, [t for t in list_tokens(db) if t["name"] == "both"][0]["id"])
    for base in (a, b):
        assert requests.post(f"{base}/api/v1/itineraries", json=NEW, headers=auth,
                             timeout=30).status_code == 401

    statuses = []
    for attempt in range(7):                              # default: 5 logins a minute per user
        with requests.Session() as http:
            statuses.append(_login(http, (a, b)[attempt % 2], "mallory", "guess").status_code)
    assert statuses == [401] * 5 + [429] * 2, statuses
