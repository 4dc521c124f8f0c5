"""German first, English second; the browser picks, the visible switch overrides."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import Environment

import amtsweg

CONFIG = Path(amtsweg.__file__).parent.parent / "babel.cfg"


@pytest.fixture
def tenant(create_tenant):
    return create_tenant("musterstadt", "Gemeinde Musterstadt")


def test_german_is_the_default(client, tenant) -> None:
    page = client.get("/t/musterstadt/").get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "Zum Inhalt springen" in page
    assert 'hreflang="en"' in page


def test_the_browser_language_picks_english(client, tenant) -> None:
    page = client.get("/t/musterstadt/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    text = page.get_data(as_text=True)
    assert '<html lang="en">' in text
    assert "Skip to content" in text


def test_the_switch_overrides_the_browser(client, tenant) -> None:
    switch = client.get("/lang/en?next=/t/musterstadt/", headers={"Accept-Language": "de"})
    assert switch.status_code == 302
    assert switch.headers["Location"] == "/t/musterstadt/"
    page = client.get("/t/musterstadt/", headers={"Accept-Language": "de"})
    assert '<html lang="en">' in page.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_the_switch_never_redirects_off_site(client, target) -> None:
    switch = client.get("/lang/de", query_string={"next": target})
    assert switch.headers["Location"] == "/"


def test_a_rendering_in_another_language_translates_the_template_and_its_macros(app) -> None:
    from flask import render_template_string
    from flask_babel import force_locale

    page = (
        '{% from "macros/admin_form.html" import field %}'
        '{{ _("Skip to content") }}|{{ current_locale }}|{{ field("x", "X", "", {"x": "!"}) }}'
    )
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert render_template_string(page).startswith("Zum Inhalt springen|de|")
        assert "Fehler:" in render_template_string(page)
        with force_locale("en"):
            assert render_template_string(page).startswith("Skip to content|en|")
            assert "Error:" in render_template_string(page)
        assert render_template_string(page).startswith("Zum Inhalt springen|de|")


TEXT = st.text(alphabet="ab %()sd<&", max_size=12)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # app is only read
@given(string=TEXT, value=TEXT)
def test_templates_translate_and_fill_in_as_jinja_does(app, string, value) -> None:
    """A string not in the catalogue, with or without variables, ``%%`` and markup
    characters, comes out as Jinja's own newstyle ``_`` writes it (or fails as it does)."""
    jinja = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    jinja.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    for source in ("{{ _(string) }}", "{{ _(string, x=value) }}"):
        with app.test_request_context(headers={"Accept-Language": "en"}):
            assert _drawn(app.jinja_env, source, string, value) == _drawn(
                jinja, source, string, value
            )


def _drawn(environment: Environment, source: str, string: str, value: str) -> str:
    try:
        return environment.from_string(source).render(string=string, value=value)
    except (KeyError, TypeError, ValueError) as error:
        return type(error).__name__


def test_every_text_of_the_product_has_its_german_translation() -> None:
    """What ``make extract-messages`` collects, from code and templates, is in German."""
    root = Path(amtsweg.__file__).parent
    method_map, options_map = parse_mapping_cfg(io.StringIO(CONFIG.read_text("utf-8")))
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "translatable": None}
    with (root / "translations/de/LC_MESSAGES/messages.mo").open("rb") as compiled:
        german = read_mo(compiled)

    untranslated = [
        f"{path}:{line}: {message}"
        for path, line, message, _comments, context in extract_from_dir(
            root, method_map, options_map, keywords=keywords
        )
        if not all(_translation(german, message, context))
    ]

    assert untranslated == []


def _translation(catalog, message, context) -> tuple[str, ...]:
    msgid = message if isinstance(message, str) else message[0]
    entry = catalog.get(msgid, context=context)
    if entry is None:
        return ("",)
    return entry.string if isinstance(entry.string, tuple) else (entry.string,)
