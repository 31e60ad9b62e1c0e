"""Set-based writes that the ORM has no call for: appending many rows, and INSERT … SELECT.

A province's screening and its pool refresh write hundreds of thousands of rows; building a model
instance per row (``bulk_create``) costs more than the database's own work, so these write plain tuples,
or let the database copy rows from a query without them passing through Python at all.
"""

from collections.abc import Iterable, Mapping

from django.db import connection, models
from django.db.models.expressions import BaseExpression


def append_rows(model: type[models.Model], columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Append rows (tuples in ``columns`` order) in one round trip: COPY on PostgreSQL, executemany elsewhere."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))


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
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)
        return cursor.rowcount
