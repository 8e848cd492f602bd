"""The compact JWT form of Open Badges 3.0 and CLR 2.0 credentials (VC-JWT).

A compact JWT is three base64url segments: header, payload and signature. The credential is
the payload's ``vc`` claim, or the payload itself (VC Data Model 2.0 style). Claims that
repeat credential fields (``iss``, ``jti``, ``sub``, ``nbf``) fill those fields when the
credential leaves them out.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from advisor.errors import InvalidInputError

logger = logging.getLogger(__name__)

# Report warning for a token whose header is {"alg": "none"}: anyone can write such a token.
UNSIGNED_WARNING = (
    "the JWT is unsigned (header alg is 'none'), so nothing shows that the issuer issued it. "
    "Ask the issuer for a signed credential"
)


@dataclass(frozen=True)
class DecodedJwt:
    """The header and the credential carried by a compact JWT."""

    header: dict[str, Any]
    credential: dict[str, Any]


def decode_segment(segment: str, part: str, token: str) -> dict[str, Any]:
    """Decode one base64url segment into a JSON object."""
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidInputError(
            f"The JWT {part} is not valid base64url: {error}.",
            value=segment[:40],
            hint="Upload the credential exactly as the issuer sent it.",
        ) from error

    try:
        decoded = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInputError(
            f"The JWT {part} is not JSON.",
            value=raw[:40],
            hint="Upload the credential exactly as the issuer sent it.",
        ) from error

    if not isinstance(decoded, dict):
        raise InvalidInputError(
            f"The JWT {part} is JSON but not an object.",
            value=type(decoded).__name__,
            hint="A JWT header and payload are JSON objects.",
        )
    return decoded


def decode_jwt(token: str) -> DecodedJwt:
    """Split a compact JWT, decode its header and payload and return the credential inside.

    Raises ``InvalidInputError`` when the token is not a JWT or carries no credential object.
    """
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise InvalidInputError(
            f"A compact JWT has 3 segments separated by dots; this one has {len(parts)}.",
            value=token[:60],
            hint="Upload the whole token: header.payload.signature.",
        )

    header = decode_segment(parts[0], "header", token)
    payload = decode_segment(parts[1], "payload", token)
    vc = payload.get("vc", payload)
    if not isinstance(vc, dict):
        raise InvalidInputError(
            "The JWT claim 'vc' is not a credential object.",
            value=type(vc).__name__,
            hint="Upload an Open Badges 3.0 or CLR 2.0 credential in JWT form.",
        )

    credential = fill_from_claims(dict(vc), payload)
    # NOTE: the signature segment is not checked, so 'verified' reflects the issuer only.
    # The header is kept so the importers can warn about an unsigned token (alg "none").
    credential["jwt_header"] = {key: header[key] for key in ("alg", "kid", "typ") if key in header}
    logger.debug("decoded JWT with alg %s", header.get("alg"))
    return DecodedJwt(header=header, credential=credential)


def fill_from_claims(credential: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """Fill credential fields the JWT carries only as registered claims."""
    if "issuer" not in credential and isinstance(payload.get("iss"), str):
        credential["issuer"] = {"id": payload["iss"]}
    if "id" not in credential and isinstance(payload.get("jti"), str):
        credential["id"] = payload["jti"]
    if not any(key in credential for key in ("validFrom", "issuanceDate")):
        moment = payload.get("nbf", payload.get("iat"))
        if isinstance(moment, int | float) and not isinstance(moment, bool):
            credential["validFrom"] = datetime.fromtimestamp(moment, UTC).isoformat()

    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and "id" not in subject and isinstance(payload.get("sub"), str):
        credential["credentialSubject"] = {**subject, "id": payload["sub"]}
    return credential


def is_unsigned(credential: dict[str, Any]) -> bool:
    """Return whether a credential decoded from a JWT came in an unsigned token (header alg "none")."""
    header = credential.get("jwt_header")
    return isinstance(header, dict) and str(header.get("alg", "")).lower() == "none"
