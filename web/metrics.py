"""Prometheus metrics, served at ``/metrics`` in the text exposition format.

Requests and their latency per endpoint (the URL rule, so cardinality stays bounded),
time spent in the planner per itinerary kind and profile, conditional GETs answered
304 (HTTP cache hits), and the routing service's cache of custom-weight networks.

Each app has its own registry (tests build many apps in one process). Under gunicorn
with several workers, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder: every
worker then writes its counts there and ``/metrics`` sums them all.
"""
from __future__ import annotations

import os
import time

from flask import Flask, Response, current_app, g, has_app_context, request
from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram,
                               generate_latest, multiprocess)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

EXTENSION_KEY = "bassin_metrics"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class ServiceMetrics:
    """The metrics of one app, in their own registry."""

    def __init__(self, registry: CollectorRegistry, routing_stats):
        self.registry, self.routing_stats = registry, routing_stats
        registry.register(RoutingCacheCollector(routing_stats))
        self.requests = Counter("bassin_http_requests", "HTTP requests answered",
                                ["endpoint", "method", "status"], registry=registry)
        self.latency = Histogram("bassin_http_request_duration_seconds",
                                 "Time to answer an HTTP request", ["endpoint"],
                                 buckets=LATENCY_BUCKETS, registry=registry)
        self.planner = Histogram("bassin_planner_duration_seconds",
                                 "Time spent planning an itinerary", ["kind", "profile"],
                                 buckets=LATENCY_BUCKETS, registry=registry)
        self.http_cache = Counter("bassin_http_cache_requests",
                                  "Conditional GETs: hit when answered 304 Not Modified",
                                  ["result"], registry=registry)
        self._answered: dict = {}
        self._planned: dict = {}

    def answered(self, endpoint: str, method: str, status: int):
        """The request counter and latency histogram of one endpoint, method and status
        (label lookups made once: the label sets are few and bounded)."""
        key = (endpoint, method, status)
        children = self._answered.get(key)
        if children is None:
            children = self._answered[key] = (
                self.requests.labels(endpoint, method, str(status)),
                self.latency.labels(endpoint))
        return children

    def planned(self, kind: str, profile: str):
        """The planner histogram of one itinerary kind and profile (looked up once: kinds
        and profiles are few)."""
        child = self._planned.get((kind, profile))
        if child is None:
            child = self._planned[(kind, profile)] = self.planner.labels(kind, profile)
        return child


class RoutingCacheCollector:
    """Reads the routing service's network cache counts when scraped."""

    def __init__(self, stats):
        self._stats = stats

    def collect(self):
        stats = self._stats()
        if stats is None:
            return
        lookups = CounterMetricFamily(
            "bassin_network_cache_lookups",
            "Lookups of networks with custom weights (this process): hit or built",
            labels=["result", "pid"])
        pid = str(os.getpid())
        lookups.add_metric(["hit", pid], stats["hits"])
        lookups.add_metric(["miss", pid], stats["misses"])
        yield lookups
        size = GaugeMetricFamily("bassin_network_cache_size",
                                 "Custom-weight networks kept (this process)", labels=["pid"])
        size.add_metric([pid], stats["size"])
        yield size


class planner_timer:
    """Time a planning call into the current app's metrics (a no-op outside an app).

    A class, not a ``contextlib.contextmanager``: every route enters one, and a
    generator's context costs three times as much."""

    __slots__ = ("kind", "profile", "metrics", "started")

    def __init__(self, kind: str, profile: str):
        self.kind, self.profile = kind, profile
        self.metrics = current_app.extensions.get(EXTENSION_KEY) if has_app_context() else None

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        if self.metrics is not None:
            self.metrics.planned(self.kind, self.profile).observe(
                time.perf_counter() - self.started)


def _endpoint() -> str:
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def _start() -> None:
    g.metrics_started = time.perf_counter()


def _count(response):
    metrics = current_app.extensions[EXTENSION_KEY]
    requests, latency = metrics.answered(_endpoint(), request.method, response.status_code)
    requests.inc()
    started = g.get("metrics_started")
    if started is not None:
        latency.observe(time.perf_counter() - started)
    if request.method == "GET" and request.environ.get("HTTP_IF_NONE_MATCH"):    # the header
        metrics.http_cache.labels("hit" if response.status_code == 304 else "miss").inc()
    return response


def _scrape():
    metrics = current_app.extensions[EXTENSION_KEY]
    registry = metrics.registry
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(RoutingCacheCollector(metrics.routing_stats))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask, routing_stats) -> None:
    """Count ``app``'s requests and serve ``/metrics``.

    ``routing_stats`` returns the routing service's :meth:`cache_stats` (or None).
    """
    app.extensions[EXTENSION_KEY] = ServiceMetrics(CollectorRegistry(), routing_stats)
    app.before_request(_start)
    app.after_request(_count)
    app.add_url_rule("/metrics", "metrics", _scrape)
