"""French by default, English available (``?lang=en``, remembered in the session).

Words live in gettext catalogs (Flask-Babel): the source strings are English, the French
catalog is ``web/translations/fr/LC_MESSAGES/messages.po``. Templates call ``_('…')``,
web code ``flask_babel.gettext`` (``lazy_gettext`` at import time). Output made for a
language other than the request's, or outside any request (CLI, tests), is made inside
:func:`language`. No ``.mo`` file is
kept in the repository: :func:`init_babel` compiles the catalogs once per content into a
cache folder, so a ``.po`` edit is live on the next start and never out of step.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from contextlib import contextmanager
from functools import lru_cache

from flask import Flask, current_app, g, has_app_context, has_request_context, request, session

from .languages import LANGUAGES  # noqa: E402  (re-exported)
#: Keywords that mark messages for extraction (``pybabel extract -k …`` and the tests).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
            "lazy_ngettext": (1, 2), "_l": None, "pgettext": ((1, "c"), 2),
            "lazy_pgettext": ((1, "c"), 2)}

TRANSLATIONS = Path(__file__).with_name("translations")


def compiled_translations(source: Path = TRANSLATIONS) -> Path:
    """A folder of ``.mo`` files compiled from the ``.po`` catalogs under ``source``.

    The folder is named after a hash of the catalogs, so each content is compiled once
    (by the first process to start) and workers of one release share it.
    """
    catalogs = sorted(source.glob("*/LC_MESSAGES/*.po"))
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in catalogs)).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"bassin-translations-{digest}"
    if (target / "done").exists():
        return target
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in catalogs:
        mo = target / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parts[-3])
        partial = mo.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as f:
            write_mo(f, catalog)
        partial.replace(mo)                  # atomic: a concurrent reader sees old or new
    (target / "done").touch()
    return target


def init_babel(app: Flask) -> None:
    """Flask-Babel on ``app``: the request's language (``g.lang``), ``_`` in templates."""
    from flask_babel import Babel

    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config.get("DEFAULT_LANGUAGE", "fr"))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled_translations())
    Babel(app, locale_selector=_locale)
    app.after_request(_content_language)


def _content_language(response):
    """Say which language the words are in; caches keep one copy per language asked."""
    headers = response.headers
    if "lang" in g and "Content-Language" not in headers:
        headers["Content-Language"] = current_language()
    if "Vary" in headers:
        response.vary.add("Accept-Language")
    else:                   # what the line above writes, without parsing a header set
        headers["Vary"] = "Accept-Language"
    return response


def _locale():
    """The request's language; the default outside requests (CLI commands, start-up).

    As a ``babel.Locale`` (made once per language): Flask-Babel parses a text into one
    on each request (≈ 25 Python calls), and takes a Locale as it is.
    """
    if g.get("lang"):
        return _parsed_locale(g.lang)
    if has_request_context():
        return _parsed_locale(select_language())
    return _parsed_locale(current_app.config.get("DEFAULT_LANGUAGE", LANGUAGES[0]))


@lru_cache(maxsize=16)
def _parsed_locale(tag: str):
    from babel import Locale

    return Locale.parse(tag)


def select_language() -> str:
    """``?lang=`` (remembered), then the session, then Accept-Language, then the default."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return accepted_language(request.accept_languages)


def accepted_language(accept_languages) -> str:
    """The language of a request's parsed ``Accept-Language`` (a request's
    ``accept_languages``), else the app's default."""
    best = accept_languages.best_match(LANGUAGES)
    return best or current_app.config.get("DEFAULT_LANGUAGE", "fr")


#: ``Accept-Language`` texts longer than this are parsed each time, not remembered.
_MAX_REMEMBERED_HEADER = 256


def header_language(header: str | None) -> str:
    """:func:`accepted_language` of a raw ``Accept-Language`` header (None: absent).

    Clients send a handful of distinct texts: each is parsed once (werkzeug's parser
    and ``best_match`` are ≈ 20 Python calls, a tenth of a served route's words).
    """
    text = header or ""
    best = (_best_language(text) if len(text) <= _MAX_REMEMBERED_HEADER
            else _best_language.__wrapped__(text))
    return best or current_app.config.get("DEFAULT_LANGUAGE", "fr")


@lru_cache(maxsize=512)
def _best_language(header: str) -> str | None:
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    return parse_accept_header(header, LanguageAccept).best_match(LANGUAGES)


def current_language() -> str:
    """The language words are being made in: the forced one, else the request's."""
    if has_app_context() and "babel" in current_app.extensions:
        from flask_babel import get_locale

        locale = get_locale()
        if locale is not None and locale.language in LANGUAGES:
            return locale.language
    return LANGUAGES[0]


@contextmanager
def language(lang: str | None = None):
    """Make words in ``lang`` inside this block, anywhere (None: keep the current one).

    Inside an app with Babel it forces the locale; outside (the CLI, a library
    call) it opens the context of a words-only app, so :func:`flask_babel.gettext`
    always has catalogs to read. An unknown ``lang`` means the default language.
    """
    from flask_babel import force_locale

    if lang is not None and lang not in LANGUAGES:
        lang = LANGUAGES[0]
    if has_app_context() and "babel" in current_app.extensions:
        if lang is None or lang == current_language():
            yield                   # already so: forcing would drop Babel's cached catalog
            return
        with force_locale(lang):
            yield
        return
    with _words_app().app_context(), force_locale(lang or LANGUAGES[0]):
        yield


