"""Dependencies of the routes: the loaded services, the authenticated caller and learner access."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from advisor.api.auth import Caller, Role, decode_token
from advisor.api.errors import ApiError, forbidden
from advisor.api.services import Services

SELF_ALIAS = "me"

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="A JWT signed with ADVISOR_TOKEN_SECRET (HS256) whose 'sub' is the caller's id and "
    "'role' is learner, advisor or admin.",
)


def get_services(request: Request) -> Services:
    """Return the services the app loaded at startup."""
    services = getattr(request.app.state, "services", None)
    if services is None:
        raise ApiError(503, "unavailable", "The service is still starting. Try again in a few seconds.")
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_caller(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Caller:
    """Authenticate the bearer token and charge the caller's rate limit."""
    if credentials is None:
        raise ApiError(
            401,
            "unauthorized",
            "Missing bearer token. Send 'Authorization: Bearer <token>' with a token minted with "
            "ADVISOR_TOKEN_SECRET.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    caller = decode_token(services.settings, credentials.credentials)
    request.scope.setdefault("state", {})["caller"] = caller
    services.limiter.check(f"{caller.role.value}:{caller.subject}")
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def require_admin(caller: CallerDep) -> Caller:
    """Return the caller if they hold the admin role, else raise 403."""
    if caller.role is not Role.ADMIN:
        raise forbidden("This route needs an admin token.")
    return caller


def require_advisor(caller: CallerDep) -> Caller:
    """Return the caller if they hold the advisor role, else raise 403."""
    if caller.role is not Role.ADVISOR:
        raise forbidden("This route needs an advisor token.")
    return caller


AdminDep = Annotated[Caller, Depends(require_admin)]
AdvisorDep = Annotated[Caller, Depends(require_advisor)]

LearnerIdPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        description="Learner id, or 'me' for the learner the token names.",
    ),
]


def resolve_learner(caller: Caller, learner_id: str, services: Services) -> str:
    """Return the learner id the caller may read and act for, or raise 403.

    A learner reaches only their own data, an advisor only the learners assigned to them, and an
    admin no learner's data (admins manage the catalog and assignments).
    """
    if learner_id == SELF_ALIAS:
        if caller.role is not Role.LEARNER:
            raise forbidden("'me' names a learner only in a learner token. Give the learner id.")
        return caller.subject
    if caller.role is Role.LEARNER and learner_id != caller.subject:
        raise forbidden("A learner token reaches only that learner's own data.")
    if caller.role is Role.ADVISOR and not services.assignments.is_assigned(caller.subject, learner_id):
        raise forbidden(f"Learner {learner_id!r} is not assigned to you. Ask an admin to assign them.")
    if caller.role is Role.ADMIN:
        raise forbidden("Admin tokens manage the catalog and assignments, not learner data. "
                        "Use the learner's token or an assigned advisor's.")
    return learner_id


def get_learner(learner_id: LearnerIdPath, caller: CallerDep, services: ServicesDep) -> str:
    """Resolve the path's learner id for the caller."""
    return resolve_learner(caller, learner_id, services)


LearnerDep = Annotated[str, Depends(get_learner)]
