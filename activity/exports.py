"""Writing an export file: rows of the activity filter as CSV or JSON Lines.

On PostgreSQL the rows stream through COPY (activity/export_sql.py); on
other databases they are read in keyset chunks. Either way they are written
to a temporary file, which is renamed into place only when complete, so
memory stays flat whatever the export size and a partial file is never
offered.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from activity.export_sql import CsvLineEnds, copy_blocks, copy_statement
from activity.models import ActivityEvent, Export, ExportFormat

# Columns of every export, in order; CSV headers and JSON keys use these names.
EXPORT_COLUMNS = (
    "id",
    "occurred_at",
    "sequence",
    "category",
    "action",
    "outcome",
    "actor_kind",
    "actor_display",
    "actor_role",
    "settings_file_id",
    "target_type",
    "target_id",
    "target_display",
    "pingid_user_id",
    "pingid_username",
    "service",
    "device_id",
    "device_display",
    "application",
    "reason",
    "message",
    "ip_address",
    "user_agent",
    "before",
    "after",
    "truncated_fields",
    "hash",
)
# Rows fetched from the database at a time.
CHUNK_SIZE = 5000
# Blocks of COPY output (about 1 MiB each) between progress updates.
PROGRESS_EVERY_BLOCKS = 4
# A spreadsheet runs a cell starting with one of these as a formula, so such
# cells get a leading apostrophe and open as text (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: str) -> str:
    """Return `cell` with a leading apostrophe if a spreadsheet would run it."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, dict | list):
        return neutralize(json.dumps(value, ensure_ascii=False, sort_keys=True))
    if isinstance(value, int):
        return str(value)
    return neutralize(str(value))


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def export_chunks(
    events: QuerySet[ActivityEvent], chunk_size: int = CHUNK_SIZE
) -> Iterator[list[tuple[Any, ...]]]:
    """Yield the export columns of every event, newest first, chunk by chunk.

    Each chunk is one short keyset query (occurred_at, id) in autocommit, so
    no transaction or cursor stays open for the length of a large export.
    """
    ordered = events.order_by("-occurred_at", "-id").values_list(*EXPORT_COLUMNS)
    position: tuple[datetime, int] | None = None
    while True:
        batch = ordered
        if position is not None:
            occurred_at, pk = position
            # The redundant `lte` lets PostgreSQL use it as an index bound.
            batch = batch.filter(occurred_at__lte=occurred_at).filter(
                Q(occurred_at__lt=occurred_at) | Q(id__lt=pk)
            )
        rows = list(batch[:chunk_size])
        if rows:
            yield rows
        if len(rows) < chunk_size:
            return
        position = (rows[-1][1], rows[-1][0])


class _CsvWriter:
    def __init__(self, stream: IO[str]) -> None:
        # RFC 4180: CRLF line ends, fields quoted only when they contain a
        # comma, quote or line break, quotes doubled.
        self.writer = csv.writer(stream, lineterminator="\r\n")
        self.writer.writerow(EXPORT_COLUMNS)

    def write(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.writer.writerows([_csv_cell(value) for value in row] for row in rows)


class _JsonLinesWriter:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, rows: Iterable[tuple[Any, ...]]) -> None:
        lines = []
        for row in rows:
            record = {
                name: _json_value(value)
                for name, value in zip(EXPORT_COLUMNS, row, strict=True)
            }
            lines.append(json.dumps(record, ensure_ascii=False) + "\n")
        self.stream.write("".join(lines))


def export_directory(export: Export) -> Path:
    return Path(settings.EXPORT_STORAGE) / str(export.organization_id)


def export_path(export: Export) -> Path | None:
    """Return the finished file of an export, or None while it has none."""
    if not export.file_path:
        return None
    return Path(settings.EXPORT_STORAGE) / export.file_path


def _open_binary(path: Path, compress: bool) -> IO[bytes]:
    if compress:
        # mtime=0 keeps the file identical for identical rows.
        return cast(IO[bytes], gzip.GzipFile(path, "wb", compresslevel=6, mtime=0))
    return open(path, "wb")


def _open_text(path: Path, compress: bool) -> IO[str]:
    if compress:
        # mtime=0 keeps the file identical for identical rows.
        binary = cast(IO[bytes], gzip.GzipFile(path, "wb", compresslevel=6, mtime=0))
    else:
        binary = open(path, "wb")  # noqa: SIM115 - closed by the wrapper
    return io.TextIOWrapper(binary, encoding="utf-8", newline="")


def export_write(
    export: Export,
    events: QuerySet[ActivityEvent],
    on_progress: Callable[[int], None],
    database_rendering: bool = True,
) -> tuple[str, int]:
    """Write the rows of `events` to the export's file; return its path and rows.

    On PostgreSQL the rows stream through COPY (activity/export_sql.py)
    unless `database_rendering` is off. `on_progress(rows_written)` is called
    after every chunk. On any error the temporary file is removed and the
    error is raised again.
    """
    if connection.vendor == "postgresql" and database_rendering:
        return _export_write_rendered(export, events, on_progress)
    directory = export_directory(export)
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f".{export.pk}-{uuid.uuid4().hex}.part"
    final = directory / export.file_name
    written = 0
    try:
        with _open_text(temporary, export.gzip) as stream:
            writer: _CsvWriter | _JsonLinesWriter = (
                _CsvWriter(stream)
                if export.format == ExportFormat.CSV
                else _JsonLinesWriter(stream)
            )
            for chunk in export_chunks(events):
                writer.write(chunk)
                written += len(chunk)
                on_progress(written)
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    relative = final.relative_to(Path(settings.EXPORT_STORAGE))
    return str(relative), written


def _export_write_rendered(
    export: Export,
    events: QuerySet[ActivityEvent],
    on_progress: Callable[[int], None],
) -> tuple[str, int]:
    directory = export_directory(export)
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f".{export.pk}-{uuid.uuid4().hex}.part"
    final = directory / export.file_name
    is_csv = export.format == ExportFormat.CSV
    statement = copy_statement(events, EXPORT_COLUMNS, is_csv)
    line_ends = CsvLineEnds()
    written = 0
    try:
        with _open_binary(temporary, export.gzip) as stream:
            if is_csv:
                stream.write((",".join(EXPORT_COLUMNS) + "\r\n").encode())
            for number, block in enumerate(copy_blocks(statement), start=1):
                if is_csv:
                    stream.write(line_ends.convert(block))
                    written = line_ends.rows
                else:
                    stream.write(block)
                    written += block.count(b"\n")
                if number % PROGRESS_EVERY_BLOCKS == 0:
                    on_progress(written)
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    on_progress(written)
    relative = final.relative_to(Path(settings.EXPORT_STORAGE))
    return str(relative), written
