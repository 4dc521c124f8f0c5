"""Files kept outside the database (uploads, coats of arms).

``FileStorage`` is the interface; ``LocalDirectoryStorage`` keeps files in a
directory (a mounted volume in production). Keys are generated here, never
taken from a file name a person sent.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

from amtsweg.platform.commit_hooks import AfterCommit
from amtsweg.platform.db import db
from amtsweg.platform.jobs import enqueue_after_commit

log = logging.getLogger(__name__)


class FileStorage(Protocol):
    def put(self, namespace: str, data: bytes) -> str:
        """Store ``data`` and return its new key."""

    def get(self, key: str) -> bytes:
        """Return the stored bytes; ``KeyError`` if there is no such file."""

    def delete(self, key: str) -> None: ...

    def check(self) -> str:
        """Whether files can be stored now: "ok", or what is wrong (for ``/readyz``)."""


class LocalDirectoryStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        namespace, _, name = key.partition("/")
        if not (namespace.isidentifier() and name.isalnum()):
            raise KeyError(key)
        return self.root / namespace / name

    def put(self, namespace: str, data: bytes) -> str:
        key = f"{namespace}/{secrets.token_hex(16)}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)
        return key

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def check(self) -> str:
        """Write and remove a file: a volume that is missing, mounted read-only or owned by
        another user fails here, before a citizen's upload fails on it."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.root):
                pass
        except OSError as error:
            log.warning("file storage not writable: %s", type(error).__name__)
            return "not writable"
        return "ok"


def storage() -> FileStorage:
    return current_app.extensions["amtsweg.storage"]


def delete_stored_file(key: str) -> None:
    """Job: remove a file that a committed change no longer points to."""
    storage().delete(key)


def delete_after_commit(key: str) -> None:
    """Remove ``key`` only once the change that replaced it is committed."""
    enqueue_after_commit(delete_stored_file, key)


def put_for_transaction(namespace: str, data: bytes) -> str:
    """Store ``data`` for a row of the current transaction; if the transaction rolls
    back, the file is deleted again, so no file outlives the row that named it."""
    key = storage().put(namespace, data)
    _STORED_FOR_ROWS.add(db.session, (storage(), key))
    return key


def _delete_stored(files: list[tuple[FileStorage, str]]) -> None:
    for store, key in files:
        store.delete(key)


_STORED_FOR_ROWS: AfterCommit[tuple[FileStorage, str]] = AfterCommit(
    "stored files", committed=lambda _files: None, undone=_delete_stored
)


def init_app(app: Flask) -> None:
    app.extensions["amtsweg.storage"] = LocalDirectoryStorage(
        app.config["AMTSWEG"].storage_dir.resolve()
    )
