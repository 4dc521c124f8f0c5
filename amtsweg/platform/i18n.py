"""German first, English second.

The locale comes from, in order: the visible language switch (a cookie), the
browser's ``Accept-Language``, German. Source strings are English; German
translations live in ``amtsweg/translations`` and are compiled by
``make translations``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.support import NullTranslations, Translations
from flask import Blueprint, Flask, has_request_context, redirect, request
from flask_babel import Babel, format_currency, get_locale, get_translations
from jinja2.nodes import EvalContext
from jinja2.utils import pass_eval_context
from markupsafe import Markup
from werkzeug.wrappers import Response

from amtsweg.platform.redirects import safe_next_url

LOCALES = ("de", "en")
DEFAULT_LOCALE = "de"
COOKIE = "amtsweg_lang"
ONE_YEAR = 365 * 24 * 3600

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    if not has_request_context():  # a job or CLI command: German unless it forces another
        return DEFAULT_LOCALE
    chosen = request.cookies.get(COOKIE)
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE)


@bp.get("/lang/<any(de, en):locale>")
def switch_language(locale: str) -> Response:
    response = redirect(safe_next_url(request.args.get("next")))
    response.set_cookie(COOKIE, locale, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response


def current_locale() -> str:
    """The language of the current request (or German outside one), as ``de`` or ``en``."""
    locale = str(get_locale() or DEFAULT_LOCALE)
    return locale if locale in LOCALES else DEFAULT_LOCALE


def mail_locale(stored: str | None) -> str:
    """The language for an email or PDF made later for a stored choice; German if we lack it."""
    return stored if stored in LOCALES else DEFAULT_LOCALE


def money(cents: int) -> str:
    """Integer cents as the locale writes euros, e.g. ``26,00 €``; never via float."""
    return format_currency(Decimal(cents) / 100, "EUR")


def _install_template_gettext(app: Flask) -> None:
    """Templates' ``_()`` and its kin, with the catalogue found once per language.

    Flask-Babel's callables look the domain, the locale and the catalogue up
    through the app context on every string. Here a template rendered with
    ``render_template`` gets its ``_`` bound to the catalogue of the language
    the request has when it is rendered (a context processor, so
    ``force_locale`` around a rendering still switches it); macros imported
    without the context, and the other callables, look the locale up per
    string.
    """
    catalogues: dict[str, Translations | NullTranslations] = {}

    def catalogue_of(locale: Locale | None) -> Translations | NullTranslations:
        if locale is None:  # outside a request and app context: untranslated
            return get_translations()
        key = str(locale)
        if (found := catalogues.get(key)) is None:
            found = catalogues[key] = get_translations()
        return found

    def catalogue() -> Translations | NullTranslations:
        return catalogue_of(get_locale())

    def gettext(string: str) -> str:
        return catalogue().ugettext(string)

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=gettext,
        ngettext=lambda singular, plural, n: catalogue().ungettext(singular, plural, n),
        pgettext=lambda context, string: catalogue().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: catalogue().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )
    app.jinja_env.globals["_"] = _translator(gettext)

    def template_context() -> dict[str, Any]:
        locale = get_locale()
        return {
            "current_locale": str(locale or DEFAULT_LOCALE),
            "_": _translator(catalogue_of(locale).ugettext),
        }

    app.context_processor(template_context)


def _translator(translate: Callable[[str], str]) -> Callable[..., str]:
    """``_()``: what Jinja's newstyle ``_`` does (escape the variables into the
    translation), in one call where Jinja's goes through ``gettext`` and two more.
    Most of a page's strings have no ``%`` at all, and are not formatted."""

    @pass_eval_context
    def translated(eval_context: EvalContext, string: str, **variables: Any) -> str:
        text = translate(string)
        if eval_context.autoescape:
            text = Markup(text)  # noqa: S704 - the catalogue is ours, as in Jinja
        return text % variables if variables or "%" in text else text

    return translated


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Berlin")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
    _install_template_gettext(app)
    app.register_blueprint(bp)
    app.add_template_filter(money)
