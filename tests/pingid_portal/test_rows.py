"""Row reads and writes without the query compiler, and write batches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError

from accounts.models import Organization
from devices.models import Device, DeviceType, OtpState
from pingid_portal import rows
from tests.factories import PingIDUserFactory
from users.models import PingIDUser

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 4, 18, 30, 15, 123456, tzinfo=UTC)


def test_row_update_writes_converted_values(organization: Organization) -> None:
    user = PingIDUserFactory(organization=organization)

    rows.row_update(PingIDUser, user.pk, last_authenticated_at=AT)

    user.refresh_from_db()
    assert user.last_authenticated_at == AT


def test_row_insert_sets_key(organization: Organization) -> None:
    user = PingIDUserFactory(organization=organization)
    state = OtpState(user=user, failure_count=2, locked_until=AT)

    rows.row_insert(state)

    assert state.pk is not None
    assert not state._state.adding
    stored = OtpState.objects.get(pk=state.pk)
    assert stored.failure_count == 2
    assert stored.locked_until == AT


def test_instance_from_row_applies_field_conversions(
    organization: Organization,
) -> None:
    user = PingIDUserFactory(organization=organization)
    device = Device.objects.create(
        organization=organization,
        user=user,
        type=DeviceType.AUTHENTICATOR_APP,
        totp_secret="JBSWY3DPEHPK3PXP",
        last_used_at=AT,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(Device, 'd')} FROM {rows.table(Device)} d "
            "WHERE d.id = %s",
            [device.pk],
        )
        loaded = rows.instance_from_row(Device, cursor.fetchone())

    assert loaded is not None
    # Decrypted by the field, and time-zone aware on every backend.
    assert loaded.totp_secret == "JBSWY3DPEHPK3PXP"
    assert loaded.last_used_at == AT
    assert loaded.blocked is False


def test_instance_from_row_none_for_missing_side() -> None:
    row = [None] * rows.column_count(OtpState)

    assert rows.instance_from_row(OtpState, row) is None


@pytest.mark.django_db(transaction=True)
def test_batch_needs_transaction() -> None:
    with pytest.raises(TransactionManagementError), rows.write_batch():
        pass


def test_batch_sends_before_other_statement(organization: Organization) -> None:
    user = PingIDUserFactory(organization=organization)

    with transaction.atomic(), rows.write_batch():
        rows.row_update(PingIDUser, user.pk, last_authenticated_at=AT)
        # An ORM read inside the batch sees the queued write.
        seen = PingIDUser.objects.get(pk=user.pk).last_authenticated_at

    assert seen == AT


def test_batch_sets_inserted_key_when_sent(organization: Organization) -> None:
    user = PingIDUserFactory(organization=organization)
    state = OtpState(user=user, failure_count=1)

    with transaction.atomic(), rows.write_batch():
        rows.row_insert(state)
        queued_key = state.pk

    assert queued_key is None
    assert OtpState.objects.get(user=user).pk == state.pk


def test_batch_sends_writes_on_exception(organization: Organization) -> None:
    user = PingIDUserFactory(organization=organization)

    with transaction.atomic(), pytest.raises(KeyError), rows.write_batch():
        rows.row_update(PingIDUser, user.pk, last_authenticated_at=AT)
        raise KeyError("after the write")

    user.refresh_from_db()
    assert user.last_authenticated_at == AT


def test_batch_failure_is_not_integrity_error(organization: Organization) -> None:
    user = PingIDUserFactory(organization=organization)
    OtpState.objects.create(user=user)
    duplicate = OtpState(user=user)

    with (
        pytest.raises(rows.WriteBatchError) as raised,
        transaction.atomic(),
        rows.write_batch(),
    ):
        rows.row_insert(duplicate)

    assert not isinstance(raised.value, IntegrityError)
    assert isinstance(raised.value.__cause__, IntegrityError)
    assert OtpState.objects.filter(user=user).count() == 1


def test_batch_sent_before_savepoint(organization: Organization) -> None:
    user = PingIDUserFactory(organization=organization)
    OtpState.objects.create(user=user)

    with transaction.atomic(), rows.write_batch():
        rows.row_update(PingIDUser, user.pk, last_authenticated_at=AT)
        # A rolled-back savepoint must not take the queued write with it.
        with pytest.raises(IntegrityError), transaction.atomic():
            OtpState.objects.create(user=user)

    user.refresh_from_db()
    assert user.last_authenticated_at == AT
