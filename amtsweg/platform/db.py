"""Database base classes, the session, and the ORM half of tenant isolation.

Isolation has two independent locks (see docs/architecture.md):

1. The ORM: every query of a :class:`TenantOwned` model gets
   ``tenant_id = <current tenant>`` added through ``with_loader_criteria``;
   with no current tenant such a query is refused instead of returning
   everything.
2. PostgreSQL Row Level Security: at the start of every transaction the
   session sets ``app.tenant_id`` (transaction-local), which the policies
   written by the migrations compare with each row (:mod:`amtsweg.platform.rls`).
"""

from __future__ import annotations

import datetime as dt
import enum
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from weakref import WeakKeyDictionary

from flask import Flask, current_app
from flask.globals import app_ctx
from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    Engine,
    Enum,
    ForeignKey,
    MetaData,
    String,
    TypeDecorator,
    Uuid,
    bindparam,
    cast,
    create_engine,
    event,
    func,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    scoped_session,
    sessionmaker,
    with_loader_criteria,
)
from sqlalchemy.orm.util import LoaderCriteriaOption
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import Executable, FromClause
from sqlalchemy.sql.util import find_tables

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TENANT_SETTING = "app.tenant_id"
ASSOCIATION_READS_SETTING = "app.association_reads"
#: Tenant-owned tables with a read-only policy for the association (migration 0015).
ASSOCIATION_READABLE = frozenset({"tenant_forms"})
_ASSOCIATION_READS = "association_reads"  # session.info: inside association_reads()
_APPLIED = "tenant_setting"  # session.info: (transaction, tenant id) the database holds
_SHARED = "shared_connection"  # session.info: sessions work in savepoints of a test's transaction


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AwareDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that always comes back timezone-aware (UTC), on SQLite too.

    PostgreSQL's ``timestamptz`` does this itself; SQLite stores no zone and
    would hand back naive datetimes that cannot be compared with ``utcnow()``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, _dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware one")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value: dt.datetime | None, _dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


# A JSON column, binary (JSONB) on PostgreSQL; a list column names it, a dict one needn't.
JSON_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads it as a class attribute
        uuid.UUID: Uuid(),
        dt.datetime: AwareDateTime(),
        dict[str, Any]: JSON_DOCUMENT,
        # Enums are stored by value as plain strings, portable to SQLite.
        enum.Enum: Enum(
            enum.Enum,
            native_enum=False,
            length=40,
            values_callable=lambda members: [m.value for m in members],
        ),
    }


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TenantOwned:
    """A row that belongs to exactly one tenant.

    The primary key is ``(tenant_id, id)``, so every foreign key to such a row
    is composite and can never point into another tenant. Migrations must
    enable Row Level Security on the table (a test checks every table with a
    ``tenant_id`` column).
    """

    @declared_attr
    @classmethod
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            ForeignKey("tenants.id", ondelete="RESTRICT"), primary_key=True, sort_order=-2
        )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4, sort_order=-1)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)  # declarative maps the class here
        if "__table__" in cls.__dict__:
            _TENANT_OWNED_TABLES.add(cls.__table__)


#: The tables of every mapped :class:`TenantOwned` class, filled as each class is mapped.
_TENANT_OWNED_TABLES: set[FromClause] = set()
#: The tenant-owned tables each statement names, found once per statement object: the hot
#: paths build their statements once, and walking a statement costs more than running it.
_TENANT_TABLES_NAMED: WeakKeyDictionary[Executable, frozenset[str]] = WeakKeyDictionary()
#: Each statement with the tenant criteria added (:func:`_scoped`), and the criteria's parameter.
_SCOPED: WeakKeyDictionary[Executable, Executable] = WeakKeyDictionary()
_SCOPE_PARAMETER = "amtsweg_scope_tenant_id"


class TenantScopeError(RuntimeError):
    """A tenant-owned table was queried or written without a current tenant."""


def current_tenant_id(session: Session) -> uuid.UUID | None:
    return session.info.get("tenant_id")


def set_current_tenant(session: Session, tenant_id: uuid.UUID | None) -> None:
    """Scope ``session`` to one tenant (or to none) for both locks.

    Only :func:`tenant_scope` calls this; everything else enters a scope with it.
    """
    session.info["tenant_id"] = tenant_id
    transaction = session.get_transaction()
    if transaction is not None and transaction.is_active:
        _apply_database_setting(session, session.connection(), tenant_id)


def _apply_database_setting(
    session: Session, connection: Connection, tenant_id: uuid.UUID | None
) -> None:
    """Make the transaction's ``app.tenant_id`` say ``tenant_id``, unless it says so already.

    Each round trip counts on every request, so the session remembers what it
    set in the current transaction (a setting found with
    :func:`tenant_setting_column` counts too) and does not set it twice.
    """
    if connection.dialect.name != "postgresql":
        return
    transaction = session.get_transaction()
    if session.info.get(_APPLIED) == (transaction, tenant_id):
        return
    connection.execute(
        text("SELECT set_config(:name, :value, true)"),
        {"name": TENANT_SETTING, "value": str(tenant_id) if tenant_id else ""},
    )
    session.info[_APPLIED] = (transaction, tenant_id)


