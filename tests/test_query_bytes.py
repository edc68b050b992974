"""A query string whose bytes are not UTF-8 is answered like any bad value: a 4xx
problem document naming the field (or the plain answer), never an exception."""
from __future__ import annotations

import io
import json
import sys

import pytest

from web.query_bytes import escaped_query


def _environ(path: str, query: str) -> dict:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
            "wsgi.multiprocess": False, "wsgi.run_once": False, "wsgi.version": (1, 0)}


def test_escaped_query():
    assert escaped_query("points=1,2&q=abc") == "points=1,2&q=abc"
    assert escaped_query("q=caf\xc3\xa9") == "q=caf\xc3\xa9"           # UTF-8 bytes: kept
    assert escaped_query("q=\xff\xfe&lang=en") == "q=%FF%FE&lang=en"
    assert escaped_query("q=\xe9t\xe9") == "q=%E9t%E9"                 # Latin-1 text
    assert escaped_query("q=\u20ac\xff") == "q=%E2%82%AC%C3%BF"        # not Latin-1 either


@pytest.mark.parametrize("path, query, field", [
    ("/api/v1/route", "profile=hike&points=49.40,8.70;49.41,8.71&lang=\xff", "lang"),
    ("/api/v1/route", "profile=\xffhike&points=49.40,8.70;49.41,8.71", "profile"),
    ("/api/v1/route", "profile=hike&points=49.4\xff,8.7;49.41,8.71", "49.4%FF,8.7"),
    ("/api/v1/places", "q=\xff&limit=\xfe", "limit"),
])
def test_raw_bytes_are_a_problem_naming_the_field(web_app, path, query, field):
    """A 400 problem naming the field (or the value: a point that is no number is read
    as a place id)."""
    statuses = []
    body = b"".join(web_app(_environ(path, query), lambda s, h, e=None: statuses.append(s)))
    assert statuses[0].startswith("400"), (statuses, body[:300])
    problem = json.loads(body)
    assert field in json.dumps(problem), problem


@pytest.mark.parametrize("path", ["/", "/health", "/api/v1/places", "/itineraires"])
def test_raw_bytes_elsewhere_are_answered(web_app, path):
    statuses = []
    b"".join(web_app(_environ(path, "q=\xff\xfe"), lambda s, h, e=None: statuses.append(s)))
    assert int(statuses[0][:3]) < 500, statuses
