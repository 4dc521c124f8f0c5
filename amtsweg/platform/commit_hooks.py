"""What a change hands on once its transaction has ended: only if it was committed.

Jobs (:mod:`amtsweg.platform.jobs`), files stored for a row
(:mod:`amtsweg.platform.storage`) and metric increments
(:mod:`amtsweg.platform.metrics`) each collect items while a transaction runs.
An :class:`AfterCommit` hands its items on when the transaction commits and
gives back those of work that is rolled back.

The work an item belongs to is the innermost transaction open when it was
added. A savepoint rolled back takes its items with it while the transaction
around it may still commit; a savepoint released is no commit (SQLAlchemy
reports it as one), so its items wait for the end of the whole transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

Item = TypeVar("Item")


def _keep(_items: list[Any]) -> None:
    """Nothing to do with items of work that was rolled back."""


class AfterCommit(Generic[Item]):
    """Items collected during a transaction, for ``committed`` once it commits.

    ``undone`` gets the items of work rolled back (the whole transaction or a
    savepoint), which are then forgotten. Make one per kind, at import: its
    listeners are on the ``Session`` class, for every session of the process.
    """

    def __init__(
        self,
        name: str,
        committed: Callable[[list[Item]], None],
        undone: Callable[[list[Item]], None] = _keep,
    ) -> None:
        self._key = f"amtsweg.after_commit.{name}"
        self._committed = committed
        self._undone = undone
        event.listen(Session, "after_commit", self._hand_on)
        event.listen(Session, "after_soft_rollback", self._give_back)

    def add(self, session: Session, item: Item) -> None:
        """Hand ``item`` on when the current transaction commits."""
        if not session.in_transaction():
            session.begin()  # so that a rollback before any SQL still undoes it
        work = session.get_nested_transaction() or session.get_transaction()
        session.info.setdefault(self._key, []).append((work, item))

    def _hand_on(self, session: Session) -> None:
        if session.get_nested_transaction() is not None:  # a savepoint's release
            return
        if waiting := session.info.pop(self._key, None):
            self._committed([item for _work, item in waiting])

    def _give_back(self, session: Session, rolled_back: SessionTransaction) -> None:
        kept, undone = [], []
        for work, item in session.info.get(self._key, ()):
            if _within(work, rolled_back):
                undone.append(item)
            else:
                kept.append((work, item))
        if undone:
            session.info[self._key] = kept
            self._undone(undone)


def _within(work: SessionTransaction | None, rolled_back: SessionTransaction) -> bool:
    """Whether ``work`` is ``rolled_back`` or a savepoint inside it."""
    while work is not None:
        if work is rolled_back:
            return True
        work = work.parent
    return False
