"""Re-encrypt every secret at rest under the first key of SECRETS_ENCRYPTION_KEYS."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models.functions import Cast

from pingid_portal import crypto


def _rotate_field(model: type[models.Model], field: str, batch_size: int) -> int:
    """Re-encrypt one field of every row, `batch_size` rows per transaction."""
    # The cast to a plain text field reads the stored ciphertext without decrypting it.
    rows = (
        model._base_manager.exclude(**{field: ""})
        .exclude(**{f"{field}__isnull": True})
        .annotate(ciphertext=Cast(field, output_field=models.TextField()))
        .order_by("pk")
    )
    rotated = 0
    last_pk: Any = None
    while True:
        batch_rows = rows if last_pk is None else rows.filter(pk__gt=last_pk)
        batch = list(batch_rows.values_list("pk", "ciphertext")[:batch_size])
        if not batch:
            return rotated
        with transaction.atomic():
            for pk, ciphertext in batch:
                new = crypto.reencrypt(ciphertext)
                # Only a row still holding the value read is updated: a secret
                # written meanwhile is already under the first key. A Value
                # with a plain text type is stored as is, not encrypted again.
                rows.filter(pk=pk, ciphertext=ciphertext).update(
                    **{field: models.Value(new, output_field=models.TextField())}
                )
        rotated += len(batch)
        last_pk = batch[-1][0]


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret (settings-file keys, TOTP seeds) under the "
        "first key of SECRETS_ENCRYPTION_KEYS. Run it after putting the new key "
        "first; then remove the old key. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Rows re-encrypted per transaction (default 500).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        total = 0
        for model, field in crypto.encrypted_fields():
            try:
                count = _rotate_field(model, field, batch_size)
            except (ValueError, InvalidToken) as error:
                raise CommandError(
                    f"{model._meta.label}.{field}: a stored value cannot be decrypted "
                    "with any configured key. Add the old key back to "
                    "SECRETS_ENCRYPTION_KEYS (after the new one) and run again."
                ) from error
            total += count
            self.stdout.write(
                f"{model._meta.label}.{field}: {count} values re-encrypted"
            )
        self.stdout.write(self.style.SUCCESS(f"Done: {total} values re-encrypted."))
