"""Errors as RFC 9457 problem details (``application/problem+json``), never a 500 page."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from flask_babel import gettext, lazy_gettext
from werkzeug.exceptions import HTTPException

from graphs.errors import BassinRoutesError, GraphLoadError
from gpx.errors import GPXInputError
from routing.budget import BudgetExceededError
from routing.errors import (ImpossibleLoopError, ImpossibleStagesError, InvalidQueryError,
                            NoRouteLeftError, PointOffNetworkError, TimeWindowError,
                            TooManyStopsError, UnknownProfileError, UnreachableError)

from .db import UNAVAILABLE
from .i18n import current_language

log = logging.getLogger(__name__)

#: Library error -> (HTTP status, problem type slug, title). The ``type`` slugs are stable
#: codes; titles (and the fixed details below) are words, in the request's language.
STATUS = (
    (UnknownProfileError, 400, "unknown-profile", lazy_gettext("Unknown profile")),
    (InvalidQueryError, 400, "invalid-query", lazy_gettext("Invalid query")),
    (TooManyStopsError, 400, "too-many-stops", lazy_gettext("Too many stops")),
    (PointOffNetworkError, 422, "point-off-network", lazy_gettext("Point off the network")),
    (NoRouteLeftError, 422, "no-route-left",
     lazy_gettext("No route left by the avoided areas and options")),
    (UnreachableError, 422, "unreachable", lazy_gettext("No path")),
    (ImpossibleLoopError, 422, "impossible-loop", lazy_gettext("No loop found")),
    (ImpossibleStagesError, 422, "impossible-stages",
     lazy_gettext("No stage split meets the limits")),
    (TimeWindowError, 422, "infeasible-time-windows", lazy_gettext("Time windows cannot be met")),
    (GPXInputError, 400, "bad-gpx", lazy_gettext("Unreadable GPX")),
    (GraphLoadError, 503, "no-graph", lazy_gettext("No routing graph loaded")),
)
#: Titles views give :class:`Problem` in English: translated when the problem is answered.
TITLES = (lazy_gettext("Bad parameter"), lazy_gettext("Not found"),
          lazy_gettext("Unknown format"), lazy_gettext("Precondition failed"),
          lazy_gettext("JSON expected"), lazy_gettext("Unreadable JSON"),
          lazy_gettext("Too many requests"), lazy_gettext("Precondition required"),
          lazy_gettext("Not a Geotrek document"), lazy_gettext("Geotrek treks refused"),
          lazy_gettext("CSRF check failed"), lazy_gettext("Body too large"),
          lazy_gettext("Bad point"), lazy_gettext("Bad body"),
          lazy_gettext("Authentication required"), lazy_gettext("Bad request"),
          lazy_gettext("Method not allowed"), lazy_gettext("Unsupported media type"),
          lazy_gettext("Request entity too large"), lazy_gettext("Unauthorized"),
          lazy_gettext("Forbidden"), lazy_gettext("Conflict"))


class Problem(Exception):
    """Raise in a view to answer with a problem document."""

    def __init__(self, status: int, title: str, detail: str = "", kind: str = "about:blank",
                 **extra):
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.kind, self.extra = status, title, detail, kind, extra


def invalid_params(name: str, reason: str) -> dict:
    """The ``invalid_params`` member (RFC 9457, section 3) naming one bad field."""
    return {"field": name, "invalid_params": [{"name": name, "reason": reason}]}


def problem_response(status: int, title: str, detail: str = "", kind: str = "about:blank",
                     **extra):
    body = {"type": kind if kind == "about:blank" else f"/api/v1/problems/{kind}",
            "title": gettext(str(title)), "status": status, "detail": str(detail),
            "instance": request.path}
    # an absent member, not a null one: the schema types each member (``field`` is a string)
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    response.headers["Content-Language"] = current_language()
    return response


def _html_error(exc: HTTPException):
    """Pages get a page, not JSON, for their 404s."""
    from flask import render_template

    return render_template("error.html", code=exc.code, title=http_title(exc)), exc.code


def http_title(exc: HTTPException) -> str:
    """The status's title in the request's language (« Not Found » -> « Introuvable »)."""
    return gettext(exc.name.capitalize()) if exc.name else ""


def register(app: Flask) -> None:
    from .params import InvalidParameterError      # params builds on this module

    @app.errorhandler(InvalidParameterError)
    def _parameter(exc: InvalidParameterError):
        return problem_response(400, gettext("Invalid parameter"), str(exc), "invalid-params",
                                **invalid_params(exc.name, exc.reason))

    @app.errorhandler(BudgetExceededError)
    def _budget(exc: BudgetExceededError):
        if exc.kind == "work":         # the query itself is too big
            return problem_response(422, gettext("Too much work"), str(exc), "budget-exceeded")
        response = problem_response(503, gettext("Busy"), str(exc), "budget-exceeded")
        response.headers["Retry-After"] = str(app.config.get("BUDGET_RETRY_AFTER_S", 30))
        return response

    @app.errorhandler(Problem)
    def _problem(exc: Problem):
        return problem_response(exc.status, exc.title, exc.detail, exc.kind, **exc.extra)

    @app.errorhandler(BassinRoutesError)
    def _library(exc: BassinRoutesError):
        for cls, status, kind, title in STATUS:
            if isinstance(exc, cls):
                # typed errors may name the field and the items at fault
                return problem_response(status, title, str(exc), kind,
                                        **getattr(exc, "problem", {}))
        return problem_response(400, gettext("Bad request"), str(exc), "bad-request")

    def _database(exc: Exception):
        # Down, unreachable or too slow: the transaction was rolled back, nothing is kept.
        log.warning("database unavailable on %s: %s", request.path, exc.__class__.__name__)
        response = problem_response(503, "Database unavailable",
                                    gettext("the database does not answer: nothing was saved; "
                                            "retry later"), "database-unavailable")
        response.headers["Retry-After"] = "30"
        return response

    for cls in UNAVAILABLE:
        app.register_error_handler(cls, _database)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if not request.path.startswith("/api/") and request.accept_mimetypes.accept_html \
                and exc.code and exc.code < 500:
            return _html_error(exc)
        detail = exc.description or ""
        if exc.code == 413:
            limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
            detail = gettext("the upload is larger than %(limit)d MB", limit=limit)
        return problem_response(exc.code or 500, http_title(exc), detail)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # A bug, not bad input: log it fully, tell the client little.
        log.exception("unexpected error on %s", request.path)
        return problem_response(500, gettext("Internal error"),
                                gettext("an unexpected error happened; it is logged"))
