"""The words GPX and KML files carry, already in one language.

``gpx/`` makes no words of its own: ``web/`` fills a :class:`FileWords` from its
catalogs (:func:`web.file_words.file_words`) and the writers put them in place. The
defaults are the English source words, for callers without catalogs.
"""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class FileWords:
    """Labels, credits and templates (``%(name)s`` placeholders) of one language."""

    untitled: str = "Bassin minier itinerary"
    link: str = "Itinerary"
    start: str = "Start"
    end: str = "End"
    author: str = "Bassin minier itineraries"
    heritage_credit: str = ("Heritage: Mission Bassin Minier Nord-Pas de Calais / data.gouv.fr, "
                            "Licence Ouverte Etalab 2.0")
    detour: str = "detour %(m)s m"
    summary: str = "%(km)s km, %(profile)s"
    ascent: str = "D+ %(m)s m"
    typed_name: str = "%(kind)s: %(name)s"
    decimal_sign: str = "."
    #: place kind -> label (« shelter » -> « abri »); unknown kinds are written as they are
    kinds: dict = dataclasses.field(default_factory=dict)
    #: profile code -> label (« hike » -> « Randonnée »)
    profiles: dict = dataclasses.field(default_factory=dict)

    def kind(self, kind: str) -> str:
        return self.kinds.get(kind) or str(kind).replace("_", " ")

    def profile(self, profile: str) -> str:
        return self.profiles.get(profile) or profile

    def number(self, value: float, digits: int = 1) -> str:
        """``1.2`` or ``1,2``: the language's decimal sign."""
        return f"{value:.{digits}f}".replace(".", self.decimal_sign)


ENGLISH = FileWords()