def tenant_setting_column(tenant_id: ColumnElement[uuid.UUID]) -> ColumnElement[str]:
    """A column that sets the transaction's ``app.tenant_id`` to ``tenant_id`` of its row.

    The query that finds the tenant of a request sets the database half of the
    scope in the same round trip; call :func:`note_tenant_setting` with the
    tenant it returned, then enter :func:`tenant_scope`, which finds nothing
    left to set. PostgreSQL evaluates the column only for rows the query
    returns, so a query that finds no row sets nothing.
    """
    return func.set_config(TENANT_SETTING, cast(tenant_id, String), true())


def note_tenant_setting(session: Session, tenant_id: uuid.UUID) -> None:
    """The last query set ``app.tenant_id`` to ``tenant_id`` (see :func:`tenant_setting_column`)."""
    if session.get_bind().dialect.name == "postgresql":
        session.info[_APPLIED] = (session.get_transaction(), tenant_id)


def _scope_queries(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    named = _tenant_tables_named(state)
    if not named:
        return
    tenant_id = current_tenant_id(state.session)
    if tenant_id is None and _association_read(state, named):
        return
    if tenant_id is None:
        raise TenantScopeError("query on a tenant-owned table without a current tenant")
    if isinstance(state.parameters, list):  # executemany: parameters per row, not one dict
        state.statement = state.statement.options(_tenant_criteria(tenant_id))
        return
    state.statement = _scoped(state.statement)
    state.parameters = {**(state.parameters or {}), _SCOPE_PARAMETER: tenant_id}


def _scoped(statement: Executable) -> Executable:
    """``statement`` limited to the rows of the tenant bound as :data:`_SCOPE_PARAMETER`.

    Made once per statement object: a new statement per execution would make
    SQLAlchemy work out its cache key anew each time, and for a statement built
    once (the hot paths') that is most of what running it costs in Python.
    """
    scoped = _SCOPED.get(statement)
    if scoped is None:
        scoped = statement.options(_tenant_criteria(bindparam(_SCOPE_PARAMETER, type_=Uuid())))
        _SCOPED[statement] = scoped
    return scoped


def _tenant_criteria(tenant_id: Any) -> LoaderCriteriaOption:
    return with_loader_criteria(
        TenantOwned, lambda cls: cls.tenant_id == tenant_id, include_aliases=True
    )


def _tenant_tables_named(state: ORMExecuteState) -> frozenset[str]:
    """The tenant-owned tables the statement reads or writes anywhere.

    The tables of its FROM clauses, not only the entities it returns: a count such as
    ``select(func.count()).select_from(Submission)`` returns no entity, and would pass
    unscoped (PostgreSQL's policies would silently answer 0). The entities count too, for
    a statement whose tables are in text (``from_statement``).
    """
    named = _TENANT_TABLES_NAMED.get(state.statement)
    if named is None:
        tables = set(find_tables(state.statement, include_crud=True))
        tables.update(mapper.local_table for mapper in state.all_mappers)
        named = frozenset(table.name for table in tables if table in _TENANT_OWNED_TABLES)
        _TENANT_TABLES_NAMED[state.statement] = named
    return named


def _association_read(state: ORMExecuteState, named: frozenset[str]) -> bool:
    """A SELECT inside :func:`association_reads` of no tenant-owned table but those whose
    policy lets the association read (:data:`ASSOCIATION_READABLE`)."""
    return (
        state.is_select
        and bool(state.session.info.get(_ASSOCIATION_READS))
        and named <= ASSOCIATION_READABLE
    )


def _stamp_new_rows(session: Session, _context: Any, _instances: Any) -> None:
    """Give new tenant-owned rows the current tenant; refuse a foreign one."""
    tenant_id = current_tenant_id(session)
    for obj in session.new:
        if not isinstance(obj, TenantOwned):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantScopeError(f"new {type(obj).__name__} without a tenant")
            obj.tenant_id = tenant_id
        elif tenant_id is not None and obj.tenant_id != tenant_id:
            raise TenantScopeError(f"new {type(obj).__name__} for another tenant")


def _on_begin(session: Session, transaction: Any, connection: Connection) -> None:
    """A transaction starts with ``app.tenant_id`` unset (the setting is transaction-local,
    nothing sets it for a whole connection), which matches no row: set it only for a tenant.

    A session working in savepoints of a test's transaction inherits what the
    session before it set, so it always sets the setting.
    """
    if transaction.parent is None:
        session.info.pop(_APPLIED, None)
    tenant_id = current_tenant_id(session)
    if tenant_id is not None or session.info.get(_SHARED):
        _apply_database_setting(session, connection, tenant_id)


def _on_savepoint_end(session: Session, transaction: Any) -> None:
    """A savepoint rolled back takes back a setting made inside it: forget what was set."""
    if transaction.nested:
        session.info.pop(_APPLIED, None)


def install_tenant_scoping(session_factory: sessionmaker[Session]) -> None:
    event.listen(session_factory, "do_orm_execute", _scope_queries)
    event.listen(session_factory, "before_flush", _stamp_new_rows)
    event.listen(session_factory, "after_begin", _on_begin)
    event.listen(session_factory, "after_transaction_end", _on_savepoint_end)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            poolclass=StaticPool if url in {"sqlite://", "sqlite:///:memory:"} else None,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url)
    event.listen(engine, "checkout", _ping_if_idle)
    event.listen(engine, "checkin", _note_last_use)
    return engine


