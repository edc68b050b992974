"""Declared request parameters: one spec both checks a request and documents it (OpenAPI).

Every parameter an endpoint reads is a :class:`Param`: its type, bounds and
length are checked the same way whether it comes from a query string (text) or
a JSON body (typed values), and a bad one raises :class:`InvalidParameterError`
naming the field, which the HTTP layer answers as an RFC 9457 problem with
``invalid_params`` and the CLI as a message.

JSON bodies are bounded too: :class:`BoundedJSONProvider` refuses documents
over ``JSON_MAX_BYTES`` or nested deeper than ``JSON_MAX_DEPTH`` (Python's
parser would otherwise die of a ``RecursionError`` at ~1000 levels).
"""
from __future__ import annotations

import dataclasses
import json
import math
import re

from flask import current_app, request
from flask.json.provider import DefaultJSONProvider

from routing import InvalidQueryError, parse_points

from .errors import InvalidParameterError
from .problems import Problem, invalid_params

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")
_INTEGER = re.compile(r"^\s*[+-]?\d{1,18}\s*$")
MAX_POINT_TEXT = 100          # a place id or a "LAT,LON" pair


class JSONBoundsError(ValueError):
    """A JSON document too large or nested too deep to be read."""

    def __init__(self, reason: str, too_large: bool = False):
        super().__init__(reason)
        self.too_large = too_large


@dataclasses.dataclass(frozen=True)
class Param:
    """One request parameter.

    Parameters
    ----------
    name : str
    type : {"string", "integer", "number", "boolean", "points", "list"}
        ``points`` is ``'LAT,LON;place-id;…'`` (or, in JSON, a list of ``[lat, lon]``
        pairs and place ids); ``list`` is comma-separated text (or a JSON list).
    minimum, maximum : float, optional
        Bounds of numbers and integers.
    max_length : int
        Longest text accepted (each item's, for lists).
    max_items : int
        Most items of ``points`` and ``list``.
    enum : tuple, optional
        The accepted values (of each item, for lists).
    """

    name: str
    type: str = "string"
    description: str = ""
    required: bool = False
    default: object = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = 200
    max_items: int = 50
    enum: tuple | None = None
    example: object = None
    location: str = "query"

    def parse(self, raw, prefix: str = ""):
        """The checked value of ``raw`` (text or a JSON value); the default when absent."""
        name = prefix + self.name
        if raw is None or raw == "" or raw == []:
            if self.required:
                raise InvalidParameterError(name, "is required")
            return self.default
        return getattr(self, f"_{self.type}")(raw, name)

    # -- one checker per type ----------------------------------------------------------------
    def _string(self, raw, name):
        if not isinstance(raw, str):
            raise InvalidParameterError(name, "must be a string")
        if len(raw) > self.max_length:
            raise InvalidParameterError(name, f"must be at most {self.max_length} characters")
        if self.enum and raw not in self.enum:
            raise InvalidParameterError(name, f"is unknown ({raw[:40]!r}): must be one of "
                                              f"{', '.join(map(str, self.enum))}")
        return raw

    def _number(self, raw, name, kind="a number"):
        if isinstance(raw, str) and len(raw) <= 40:
            try:
                value = float(raw)
            except ValueError:
                value = math.nan
        elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
            value = float(raw) if abs(raw) < 1e300 else math.inf
        else:
            value = math.nan
        if not math.isfinite(value):
            raise InvalidParameterError(name, f"must be {kind}")
        self._range(value, name)
        return value

    def _integer(self, raw, name):
        if isinstance(raw, str):
            if not _INTEGER.match(raw):
                raise InvalidParameterError(name, "must be an integer")
            value = int(raw)
        elif isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        elif isinstance(raw, float) and raw.is_integer():
            value = int(raw)
        else:
            raise InvalidParameterError(name, "must be an integer")
        self._range(value, name)
        return value

    def _boolean(self, raw, name):
        if isinstance(raw, bool):
            return raw
        text = str(raw).lower() if isinstance(raw, (str, int)) else None
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise InvalidParameterError(name, "must be a boolean (1/0, true/false)")

    def _points(self, raw, name):
        if isinstance(raw, str):
            if len(raw) > self.max_length:
                raise InvalidParameterError(name, f"must be at most {self.max_length} characters")
            try:
                points = parse_points(raw)
            except InvalidQueryError as exc:
                raise InvalidParameterError(name, f"is not a list of points ({exc})") from None
        elif isinstance(raw, list):
            points = [self._point(p, f"{name}[{i}]") for i, p in enumerate(raw)]
        else:
            raise InvalidParameterError(name, "must be 'LAT,LON;…' or a list of points")
        if len(points) > self.max_items:
            raise InvalidParameterError(name, f"must hold at most {self.max_items} points")
        return points

    @staticmethod
    def _point(raw, name):
        if isinstance(raw, str) and 0 < len(raw) <= MAX_POINT_TEXT:
            return raw
        if isinstance(raw, list) and len(raw) == 2 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw):
            lat, lon = float(raw[0]), float(raw[1])
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                return (lat, lon)
        raise InvalidParameterError(name, "must be a place id or a [lat, lon] pair")

    def _object(self, raw, name):
        if not isinstance(raw, dict):
            raise InvalidParameterError(name, "must be an object")
        return raw

    def _list(self, raw, name):
        if isinstance(raw, str):
            longest = self.max_items * (self.max_length + 1)
            if len(raw) > longest:
                raise InvalidParameterError(name, f"must be at most {longest} characters")
            items = [item.strip() for item in raw.split(",") if item.strip()]
        elif isinstance(raw, list):
            items = raw
        else:
            raise InvalidParameterError(name, "must be a comma-separated list")
        if len(items) > self.max_items:
            raise InvalidParameterError(name, f"must hold at most {self.max_items} items")
        return [self._string(item, f"{name}[{i}]") for i, item in enumerate(items)]

    def _range(self, value, name):
        if (self.minimum is not None and value < self.minimum) or \
                (self.maximum is not None and value > self.maximum):
            raise InvalidParameterError(name, f"must be between {self.minimum:g} and "
                                              f"{self.maximum:g}")

    # -- documentation -------------------------------------------------------------------------
    def schema(self) -> dict:
        """The JSON schema of the parameter as sent in a query string."""
        kind = {"points": "string", "list": "string"}.get(self.type, self.type)
        if kind == "object":
            return {"type": "object", "description": self.description}
        schema: dict = {"type": kind}
        if kind == "string":
            schema["maxLength"] = self.max_length if self.type != "list" else \
                self.max_items * (self.max_length + 1)
        if self.enum and self.type == "string":
            schema["enum"] = list(self.enum)
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.default is not None:
            schema["default"] = self.default
        return schema

    def openapi(self) -> dict:
        """The OpenAPI 3 parameter object."""
        doc = {"name": self.name, "in": self.location, "required": self.required,
               "description": self.description, "schema": self.schema()}
        if self.type == "list" and self.enum:
            doc["description"] += f" (of: {', '.join(self.enum)})"
        if self.example is not None:
            doc["example"] = self.example
        return doc


