"""CSV import of PingID users: upload, preview every row's outcome, then apply.

An import creates users and updates the columns a row fills in. It never
deletes a user, renames one, disables a service or moves a user to another
organization. An empty cell leaves the current value as it is.
Each row is applied in its own transaction, so a bad row changes nothing and
affects no other row.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from activity.services import event_record
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError, excerpt
from pingid_portal.permissions import Action
from users.models import (
    ImportStatus,
    PingIDUser,
    UserImport,
    username_key,
)
from users.services import (
    clean_user_fields,
    clean_username,
    user_create,
    user_update,
)

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
# Imports with more rows left to apply run as a Celery task with progress.
IMPORT_SYNC_ROWS = 500
IMPORT_CHUNK_ROWS = 200
# An apply that saved no progress for this long stopped (its process died),
# and may be started again to finish it.
IMPORT_STALE_SECONDS = 120
COLUMN_ALIASES = {
    "username": "username",
    "user_name": "username",
    "first_name": "first_name",
    "fname": "first_name",
    "last_name": "last_name",
    "lname": "last_name",
    "email": "email",
    "e_mail": "email",
    "role": "role",
    "status": "status",
    "services": "services",
}
PROFILE_COLUMNS = ("first_name", "last_name", "email", "role", "status")


class Outcome:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass
class RowResult:
    line: int
    username: str
    outcome: str
    changes: dict[str, list[Any]] = field(default_factory=dict)
    # Every problem of the row, one message each.
    errors: list[str] = field(default_factory=list)
    # The messages of `errors` joined into one string, kept because API
    # clients written before `errors` existed read this field.
    error: str = ""

    def fail(self, messages: list[str]) -> None:
        """Mark the row as failed with `messages`."""
        self.outcome = Outcome.ERROR
        self.errors = messages
        self.error = " ".join(messages)


def decode_csv(data: bytes) -> str:
    """Return the text of an uploaded file: UTF-8, with its BOM removed if it has one."""
    if len(data) > MAX_FILE_BYTES:
        raise ServiceError(
            f"File is too large ({len(data)} bytes): split it into files of at most "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB.",
            field="file",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ServiceError(
            f"File is not UTF-8 text (invalid byte 0x{data[error.start]:02x} on "
            f"line {line}): save it as “CSV UTF-8” and upload it again.",
            field="file",
        ) from error


def _column_name(header: str) -> str:
    return re.sub(r"[\s-]+", "_", header.strip().lower())


def read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """Parse CSV text into (line number, cells by column) pairs."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration as error:
        raise ServiceError("File is empty: add a header row.", field="file") from error
    except csv.Error as error:
        raise ServiceError(
            f"Header row is malformed: {error}.", field="file"
        ) from error
    columns = _header_columns(header)
    rows = []
    while True:
        # A quoted cell can span lines: a row is reported at its first line.
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            rows.append((line, {"__error__": _malformed_message(error)}))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ServiceError(
                f"File has more than {MAX_ROWS} rows: split it into smaller files.",
                field="file",
            )
        if len(cells) != len(columns):
            rows.append(
                (
                    line,
                    {
                        "__error__": f"Row has {len(cells)} cells but the header has "
                        f"{len(columns)}: check for a missing or extra comma.",
                        "username": cells[columns.index("username")]
                        if len(cells) > columns.index("username")
                        else "",
                    },
                )
            )
            continue
        rows.append((line, dict(zip(columns, cells, strict=True))))
    return rows


def _header_columns(header: list[str]) -> list[str]:
    """Return the column of each header cell, or raise for a header to fix."""
    columns = [COLUMN_ALIASES.get(_column_name(name), "") for name in header]
    unknown = [name for name, column in zip(header, columns, strict=True) if not column]
    if unknown and len(header) == 1 and ";" in header[0]:
        raise ServiceError(
            f"Header {excerpt(header[0])} is one column: the file looks separated "
            "by semicolons. Save it as comma-separated “CSV UTF-8” and upload it "
            "again.",
            field="file",
        )
    if unknown:
        raise ServiceError(
            f"Unknown column {', '.join(excerpt(name) for name in unknown)}: use "
            "username, first_name, last_name, email, role, status, services.",
            field="file",
        )
    for column in dict.fromkeys(columns):
        positions = [index + 1 for index, name in enumerate(columns) if name == column]
        if len(positions) > 1:
            raise ServiceError(
                f"Column {column} appears {len(positions)} times (columns "
                f"{', '.join(map(str, positions))}): keep one.",
                field="file",
            )
    if "username" not in columns:
        raise ServiceError(
            "Column username is missing: add it to the header row.", field="file"
        )
    return columns


