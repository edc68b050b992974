"""Honest matching: every match reports its score, the share of the trace matched and the
gaps bridged, and warns when poor; on the real traces of tests/fixtures and ../shared."""
import pytest

import gpx

from .conftest import FIXTURES, shared_path


def _types(itinerary):
    return {w["type"] for w in itinerary.warnings}


def test_eurovelo5_mostly_off_the_basin_network_is_reported_poor(router_for):
    router = router_for("basin")
    ev5 = gpx.read_gpx(shared_path("routes", "eurovelo5-osm-relation-5245117.gpx"))
    m = gpx.match_track(router, ev5, "bike").meta["match"]
    assert m["trace_km"] > 200 and m["matched_km"] < 0.5 * m["trace_km"]
    assert m["matched_share"] < 0.5 and m["poor"]
    assert m["gaps_bridged"] > 0 and m["bridged_km"] > 0
    assert {"poor_match", "gaps_bridged"} <= _types(gpx.match_track(router, ev5, "bike"))


@pytest.mark.parametrize("name", ["komoot.gpx", "gpxstudio.gpx", "ridewithgps.gpx"])
def test_real_app_exports_on_the_basin(router_for, name):
    matched = gpx.match_track(router_for("basin"), gpx.read_gpx((FIXTURES / name).read_bytes()),
                              "bike")
    m = matched.meta["match"]
    assert set(m) >= {"score", "matched_share", "gaps_bridged", "gaps_unbridged", "trace_km"}
    assert m["score"] == 1.0 and m["matched_share"] == 1.0 and not m["poor"]
    assert "poor_match" not in _types(matched)


def test_noisy_garmin_trace_warns(router_for):
    matched = gpx.match_track(router_for("heidelberg"),
                              gpx.read_gpx((FIXTURES / "garmin.gpx").read_bytes()), "hike")
    m = matched.meta["match"]
    assert m["poor"] and m["score"] < 0.6
    warning = next(w for w in matched.warnings if w["type"] == "poor_match")
    assert f"{m['trace_km']} km" in warning["detail"]


def test_own_export_matches_cleanly(router_for):
    router = router_for("heidelberg")
    trip = router.route([(49.4093, 8.6937), (49.41, 8.72), (49.40, 8.68)], "hike")
    matched = gpx.match_track(router, gpx.read_gpx(gpx.itinerary_to_gpx(trip)), "hike")
    m = matched.meta["match"]
    assert m["matched_share"] >= 0.98 and not m["poor"] and m["gaps_unbridged"] == 0
    assert not _types(matched) & {"poor_match", "unmatched_gap"}
