"""Flask-Limiter's own request hooks run only while it holds a declared limit: none is
declared today (limits are counted by ``web.limits.throttle``), and one declared with
``@limiter.limit`` is still checked, with its headers."""
from __future__ import annotations

from web import create_app
from web.limits import declares_limits, limiter


def _app(tmp_path):
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
                       "INSTANCE_DIR": str(tmp_path / "instance"),
                       "GRAPH_DIR": str(tmp_path / "no-graph")})


def test_no_limit_is_declared_and_no_rate_limit_header_is_sent(tmp_path):
    assert not declares_limits()
    response = _app(tmp_path).test_client().get("/health")
    assert not any(name.startswith("X-RateLimit") for name in response.headers.keys())


def test_a_declared_limit_is_checked(tmp_path, monkeypatch):
    monkeypatch.setattr(limiter.limit_manager, "_decorated_limits", {})   # restored after
    app = _app(tmp_path)

    @limiter.limit("2/minute")
    def limited_for_test():
        return "ok"

    app.add_url_rule("/limited-for-test", "limited_for_test", limited_for_test)
    client = app.test_client()
    answers = [client.get("/limited-for-test") for _ in range(3)]
    assert declares_limits()
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "2"
    assert answers[1].headers["X-RateLimit-Remaining"] == "0"


def test_a_default_limit_is_checked(tmp_path, monkeypatch):
    """Default limits apply through Flask-Limiter's request hook alone."""
    monkeypatch.setattr(limiter.limit_manager, "_default_limits", [])      # restored after
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
                      "INSTANCE_DIR": str(tmp_path / "instance"),
                      "GRAPH_DIR": str(tmp_path / "no-graph"), "RATELIMIT_DEFAULT": "2/minute"})
    client = app.test_client()
    answers = [client.get("/health") for _ in range(3)]      # 503: this app has no graph
    assert declares_limits()
    assert [a.status_code for a in answers] == [503, 503, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "2"
