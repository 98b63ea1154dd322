"""Client values repeated in error messages are cut to a short prefix."""

from __future__ import annotations

from pingid_portal.errors import EXCERPT_LENGTH, excerpt


def test_excerpt_short_string_quoted_whole() -> None:
    assert excerpt("Fax") == "'Fax'"


def test_excerpt_short_number_unquoted() -> None:
    assert excerpt(400) == "400"


def test_excerpt_long_string_cut_with_length() -> None:
    quoted = excerpt("x" * 5000)

    assert quoted == repr("x" * EXCERPT_LENGTH) + "… (5000 characters)"


def test_excerpt_huge_number_cut_with_length() -> None:
    quoted = excerpt(10**400)

    assert quoted == "1" + "0" * (EXCERPT_LENGTH - 1) + "… (401 characters)"


def test_excerpt_limit_is_inclusive() -> None:
    assert excerpt("y" * EXCERPT_LENGTH) == repr("y" * EXCERPT_LENGTH)
    assert excerpt("ab", limit=1) == "'a'… (2 characters)"


def test_excerpt_json_literals() -> None:
    assert excerpt(True) == "true"
    assert excerpt(False) == "false"
    assert excerpt(None) == "null"
