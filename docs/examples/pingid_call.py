"""Call one PingID API operation with a pingid.properties file and print the exchange.

Standard library only, written as a third-party client would be: it reads the
file by splitting lines at the first `=` and dropping backslashes, signs with
HS256, and verifies the signature of the response.

    python docs/examples/pingid_call.py pingid.properties getuserdetails \\
        '{"userName": "alice"}'
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path


def read_properties(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith(("#", "!")):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().replace("\\", "")
    return values


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(values: dict[str, str], body: dict[str, object]) -> str:
    header = {
        "alg": "HS256",
        "org_alias": values["org_alias"],
        "token": values["token"],
    }
    payload = {
        "reqHeader": {
            "locale": "en",
            "orgAlias": values["org_alias"],
            "secretKey": values["token"],
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            "version": "4.9",
        },
        "reqBody": body,
    }
    signing_input = (
        f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    )
    key = base64.b64decode(values["use_base64_key"])
    signature = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("properties", type=Path, help="Path of pingid.properties.")
    parser.add_argument("operation", help="Operation name, such as getuserdetails.")
    parser.add_argument("body", help="reqBody as a JSON object.")
    arguments = parser.parse_args()

    values = read_properties(arguments.properties)
    jws = sign(values, json.loads(arguments.body))
    url = f"{values['idp_url']}/rest/4/{arguments.operation}/do"
    if not url.startswith(("http://", "https://")):
        raise SystemExit(f"idp_url must be an http or https URL, not {url!r}.")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=jws.encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status, response_text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, response_text = error.code, error.read().decode()

    header_part, payload_part, signature_part = response_text.split(".")
    key = base64.b64decode(values["use_base64_key"])
    expected = hmac.new(
        key, f"{header_part}.{payload_part}".encode(), hashlib.sha256
    ).digest()
    verified = hmac.compare_digest(expected, b64url_decode(signature_part))
    print(f"POST {url}")
    print(f"request body (compact JWS): {jws}")
    print(f"request header: {json.loads(b64url_decode(jws.split('.')[0]))}")
    print(f"request payload: {json.loads(b64url_decode(jws.split('.')[1]))}")
    print(f"HTTP {status}, signature verified: {verified}")
    print(f"response body (compact JWS): {response_text}")
    print(f"response header: {json.loads(b64url_decode(header_part))}")
    print(
        f"response payload: {json.dumps(json.loads(b64url_decode(payload_part)), indent=2)}"
    )
    return 0 if verified else 1


if __name__ == "__main__":
    sys.exit(main())
