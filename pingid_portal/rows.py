"""Single-row reads and writes that skip the ORM's query compiler.

The statements of a PingID API `authoffline` call are written as SQL here,
once per model: building each through the ORM's query compiler took more CPU
time than the rest of the call (docs/benchmarks.md, PingID API). Values still pass through
Django's field conversions (time zones, JSON, encrypted fields and each
backend's types), so the rows read and written are the same as the ORM's.

Inside `write_batch()`, the writes of this module are queued and sent
together: on PostgreSQL as one multi-statement query, one network round trip.

Table and column names in the SQL come from model metadata, and every value
is a query parameter. Only models with an auto-incremented primary key are
supported. Signals do not fire, as with `QuerySet.update()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

from django.db import DatabaseError, connection, models
from django.db.transaction import TransactionManagementError

ModelT = TypeVar("ModelT", bound=models.Model)

Converter = Callable[[Any, Any, Any], Any]


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[models.Model]) -> str:
    """Return the quoted table name of `model`."""
    return quote(model._meta.db_table)


def for_update(*aliases: str) -> str:
    """Return the row-locking clause for the tables named `aliases`, or "".

    SQLite has no row locks: a writing transaction there locks the whole
    database, so the clause is left out.
    """
    if not connection.features.has_select_for_update:
        return ""
    if aliases and connection.features.has_select_for_update_of:
        return connection.ops.for_update_sql(of=[quote(alias) for alias in aliases])
    return connection.ops.for_update_sql()


@cache
def _read_plan(
    model: type[models.Model], vendor: str
) -> tuple[list[str], list[list[Converter]], list[Any]]:
    fields = list(model._meta.concrete_fields)
    converters = []
    columns = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        columns.append(column)
        converters.append(
            connection.ops.get_db_converters(column)
            + column.get_db_converters(connection)
        )
    return [field.attname for field in fields], converters, columns


def columns(model: type[models.Model], alias: str) -> str:
    """Return the select list of every concrete field of `model` under `alias`."""
    return ", ".join(
        f"{quote(alias)}.{quote(field.column)}" for field in model._meta.concrete_fields
    )


def column_count(model: type[models.Model]) -> int:
    return len(model._meta.concrete_fields)


def instance_from_row(
    model: type[ModelT], row: Sequence[Any], start: int = 0
) -> ModelT | None:
    """Build a `model` instance from the values of `columns(model, ...)` in `row`.

    The values start at `start`. Returns None when the primary key is NULL, as
    it is for the missing side of an outer join.
    """
    names, converters, expressions = _read_plan(model, connection.vendor)
    values = list(row[start : start + len(names)])
    if values[names.index(model._meta.pk.attname)] is None:
        return None
    for index, field_converters in enumerate(converters):
        for converter in field_converters:
            values[index] = converter(values[index], expressions[index], connection)
    return model.from_db(connection.alias, names, values)


@cache
def _insert_plan(
    model: type[models.Model], vendor: str
) -> tuple[str, list[models.Field[Any, Any]]]:
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    sql = (
        f"INSERT INTO {table(model)} "  # noqa: S608
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if connection.features.can_return_columns_from_insert:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    return sql, fields


def row_insert(instance: models.Model) -> None:
    """Insert `instance` as a new row and set its primary key.

    Inside a write batch the key is set when the batch is sent.
    """
    model = type(instance)
    sql, fields = _insert_plan(model, connection.vendor)
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), connection)
        for field in fields
    ]

    def key_set(row: Sequence[Any] | None) -> None:
        assert row is not None
        instance.pk = row[0]
        instance._state.adding = False
        instance._state.db = connection.alias

    if connection.features.can_return_columns_from_insert:
        write(sql, params, key_set)
        return
    write(sql, params)
    with connection.cursor() as cursor:
        key_set(
            [
                connection.ops.last_insert_id(
                    cursor, model._meta.db_table, model._meta.pk.column
                )
            ]
        )


@cache
def _update_sql(model: type[models.Model], names: tuple[str, ...], vendor: str) -> str:
    assignments = ", ".join(
        f"{quote(_field(model, name).column)} = %s" for name in names
    )
    return (
        f"UPDATE {table(model)} SET {assignments} "  # noqa: S608
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def param(model: type[models.Model], name: str, value: Any) -> Any:
    """Return `value` prepared as a query parameter for the field `name` of `model`."""
    return _field(model, name).get_db_prep_save(value, connection)


def row_update(model: type[models.Model], pk: Any, **values: Any) -> None:
    """Set the fields `values` of the row `pk` of `model`."""
    names = tuple(values)
    sql = _update_sql(model, names, connection.vendor)
    params = [
        _field(model, name).get_db_prep_save(value, connection)
        for name, value in values.items()
    ]
    write(sql, [*params, pk])


def instance_update(instance: models.Model, *names: str) -> None:
    """Write the fields `names` of a saved `instance`, as `save(update_fields=...)`."""
    model = type(instance)
    row_update(
        model,
        instance.pk,
        **{name: getattr(instance, _field(model, name).attname) for name in names},
    )


# Write batches ---------------------------------------------------------------

RowHandler = Callable[[Sequence[Any] | None], None]

_BATCH_ATTRIBUTE = "pingid_write_batch"


class WriteBatchError(DatabaseError):
    """A queued write failed when its batch was sent.

    Deliberately not an IntegrityError, so that a handler around an unrelated
    statement (such as `get_or_create`) cannot take it for its own conflict.
    """


class _WriteBatch:
    def __init__(self) -> None:
        self.statements: list[tuple[str, list[Any], RowHandler | None]] = []
        self.sending = False

    def before_statement(
        self, execute: Any, sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        """Send the queue first, so that the next statement finds every earlier write."""
        if not self.sending:
            self.send()
        return execute(sql, params, many, context)

    def send(self) -> None:
        if not self.statements:
            return
        statements, self.statements = self.statements, []
        self.sending = True
        try:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    _send_as_one_query(cursor, statements)
                else:
                    for sql, params, on_row in statements:
                        cursor.execute(sql, params)
                        if on_row is not None:
                            on_row(cursor.fetchone())
        except DatabaseError as error:
            raise WriteBatchError(f"A batched write failed: {error}") from error
        finally:
            self.sending = False


def _send_as_one_query(
    cursor: Any, statements: list[tuple[str, list[Any], RowHandler | None]]
) -> None:
    # Django's psycopg 3 backend binds parameters on the client and sends the
    # text with the simple query protocol, which runs several statements.
    cursor.execute(
        "; ".join(sql for sql, _, _ in statements),
        [param for _, params, _ in statements for param in params],
    )
    for index, (_, _, on_row) in enumerate(statements):
        if index:
            cursor.nextset()
        if on_row is not None:
            on_row(cursor.fetchone())


def write(sql: str, params: list[Any], on_row: RowHandler | None = None) -> None:
    """Run a writing statement now, or queue it in the current write batch.

    `on_row` gets the first row the statement returns (None for none), when
    the statement runs.
    """
    batch: _WriteBatch | None = getattr(connection, _BATCH_ATTRIBUTE, None)
    if batch is not None and not batch.sending:
        batch.statements.append((sql, params, on_row))
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if on_row is not None:
            on_row(cursor.fetchone())


@contextmanager
def write_batch() -> Iterator[None]:
    """Queue the writes of this module made in the block and send them together.

    The queue is sent when the block ends, also when it ends by an exception,
    and before any other statement runs on the connection, so every read
    sees every earlier write and a savepoint rolled back later cannot take
    earlier writes with it. Only writes that are not expected to fail
    belong here: a failure shows when the batch is sent, as WriteBatchError.
    Must run inside an atomic block; a nested batch joins the outer one.
    """
    if not connection.in_atomic_block:
        raise TransactionManagementError(
            "A write batch must run in a transaction: open transaction.atomic() first."
        )
    if getattr(connection, _BATCH_ATTRIBUTE, None) is not None:
        yield
        return
    batch = _WriteBatch()
    setattr(connection, _BATCH_ATTRIBUTE, batch)
    try:
        with connection.execute_wrapper(batch.before_statement):
            try:
                yield
            except BaseException:
                # The writes made before the exception stay in the
                # transaction, as they would without a batch. When they fail
                # too, WriteBatchError replaces the exception in flight, so
                # that no caller catches that one and commits without them.
                batch.send()
                raise
            batch.send()
    finally:
        delattr(connection, _BATCH_ATTRIBUTE)
