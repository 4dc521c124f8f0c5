"""Texts for the association's admins: English with placeholders, translated where shown.

A definition's problems and an XDatenfelder import's findings are made where no
request and no language exist (the engine, the CLI, a test). They keep their English
text with ``%(name)s`` placeholders apart from the values: ``message`` fills in the
English text, and a page or an API answer calls ``localized(gettext)``, which looks the
text up in the message catalogue first. Each such text is marked with
:func:`translatable`, which ``make extract-messages`` collects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping


def translatable(text: str) -> str:
    """Marks ``text`` for the message catalogue; where it is shown, it is translated."""
    return text


def filled(text: str, values: Mapping[str, object]) -> str:
    return text % values if values else text


class Translatable:
    """A ``text`` with the ``values`` of its placeholders, shown in either language."""

    __slots__ = ()
    text: str
    values: Mapping[str, object]

    @property
    def message(self) -> str:
        """In English, as the CLI and the logs show it."""
        return filled(self.text, self.values)

    def localized(self, translate: Callable[[str], str]) -> str:
        """In the reader's language: ``translate`` is the request's ``gettext``."""
        return filled(translate(self.text), self.values)
