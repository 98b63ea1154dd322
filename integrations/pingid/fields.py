"""Reading `reqBody` fields the way PingID clients send them.

Field names are matched case-insensitively, because clients spell the same
field `userName` or `username`, `fName` or `fname`. Booleans arrive as JSON
booleans or as the strings "true" and "false".
"""

from __future__ import annotations

from typing import Any

from integrations.pingid.errors import ErrorId, PingIDError

_MISSING = object()


class RequestBody:
    """The `reqBody` of one call, with typed, spelling-tolerant accessors."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.raw = body
        self._by_folded_name = {
            str(name).casefold(): value for name, value in body.items()
        }
        # Error messages name a field the way the client spelled it.
        self._sent_name = {str(name).casefold(): str(name) for name in body}

    def _reject_surrogates(self, name: str, value: str) -> None:
        """Raise when `value` contains a lone surrogate, which no text column stores.

        JSON escapes such as "\\ud800" decode to lone surrogates, which UTF-8
        cannot encode, so saving or querying one would fail in the database.
        """
        if any("\ud800" <= char <= "\udfff" for char in value):
            sent = self._sent_name.get(name.casefold(), name)
            raise PingIDError(
                ErrorId.INVALID_INPUT,
                f"Invalid {sent}: it contains a lone UTF-16 surrogate escape "
                "(\\ud800 to \\udfff), which is not a character. Send valid UTF-8 "
                "text.",
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
                raise PingIDError(
                    ErrorId.INVALID_INPUT, f"{name} is missing: send it in reqBody."
                )
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise PingIDError(
                ErrorId.INVALID_INPUT,
                f"Invalid {name}: expected a string, got {type(value).__name__}.",
            )
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
        raise PingIDError(
            ErrorId.INVALID_INPUT,
            f"Invalid {name} {value!r}: send true or false.",
        )

    def integer(self, name: str, *, default: int | None = None) -> int | None:
        """Return an integer field sent as a JSON number or a string of digits."""
        value = self._by_folded_name.get(name.casefold(), _MISSING)
        if value is _MISSING or value is None or value == "":
            return default
        if isinstance(value, bool):
            raise PingIDError(
                ErrorId.INVALID_INPUT, f"Invalid {name} {value!r}: send a number."
            )
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
        raise PingIDError(
            ErrorId.INVALID_INPUT, f"Invalid {name} {value!r}: send a whole number."
        )

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
        raise PingIDError(
            ErrorId.INVALID_INPUT, f"Invalid {name}: send a list of strings."
        )
