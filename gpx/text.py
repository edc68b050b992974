"""Names and descriptions made fit for the files we write (GPX, KML, Geotrek JSON)."""
from __future__ import annotations

import re

# XML 1.0 forbids C0 controls but tab/newline/CR, lone surrogates, U+FFFE/U+FFFF;
# C1 controls and DEL are allowed but mean nothing in a name: all are dropped.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\t\r\n\u2028\u2029\x85]+")


def clean_text(text, multiline: bool = False) -> str:
    """``text`` without control characters; one line unless ``multiline``.

    Parameters
    ----------
    text : str or None
        A name or description from anywhere (API, Geotrek, GPX, OSM).
    multiline : bool
        Keep line breaks (as ``\\n``), for descriptions; names get one space instead.

    >>> clean_text("Terril\\x00 74\\n\\x1b[31m")
    'Terril 74 [31m'
    """
    if text is None:
        return ""
    text = str(text)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
        text = text.replace("\u2029", "\n").replace("\x85", "\n")
        return _CONTROLS.sub("", text).strip()
    return _CONTROLS.sub("", _LINE_BREAKS.sub(" ", text)).strip()
