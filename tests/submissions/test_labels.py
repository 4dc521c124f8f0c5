"""How dates read on a citizen's pages."""

from __future__ import annotations

import datetime as dt

from flask_babel import format_date, get_locale, refresh
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amtsweg.submissions.labels import date_only

MOMENTS = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 - Hypothesis bounds are naive
    max_value=dt.datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # app is only read
@given(moment=MOMENTS, language=st.sampled_from(["de", "en"]))
def test_a_day_reads_as_flask_babel_writes_it(app, moment, language) -> None:
    """Around midnight too: the day is the authority's (Europe/Berlin), not UTC's."""
    with app.test_request_context(headers={"Accept-Language": language}):
        refresh()  # the test's app context outlives a request: forget its language
        assert str(get_locale()) == language
        assert date_only(moment) == format_date(moment, format="long")
