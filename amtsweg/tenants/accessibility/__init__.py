"""What German law asks of a public body's site beyond WCAG (BITV 2.0), per tenant.

- ``/t/<tenant>/barrierefreiheit``: the accessibility statement (Erklärung zur
  Barrierefreiheit) after the EU model (Durchführungsbeschluss (EU) 2018/1523,
  BITV 2.0 § 7), with a feedback form whose messages are stored
  (``accessibility_feedback``) and mailed to the tenant's contact after commit.
- ``/t/<tenant>/leichte-sprache``: the site explained in Leichte Sprache
  (English: Easy Read).
- ``/t/<tenant>/gebaerdensprache``: the same in German Sign Language, as a
  video the tenant provides, with its text beside it.

Each tenant sets its known limitations, the date of its last review, its
state's enforcement body and its sign-language video (``amtsweg tenants
accessibility``); without them the platform's defaults apply.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from amtsweg.platform import outbox
    from amtsweg.tenants.accessibility import tasks, views

    outbox.register(app, tasks.KIND, outbox.Handler(tasks.send_feedback, about=tasks.about))

    app.register_blueprint(views.bp)
