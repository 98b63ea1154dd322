"""Ending an administrator's sessions."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.utils import timezone


def sessions_end_for_user(user: User) -> int:
    """Delete every unexpired session of `user`; return how many ended.

    The session table is scanned because Django stores the user id only inside
    the encoded session data.
    """
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended
