"""How many SQL statements the busiest requests send: each one is a round trip per request.

The counts are pinned, not timed: a change that adds a lookup to every step
page or submission fails here, and whoever makes it decides whether the new
round trip is worth it (and updates the count and ``docs/performance.md``).
``make bench`` measures what the counts cost.

The tests' sessions work in savepoints of one outer transaction: a
session's commit is the release of its savepoint, and counting stops there
(the tests run the receipt job in-process right after the commit, where
production hands it to the queue). The savepoint itself is not counted; the
one ``set_config`` each session transaction then starts with is (a
transaction of its own in production starts with the setting empty and
skips it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from sqlalchemy import event

from amtsweg.delivery import service as delivery
from amtsweg.platform.db import db
from tests.login import local
from tests.platform.test_bearer_tokens import dev_token
from tests.submissions.test_api import FUND, fund_answers

pytestmark = pytest.mark.usefixtures("musterstadt")

FUNDSACHE_APPLY = "/t/musterstadt/forms/fundsache-verlustmeldung/apply"


@contextmanager
def statements(connection) -> Iterator[list[str]]:
    """The statements the request's transaction sent inside the block, up to its commit."""
    sent: list[str] = []
    committed = []

    def record(_conn, _cursor, statement: str, *_args) -> None:
        if statement.startswith("RELEASE SAVEPOINT"):
            committed.append(statement)
        elif not committed and not statement.startswith("SAVEPOINT"):
            sent.append(statement)

    target = connection if connection is not None else db.engine
    event.listen(target, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(target, "before_cursor_execute", record)


def _outside_parentheses(statement: str) -> str:
    """The statement without its subqueries (and other parenthesized parts)."""
    while (shorter := re.sub(r"\([^()]*\)", "", statement)) != statement:
        statement = shorter
    return statement


def _kinds(sent: list[str]) -> list[str]:
    """Each statement as ``set_config``, or its verb and first table (``SELECT tenants``);
    one with writes in its WITH as those and its own, if it writes too (``INSERT
    deliveries + INSERT outbox_messages``)."""
    kinds = []
    for statement in sent:
        words = _outside_parentheses(statement).split()
        if "set_config" in statement and "FROM" not in statement:
            kinds.append("set_config")
        elif words[0] == "WITH":
            kinds.append(" + ".join(_writes_in_with(statement, words)))
        else:
            kinds.append(_kind(words))
    return kinds


_WRITE_IN_WITH = re.compile(r"AS\s*\(\s*(INSERT INTO|UPDATE|DELETE FROM) (\w+)")


def _writes_in_with(statement: str, words: list[str]) -> list[str]:
    writes = [f"{verb.split()[0]} {table}" for verb, table in _WRITE_IN_WITH.findall(statement)]
    main = next(i for i, word in enumerate(words) if word in {"SELECT", "INSERT", "UPDATE"})
    return writes if words[main] == "SELECT" else [*writes, _kind(words[main:])]


def _kind(words: list[str]) -> str:
    if words[0] == "SELECT":
        return f"SELECT {words[words.index('FROM') + 1]}"
    if words[0] == "UPDATE":
        return f"UPDATE {words[1]}"
    return f"{words[0]} {words[2]}"


def test_a_step_page_takes_two_queries(client, log_in, connection) -> None:
    """The tenant (with its Row Level Security setting) with the login and its person,
    and the draft with its form version and the tenant's offer of the form."""
    log_in("erika")
    step = local(client.get(FUNDSACHE_APPLY).headers["Location"])
    client.get(step)  # the first view compiles the definition; later ones find it cached
    with statements(connection) as sent:
        page = client.get(step)
    assert page.status_code == 200
    assert _kinds(sent) == [
        "set_config",  # the test harness's, see the module's docstring
        "SELECT tenants",
        "SELECT drafts",
    ], sent


def _submission_statements(app, client, connection) -> list[str]:
    token = {"Authorization": f"Bearer {dev_token(app, '--role', 'citizen')}"}
    client.post(FUND, json={"answers": fund_answers()}, headers=token)  # the person's first
    with statements(connection) as sent:
        response = client.post(FUND, json={"answers": fund_answers()}, headers=token)
    assert response.status_code == 201, response.json
    return _kinds(sent)


SUBMISSION = [
    "set_config",  # the test harness's, see the module's docstring
    "SELECT tenants",  # with the token's person
    "SELECT tenant_forms",
    # With the next reference number (one database function) and the name search keys.
    "INSERT submissions + INSERT submission_name_keys",
    # For the targets the form's offer chooses, with their outbox rows.
    "INSERT deliveries + INSERT outbox_messages",
    "INSERT outbox_messages",  # the receipt's
]


def test_a_submission_through_the_api_takes_five_statements(app, client, connection) -> None:
    """The tenant with the token's person, the offered form, the insert (which takes the
    next reference number and writes the name search keys), the deliveries to the
    municipality's targets (none here) with their outbox rows, and the receipt's outbox
    row. The tenant's last submission for the association's overview was noted by the
    first submission a moment ago, so this one leaves the tenant's row alone."""
    assert _submission_statements(app, client, connection) == SUBMISSION


@pytest.fixture
def settings(settings, tmp_path):
    return replace(settings, deliveries_dir=tmp_path / "deliveries")


def test_a_delivered_submission_takes_no_more_statements(
    app, client, connection, musterstadt
) -> None:
    """With a target, its delivery and its outbox row are chosen and written in the one
    statement, without asking whether the new submission has one already."""
    delivery.save_target(musterstadt, "ablage", "folder", {}, default=True)
    db.session.commit()
    assert _submission_statements(app, client, connection) == SUBMISSION
