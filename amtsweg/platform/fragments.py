"""Parts of a page drawn once for the values they show, not on every request.

The header and footer of a municipality's pages, and the texts of the login
dialog, are the same for every citizen who sees them in one language; drawing
them was a good part of drawing a step page. A template marks such a part::

    {% call cached(tenant and (tenant.slug, tenant.name)) %}…{% endcall %}

and its markup is kept under a key made of the call's place in the template,
the page's language, the app's path under the web server (``url_for``'s
prefix) and the values given, which must be everything the part shows besides
translations and URLs: a changed name or contact gives a new key, and so is
drawn anew at once. A part holds no ``{% block %}`` (a child template's would
be kept for every other page) and nothing of the request or the person.
At most :data:`KEPT` parts are kept; the least recently used goes first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from threading import Lock

from flask import Flask, has_request_context, request
from jinja2.runtime import Context, Macro
from jinja2.utils import pass_context
from markupsafe import Markup

from amtsweg.platform.i18n import current_locale

KEPT = 1024
"""Parts kept at most: a few per municipality and language, and room for many."""


class FragmentCache:
    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._drawn: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = Lock()

    def __call__(self, context: Context, *values: Hashable, caller: Macro) -> Markup:
        key = (
            # The part's place: its body's code, new when a changed template is reloaded.
            caller._func.__code__,  # noqa: SLF001 - Jinja's Macro keeps the body there
            context.get("current_locale") or current_locale(),
            request.script_root if has_request_context() else None,
            values,
        )
        with self._lock:
            found = self._drawn.get(key)
            if found is not None:
                self._drawn.move_to_end(key)
                return found
        drawn = Markup(caller())  # noqa: S704 - the template's own output, escaped by it
        with self._lock:
            self._drawn[key] = drawn
            if len(self._drawn) > self.kept:
                self._drawn.popitem(last=False)
        return drawn


def init_app(app: Flask) -> None:
    app.jinja_env.globals["cached"] = pass_context(FragmentCache())
