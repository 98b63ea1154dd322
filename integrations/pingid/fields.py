"""Reading `reqBody` fields the way PingID clients send them.

Field names are matched case-insensitively, because clients spell the same
field `userName` or `username`, `fName` or `fname`. Booleans arrive as JSON
booleans or as the strings "true" and "false". Error messages name a field the
way the client spelled it and repeat at most a short prefix of its value.
"""

from __future__ import annotations

from typing import Any

from integrations.pingid.errors import ErrorId, PingIDError
from pingid_portal.errors import excerpt

_MISSING = object()

# Default range of an integer field, the values that a signed 64-bit database
# column (BigIntegerField) stores.
INTEGER_MIN = -(2**63)
INTEGER_MAX = 2**63 - 1

# JSON's names of the types that `json.loads` returns, for error messages.
_JSON_TYPES = {
    dict: "an object",
    list: "an array",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    str: "a string",
}


def _invalid(message: str) -> PingIDError:
    return PingIDError(ErrorId.INVALID_INPUT, message)


class RequestBody:
    """The `reqBody` of one call, with typed, spelling-tolerant accessors."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.raw = body
        self._by_folded_name = {
            str(name).casefold(): value for name, value in body.items()
        }
        self._sent_name = {str(name).casefold(): str(name) for name in body}

    def spelling(self, name: str) -> str:
        """Return the field's name as the client spelled it, or `name` if absent."""
        return self._sent_name.get(name.casefold(), name)

    def _reject_surrogates(self, name: str, value: str) -> None:
        """Raise when `value` contains a lone surrogate, which no text column stores.

        JSON escapes such as "\\ud800" decode to lone surrogates, which UTF-8
        cannot encode, so saving or querying one would fail in the database.
        """
        if any("\ud800" <= char <= "\udfff" for char in value):
            raise _invalid(
                f"Invalid {self.spelling(name)}: it contains a lone UTF-16 surrogate "
                "escape (\\ud800 to \\udfff), which is not a character. Send valid "
                "UTF-8 text."
            )

    def _wrong_type(self, name: str, value: Any, expected: str) -> PingIDError:
        sent = _JSON_TYPES.get(type(value), type(value).__name__)
        return _invalid(
            f"Invalid {self.spelling(name)}: expected {expected}, got {sent}."
        )

    def has(self, name: str) -> bool:
        return name.casefold() in self._by_folded_name

    def value(self, name: str, default: Any = None) -> Any:
        return self._by_folded_name.get(name.casefold(), default)

    def text(self, name: str, *, required: bool = False, default: str = "") -> str:
        """Return a string field; numbers are accepted and turned into text."""
        value = self._by_folded_name.get(name.casefold(), _MISSING)
        if value is _MISSING or value is None or value == "":
            if required:
                raise _invalid(f"{self.spelling(name)} is missing: send it in reqBody.")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self._wrong_type(name, value, "a string")
        if isinstance(value, str):
            self._reject_surrogates(name, value)
        return str(value)

    def boolean(self, name: str, *, default: bool = False) -> bool:
        """Return a boolean field sent as true/false or as "true"/"false"."""
        value = self._by_folded_name.get(name.casefold(), _MISSING)
        if value is _MISSING or value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise _invalid(
            f"Invalid {self.spelling(name)} {excerpt(value)}: send true or false."
        )

    def integer(
        self,
        name: str,
        *,
        default: int | None = None,
        minimum: int = INTEGER_MIN,
        maximum: int = INTEGER_MAX,
    ) -> int | None:
        """Return an integer field sent as a JSON number or a string of digits.

        Raise an invalid-input error for anything else and for a number outside
        `minimum` to `maximum`.
        """
        value = self._by_folded_name.get(name.casefold(), _MISSING)
        if value is _MISSING or value is None or value == "":
            return default
        number = _whole_number(value)
        if number is None or not minimum <= number <= maximum:
            raise _invalid(
                f"Invalid {self.spelling(name)} {excerpt(value)}: send a whole number "
                f"from {minimum} to {maximum}."
            )
        return number

    def string_list(self, name: str) -> list[str] | None:
        """Return a list of strings, or None when the field is absent or null."""
        value = self._by_folded_name.get(name.casefold(), _MISSING)
        if value is _MISSING or value is None:
            return None
        if isinstance(value, str):
            self._reject_surrogates(name, value)
            return [value]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            for item in value:
                self._reject_surrogates(name, item)
            return list(value)
        raise _invalid(f"Invalid {self.spelling(name)}: send a list of strings.")


def _whole_number(value: Any) -> int | None:
    """Return `value` as an int if it is a whole number or ASCII digits, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if not isinstance(value, str):
        return None
    digits = value.strip()
    if not digits.removeprefix("-").isascii() or not digits.removeprefix("-").isdigit():
        return None
    try:
        return int(digits)
    except ValueError:
        # int() rejects more digits than sys.get_int_max_str_digits() (4300 by
        # default), and such a number is outside every field's range anyway.
        return None
