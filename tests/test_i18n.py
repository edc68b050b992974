"""The gettext catalogs: complete, well-formed, compiled at start-up, chosen per request."""
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
