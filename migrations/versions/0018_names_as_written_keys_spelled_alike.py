"""submissions.applicant_name as written; name keys spelled alike ("Mueller" finds "Müller")

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 03:15:00.000000

The applicant's name was kept in lower case, and the clerk's list showed it
title-cased: "Großmann" became "Grossmann", "von der Heide" "Von Der Heide".
It is now kept as written, made again here from each submission's answers
(or the login's name), as ``submissions.applicants.applicant_name`` does.

Its search keys were the lower-case name from each word on: a clerk typing
"Mueller" did not find the citizen account's "Müller", "Celik" not the
"Çelik" a citizen typed, and "Lüdenscheidt" not "Müller-Lüdenscheidt". They
are now in ``submissions.applicants.search_form`` (umlauts written out, other
letters without accents), from each word and each part of a double name on,
and made again too, with the tenant policy lifted for the owner during the
copy, as 0013 did. Going down keeps the name in lower case and its keys so.
"""

import re
import unicodedata
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As submissions.applicants on this day; a migration keeps its own copy, so that a
# later change there never changes what this revision did.
NAME_PARTS = (("vorname", "nachname"), ("given_name", "family_name"), ("name",))
_WRITTEN_OUT = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "\u0131": "i",  # the dotless i
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ł": "l",
        "đ": "d",
    }
)

submissions = sa.table(
    "submissions",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("user_id", sa.Uuid()),
    sa.column("answers", sa.JSON()),
    sa.column("applicant_name", sa.String(200)),
)
users = sa.table("users", sa.column("id", sa.Uuid()), sa.column("display_name", sa.String(200)))
keys = sa.table(
    "submission_name_keys",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("submission_id", sa.Uuid()),
    sa.column("key", sa.String(200)),
)


def _single_spaced(text: str) -> str:
    return " ".join(text.split())[:200]


def _as_written(answers: Mapping[str, Any], login_name: str) -> str:
    for parts in NAME_PARTS:
        values = [answers.get(part) for part in parts]
        if all(isinstance(value, str) and value.strip() for value in values):
            return _single_spaced(" ".join(values))
    return _single_spaced(login_name)


def _spelled_alike(name: str) -> str:
    written_out = name.casefold().translate(_WRITTEN_OUT)
    decomposed = unicodedata.normalize("NFKD", written_out)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))[:200]


def _lower_case(name: str) -> str:
    return name.casefold()[:200]


def upgrade() -> None:
    _name_and_keys_again(_as_written, lambda name: _keys_from_words_and_parts(_spelled_alike(name)))


def downgrade() -> None:
    _name_and_keys_again(
        lambda answers, login: _lower_case(_as_written(answers, login)), _keys_from_words
    )


def _name_and_keys_again(
    name_of: Callable[[Mapping[str, Any], str], str], keys_of: Callable[[str], list[str]]
) -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE submissions NO FORCE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE submission_name_keys NO FORCE ROW LEVEL SECURITY")
    found = bind.execute(
        sa.select(
            submissions.c.tenant_id,
            submissions.c.id,
            submissions.c.answers,
            users.c.display_name,
        ).outerjoin(users, users.c.id == submissions.c.user_id)
    ).all()
    names = [
        {
            "tenant": tenant_id,
            "submission": submission_id,
            "name": name_of(answers or {}, login or ""),
        }
        for tenant_id, submission_id, answers, login in found
    ]
    if names:
        bind.execute(
            submissions.update()
            .where(
                submissions.c.tenant_id == sa.bindparam("tenant"),
                submissions.c.id == sa.bindparam("submission"),
            )
            .values(applicant_name=sa.bindparam("name")),
            names,
        )
    op.execute(keys.delete())
    rows = [
        {
            "tenant_id": row["tenant"],
            "id": uuid.uuid4(),
            "submission_id": row["submission"],
            "key": key,
        }
        for row in names
        for key in keys_of(row["name"])
    ]
    if rows:
        op.bulk_insert(keys, rows)
    if postgres:
        op.execute("ALTER TABLE submission_name_keys FORCE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE submissions FORCE ROW LEVEL SECURITY")


def _keys_from_words(name: str) -> list[str]:
    """The name from each of its words on, as 0013 made them."""
    words = name.split(" ") if name else []
    return list(dict.fromkeys(" ".join(words[start:]) for start in range(len(words))))


def _keys_from_words_and_parts(name: str) -> list[str]:
    """The name from each of its words and each part of a double name on (as
    ``submissions.applicants.search_keys`` on this day)."""
    later = [separator.end() for separator in re.finditer("[ -]", name)]
    starts = [0, *(start for start in later if name[start : start + 1].isalnum())]
    return list(dict.fromkeys(name[start:] for start in starts if name))
