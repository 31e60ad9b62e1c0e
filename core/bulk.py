"""Bulk writes for imports of tens of thousands of rows.

Django's ``bulk_create`` compiles every value of every row into SQL, in batches that SQLite's 999-parameter
limit keeps to some sixty rows: half the time of a 100,000-row import. Django's ``bulk_update`` builds one
``CASE WHEN id = … THEN …`` per field and row, and resolving those expressions costs more than the database
work: 15 s for 3,000 rows of twelve fields.

``insert_select`` lets the database copy rows from a query (a pool refresh's entrants and their history),
without them passing through Python at all.

``insert_rows`` and ``update_rows`` prepare the values as Django would (``get_db_prep_save``) and send them:

* on SQLite, as one prepared statement with many parameter sets (``executemany`` loops in C, in-process);
* on PostgreSQL, through COPY (into the table, or for an update into a temporary table that one
  ``UPDATE … FROM`` then applies). Django's psycopg cursors bind parameters on the client, quoting every
  value into the SQL text in Python: for a statement per record, or one with arrays of a batch's values,
  that quoting alone took 5 s of a 30,000-row write; COPY formats rows in psycopg's C code.

No model instances are made and no primary keys come back: a caller that needs them reads them back by a
natural key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

from django.db import connections, models, router, transaction
from django.db.models.expressions import BaseExpression

T = TypeVar("T")
BATCH = 2000


# Field classes whose get_db_prep_save returns a value of this exact type unchanged (after a copy; on
# PostgreSQL an int comes back as Int4, an int with a type hint that only server-side binding uses), on both
# databases: calling it for each of a million values costs seconds. Exact types: a bool is an int to Python,
# but Django turns it into 1 for an integer column, so a bool for an IntegerField still goes through Django.
_PLAIN = (
    (models.BooleanField, bool),
    (models.IntegerField, int),
    (models.CharField, str),
    (models.TextField, str),
    (models.DecimalField, Decimal),
)


def preparer(field: models.Field, connection) -> Callable[[object], object]:
    """The field's get_db_prep_save, skipped for None and for a value already of the column's plain type."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    kind = next((kind for cls, kind in _PLAIN if isinstance(target, cls)), None)
    slow = field.get_db_prep_save
    if kind is None:
        return lambda value: slow(value, connection)
    return lambda value: value if value is None or type(value) is kind else slow(value, connection)


def chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size``; also keeps ``__in`` lists under the databases' parameter limits."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def update_rows(
    model: type[models.Model], objs: Iterable[models.Model], fields: list[str], batch_size: int = BATCH
) -> int:
    """Write ``fields`` of saved ``objs`` by primary key, like ``bulk_update`` (no signals, auto_now kept)."""
    objs = list(objs)
    if not objs:
        return 0
    connection = connections[router.db_for_write(model)]
    concrete = [model._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    table = quote(model._meta.db_table)

    prepare = [(f, preparer(f, connection)) for f in concrete]
    prepare_pk = preparer(pk, connection)

    def values(obj: models.Model) -> list:
        # pre_save gives auto_now fields their new time, as save() and bulk_update do.
        return [*(p(f.pre_save(obj, False)) for f, p in prepare), prepare_pk(obj.pk)]

    # One transaction at least, as bulk_update has: a failure half-way leaves no row half-written.
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            sql = "UPDATE {} SET {} WHERE {} = %s".format(
                table, ", ".join(f"{quote(f.column)} = %s" for f in concrete), quote(pk.column)
            )
            for batch in chunks(objs, batch_size):
                cursor.executemany(sql, [values(obj) for obj in batch])
            return len(objs)
        # A temporary table of the new values with the columns' own types, then one UPDATE joining it.
        columns = ", ".join(quote(f.column) for f in (pk, *concrete))
        temporary = quote(f"_update_{model._meta.db_table}")
        assignments = ", ".join(f"{quote(f.column)} = t.{quote(f.column)}" for f in concrete)
        cursor.execute(f"CREATE TEMPORARY TABLE {temporary} AS SELECT {columns} FROM {table} LIMIT 0")
        try:
            _copy(connection, temporary, columns, ([v[-1], *v[:-1]] for v in map(values, objs)))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {temporary} t WHERE {table}.{quote(pk.column)} = "
                f"t.{quote(pk.column)}"
            )
        finally:
            cursor.execute(f"DROP TABLE {temporary}")
    return len(objs)


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[object]],
    batch_size: int = BATCH,
    prepared: bool = False,
) -> int:
    """INSERT rows given as values in ``fields`` order: Python values, prepared here as Django would, or with
    ``prepared`` values already as the database takes them (a screening's JSON is encoded as it is made)."""
    connection = connections[router.db_for_write(model)]
    concrete = [model._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in concrete)
    )
    one = "({})".format(", ".join(["%s"] * len(concrete)))
    prepare = [preparer(f, connection) for f in concrete]

    def values(row: Sequence[object]) -> Sequence[object]:
        return row if prepared else [p(value) for p, value in zip(prepare, row, strict=True)]

    rows = list(rows)
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for batch in chunks(rows, batch_size):
                cursor.executemany(head + one, [values(row) for row in batch])
            return len(rows)
        _copy(
            connection,
            quote(model._meta.db_table),
            ", ".join(quote(f.column) for f in concrete),
            map(values, rows),
        )
    return len(rows)


def _copy(connection, table: str, columns: str, rows: Iterable[Sequence[object]]) -> None:
    """COPY rows of prepared values into a (quoted) table on the connection's own psycopg connection.

    The same connection, so the caller's transaction holds the rows as it holds any other write.
    """
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def insert_select(model: type[models.Model], columns: Mapping[str, BaseExpression],
                  source: models.QuerySet) -> int:
    """INSERT INTO the model's table the rows of ``source``, each column given as an expression over it.

    ``columns`` maps the target's column names to expressions evaluated on ``source``'s rows (e.g.
    ``{"object_id": Cast("pk", CharField())}``); the database copies the rows itself. Returns how many.
    """
    # Aliases that cannot collide with the source's own fields; annotated and selected in one order, so
    # the SELECT list lines up with the column list.
    aliases = {f"insert_{i}": expression for i, expression in enumerate(columns.values())}
    query = source.order_by().annotate(**aliases).values_list(*aliases).query
    sql, params = query.sql_with_params()
    connection = connections[router.db_for_write(model)]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)
        return cursor.rowcount
