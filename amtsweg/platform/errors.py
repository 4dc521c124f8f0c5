"""The one way an operation refuses: :class:`Refusal`, rendered once by the web shell.

A service that cannot do what it was asked raises a ``Refusal`` (or a subclass
of its area) with an HTTP status, a sentence for a person, and optionally one
:class:`FieldProblem` per offending part of the input, located by an RFC 6901
JSON pointer. The web shell turns it into an RFC 9457 problem document for API
and JSON clients and into an error page for browsers; the CLI prints its
detail. Views that show problems next to the fields (form pages) catch it
themselves. Service code never raises werkzeug's HTTP exceptions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One problem with one part of the input: where (a JSON pointer) and what."""

    pointer: str
    detail: str
    code: str = ""

    def as_dict(self) -> dict[str, str]:
        entry = {"pointer": self.pointer, "detail": self.detail}
        if self.code:
            entry["code"] = self.code
        return entry


class Refusal(Exception):  # noqa: N818 - it is not an error of ours, it is an answer
    """An operation was refused; ``detail`` says why in the reader's language.

    ``status`` is the HTTP status the web shell answers with (422 unless a
    subclass or the raiser says otherwise). A refusal that reports what was done
    before it (refunds found at a payment provider and recorded) sets
    ``keeps_writes``: the request's writes are committed all the same.
    """

    status = 422
    keeps_writes = False

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        problems: Iterable[FieldProblem] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        self.problems = tuple(problems)
        self.headers = headers or {}


class NotFound(Refusal):
    """What was asked for does not exist (or not for the asker)."""

    status = 404


class Conflict(Refusal):
    """The request contradicts the current state (a duplicate, a final state)."""

    status = 409


def json_pointer(*tokens: str | int) -> str:
    """An RFC 6901 pointer: ``json_pointer("answers", "a/b", 1)`` → ``/answers/a~1b/1``."""
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in tokens)
