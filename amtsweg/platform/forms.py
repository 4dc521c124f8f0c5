"""The base of every HTML form: Flask-WTF (with its CSRF token), WTForms' messages localized.

Flask-WTF reads and parses WTForms' message catalogue from disk on every
request that builds a form. The catalogues do not change while a process
runs, so :class:`Form` loads each language's once per process.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from babel import support
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path

from amtsweg.platform.i18n import current_locale


@cache
def wtforms_catalogue(locale: str) -> support.NullTranslations:
    """WTForms' own messages ("Not a valid choice") in ``locale``, loaded once."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    """A Flask-WTF form; subclass it (or build one with ``type``) instead of ``FlaskForm``."""

    class Meta:
        def get_translations(self, _form: Any) -> support.NullTranslations:
            return wtforms_catalogue(current_locale())
