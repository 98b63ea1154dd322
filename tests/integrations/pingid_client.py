"""A PingID API client for tests, written apart from the server's code.

It signs with `hmac` and `base64` from the standard library and reads
`pingid.properties` the two ways clients in the wild do, so that a bug shared
by the server's signer and verifier cannot hide here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jproperties import Properties


def read_with_jproperties(text: str) -> dict[str, str]:
    """Read the file with a real Java-properties parser."""
    properties = Properties()
    properties.load(io.BytesIO(text.encode("utf-8")), "utf-8")
    return {key: value.data for key, value in properties.items()}


def read_by_splitting(text: str) -> dict[str, str]:
    """Read the file as naive clients do: split at the first `=`, drop backslashes."""
    values = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith(("#", "!")):
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().replace("\\", "")
    return values


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pingid_timestamp(at: datetime | None = None) -> str:
    at = (at or datetime.now(UTC)).astimezone(UTC)
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


@dataclass
class PingIDClient:
    """Signs requests with the values of one settings file."""

    token: str
    org_alias: str
    key: bytes
    idp_url: str

    @classmethod
    def from_properties(
        cls, values: dict[str, str], *, urlsafe: bool = False
    ) -> PingIDClient:
        decode = base64.urlsafe_b64decode if urlsafe else base64.b64decode
        return cls(
            token=values["token"],
            org_alias=values["org_alias"],
            key=decode(values["use_base64_key"]),
            idp_url=values["idp_url"],
        )

    def path(self, operation: str) -> str:
        """Return the path of an operation, relative to the server root."""
        base = self.idp_url.split("://", 1)[-1]
        return "/" + base.split("/", 1)[1] + f"/rest/4/{operation}/do"

    def sign(
        self,
        body: dict[str, Any],
        *,
        header: dict[str, Any] | None = None,
        timestamp: str | None = None,
        key: bytes | None = None,
        request_header: dict[str, Any] | None = None,
    ) -> str:
        payload = {
            "reqHeader": request_header
            or {
                "locale": "en",
                "orgAlias": self.org_alias,
                "secretKey": self.token,
                "timestamp": timestamp or pingid_timestamp(),
                "version": "4.9",
            },
            "reqBody": body,
        }
        return self.sign_text(json.dumps(payload), header=header, key=key)

    def sign_text(
        self,
        payload: str,
        *,
        header: dict[str, Any] | None = None,
        key: bytes | None = None,
    ) -> str:
        """Sign a payload given as JSON text, for payloads `json.dumps` cannot write."""
        jws_header = header or {
            "alg": "HS256",
            "org_alias": self.org_alias,
            "token": self.token,
        }
        signing_input = (
            _b64url(json.dumps(jws_header).encode()) + "." + _b64url(payload.encode())
        )
        signature = hmac.new(
            key if key is not None else self.key,
            signing_input.encode("ascii"),
            hashlib.sha256,
        ).digest()
        return f"{signing_input}.{_b64url(signature)}"

    def read_answer(self, text: str, *, verify: bool = True) -> dict[str, Any]:
        """Return the responseBody of a response, verifying its signature unless `verify` is off."""
        header_part, payload_part, signature_part = text.split(".")
        header = json.loads(_b64url_decode(header_part))
        if verify:
            assert header["alg"] == "HS256", header
            expected = hmac.new(
                self.key, f"{header_part}.{payload_part}".encode(), hashlib.sha256
            ).digest()
            assert hmac.compare_digest(expected, _b64url_decode(signature_part)), (
                "the answer's signature does not verify with the file's key"
            )
            assert header["token"] == self.token
            assert header["orgAlias"] == self.org_alias
        return json.loads(_b64url_decode(payload_part))["responseBody"]
