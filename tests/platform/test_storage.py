"""Files stored for a change live and die with the change's transaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from amtsweg.platform.db import db
from amtsweg.platform.storage import put_for_transaction, storage


def _files(settings) -> list[Path]:
    folder = Path(settings.storage_dir) / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.sqlite
def test_a_file_of_a_rolled_back_change_is_deleted_and_a_committed_one_kept(app, settings) -> None:
    put_for_transaction("uploads", b"never saved")
    assert len(_files(settings)) == 1
    db.session.rollback()
    assert _files(settings) == []
    key = put_for_transaction("uploads", b"saved")
    db.session.commit()
    db.session.rollback()  # a later rollback does not touch what was committed
    assert storage().get(key) == b"saved"


@pytest.mark.sqlite
def test_a_savepoint_released_does_not_keep_the_file_of_a_change_rolled_back(app, settings) -> None:
    put_for_transaction("uploads", b"never saved")
    with db.session.begin_nested():
        pass
    db.session.rollback()
    assert _files(settings) == []


@pytest.mark.sqlite
def test_a_file_of_a_savepoint_rolled_back_is_deleted_at_once(app, settings) -> None:
    """A savepoint rolled back takes its rows with it: their files go too, while the
    transaction around it may still commit its own."""
    kept = put_for_transaction("uploads", b"kept")
    savepoint = db.session.begin_nested()
    put_for_transaction("uploads", b"undone")
    savepoint.rollback()
    assert [path.read_bytes() for path in _files(settings)] == [b"kept"]
    db.session.commit()
    assert storage().get(kept) == b"kept"