def _malformed_message(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return (
            f"Line has a cell longer than {csv.field_size_limit():,} characters, "
            "which no column takes: check for a missing closing quote."
        )
    return f"Line is malformed CSV: {error}."


def _split_services(value: str) -> list[str]:
    return [name for name in re.split(r"[\s;,|]+", value.strip()) if name]


def plan_row(
    line: int, cells: dict[str, str], existing: PingIDUser | None
) -> tuple[RowResult, dict[str, Any]]:
    """Decide what a row does to `existing` (None: creates a user) without changing it.

    Returns the result and the cleaned values to apply.
    """
    username = cells.get("username", "")
    result = RowResult(line=line, username=username, outcome=Outcome.UNCHANGED)
    if "__error__" in cells:
        result.fail([cells["__error__"]])
        return result, {}
    username, cleaned, errors = _clean_row(cells)
    if errors:
        result.fail(errors)
        return result, {}
    result.username = username
    if existing is None:
        result.outcome = Outcome.CREATE
        result.changes = {name: [None, value] for name, value in cleaned.items()}
        return result, cleaned
    changes = _changes(existing, cleaned)
    if changes:
        result.outcome = Outcome.UPDATE
        result.changes = changes
    return result, {name: change[1] for name, change in changes.items()}


def _clean_row(cells: dict[str, str]) -> tuple[str, dict[str, Any], list[str]]:
    """Validate every filled cell of a row on its own, so that all errors are found.

    Returns the stored username, the cleaned values and the error messages.
    """
    errors: list[str] = []
    username = ""
    try:
        username = clean_username(cells.get("username", ""))
    except ServiceError as error:
        errors.append(error.message)
    cleaned: dict[str, Any] = {}
    for name in (*PROFILE_COLUMNS, "services"):
        value: Any = cells.get(name, "")
        if not value.strip():
            continue
        if name == "services":
            value = _split_services(value)
        try:
            cleaned |= clean_user_fields({name: value})
        except ServiceError as error:
            errors.append(error.message)
    return username, cleaned, errors


def _changes(user: PingIDUser, cleaned: dict[str, Any]) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for name in PROFILE_COLUMNS:
        if name in cleaned and getattr(user, name) != cleaned[name]:
            changes[name] = [getattr(user, name), cleaned[name]]
    if "services" in cleaned:
        enabled = [row.service for row in user.services.all() if row.enabled]
        expected = sorted(set(enabled) | set(cleaned["services"]))
        if expected != sorted(enabled):
            changes["services"] = [sorted(enabled), expected]
    return changes


def _existing_users(organization: Any, usernames: list[str]) -> dict[str, PingIDUser]:
    keys = {username_key(name) for name in usernames if name}
    users = PingIDUser.objects.filter(
        organization=organization, username_key__in=keys
    ).prefetch_related("services")
    return {user.username_key: user for user in users}


def plan_import(
    organization: Any, rows: list[tuple[int, dict[str, str]]]
) -> list[tuple[RowResult, dict[str, Any]]]:
    """Plan every row against the current users; a username twice is an error."""
    # Usernames as clean_username stores them, without surrounding spaces.
    usernames = [cells.get("username", "").strip() for _, cells in rows]
    existing = _existing_users(organization, usernames)
    seen: dict[str, int] = {}
    planned: list[tuple[RowResult, dict[str, Any]]] = []
    for (line, cells), username in zip(rows, usernames, strict=True):
        key = username_key(username)
        if key and key in seen:
            result = RowResult(
                line=line, username=cells.get("username", ""), outcome=Outcome.ERROR
            )
            result.fail(
                [
                    f"Username appears again (first on line {seen[key]}): keep one "
                    "row per user."
                ]
            )
            planned.append((result, {}))
            continue
        if key:
            seen[key] = line
        planned.append(plan_row(line, cells, existing.get(key)))
    return planned


def import_preview(*, actor: Actor, file_name: str, data: bytes) -> UserImport:
    """Store an uploaded file and the outcome each row would have; change no user."""
    actor.require(Action.USER_MANAGE)
    text = decode_csv(data)
    planned = plan_import(actor.organization, read_rows(text))
    return UserImport.objects.create(
        organization=actor.organization,
        uploaded_by=actor.user,
        uploaded_by_display=actor.display,
        file_name=file_name[:255],
        content=text,
        rows=[asdict(result) for result, _ in planned],
    )


def import_apply(*, actor: Actor, user_import: UserImport) -> UserImport:
    """Apply a previewed import, or finish one whose apply stopped part-way.

    Up to IMPORT_SYNC_ROWS rows are applied in the request; larger files run
    as a Celery task that saves its progress as it goes. Rows are planned
    again against the current users, so a row that an interrupted apply
    already changed is not changed twice.
    """
    actor.require(Action.USER_MANAGE)
    now = timezone.now()
    with transaction.atomic():
        user_import = UserImport.objects.select_for_update().get(
            pk=user_import.pk, organization=actor.organization
        )
        if user_import.status == ImportStatus.APPLIED:
            raise ConflictError(
                f"Import {user_import.file_name!r} was already applied. Upload the "
                "file again to import it once more.",
                code="already_applied",
            )
        if import_is_running(user_import, now):
            raise ConflictError(
                f"Import {user_import.file_name!r} is being applied "
                f"({user_import.rows_applied} of {len(user_import.rows)} rows so "
                "far). Wait for it to finish.",
                code="import_running",
            )
        user_import.status = ImportStatus.APPLYING
        user_import.applied_by = actor.user
        user_import.applied_by_display = actor.display
        user_import.apply_ip_address = actor.ip_address
        user_import.apply_user_agent = actor.user_agent
        user_import.progress_at = now
        user_import.error = ""
        user_import.save(
            update_fields=[
                "status",
                "applied_by",
                "applied_by_display",
                "apply_ip_address",
                "apply_user_agent",
                "progress_at",
                "error",
            ]
        )
        if len(user_import.rows) - user_import.rows_applied > IMPORT_SYNC_ROWS:
            from users.tasks import run_import

            transaction.on_commit(lambda: run_import.delay(user_import.pk))
            return user_import
    return import_run(user_import.pk, actor)


def import_is_running(user_import: UserImport, now: datetime) -> bool:
    """Return whether an apply is in progress: it saved progress recently."""
    return (
        user_import.status == ImportStatus.APPLYING
        and user_import.progress_at is not None
        and (now - user_import.progress_at).total_seconds() < IMPORT_STALE_SECONDS
    )


def import_run(import_id: int, actor: Actor | None = None) -> UserImport:
    """Apply the rows of an import from where its apply stopped, saving progress."""
    user_import = UserImport.objects.select_related("organization").get(pk=import_id)
    if user_import.status != ImportStatus.APPLYING:
        logger.warning("User import %s is not being applied; not running it", import_id)
        return user_import
    try:
        actor = actor or Actor.for_background_work(
            user_import.organization,
            user_import.applied_by_id,
            user_import.applied_by_display,
            ip_address=user_import.apply_ip_address,
            user_agent=user_import.apply_user_agent,
        )
    except PermissionDenied as error:
        UserImport.objects.filter(pk=import_id).update(
            error=str(error), progress_at=None
        )
        logger.warning("User import %s stopped: %s", import_id, error)
        return UserImport.objects.get(pk=import_id)

    planned = plan_import(actor.organization, read_rows(user_import.content))
    rows = list(user_import.rows)
    # Progress is saved about 20 times whatever the size: each save writes the
    # whole `rows` column.
    chunk = max(IMPORT_CHUNK_ROWS, len(planned) // 20)
    try:
        for start in range(user_import.rows_applied, len(planned), chunk):
            for index in range(start, min(start + chunk, len(planned))):
                result, values = planned[index]
                rows[index] = asdict(_apply_row(actor, result, values))
            user_import.rows_applied = min(start + chunk, len(planned))
            UserImport.objects.filter(pk=import_id).update(
                rows=rows,
                rows_applied=user_import.rows_applied,
                progress_at=timezone.now(),
            )
    except Exception as error:
        logger.exception(
            "User import %s stopped after %s rows", import_id, user_import.rows_applied
        )
        UserImport.objects.filter(pk=import_id).update(
            error=f"The apply stopped after {user_import.rows_applied} rows: {error}",
            progress_at=None,
        )
        raise

    counts = import_counts(rows)
    with transaction.atomic():
        UserImport.objects.filter(pk=import_id).update(
            status=ImportStatus.APPLIED, applied_at=timezone.now(), progress_at=None
        )
        event_record(
            actor=actor,
            action="user.import",
            target_type="userimport",
            target_id=import_id,
            target_display=user_import.file_name,
            after=counts,
        )
    logger.info("User import %s applied: %s", import_id, counts)
    return UserImport.objects.get(pk=import_id)


def _apply_row(actor: Actor, result: RowResult, values: dict[str, Any]) -> RowResult:
    if result.outcome not in (Outcome.CREATE, Outcome.UPDATE):
        return result
    try:
        if result.outcome == Outcome.CREATE:
            user_create(actor=actor, username=result.username, **values)
        else:
            user = PingIDUser.objects.get(
                organization=actor.organization,
                username_key=username_key(result.username),
            )
            user_update(actor=actor, user=user, **values)
    except (ServiceError, PermissionDenied, PingIDUser.DoesNotExist) as error:
        message = getattr(error, "message", None) or str(error) or "User not found."
        failed = RowResult(
            line=result.line, username=result.username, outcome=Outcome.ERROR
        )
        failed.fail([message])
        return failed
    return result


def import_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts = {
        Outcome.CREATE: 0,
        Outcome.UPDATE: 0,
        Outcome.UNCHANGED: 0,
        Outcome.ERROR: 0,
    }
    for row in rows:
        counts[row["outcome"]] += 1
    return counts
