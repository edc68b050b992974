"""Fuzzing: schemathesis against our own OpenAPI document, anonymous and with a bearer token.

Every operation of /api/v1/openapi.json gets generated requests (valid by the schema, and
invalid ones: wrong types, out of range, too long), bounded in examples and time. Asserted:
no 5xx, and every response conforms to the document (status code, content type, schema).
"""
from __future__ import annotations

import collections
import time

import pytest

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

from schemathesis import GenerationMode  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.checks import (content_type_conformance, not_a_server_error,  # noqa: E402
                                 response_schema_conformance, status_code_conformance)

from web import create_app  # noqa: E402
from web.security import create_token, create_user  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 6                  # per operation, generation mode and identity
SECONDS = 100                 # the whole run stops generating past this (CI: ~2 min)


@pytest.fixture(scope="module")
def fuzz_app(router_for, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'fuzz.db'}", "INSTANCE_DIR": str(tmp),
                      "TESTING": True, "BUDGET_SECONDS": None, "BUDGET_WORK": 400,
                      "RATELIMIT_ENABLED": False},
                     router=router_for("basin"))
    create_user(app.extensions["bassin_db"], "staff", "correct horse battery")
    return app


def _runner(operation, mode, headers: dict, counts, failures: list, deadline: float):
    """A bounded hypothesis test of one operation in one mode, as one identity.

    ``mode`` None: the document's own examples (the requests that plan real itineraries).
    """
    if mode is None:
        strategies = operation.get_strategies_from_examples()
        strategy = hypothesis.strategies.one_of(strategies) if strategies else None
    else:
        strategy = operation.as_strategy(generation_mode=mode)
    if strategy is None:
        return lambda: None

    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         phases=[hypothesis.Phase.generate],
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(case=strategy)
    def run(case):
        if time.monotonic() > deadline:
            return
        # identity: the WSGI transport hands the body over as sent, and does not inflate gzip
        response = case.call(headers={"Accept-Encoding": "identity", **headers})
        counts["requests"] += 1
        counts[f"{response.status_code // 100}xx"] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as exc:      # the checks that failed: count them, keep going
            failures.append(f"{operation.label} {mode or 'examples'} -> {response.status_code}: "
                            f"{str(exc)[:300]}")

    return run


def fuzz(app, identities: dict, deadline: float) -> dict:
    """Every operation, each generation mode, each identity in turn, until ``deadline``.

    Returns, per identity, counts: requests, by status class, failures (and their text).
    """
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    report = {who: collections.Counter() for who in identities}
    failures: dict = {who: [] for who in identities}
    operations = [result.ok() for result in schema.get_all_operations()]
    # Mode by mode over all operations: past the deadline, what is left out is the last
    # mode's tail, not whole operations.
    for mode in (None, GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for operation in operations:
            for who, headers in identities.items():
                if time.monotonic() > deadline:
                    report[who]["skipped"] += 1
                    continue
                run = _runner(operation, mode, headers, report[who], failures[who], deadline)
                try:
                    run()
                except hypothesis.errors.Unsatisfiable:   # e.g. nothing to make invalid
                    report[who]["unsatisfiable"] += 1
    for who in identities:
        report[who]["operations"] = len(operations)
    for who, counts in report.items():
        counts["failures"] = len(failures[who])
    return report, failures


@pytest.mark.slow
def test_fuzz_anonymous_and_with_a_token(fuzz_app, capsys):
    token = create_token(fuzz_app.extensions["bassin_db"], "staff", "fuzz")
    identities = {"anonymous": {}, "token": {"Authorization": f"Bearer {token}"}}
    report, failures = fuzz(fuzz_app, identities, time.monotonic() + SECONDS)
    with capsys.disabled():
        for who, counts in report.items():
            print(f"\nfuzz {who}: {counts['requests']} requests, 2xx {counts['2xx']}, "
                  f"4xx {counts['4xx']}, 5xx {counts['5xx']}, failures {counts['failures']}, "
                  f"over {counts['operations']} operations; (operation, mode) runs "
                  f"skipped for time {counts['skipped']}")
    for who, counts in report.items():
        assert counts["requests"] > 100, (who, counts)
        assert counts["5xx"] == 0 and not failures[who], failures[who][:10]
