"""Logs as JSON lines, each carrying the id of the request it belongs to.

A request keeps the ``X-Request-Id`` its client (or the reverse proxy) sent when it
is a plausible id, else gets a new one; the response echoes it, every log record
made while serving it carries it, and one access line per request gives method,
path, status and duration. ``BASSIN_LOG_FORMAT=text`` keeps plain text logs.
"""
from __future__ import annotations

import json
import logging
import math
import os
import re
import time
from functools import lru_cache

import orjson

from flask import Flask, g, has_app_context, request

#: ids we take from a client: short, printable, no spaces or quotes (log injection)
REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
access_log = logging.getLogger("web.access")
#: attributes every LogRecord has; the others were passed as ``extra``
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
#: ``json.dumps(entry, ensure_ascii=False, default=str)``, without a new encoder per line
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": utc_milliseconds(record.created),
                 "level": record.levelname, "logger": record.name,
                 "message": record.getMessage(),
                 "request_id": getattr(record, "request_id", None)}
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        try:        # orjson: a tenth of the encoder's time on an access line
            return orjson.dumps(entry, default=str, option=_ORJSON_AS_JSON).decode()
        except (orjson.JSONEncodeError, TypeError):
            return _ENCODER.encode(entry)     # what orjson refuses (lone surrogates, big ints)


#: orjson options that leave datetimes and dataclasses to ``default=str``, as ``json``
#: does; numpy numbers are numbers (``json`` wrote a numpy int as a string).
_ORJSON_AS_JSON = (orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
                   | orjson.OPT_SERIALIZE_NUMPY)


def utc_milliseconds(created: float) -> str:
    """``datetime.fromtimestamp(created, timezone.utc).isoformat(timespec="milliseconds")``
    for a timestamp from year 1000 on, the same text made with a second's text cached:
    the datetime costs a sixth of an access line."""
    fraction, whole = math.modf(created)
    micro = round(fraction * 1e6)              # as datetime rounds: half to even, carried
    if micro >= 1_000_000:
        whole, micro = whole + 1, micro - 1_000_000
    elif micro < 0:
        whole, micro = whole - 1, micro + 1_000_000
    return f"{_utc_second(int(whole))}.{micro // 1000:03d}+00:00"


@lru_cache(maxsize=8)
def _utc_second(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


class RequestIdFilter(logging.Filter):
    """Stamp records with the current request's id (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # an app context: a request's, or the one web.fast_route pushes for its requests
        record.request_id = g.get("request_id") if has_app_context() else None
        return True


def install(fmt: str = "json", level: int = logging.INFO) -> None:
    """Send the service's logs to stderr in ``fmt`` (once per process)."""
    root = logging.getLogger()
    if any(getattr(h, "bassin", False) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.bassin = True
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root.addHandler(handler)
    logging.getLogger("web").setLevel(level)


def lean_records() -> None:
    """Log records of this process no longer look up the thread, process and source line
    that made them (the logging HOWTO's "Optimization"): no line of :func:`install`'s
    says them, and looking them up is a fifth of a served route's access line
    (benchmarks/README.md, issue 11). For serving processes (``wsgi.py``): a test's or
    a tool's own log formats may show them."""
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging._srcfile = None


def request_id(environ: dict) -> str:
    """The id of the request of a WSGI ``environ``: the ``X-Request-Id`` it was sent with
    when that is a plausible id, else a new one."""
    sent = environ.get("HTTP_X_REQUEST_ID", "")        # request.headers["X-Request-Id"]
    # 128 random bits in hex, as uuid4().hex without its UUID object (a third of the time)
    return sent if REQUEST_ID.fullmatch(sent) else os.urandom(16).hex()


def log_access(method: str, path: str, status: int, started: float | None,
               remote: str | None) -> None:
    """The access line of one answered request (``started``: its ``perf_counter``)."""
    if not access_log.isEnabledFor(logging.INFO):
        return                              # nothing to write: no fields to gather
    fields = {"method": method, "path": path, "status": status,
              "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started
              else None, "remote": remote}
    handler = _json_handler_alone()
    if handler is None or not _write_line(handler, f"{method} {path} {status}", fields):
        access_log.info("%s %s %s", method, path, status, extra=fields)


def _json_handler_alone():
    """:func:`install`'s JSON handler when it is the only place an access line goes (no
    other handler or filter on the way up from ``web.access``), else None."""
    handler, logger = None, access_log
    while logger is not None:
        if logger.filters or (logger.handlers and logger is not logging.root):
            return None
        if logger is logging.root:
            handlers = logger.handlers
            if len(handlers) == 1 and getattr(handlers[0], "bassin", False) \
                    and type(handlers[0].formatter) is JsonFormatter \
                    and handlers[0].level <= logging.INFO:
                handler = handlers[0]
        if not logger.propagate:
            break
        logger = logger.parent
    return handler


def _write_line(handler, message: str, fields: dict) -> bool:
    """Write the JSON line :class:`JsonFormatter` makes of an INFO record of
    ``web.access`` (``message``, the request's id, ``fields``) to ``handler``'s stream, as
    its ``emit`` does; False (nothing written) when the line is not one orjson writes.

    Why not the logging call: a record, the loggers' walk, the filter and the
    formatter's look at every attribute of the record cost an access line 12 µs in a
    loop and ≈ 45 µs served, where the line itself is 3 (issue 11)."""
    request_id = g.get("request_id") if has_app_context() else None   # as RequestIdFilter
    entry = {"time": utc_milliseconds(time.time()), "level": "INFO", "logger": access_log.name,
             "message": message, "request_id": request_id, **fields}
    try:
        line = orjson.dumps(entry, default=str, option=_ORJSON_AS_JSON).decode()
    except (orjson.JSONEncodeError, TypeError):
        return False
    with handler.lock:
        try:
            handler.stream.write(line + handler.terminator)
            handler.flush()
        except Exception:                  # as logging.Handler.emit: never the request's
            handler.handleError(logging.makeLogRecord({"msg": line}))
    return True


def _start() -> None:
    g.request_id = request_id(request.environ)
    g.log_started = time.perf_counter()


def _finish(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    if access_log.isEnabledFor(logging.INFO):
        log_access(request.method, request.path, response.status_code, g.get("log_started"),
                   request.remote_addr)
    return response


def init_app(app: Flask) -> None:
    """Request ids and access lines for ``app``; JSON logs unless ``LOG_FORMAT`` says text."""
    if app.config.get("LOG_FORMAT", "json") != "none":
        install(app.config.get("LOG_FORMAT", "json"))
    app.before_request(_start)
    app.after_request(_finish)
