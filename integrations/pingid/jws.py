"""Compact JWS (RFC 7515) with HMAC-SHA256, as PingID clients sign requests.

Hand-written rather than PyJWT because every request is parsed before the key
is known (the header names the settings file), and the header and payload
must be read as sent, whatever their claims.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import sys
from dataclasses import dataclass
from typing import Any


class MalformedJWS(ValueError):
    """The body is not a compact JWS with JSON-object header and payload."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.b64decode(padded, altchars=b"-_", validate=True)
    except binascii.Error as error:
        raise MalformedJWS(f"invalid base64url: {error}") from error


@dataclass(frozen=True)
class CompactJWS:
    header: dict[str, Any]
    payload: dict[str, Any]
    # The exact bytes the signature covers: base64url(header) "." base64url(payload).
    signing_input: bytes
    signature: bytes


def _json_object(part: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(part))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedJWS(f"the {name} is not JSON: {error}") from error
    except ValueError as error:
        # json.loads raises a plain ValueError, not JSONDecodeError, for an
        # integer with more digits than int() converts (4300 by default).
        raise MalformedJWS(
            f"the {name} has a number of more than {sys.get_int_max_str_digits()} "
            "digits"
        ) from error
    except RecursionError as error:
        # The C decoder raises RecursionError past the interpreter's recursion
        # limit (about 1000 levels); no PingID field nests more than a few.
        raise MalformedJWS(f"the {name} is nested too deeply") from error
    if not isinstance(value, dict):
        raise MalformedJWS(f"the {name} is not a JSON object")
    return value


def jws_parse(text: str) -> CompactJWS:
    """Split and decode a compact JWS without checking its signature."""
    parts = text.strip().split(".")
    if len(parts) != 3:
        raise MalformedJWS(
            f"expected three base64url parts joined by dots, got {len(parts)}"
        )
    header_part, payload_part, signature_part = parts
    return CompactJWS(
        header=_json_object(header_part, "header"),
        payload=_json_object(payload_part, "payload"),
        signing_input=f"{header_part}.{payload_part}".encode("ascii"),
        signature=b64url_decode(signature_part),
    )


def hs256(key: bytes, signing_input: bytes) -> bytes:
    return hmac.new(key, signing_input, hashlib.sha256).digest()


def signature_valid(jws: CompactJWS, key: bytes) -> bool:
    return hmac.compare_digest(hs256(key, jws.signing_input), jws.signature)


def jws_sign(header: dict[str, Any], payload: dict[str, Any], key: bytes) -> str:
    """Return the compact JWS of `payload`, signed with HS256 under `key`."""
    signing_input = (
        b64url_encode(json.dumps(header, separators=(",", ":")).encode("utf-8"))
        + "."
        + b64url_encode(
            json.dumps(payload, separators=(",", ":"), default=str).encode("utf-8")
        )
    )
    signature = hs256(key, signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def jws_unsigned(header: dict[str, Any], payload: dict[str, Any]) -> str:
    """Return a compact JWS with `alg: none` and an empty signature."""
    header = {**header, "alg": "none"}
    return (
        b64url_encode(json.dumps(header, separators=(",", ":")).encode("utf-8"))
        + "."
        + b64url_encode(
            json.dumps(payload, separators=(",", ":"), default=str).encode("utf-8")
        )
        + "."
    )
