"""Exports on PostgreSQL: the selector's query streamed by COPY ... TO STDOUT.

Converting every value in Python reached about a tenth of COPY's throughput
and building each CSV line in SQL expressions about a fifth (figures in
docs/benchmarks.md). So on PostgreSQL the export query itself runs under
COPY, and Python only writes the blocks it receives. The output follows the
rules of the Python writers in activity/exports.py: UTF-8, RFC 4180 quoting
with CRLF line ends, formula-looking cells prefixed with an apostrophe. JSON
values keep PostgreSQL's spacing and key order, which differ from Python's
but parse to the same values.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

INTEGER_COLUMNS = {"id", "sequence", "settings_file_id", "pingid_user_id"}
OCCURRED_AT_UTC = (
    "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
)
# chr(9) is a tab and chr(13) a carriage return.
FORMULA_FIRST_CHARACTERS = "('=', '+', '-', '@', chr(9), chr(13))"
# COPY's CSV format with a quote and a delimiter that JSON text never
# contains raw (JSON escapes control characters), so each line is the JSON
# text as PostgreSQL rendered it.
JSON_LINES_OPTIONS = "FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02'"


def _cell(column: str) -> str:
    """Return the SQL of one CSV cell: text, neutralized like `neutralize`."""
    if column in INTEGER_COLUMNS:
        return column
    if column == "occurred_at":
        return OCCURRED_AT_UTC
    if column == "ip_address":
        return "host(ip_address)"
    value = f"{column}::text"
    return (
        f"CASE WHEN left({value}, 1) IN {FORMULA_FIRST_CHARACTERS} "
        f"THEN '''' || {value} ELSE {value} END"
    )


def _json_object(columns: Iterable[str]) -> str:
    pairs = []
    for column in columns:
        if column == "occurred_at":
            value = OCCURRED_AT_UTC
        elif column == "ip_address":
            value = "host(ip_address)"
        else:
            value = column
        pairs.append(f"'{column}', {value}")
    return f"json_build_object({', '.join(pairs)})::text"


def copy_statement(
    events: QuerySet[Any], columns: tuple[str, ...], is_csv: bool
) -> str:
    """Return the COPY statement that streams `events`, newest first."""
    ordered = events.order_by("-occurred_at", "-id")
    if is_csv:
        # Built only from the fixed column names of EXPORT_COLUMNS, never input.
        expressions = {
            f"export_{column}": RawSQL(_cell(column), ())  # noqa: S611
            for column in columns
        }
        options = "FORMAT csv"
    else:
        expressions = {"export_line": RawSQL(_json_object(columns), ())}  # noqa: S611
        options = JSON_LINES_OPTIONS
    query = ordered.annotate(**expressions).values_list(*expressions)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        # Django's psycopg cursor binds on the client, so mogrify inlines the
        # parameters the way they would be sent; COPY takes no parameters.
        select = cursor.cursor.mogrify(sql, params)
    return f"COPY ({select}) TO STDOUT WITH ({options})"


# Bytes of COPY output gathered before they are converted and written;
# psycopg 3 yields one row per block, which is too small a unit for Python.
COPY_BUFFER_BYTES = 1 << 20


def copy_blocks(statement: str) -> Iterator[bytes]:
    """Yield the output of a COPY ... TO STDOUT statement in blocks of about 1 MiB.

    The connection is busy until the last block, so progress updates in the
    meantime go through `SideConnectionProgress`.
    """
    buffer: list[bytes] = []
    size = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in copy:
            buffer.append(bytes(block))
            size += len(block)
            if size >= COPY_BUFFER_BYTES:
                yield b"".join(buffer)
                buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


class SideConnectionProgress:
    """Record an export's progress on a second connection, in autocommit.

    The main connection streams COPY and cannot run other statements.
    """

    def __init__(self, export_id: int) -> None:
        self.export_id = export_id
        self.side: Any = None

    def __call__(self, rows: int) -> None:
        from activity.models import Export, ExportStatus

        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Export._meta.db_table} SET rows_written = %s, "  # noqa: S608
                "heartbeat_at = now() WHERE id = %s AND status = %s",
                [rows, self.export_id, ExportStatus.RUNNING],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


class CsvLineEnds:
    """Turn COPY's LF row ends into CRLF, leaving line breaks inside quotes.

    COPY quotes every field that contains a line break, so a LF is a row end
    exactly when an even number of quote characters came before it.
    """

    def __init__(self) -> None:
        self.in_quotes = False
        self.rows = 0

    def convert(self, block: bytes) -> bytes:
        parts = block.split(b'"')
        for index in range(len(parts)):
            outside = (index % 2 == 0) != self.in_quotes
            if outside and b"\n" in parts[index]:
                self.rows += parts[index].count(b"\n")
                parts[index] = parts[index].replace(b"\n", b"\r\n")
        if len(parts) % 2 == 0:
            self.in_quotes = not self.in_quotes
        return b'"'.join(parts)
