"""The gettext catalogs: complete, well-formed, compiled at start-up, chosen per request."""
import pytest
from babel.messages import checkers
from babel.messages.pofile import read_po

from web.i18n import TRANSLATIONS, compiled_translations


def _catalogs():
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as f:
            # abort_invalid: a msgid without msgstr (a bad merge) is an error, not a warning
            yield po, read_po(f, locale=po.parts[-3], abort_invalid=True)


def test_no_message_is_defined_twice():
    import re

    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        text = po.read_text(encoding="utf-8")
        ids = re.findall(r'^(?:msgctxt "(.*)"\n)?msgid "(.*)"$', text, flags=re.M)
        seen = [i for i in ids if i[1]]
        doubles = sorted({i for i in seen if seen.count(i) > 1})
        assert doubles == [], f"{po.name}: defined twice: {doubles[:10]}"


def test_every_french_message_is_translated_and_well_formed():
    found = 0
    for po, catalog in _catalogs():
        for message in catalog:
            if not message.id:
                continue
            found += 1
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings), f"{po.name}: untranslated {message.id!r}"
            errors = list(catalog.check())
            assert errors == [], errors[:5]
    assert found > 0


def _entries(text: str):
    """(context, msgid, has msgstr) of each entry, read strictly (babel's reader forgives)."""
    import ast

    entry, key = {}, None
    for line in [*text.splitlines(), ""]:
        line = line.strip()
        word, _, rest = line.partition(" ")
        starts = (word == "msgctxt" and entry) or (word == "msgid" and "msgid" in entry)
        if entry and (not line or line.startswith("#") or starts):
            yield entry.get("msgctxt"), entry.get("msgid"), "msgstr" in entry
            entry = {}
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):                   # a continued string
            entry[key] = (entry.get(key) or "") + ast.literal_eval(line)
            continue
        key = "msgstr" if word.startswith("msgstr") else word
        entry[key] = ast.literal_eval(rest)


def test_catalogs_have_one_well_formed_entry_per_message():
    """A line-wise merge of two blocks can leave a msgid without msgstr, or one twice."""
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        seen, problems = set(), []
        for context, msgid, has_string in _entries(po.read_text("utf-8")):
            if msgid is None:
                continue
            if not has_string:
                problems.append(f"no msgstr: {msgid!r}")
            if (context, msgid) in seen:
                problems.append(f"twice: {msgid!r}" + (f" ({context})" if context else ""))
            seen.add((context, msgid))
        assert not problems, f"{po}:\n" + "\n".join(problems)


def test_placeholders_match_between_english_and_french():
    for _, catalog in _catalogs():
        for message in catalog:
            if message.id and message.python_format:
                checkers.python_format(catalog, message)      # raises TranslationError


def test_catalogs_compile_once_per_content(tmp_path):
    (tmp_path / "fr" / "LC_MESSAGES").mkdir(parents=True)
    po = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: fr\\n"\n\nmsgid "Hello"\nmsgstr "Bonjour"\n',
                  encoding="utf-8")
    first = compiled_translations(tmp_path)
    assert (first / "fr" / "LC_MESSAGES" / "messages.mo").stat().st_size > 0
    assert compiled_translations(tmp_path) == first
    po.write_text(po.read_text(encoding="utf-8").replace("Bonjour", "Salut"), encoding="utf-8")
    assert compiled_translations(tmp_path) != first            # a new content, a new folder


