"""Bearer tokens and roles: who the caller is and which learners they may reach.

A token is a JWT signed with HS256 and the shared secret ``ADVISOR_TOKEN_SECRET``. The server
trusts its ``sub`` (the caller's id) and ``role`` claims and nothing else the client sends. A
host site mints short-lived learner tokens with the same secret; ``advisor token`` mints tokens
for development.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

import jwt

from advisor.config import Settings
from advisor.errors import ConfigurationError

ALGORITHM = "HS256"
MIN_SECRET_CHARS = 32
PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "dev", "development"}


class Role(StrEnum):
    """What a caller may do."""

    LEARNER = "learner"
    ADVISOR = "advisor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Caller:
    """The authenticated caller: the token's subject and role."""

    subject: str
    role: Role


class TokenError(Exception):
    """A bearer token that is missing, malformed, expired or signed with another secret."""


def token_secret(settings: Settings) -> str:
    """Return the signing secret, or raise ConfigurationError when it is unset or too weak."""
    secret = settings.token_secret.get_secret_value() if settings.token_secret else ""
    if not secret:
        raise ConfigurationError(
            "ADVISOR_TOKEN_SECRET is not set.",
            hint="Set it to a random string of at least 32 characters, for example the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'.",
        )
    if len(secret) < MIN_SECRET_CHARS or secret.lower() in PLACEHOLDER_SECRETS:
        raise ConfigurationError(
            f"ADVISOR_TOKEN_SECRET is shorter than {MIN_SECRET_CHARS} characters or a placeholder.",
            value=f"{len(secret)} characters",
            hint="Use a random string of at least 32 characters.",
        )
    return secret


def mint_token(
    settings: Settings,
    subject: str,
    role: Role = Role.LEARNER,
    minutes: int | None = None,
    now: float | None = None,
) -> str:
    """Return a signed token for the subject and role, valid for ``minutes`` (default by role)."""
    if minutes is None:
        minutes = settings.learner_token_minutes if role is Role.LEARNER else settings.staff_token_minutes
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": subject,
        "role": role.value,
        "aud": settings.token_audience,
        "iat": issued,
        "exp": issued + minutes * 60,
    }
    return jwt.encode(claims, token_secret(settings), algorithm=ALGORITHM)


def decode_token(settings: Settings, token: str) -> Caller:
    """Check a token's signature, audience and lifetime and return its caller."""
    try:
        claims = jwt.decode(
            token,
            token_secret(settings),
            algorithms=[ALGORITHM],
            audience=settings.token_audience,
            options={"require": ["sub", "role", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise TokenError("The bearer token has expired. Ask the host page for a new one.") from error
    except jwt.InvalidTokenError as error:
        raise TokenError(f"The bearer token is invalid: {error}.") from error

    lifetime_minutes = (claims["exp"] - claims["iat"]) / 60
    if lifetime_minutes > settings.max_token_minutes:
        raise TokenError(
            f"The bearer token lives {lifetime_minutes:.0f} minutes, longer than the "
            f"{settings.max_token_minutes} this server accepts (ADVISOR_MAX_TOKEN_MINUTES). Mint a shorter one."
        )
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject.strip():
        raise TokenError("The bearer token names no subject ('sub').")
    try:
        role = Role(claims["role"])
    except ValueError as error:
        raise TokenError(
            f"The bearer token has an unknown role {claims['role']!r}; use learner, advisor or admin."
        ) from error
    return Caller(subject=subject, role=role)