@lru_cache(maxsize=1)
def _words_app() -> Flask:
    """A Flask app holding only the catalogs (built once, never changed after)."""
    app = Flask("bassin-words")
    app.config["DEFAULT_LANGUAGE"] = LANGUAGES[0]
    init_babel(app)
    return app


#: Words of module-level lazy strings per locale, ``(locale, id) -> (lazy, text)``, and
#: formatted numbers: catalogs are compiled once per process, so neither ever changes.
_CONSTANT_WORDS: dict = {}
#: Where an app keeps its :class:`Words`, one per language (``app.extensions``).
WORDS_KEY = "bassin_words"
_DECIMALS: dict = {}
_MAX_DECIMALS = 8192
#: Messages a Words remembers at most (the code's message ids are a few hundred).
_MAX_TEXTS = 4096


@lru_cache(maxsize=64)
def _plain_decimal_sign(locale) -> str | None:
    """The decimal sign of ``locale`` when its decimal format is ``#,##0.###`` (French
    and English: :func:`plain_decimal` then writes what Babel writes), else None."""
    from babel import numbers

    if locale is None or _decimal_pattern(None, locale).pattern != "#,##0.###":
        return None
    return numbers.get_decimal_symbol(locale)


def plain_decimal(number, sign: str) -> str | None:
    """Babel's ``#,##0.###`` of ``number`` where that is its shortest text (``repr``) with
    ``sign`` for the point and no trailing zeros: ints and floats from 0 up to 1000 (no
    group sign) with at most 3 decimals, what routes' kilometres are. None otherwise
    (Babel rounds, groups, signs). Babel's pattern makes a Decimal of the text and
    quantizes it (≈ 20 µs); a route's warnings write a dozen such numbers.
    """
    kind = type(number)
    if kind is int:
        return str(number) if 0 <= number < 1000 else None
    if kind is not float or not 0.0 <= number < 1000.0:
        return None
    text = repr(number)                # shortest round-trip text: what Babel starts from
    whole, _, fraction = text.partition(".")
    # rounded by Babel; or "-0", or an exponent (1e-05: no point, or a longer fraction)
    if len(fraction) > 3 or not whole.isdigit():
        return None
    fraction = fraction.rstrip("0")
    return f"{whole}{sign}{fraction}" if fraction else whole


@lru_cache(maxsize=64)
def _decimal_pattern(format: str | None, locale):
    from babel import numbers

    return numbers.parse_pattern(locale.decimal_formats[None] if format is None else format)


def current_words() -> "Words":
    """:class:`Words` of the current language, made once per language and app: making
    one looks the locale and its catalog up through Flask-Babel (≈ 100 Python calls,
    half the words of a served route), and an app's catalogs never change once
    compiled (:func:`init_babel`). Outside any app, a new one.
    """
    from flask_babel import get_locale

    if not has_app_context():
        return Words()
    tag = str(get_locale())
    made = current_app.extensions.setdefault(WORDS_KEY, {})
    words = made.get(tag)
    if words is None:                   # two threads may both make one: equal, either kept
        words = made[tag] = Words()
    return words


def words_of(lang: str) -> "Words":
    """:func:`current_words` of ``lang`` (one of :data:`LANGUAGES`) inside an app, without
    asking Flask-Babel the current locale (≈ 40 Python calls): for a request whose
    language is known, and is ``lang``."""
    words = current_app.extensions.get(WORDS_KEY, {}).get(lang)
    if words is None:
        with language(lang):
            words = current_words()
    return words


class Words:
    """The current language's catalog and number format, looked up once.

    Flask-Babel finds the locale and the catalog again on every ``gettext``, and
    Babel parses the number pattern on every ``format_decimal`` (≈ 20 µs each, where a
    route's GeoJSON makes dozens of words). Build one inside :func:`language` (or a
    request) and make that language's words with it: the same texts as ``gettext``,
    ``pgettext``, ``format_decimal`` and ``str()`` of lazy strings give there.
    """

    def __init__(self):
        from flask_babel import get_locale, get_translations

        self.locale = get_locale()
        self.translations = get_translations()
        self.tag = str(self.locale)
        #: what :func:`current_language` says while these are the current words
        self.lang = (self.locale.language if self.locale is not None
                     and self.locale.language in LANGUAGES else LANGUAGES[0])
        self.plain_decimal = _plain_decimal_sign(self.locale)
        #: translated messages by message id (catalogs never change once compiled)
        self._texts: dict = {}

    def gettext(self, string: str, **variables) -> str:
        text = self._texts.get(string)
        if text is None:                   # the catalog's lookup, once per message
            text = self.translations.ugettext(string)
            if len(self._texts) < _MAX_TEXTS:
                self._texts[string] = text
        return text % variables if variables else text

    def format_decimal(self, number, format: str | None = None) -> str:
        if format is None and self.plain_decimal is not None:
            text = plain_decimal(number, self.plain_decimal)
            if text is not None:
                return text
        key = (type(number), number, format, self.tag)
        text = _DECIMALS.get(key)
        if text is None:
            # babel.numbers.format_decimal, with the pattern parsed once per locale
            text = _decimal_pattern(format, self.locale).apply(number, self.locale)
            if len(_DECIMALS) < _MAX_DECIMALS:
                _DECIMALS[key] = text
        return text

    def text(self, lazy) -> str:
        """``str(lazy)`` of a module-level lazy string (``lazy_gettext`` constant)."""
        key = (self.tag, id(lazy))
        known = _CONSTANT_WORDS.get(key)
        if known is None or known[0] is not lazy:
            known = _CONSTANT_WORDS[key] = (lazy, str(lazy))
        return known[1]