def test_pages_speak_the_asked_language(web_app):
    client = web_app.test_client()
    assert "Aller au contenu" in client.get("/itineraries?lang=fr").get_data(as_text=True)
    assert "Skip to content" in client.get("/itineraries?lang=en").get_data(as_text=True)
    fresh = web_app.test_client()
    page = fresh.get("/itineraries", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "Skip to content" in page.get_data(as_text=True)


def test_plural_forms_follow_french_rules(web_app):
    from flask_babel import force_locale, ngettext

    with web_app.test_request_context("/"):
        with force_locale("fr"):
            assert ngettext("%(num)d itinerary", "%(num)d itineraries", 1) == "1 itinéraire"
            assert ngettext("%(num)d itinerary", "%(num)d itineraries", 0) == "0 itinéraire"
            assert ngettext("%(num)d itinerary", "%(num)d itineraries", 2) == "2 itinéraires"
        with force_locale("en"):
            assert ngettext("%(num)d itinerary", "%(num)d itineraries", 0) == "0 itineraries"


# -- every word of the code is in the catalog ------------------------------------------------
def _extracted():
    """(msgid, context) -> first "file:line" of every message the code marks (babel.cfg)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    from web.i18n import KEYWORDS

    root = TRANSLATIONS.parent.parent
    with open(root / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {}
    for name, line, message, _, context in extract_from_dir(
            root, method_map, options_map, keywords=dict(DEFAULT_KEYWORDS, **KEYWORDS)):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault((msgid, context), f"{name}:{line}")
    return found


def test_every_message_of_the_code_has_a_french_translation():
    """Nobody adds a word without its French: the failure lists each one and where it is."""
    (_, french), = [(po, c) for po, c in _catalogs() if po.parts[-3] == "fr"]
    extracted = _extracted()
    assert len(extracted) > 250            # pages, maps, files, warnings, instructions, kinds
    missing = []
    for (msgid, context), where in sorted(extracted.items(), key=lambda kv: kv[1]):
        entry = french.get(msgid, context=context)
        strings = () if entry is None else (
            entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if not strings or not all(strings):
            missing.append(f"{where}: {msgid!r}" + (f" (context {context!r})" if context else ""))
    assert not missing, (f"{len(missing)} message(s) without French in "
                         "web/translations/fr/LC_MESSAGES/messages.po:\n" + "\n".join(missing))


def test_the_legacy_t_keys_are_catalog_messages():
    from web.legacy_words import KEYS

    extracted = {msgid for msgid, _ in _extracted()}
    assert all(text._args[0] in extracted for text in KEYS.values())


# -- place kinds, profiles, warnings, stages in both languages -------------------------------
def test_every_place_kind_has_a_french_and_an_english_word():
    import json
    from importlib import resources

    from graphs import heritage, poi
    from graphs.places import PLACE_KINDS
    from web.i18n import language
    from web.words import KIND_NAMES, kind_name

    catalogue = json.loads(resources.files("graphs").joinpath("data/catalogue.json")
                           .read_text("utf-8"))
    kinds = set(poi.KINDS) | {k for k, _, _ in heritage.LAYERS.values()} | {
        p["kind"] for p in catalogue["places"]}
    assert kinds <= set(PLACE_KINDS) and set(PLACE_KINDS) | {"junction"} <= set(KIND_NAMES)
    for kind in KIND_NAMES:
        with language("fr"):
            french = kind_name(kind)
        with language("en"):
            english = kind_name(kind)
        assert french and english and "_" not in english
        # words both languages spell alike: the rest differ
        assert french != english or kind in ("restaurant", "cite", "cafe"), kind
    with language("fr"):
        assert kind_name("shelter") == "abri" and kind_name("terril") == "terril"
    with language("en"):
        assert kind_name("shelter") == "shelter" and kind_name("terril") == "terril (slag heap)"


WARNINGS = [
    {"type": "steps", "from_km": 1.2, "to_km": 1.25, "length_m": 50.0},
    {"type": "unpaved", "surface": "gravel", "from_km": 2.0, "to_km": 2.5, "length_m": 500.0},
    {"type": "poor_smoothness", "smoothness": "very_bad", "from_km": 3, "to_km": 3.1,
     "length_m": 100.0},
    {"type": "busy_road", "highway": "primary", "name": "Route de Lens", "maxspeed": 80.0,
     "from_km": 4, "to_km": 4.4, "length_m": 400.0},
    {"type": "ford", "from_km": 5.0, "to_km": 5.0, "length_m": 0.0},
    {"type": "dismount", "from_km": 5.5, "to_km": 5.6, "length_m": 100.0},
    {"type": "difficult", "sac_scale": "mountain_hiking", "from_km": 6, "to_km": 6.2,
     "length_m": 200.0},
    {"type": "private_access", "access": "destination", "from_km": 7, "to_km": 7.1,
     "length_m": 100.0},
    {"type": "no_lodging", "within_m": 1500.0, "from_km": 42.5, "to_km": 42.5, "length_m": 0.0},
]


def test_warnings_in_both_languages():
    from web.warning_words import warning_text

    french = [warning_text(w, "bike", "fr") for w in WARNINGS]
    english = [warning_text(w, "bike", "en") for w in WARNINGS]
    assert french[:3] == ["km 1,2 – 1,25 (50 m) : escaliers : vélo à porter",
                          "km 2 – 2,5 (500 m) : chemin non revêtu (gravier)",
                          "km 3 – 3,1 (100 m) : revêtement dégradé (très mauvais)"]
    assert english[:3] == ["km 1.2 – 1.25 (50 m): steps: carry the bike",
                           "km 2 – 2.5 (500 m): unpaved (gravel)",
                           "km 3 – 3.1 (100 m): poor surface (very bad)"]
    assert french[3] == "km 4 – 4,4 (400 m) : route fréquentée (route principale, Route de " \
                        "Lens, 80 km/h)"
    assert english[-1] == "km 42.5: no lodging within 1.5 km"
    assert french[-1] == "km 42,5 : aucun hébergement à moins de 1,5 km"
    assert english[7].endswith("restricted access (local traffic only)")
    for fr, en in zip(french, english):
        assert fr != en and "?" not in fr + en
    assert warning_text(WARNINGS[0], "hike", "en").endswith(": steps")


def test_stage_names_in_both_languages(router_for):
    from web.words import localised

    router = router_for("basin")
    base = router.route(["site:base-11-19", "site:louvre-lens", "site:lewarde"], "bike")
    base.name = "Traversée du Bassin"
    multi = router.stages(base, days=2)
    assert [s.name for s in multi.stages] == ["", ""]
    assert [s.name for s in localised(multi, "fr").stages] == [
        "Traversée du Bassin — étape 1/2", "Traversée du Bassin — étape 2/2"]
    assert [s.name for s in localised(multi, "en").stages] == [
        "Traversée du Bassin — stage 1/2", "Traversée du Bassin — stage 2/2"]
    multi.name = ""
    assert localised(multi, "en").stages[0].name == "Itinerary — stage 1/2"
    legacy = localised(multi, "fr")                     # a saved one named by older releases
    legacy.stages[0].name, legacy.stages[0].meta = "Tour — étape 1/2", {}
    assert localised(legacy, "en").stages[0].name == "Tour — stage 1/2"


# -- pages, maps and files speak one language ------------------------------------------------
#: Words that must not show on a page of the other language (UI words, not names).
ENGLISH_WORDS = ("Saved itineraries", "Log in", "Download GPX", "Watch out", "Roadbook",
                 "Places along the route", "Duration", "Ascent", "— stage", "detour ",
                 "Heritage:", "Skip to content", "(shelter)", "shelter", "(slag heap)",
                 "Itinerary", "Stages", "km 1.", "unpaved (", "steps:")
FRENCH_WORDS = ("Itinéraires enregistrés", "Connexion", "Télécharger", "Points d'attention",
                "Feuille de route", "Lieux le long du parcours", "Durée", "Dénivelé",
                "— étape", "détour", "Patrimoine :", "Aller au contenu", "abri", "toilettes",
                "Étapes", "revêtu", "escaliers", "Départ", "Arrivée")


def _leaks(text: str, words) -> list:
    return [w for w in words if w in text]


@pytest.fixture()
def published(web_app):
    """A published two-day itinerary over the basin network: stages, places, warnings."""
    from .conftest import login

    staff = web_app.test_client()
    csrf = login(staff)
    body = {"name": "Traversée du Bassin", "kind": "stages", "request": {
        "profile": "bike", "days": 2,
        "points": "site:cite-des-electriciens;site:base-11-19;site:louvre-lens;site:lewarde"}}
    item = staff.post("/api/v1/itineraries", json=body, headers={"X-CSRF-Token": csrf}).get_json()
    staff.post(f"/api/v1/itineraries/{item['id']}/publish",
               headers={"X-CSRF-Token": csrf, "If-Match": '"v1"'})
    return item


def test_pages_show_no_words_of_the_other_language(web_app, published):
    slug = published["slug"]
    pages = ("/itineraries", f"/i/{slug}", f"/i/{slug}/map", "/login", "/no-such-page")
    for lang, other in (("fr", ENGLISH_WORDS), ("en", FRENCH_WORDS)):
        client = web_app.test_client()
        for path in pages:
            response = client.get(f"{path}?lang={lang}", headers={"Accept": "text/html"})
            text = response.get_data(as_text=True)
            assert response.status_code in (200, 401, 404)
            assert _leaks(text, other) == [], (lang, path)
            assert f'<html lang="{lang}">' in text
            assert response.headers["Content-Language"] == lang
    french = web_app.test_client().get(f"/i/{slug}?lang=fr").get_data(as_text=True)
    english = web_app.test_client().get(f"/i/{slug}?lang=en").get_data(as_text=True)
    assert "Étape 1" in french and "Stage 1" in english
    assert "Étapes" in french and "Stages" in english


def test_exports_speak_the_asked_language(web_app, published, tmp_path):
    import io
    import zipfile

    from gpx import safe_filename

    from .conftest import assert_valid_gpx

    client, item = web_app.test_client(), published["id"]
    for lang, author, words, other in (("fr", "Itinéraires du Bassin minier", "étape 1/2",
                                        ENGLISH_WORDS), ("en", "Bassin minier itineraries",
                                                         "stage 1/2", FRENCH_WORDS)):
        gpx = client.get(f"/api/v1/itineraries/{item}/export.gpx?lang={lang}")
        text = gpx.get_data(as_text=True)
        assert_valid_gpx(gpx.data, tmp_path)
        assert f"<name>{author}</name>" in text and _leaks(text, other) == []
        assert (", Vélo" if lang == "fr" else ", Cycling") in text
        archive = zipfile.ZipFile(io.BytesIO(client.get(
            f"/api/v1/itineraries/{item}/export.zip?lang={lang}").data))
        assert any(safe_filename(words) in n for n in archive.namelist())
        kml = client.get(f"/api/v1/geotrek/itineraries/{item}.kml?language={lang}")
        assert kml.status_code == 200
        summary = client.get(f"/api/v1/itineraries/{item}/export.json?lang={lang}").get_json()
        assert summary["language"] == lang and words in summary["stages"][0]["name"]
        assert all(w["text"] for w in summary["warnings"])
    trek = client.get(f"/api/v1/geotrek/itineraries/{item}.json").get_json()
    assert trek["steps"][0]["name"]["fr"].endswith("étape 1/2")
    assert trek["steps"][0]["name"]["en"].endswith("stage 1/2")


def test_places_api_gives_words_and_names(web_app):
    client = web_app.test_client()
    french = client.get("/api/v1/places?kind=terril&limit=3&lang=fr").get_json()["places"]
    english = client.get("/api/v1/places?kind=terril&limit=3&lang=en").get_json()["places"]
    assert {p["kind_label"] for p in french} == {"terril"}
    assert {p["kind_label"] for p in english} == {"terril (slag heap)"}


def test_problem_titles_follow_the_language_and_types_stay(web_app):
    client = web_app.test_client()
    french = client.get("/api/v1/route?points=1,2&lang=fr&profile=nope")
    english = client.get("/api/v1/route?points=1,2&lang=en&profile=nope")
    assert french.status_code == english.status_code == 400
    assert french.get_json()["type"] == english.get_json()["type"]
    assert french.get_json()["title"] != english.get_json()["title"]
    assert french.headers["Content-Language"] == "fr"
    assert english.headers["Content-Language"] == "en"
