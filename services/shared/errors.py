"""Errors a service raises, and how they reach the client.

Handlers raise these; the server interceptor turns each into its gRPC status with a
message that names the field. Anything else becomes INTERNAL with no detail (the
detail goes to the log, masked).
"""

from __future__ import annotations

import grpc


class ServiceError(Exception):
    code = grpc.StatusCode.INTERNAL

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class FieldError(ServiceError):
    """A request field is missing or malformed: INVALID_ARGUMENT naming the field."""

    code = grpc.StatusCode.INVALID_ARGUMENT

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


class NotFound(ServiceError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(ServiceError):
    code = grpc.StatusCode.ALREADY_EXISTS


class FailedPrecondition(ServiceError):
    """The request is well-formed but the state forbids it (e.g. an illegal card transition)."""

    code = grpc.StatusCode.FAILED_PRECONDITION


class Unavailable(ServiceError):
    """The service cannot move money now (e.g. rebuilding its Redis read model)."""

    code = grpc.StatusCode.UNAVAILABLE


class ResourceExhausted(ServiceError):
    """Asked too often (a rate limit, a lockout): the message says when to try again."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class PermissionDenied(ServiceError):
    code = grpc.StatusCode.PERMISSION_DENIED


class Unauthenticated(ServiceError):
    code = grpc.StatusCode.UNAUTHENTICATED


def require(value, field: str, message: str = "is required"):
    """Return value, or raise FieldError when it is empty."""
    if value in (None, "", b"", 0) or (hasattr(value, "__len__") and len(value) == 0):
        raise FieldError(field, message)
    return value
