"""Every error as a JSON body that says what failed and what to do, with the request id.

Errors of the layers below (``advisor.errors``) become HTTP responses here and nowhere else:

    InvalidInputError   422    NotFoundError       404
    IndexMismatchError  503    LLMCallError        502
    ConfigurationError  500    PromptError         500
    other AdvisorError  400

Unexpected exceptions are caught by ``RequestContextMiddleware``, which logs them and returns a
JSON 500 naming the request id.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from advisor.api.auth import TokenError
from advisor.errors import (
    AdvisorError,
    ConfigurationError,
    IndexMismatchError,
    InvalidInputError,
    LLMCallError,
    NotFoundError,
    PromptError,
)

logger = logging.getLogger(__name__)

ADVISOR_ERROR_STATUS: list[tuple[type[AdvisorError], int, str]] = [
    (InvalidInputError, 422, "invalid_input"),
    (NotFoundError, 404, "not_found"),
    (IndexMismatchError, 503, "index_mismatch"),
    (LLMCallError, 502, "model_failed"),
    (ConfigurationError, 500, "configuration"),
    (PromptError, 500, "prompt"),
]

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    503: "unavailable",
}


class ErrorPublic(BaseModel):
    """The body of every error response."""

    code: str = Field(description="Stable machine-readable code, such as not_found or rate_limited.")
    message: str = Field(description="What failed and what to do next.")
    request_id: str | None = Field(default=None, description="Id to quote when reporting the error.")
    details: list[dict[str, Any]] = Field(default_factory=list, description="Per-field problems, if any.")


class ApiError(Exception):
    """An error the API raises on purpose, with its status, code and message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def request_id_of(request: Request) -> str | None:
    """Return the id that the request context middleware gave this request."""
    return request.scope.get("state", {}).get("request_id")


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Build the JSON error response."""
    body = ErrorPublic(code=code, message=message, request_id=request_id_of(request), details=details or [])
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


async def handle_api_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return error_response(request, error.status, error.code, error.message, headers=error.headers)


async def handle_token_error(request: Request, error: Exception) -> JSONResponse:
    return error_response(
        request, 401, "unauthorized", str(error), headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )


async def handle_advisor_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AdvisorError)
    status, code = 400, "bad_request"
    for kind, kind_status, kind_code in ADVISOR_ERROR_STATUS:
        if isinstance(error, kind):
            status, code = kind_status, kind_code
            break
    if status >= 500:
        logger.error("request %s failed: %s", request_id_of(request), error)
    return error_response(request, status, code, str(error))


async def handle_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    details = [
        {"location": ".".join(str(part) for part in item.get("loc", ())), "message": item.get("msg", "")}
        for item in error.errors()
    ]
    first = details[0] if details else {"location": "request", "message": "invalid"}
    message = f"Invalid request: {first['location']}: {first['message']}. Fix the request and send it again."
    return error_response(request, 422, "invalid_input", message, details=details)


async def handle_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code = HTTP_CODES.get(error.status_code, "error")
    message = str(error.detail)
    if error.status_code == 404 and message == "Not Found":
        message = f"No route {request.url.path!r}. See /docs for the routes of this API."
    elif error.status_code == 405:
        message = f"Method {request.method} is not allowed on {request.url.path!r}. See /docs."
    return error_response(request, error.status_code, code, message, headers=getattr(error, "headers", None))


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on the app."""
    app.add_exception_handler(ApiError, handle_api_error)
    app.add_exception_handler(TokenError, handle_token_error)
    app.add_exception_handler(AdvisorError, handle_advisor_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)


def forbidden(message: str) -> ApiError:
    """Return a 403 error."""
    return ApiError(403, "forbidden", message)


def not_found(message: str) -> ApiError:
    """Return a 404 error."""
    return ApiError(404, "not_found", message)
