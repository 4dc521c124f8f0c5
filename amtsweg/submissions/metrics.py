"""Submissions for ``/metrics``: ``amtsweg_submissions_total{form}``.

Counted by the process that made each submission, once its transaction
commits (a submission rolled back is not counted), and summed over the
gunicorn workers like the request counters. Deliveries and payments are read
from the database at each scrape instead, because their rows change state;
a submission only comes into being, the table grows without end, and what an
operator graphs is the rate per form, which a counter gives at no cost per
scrape. The label is the form's slug: the association's catalogue bounds it,
and the number of tenants does not multiply it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from amtsweg.formdefs import service as formdefs
from amtsweg.formdefs.models import FormVersion
from amtsweg.platform import metrics
from amtsweg.platform.db import db
from amtsweg.platform.signals import submission_created
from amtsweg.submissions.models import Submission

COUNTER_KEY = "amtsweg.submissions_counter"


def _count(submission: Submission, **_kwargs: Any) -> None:
    # The version was read to make the submission: the session has it, no query.
    version = db.session.get(FormVersion, submission.version_id)
    slug = formdefs.compiled(version).slug
    metrics.increment_after_commit(current_app.extensions[COUNTER_KEY], slug)


def init_app(app: Flask) -> None:
    app.extensions[COUNTER_KEY] = metrics.counter(
        app, "amtsweg_submissions", "Submissions made, by form", ["form"]
    )
    submission_created.connect(_count)
