"""Export lines rendered by PostgreSQL, for speed on large exports.

On PostgreSQL each CSV or JSON line is built by the database in the export
query itself, so Python only joins text. This comes much closer to the
throughput of PostgreSQL's own COPY than converting every value in Python
(figures in docs/benchmarks.md). The output follows the same rules as the Python
writers in activity/exports.py: UTF-8, RFC 4180 quoting with CRLF line ends,
formula-looking cells prefixed with an apostrophe. JSON values inside a CSV
cell and JSON Lines keep PostgreSQL's own spacing and key order, which differ
from Python's but parse to the same values.
"""

from __future__ import annotations

from django.db.models.expressions import RawSQL

INTEGER_COLUMNS = {"id", "sequence", "settings_file_id", "pingid_user_id"}
JSON_COLUMNS = {"before", "after", "truncated_fields"}
OCCURRED_AT_UTC = (
    "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
)
# chr(9) is a tab, chr(13) a carriage return, chr(10) a line feed.
FORMULA_FIRST_CHARACTERS = "('=', '+', '-', '@', chr(9), chr(13))"
CSV_SPECIAL_CHARACTERS = "'\",' || chr(10) || chr(13)"


def _text_value(column: str) -> str:
    if column == "occurred_at":
        return OCCURRED_AT_UTC
    if column == "ip_address":
        return "host(ip_address)"
    if column in INTEGER_COLUMNS or column in JSON_COLUMNS:
        return f"{column}::text"
    return column


def _csv_cell(column: str) -> str:
    value = _text_value(column)
    if column in INTEGER_COLUMNS or column == "occurred_at":
        return f"coalesce({value}, '')"
    neutral = (
        f"(CASE WHEN left({value}, 1) IN {FORMULA_FIRST_CHARACTERS} "
        f"THEN '''' || {value} ELSE {value} END)"
    )
    quoted = (
        f"(CASE WHEN {neutral} <> translate({neutral}, {CSV_SPECIAL_CHARACTERS}, '') "
        f"THEN '\"' || replace({neutral}, '\"', '\"\"') || '\"' ELSE {neutral} END)"
    )
    return f"coalesce({quoted}, '')"


def csv_line(columns: tuple[str, ...]) -> RawSQL:
    """Return an expression of one CSV line (with CRLF) of the given columns."""
    cells = " || ',' || ".join(_csv_cell(column) for column in columns)
    # Built only from the fixed column names of EXPORT_COLUMNS, never from input.
    return RawSQL(f"{cells} || chr(13) || chr(10)", ())  # noqa: S611


def json_line(columns: tuple[str, ...]) -> RawSQL:
    """Return an expression of one JSON Lines record of the given columns."""
    pairs = []
    for column in columns:
        if column == "occurred_at":
            value = OCCURRED_AT_UTC
        elif column == "ip_address":
            value = "host(ip_address)"
        else:
            value = column
        pairs.append(f"'{column}', {value}")
    sql = f"json_build_object({', '.join(pairs)})::text || chr(10)"
    return RawSQL(sql, ())  # noqa: S611 - fixed column names only
