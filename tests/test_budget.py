"""Work per request is bounded: loops and map matching stop at their budget with a typed
error, answered 422 (too much work) or 503 with Retry-After (deadline), never a stuck worker."""
import pytest

import gpx
from routing.budget import Budget, BudgetExceededError

LOOP = "/api/v1/loop?profile=hike&start=site:base-11-19&km=20&format=json&seed=1"


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_budget_counts_work_and_time():
    clock = FakeClock()
    budget = Budget(seconds=5, work=3, clock=clock)
    budget.spend(2)
    budget.spend()
    with pytest.raises(BudgetExceededError, match="more than 3 searches") as info:
        budget.spend()
    assert info.value.kind == "work" and budget.used == 4
    late = Budget(seconds=5, clock=clock)
    late.spend(1000)
    clock.now += 5.01
    with pytest.raises(BudgetExceededError, match="within 5 s") as info:
        late.spend()
    assert info.value.kind == "time"
    Budget().spend(10 ** 9)                  # unbounded: the CLI's default


def test_loop_stops_at_its_budget_and_counts_its_searches(router_for):
    router = router_for("basin")
    budget = Budget(work=10_000)
    loops = router.loop("site:base-11-19", 20, "hike", seed=1, budget=budget)
    assert loops and 0 < budget.used < 10_000
    with pytest.raises(BudgetExceededError) as info:
        router.loop("site:base-11-19", 20, "hike", seed=1, budget=Budget(work=budget.used - 1))
    assert info.value.kind == "work"
    # the same work under the same budget succeeds again: the count is exact, not a guess
    assert router.loop("site:base-11-19", 20, "hike", seed=1, budget=Budget(work=budget.used))


def test_map_matching_stops_at_its_budget(router_for):
    router = router_for("basin")
    trip = router.route(["site:base-11-19", "site:louvre-lens"], "hike")
    data = gpx.read_gpx(gpx.itinerary_to_gpx(trip))
    budget = Budget(work=100_000)
    gpx.match_track(router, data, "hike", budget=budget)
    assert budget.used > 10
    with pytest.raises(BudgetExceededError):
        gpx.match_track(router, data, "hike", budget=Budget(work=10))


def test_http_work_budget_is_422(web_app):
    web_app.config["BUDGET_WORK"] = 5
    client = web_app.test_client()
    response = client.get(LOOP)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.get_json()["type"].endswith("/budget-exceeded")
    trip = client.get("/api/v1/route?profile=bike&points=site:base-11-19;site:louvre-lens"
                      "&format=gpx").data
    matched = client.post("/api/v1/gpx/match?profile=bike", data=trip,
                          content_type="application/gpx+xml")
    assert matched.status_code == 422, matched.get_data(as_text=True)


def test_http_deadline_is_503_with_retry_after(web_app):
    web_app.config.update(BUDGET_SECONDS=0.0, BUDGET_RETRY_AFTER_S=7)
    response = web_app.test_client().get(LOOP)
    assert response.status_code == 503 and response.headers["Retry-After"] == "7"
    assert "within 0 s" in response.get_json()["detail"]


def test_default_budget_leaves_real_requests_alone(web_app):
    assert web_app.test_client().get(LOOP).status_code == 200