def parse_all(specs, params, prefix: str = "") -> dict:
    """``{name: checked value}`` of every spec, read from ``params`` (args or a dict)."""
    if not hasattr(params, "get"):
        raise InvalidParameterError(prefix.rstrip(".") or "request", "must be an object")
    return {spec.name: spec.parse(params.get(spec.name), prefix) for spec in specs}


def arg(spec: Param):
    """The checked value of one query-string parameter of the current request."""
    return spec.parse(request.args.get(spec.name))


# -- JSON bodies --------------------------------------------------------------------------------
def depth_of(value, limit: int) -> int:
    """Nesting depth of a JSON value, counted iteratively; stops past ``limit``."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing documents over ``JSON_MAX_BYTES`` or ``JSON_MAX_DEPTH``.

    Every ``request.get_json()`` of the app goes through :meth:`loads`, so no
    view can be crashed by a deep document; a refusal is a ``ValueError``
    (Flask answers 400, :func:`json_body` a problem naming the body).
    """

    def loads(self, s, **kwargs):
        config = self._app.config
        max_bytes, max_depth = config["JSON_MAX_BYTES"], config["JSON_MAX_DEPTH"]
        if len(s) > max_bytes:
            raise JSONBoundsError(f"larger than {max_bytes // 1024} kB", too_large=True)
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise JSONBoundsError(f"nested deeper than {max_depth} levels") from None
        if depth_of(value, max_depth) > max_depth:
            raise JSONBoundsError(f"nested deeper than {max_depth} levels")
        return value


def json_body(kind=dict):
    """The request's JSON body, checked: a JSON media type, within size and depth, ``kind``.

    Raises
    ------
    web.problems.Problem
        413 when too large, 415 when not JSON, 400 when unreadable, too deep or not ``kind``.
    """
    limit = current_app.config["JSON_MAX_BYTES"]
    if (request.content_length or 0) > limit:
        raise Problem(413, "Body too large", f"a JSON body is at most {limit // 1024} kB",
                      "body-too-large", **invalid_params("body", f"is larger than {limit // 1024} kB"))
    if not request.is_json:
        raise Problem(415, "JSON expected", "send the body as application/json",
                      "unsupported-media-type", **invalid_params("body", "must be JSON"))
    data = request.get_data(cache=True)
    try:
        value = current_app.json.loads(data)
    except JSONBoundsError as exc:
        status = 413 if exc.too_large else 400
        raise Problem(status, "Body refused", f"the JSON body is {exc}", "invalid-params",
                      **invalid_params("body", f"is {exc}")) from None
    except ValueError as exc:      # JSONDecodeError, UnicodeDecodeError, too many digits
        raise Problem(400, "Unreadable JSON", f"the body is not JSON ({exc})", "invalid-params",
                      **invalid_params("body", "is not JSON")) from None
    if not isinstance(value, kind):
        expected = {dict: "an object", list: "an array"}.get(kind, "a JSON value")
        raise Problem(400, "Bad body", f"the JSON body must be {expected}", "invalid-params",
                      **invalid_params("body", f"must be {expected}"))
    return value
