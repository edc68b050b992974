"""Query strings that are not UTF-8 reach the app percent-encoded, never as a crash.

WSGI servers may hand the query string over as the request's raw bytes decoded as
Latin-1 (PEP 3333); werkzeug decodes those bytes as UTF-8, strictly, the first time
anything reads ``request.args``. A raw byte such as ``\\xff`` in the request line
(percent escapes are fine: werkzeug keeps invalid ones as they are) then raised
``UnicodeDecodeError`` in the language hook of every request, and again in the error
handler that asks the language for its words: the exception left Flask. The servers
this service ships with never pass one — granian and gunicorn refuse such a request
line (400), werkzeug's own server escapes it — but a WSGI server that does would have
answered 500. This middleware writes such bytes as percent escapes first, what werkzeug
does with invalid escaped bytes: parameters then parse, and a value that is wrong is a
400 problem naming its field, as for any other bad value.
"""
from __future__ import annotations


def escaped_query(query: str) -> str:
    """``query`` (a WSGI ``QUERY_STRING``) with every byte that is not ASCII written as a
    ``%XX`` escape when its bytes are not UTF-8; as it is otherwise."""
    if query.isascii():
        return query
    try:
        query.encode("latin-1").decode("utf-8")
        return query
    except UnicodeError:              # not UTF-8 bytes, or not even Latin-1 characters
        return "".join(chr(b) if b < 0x80 else f"%{b:02X}" for b in _bytes_of(query))


def _bytes_of(query: str) -> bytes:
    """The bytes a WSGI string stands for (Latin-1), a character beyond it as UTF-8."""
    try:
        return query.encode("latin-1")
    except UnicodeEncodeError:
        return query.encode("utf-8", "surrogatepass")


class QueryBytes:
    """WSGI middleware: :func:`escaped_query` on each request's ``QUERY_STRING``."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING")
        if query and not query.isascii():
            environ["QUERY_STRING"] = escaped_query(query)
        return self.wsgi_app(environ, start_response)
