"""Words for the files and JSON documents made from an itinerary (GPX, KML, summaries)."""
from __future__ import annotations

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale, gettext

from gpx.words import FileWords

from .i18n import current_language, language
from .warning_words import warning_text
from .words import KIND_NAMES, PROFILE_NAMES, localised, profile_name


def file_words(lang: str | None = None) -> FileWords:
    """The labels and credits of GPX and KML files in ``lang`` (default: the current one)."""
    with language(lang):
        return FileWords(
            untitled=gettext("Bassin minier itinerary"), link=gettext("Itinerary"),
            start=gettext("Start"), end=gettext("End"),
            author=gettext("Bassin minier itineraries"),
            heritage_credit=gettext("Heritage: Mission Bassin Minier Nord-Pas de Calais / "
                                    "data.gouv.fr, Licence Ouverte Etalab 2.0"),
            detour=gettext("detour %(m)s m"), summary=gettext("%(km)s km, %(profile)s"),
            ascent=gettext("D+ %(m)s m"), typed_name=gettext("%(kind)s: %(name)s"),
            decimal_sign=get_decimal_symbol(get_locale()),
            kinds={kind: str(word) for kind, word in KIND_NAMES.items()},
            profiles={code: str(word) for code, word in PROFILE_NAMES.items()})


def summary_with_words(itinerary, lang: str | None = None) -> dict:
    """:meth:`routing.Itinerary.summary` plus what people read: the profile's name, each
    warning's ``text`` and the ``language`` of the words (stages alike)."""
    with language(lang):
        out = itinerary.summary()
        _add_words(out)
        return out


def _add_words(summary: dict) -> None:
    summary["language"] = current_language()
    summary["profile_label"] = profile_name(summary["profile"])
    summary["warnings"] = [dict(w, text=warning_text(w, summary["profile"]))
                           for w in summary["warnings"]]
    for stage in summary["stages"]:
        _add_words(stage)


def gpx_text(itinerary, **options) -> str:
    """The itinerary's GPX in the current language (names, labels, credits)."""
    from gpx import itinerary_to_gpx

    return itinerary_to_gpx(localised(itinerary), words=file_words(), **options)


def kml_text(itinerary) -> str:
    """The itinerary's KML in the current language."""
    from gpx.kml import itinerary_to_kml

    return itinerary_to_kml(localised(itinerary), words=file_words())


def stages_zip_bytes(itinerary, **options) -> bytes:
    """The zip of the itinerary's GPX and one per stage, in the current language."""
    from gpx import stages_zip

    return stages_zip(localised(itinerary), words=file_words(), **options)


def write_gpx_file(itinerary, path) -> None:
    """The CLI's GPX writer: the file, and ``<stem>-stages.zip`` for a multi-day itinerary."""
    path.write_text(gpx_text(itinerary), "utf-8")
    if itinerary.stages:
        path.with_name(f"{path.stem}-stages.zip").write_bytes(stages_zip_bytes(itinerary))