#: A pooled connection unused for longer is tested with a ``SELECT 1`` before it is handed
#: out (firewalls and poolers drop idle connections); a busy one is not (a round trip less
#: per request). A connection lost while busy (the server restarted) fails its request
#: once; SQLAlchemy then replaces every connection of the pool.
PING_AFTER_IDLE_SECONDS = 5.0
_LAST_USE = "amtsweg.last_use"


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    if time.monotonic() - record.info.get(_LAST_USE, 0.0) <= PING_AFTER_IDLE_SECONDS:
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    except Exception as error:  # the pool retries with a new connection
        raise DisconnectionError from error
    finally:
        cursor.close()


def _note_last_use(_dbapi_connection: Any, record: Any) -> None:
    record.info[_LAST_USE] = time.monotonic()


#: How long a SQLite writer waits for another one to commit before it gives up.
SQLITE_BUSY_TIMEOUT_SECONDS = 20.0


def take_write_lock(session: Session) -> None:
    """Make the session's transaction the database's only writer until it ends (SQLite).

    SQLite has no row locks (SQLAlchemy drops ``FOR UPDATE``), and pysqlite begins
    a transaction only at its first write, so two requests could read the same row
    and the later write would silently undo the earlier one. ``BEGIN IMMEDIATE``
    takes SQLite's write lock before anything is read: a second writer waits until
    the first has committed and then reads what it wrote. A transaction that has
    written already holds the lock. On PostgreSQL this does nothing: the caller's
    ``SELECT … FOR UPDATE`` locks the row itself.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _app_context_key() -> int:
    return id(app_ctx._get_current_object())  # noqa: SLF001 - Flask's proxy API


class Database:
    """One app's engine and its one session per application context.

    ``bind`` lets a test hand in a connection with an open outer transaction;
    sessions then work in savepoints on it and the test rolls everything back.
    """

    def __init__(self, url: str, bind: Engine | Connection | None = None) -> None:
        if isinstance(bind, Connection):
            self.engine = bind.engine
        else:
            self.engine = bind or make_engine(url)
        factory = sessionmaker(
            bind=bind or self.engine,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
            info={_SHARED: isinstance(bind, Connection)},
        )
        install_tenant_scoping(factory)
        self.sessions = scoped_session(factory, scopefunc=_app_context_key)

    def init_app(self, app: Flask) -> None:
        app.extensions["amtsweg.db"] = self
        app.teardown_appcontext(lambda _exc: self.sessions.remove())


class _CurrentDatabase:
    """``db.session`` is the session of the current app and app context."""

    @property
    def _database(self) -> Database:
        return current_app.extensions["amtsweg.db"]

    @property
    def session(self) -> Session:
        return self._database.sessions()

    @property
    def engine(self) -> Engine:
        return self._database.engine


db = _CurrentDatabase()


@contextmanager
def tenant_scope(tenant_id: uuid.UUID | None) -> Iterator[None]:
    """Work for one tenant inside the block; the previous scope comes back after it.

    Only the web shell (for a request under ``/t/<tenant>/``), CLI commands and
    job functions enter a scope. Services never switch it: they check it with
    :func:`require_tenant_scope`, so a helper handed another tenant's object
    refuses instead of silently re-pointing the whole session at that tenant.
    """
    session = db.session
    previous = current_tenant_id(session)
    set_current_tenant(session, tenant_id)
    try:
        yield
        # Rows added in the block are written while the block's tenant is in force.
        session.flush()
    finally:
        set_current_tenant(session, previous)


@contextmanager
def association_reads() -> Iterator[None]:
    """Let the block read, across tenants, the tables whose policy allows the association
    to (:data:`ASSOCIATION_READABLE`: which municipality offers which form, public on its
    pages anyway).

    Both locks stay shut for everything else: the ORM refuses any other
    tenant-owned table without a tenant, and Row Level Security opens only
    what a policy of its own names. Read; write nothing.
    """
    session = db.session
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    setting = text("SELECT set_config(:name, :value, true)")
    if postgres:
        connection.execute(setting, {"name": ASSOCIATION_READS_SETTING, "value": "on"})
    session.info[_ASSOCIATION_READS] = True
    try:
        yield
    finally:
        session.info.pop(_ASSOCIATION_READS, None)
        if postgres:
            connection.execute(setting, {"name": ASSOCIATION_READS_SETTING, "value": ""})


def require_tenant_scope(tenant_id: uuid.UUID) -> None:
    """Refuse to work on ``tenant_id``'s rows unless the session is scoped to that tenant."""
    current = current_tenant_id(db.session)
    if current != tenant_id:
        raise TenantScopeError(
            f"working for tenant {tenant_id} while the session is scoped to {current}"
        )
