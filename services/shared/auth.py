"""Tokens and the access check every service runs on every call.

A caller presents `authorization: Bearer <JWT>` metadata. Tokens are HS256 JWTs signed
with CLUB_AUTH_SECRET and carry: sub (who; for a member token, the member id), role
(operator | auditor | merchant | service | member), merchant_id (merchant tokens), iat, exp, iss. The server interceptor verifies
the token, applies services.shared.auth_policy, writes the audit log for changes made by
a person, and logs every refusal (never the token):

    missing, malformed, badly signed or expired token  -> UNAUTHENTICATED
    wrong role, or another merchant's or member's data -> PERMISSION_DENIED

Services calling each other attach a short-lived `service` token minted from the same
secret (clients.channel does it). Under mTLS a service token is accepted only from a
peer whose certificate names a service, so the `cli` certificate cannot act as one.

Issue a token:

    python -m services.shared.auth issue --role merchant --merchant-id M1 --subject ali --ttl 3600
"""

from __future__ import annotations

import argparse
import contextvars
import hashlib
import logging
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass

import grpc
import jwt

from . import audit, tls
from . import auth_policy as policy
from . import config as cfg

ALGORITHM = "HS256"
ISSUER = "club"
METADATA_KEY = "authorization"
BEARER = "Bearer "
MIN_SECRET_BYTES = 32
DEFAULT_TTL_SECONDS = 3600
MAX_TTL_SECONDS = 90 * 24 * 3600
SERVICE_TOKEN_TTL_SECONDS = 3600
SERVICE_TOKEN_REFRESH_SECONDS = 300  # mint a new service token this long before expiry
VERIFIED_CACHE_SIZE = 10_000
CLOCK_LEEWAY_SECONDS = 5

SETTINGS = [
    cfg.Setting("CLUB_AUTH_SECRET", "", cfg.text,
                "HS256 key (>= 32 bytes) that signs operator, merchant, auditor and service tokens; "
                "empty outside production = built-in development secret", secret=True),
    cfg.Setting("CLUB_AUTH_REQUIRED", "true", cfg.boolean,
                "refuse calls without a valid token; may be false only outside production"),
]

# Known to everyone: usable only when CLUB_ENV is development or test.
_DEVELOPMENT_SECRET = hashlib.sha256(b"club-development-auth-secret-v1").hexdigest()


class TokenError(Exception):
    """Why a token was refused (the reason never quotes the token)."""


@dataclass(frozen=True)
class Caller:
    subject: str
    role: str
    merchant_id: str = ""
    expires_at: int = 0
    authenticated: bool = True

    @property
    def is_person(self) -> bool:
        return self.role in policy.PERSON_ROLES


ANONYMOUS = Caller("anonymous", policy.OPERATOR, authenticated=False)
# Whoever calls a public (sign-in) method: no token is read, nothing is granted, nothing audited.
PUBLIC_CALLER = Caller("public", "public", authenticated=False)

# The caller of the RPC being handled (each grpc.aio RPC runs in its own task), so a handler can
# record who acted (e.g. an `actor` column) without parsing metadata: auth.current_caller().
_CURRENT_CALLER: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("club_caller", default=None)


def current_caller() -> Caller | None:
    return _CURRENT_CALLER.get()


def secret_from(env: str, secret: str) -> bytes:
    if secret:
        return secret.encode()
    if env == "production":
        raise cfg.ConfigError("CLUB_AUTH_SECRET", "is required in production")
    return _DEVELOPMENT_SECRET.encode()


def secret_from_env(environ: Mapping[str, str] | None = None) -> bytes:
    config = cfg.load([*(s for s in cfg.COMMON if s.name == "CLUB_ENV"), *SETTINGS], environ)
    return secret_from(config.env, config.auth_secret)


def validate_config(config, service: str) -> None:
    """Refuse to start with an unsafe security configuration (ConfigError names the variable)."""
    if config.env == "production":
        if not config.tls_dir:
            raise cfg.ConfigError("CLUB_TLS_DIR", "is required in production (mTLS between services); "
                                  "plaintext is allowed only outside production")
        if len(config.auth_secret.encode()) < MIN_SECRET_BYTES:
            raise cfg.ConfigError("CLUB_AUTH_SECRET", f"is required in production, at least {MIN_SECRET_BYTES} bytes")
        if not config.auth_required:
            raise cfg.ConfigError("CLUB_AUTH_REQUIRED", "must be true in production")
    if config.tls_dir:
        tls.check_dir(config.tls_dir, service)


def issue_token(secret: bytes, role: str, subject: str, merchant_id: str = "",
                ttl_seconds: int = DEFAULT_TTL_SECONDS, now: float | None = None) -> str:
    if role not in policy.ROLES:
        raise ValueError(f"role must be one of {', '.join(policy.ROLES)}")
    if not subject:
        raise ValueError("subject is required")
    if (role == policy.MERCHANT) != bool(merchant_id):
        raise ValueError("merchant_id is required for, and only for, the merchant role")
    if not 0 < ttl_seconds <= MAX_TTL_SECONDS:
        raise ValueError(f"ttl must be 1..{MAX_TTL_SECONDS} seconds")
    issued = int(time.time() if now is None else now)
    claims = {"iss": ISSUER, "sub": subject, "role": role, "iat": issued, "exp": issued + ttl_seconds}
    if merchant_id:
        claims["merchant_id"] = merchant_id
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


class Verifier:
    """Verifies tokens; a token seen before is answered from a bounded cache until it expires."""

    def __init__(self, secret: bytes):
        self._secret = secret
        self._verified: dict[str, Caller] = {}

    def verify(self, token: str) -> Caller:
        caller = self._verified.get(token)
        if caller is not None:
            if caller.expires_at + CLOCK_LEEWAY_SECONDS < time.time():
                del self._verified[token]
                raise TokenError("token expired")
            return caller
        caller = self._decode(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = caller
        return caller

    def _decode(self, token: str) -> Caller:
        try:
            claims = jwt.decode(token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER, leeway=CLOCK_LEEWAY_SECONDS,
                                options={"require": ["exp", "iat", "sub", "iss"]})
        except jwt.ExpiredSignatureError:
            raise TokenError("token expired") from None
        except jwt.InvalidTokenError as exc:
            raise TokenError(f"invalid token ({type(exc).__name__})") from None
        role, merchant_id = claims.get("role"), claims.get("merchant_id", "")
        if role not in policy.ROLES:
            raise TokenError("token carries no known role")
        if not isinstance(merchant_id, str) or (role == policy.MERCHANT) != bool(merchant_id):
            raise TokenError("merchant token without merchant_id (or merchant_id on another role)")
        return Caller(str(claims["sub"]), role, merchant_id, int(claims["exp"]))


def bearer(metadata) -> str | None:
    for key, value in metadata or ():
        if key == METADATA_KEY:
            text = value.decode() if isinstance(value, bytes) else value
            return text[len(BEARER):].strip() if text.startswith(BEARER) else ""
    return None


class Refused(Exception):
    def __init__(self, code: grpc.StatusCode, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _field(message, name: str) -> str:
    value = getattr(message, name, "")
    return value if isinstance(value, str) else ""


class AuthInterceptor(grpc.aio.ServerInterceptor):
    """Authenticates and authorizes every call by auth_policy; audits changes by people."""

    def __init__(self, service: str, verifier: Verifier, required: bool, log: logging.Logger, audit_log=None):
        self.service = service
        self.verifier = verifier
        self.required = required
        self.log = log
        self.audit = audit_log

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or policy.is_open(method):
            return handler
        rule = policy.rule_for(method)
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                self._wrap_unary(method, rule, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                self._wrap_stream(method, rule, handler.unary_stream),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return None  # no client-streaming methods exist; refuse rather than pass unchecked

    def authenticate(self, context) -> Caller:
        token = bearer(context.invocation_metadata())
        if token is None:
            if not self.required:
                return ANONYMOUS
            raise Refused(grpc.StatusCode.UNAUTHENTICATED, "no token")
        try:
            caller = self.verifier.verify(token)
        except TokenError as exc:
            if not self.required:
                return ANONYMOUS
            raise Refused(grpc.StatusCode.UNAUTHENTICATED, str(exc)) from None
        if caller.role == policy.SERVICE:
            peer = tls.peer_common_name(context)
            if peer is not None and peer not in tls.SERVICE_NAMES:
                raise Refused(grpc.StatusCode.PERMISSION_DENIED, f"service token from non-service certificate {peer!r}")
            if peer is not None and peer != caller.subject:
                # A service speaks as itself: the token's subject is the name on its certificate.
                raise Refused(grpc.StatusCode.PERMISSION_DENIED, f"service token for {caller.subject!r} "
                                                                 f"from the certificate of {peer!r}")
        return caller

    def authorize(self, rule: policy.Rule, caller: Caller, request) -> None:
        if not caller.authenticated:
            return
        if caller.role not in rule.roles:
            raise Refused(grpc.StatusCode.PERMISSION_DENIED, f"role {caller.role} may not call this method")
        if caller.role == policy.SERVICE and rule.services and caller.subject not in rule.services:
            raise Refused(grpc.StatusCode.PERMISSION_DENIED, f"service {caller.subject} may not call this method")
        if caller.role == policy.MERCHANT and rule.merchant_field:
            if _field(request, rule.merchant_field) != caller.merchant_id:
                raise Refused(grpc.StatusCode.PERMISSION_DENIED, "request is not for the token's merchant")
        if caller.role == policy.MEMBER:
            # Rules that admit members always name the field (auth_policy.Rule checks it).
            if not rule.member_field or _field(request, rule.member_field) != caller.subject:
                raise Refused(grpc.StatusCode.PERMISSION_DENIED, "request is not for the token's member")

    def authorize_result(self, rule: policy.Rule, caller: Caller, response) -> None:
        if caller.authenticated and caller.role == policy.MERCHANT and rule.merchant_result_field:
            if _field(response, rule.merchant_result_field) != caller.merchant_id:
                raise Refused(grpc.StatusCode.PERMISSION_DENIED, "result belongs to another merchant")

    async def _refuse(self, context, method: str, caller: Caller | None, refused: Refused):
        self.log.warning("refused %s: %s", method, refused.reason, extra={
            "method": method, "code": refused.code.name, "reason": refused.reason, "peer": context.peer(),
            "subject": caller.subject if caller else "", "role": caller.role if caller else ""})
        await context.abort(refused.code, refused.reason)

    async def _admit(self, method: str, rule: policy.Rule, request, context) -> Caller:
        if rule.public:
            return PUBLIC_CALLER
        caller = None
        try:
            caller = self.authenticate(context)
            self.authorize(rule, caller, request)
        except Refused as refused:
            await self._refuse(context, method, caller, refused)
        return caller

    async def _begin_audit(self, context, method: str, rule: policy.Rule, caller: Caller, request) -> str | None:
        """The audit row a person's change needs before it runs; None when nothing is audited."""
        if self.audit is None or rule.reads or not caller.is_person:
            return None
        try:
            return await self.audit.begin(self.service, method, caller, request)
        except audit.AuditUnavailable:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "audit log unavailable; change refused")

    def _wrap_unary(self, method: str, rule: policy.Rule, behavior):
        async def wrapped(request, context):
            caller = await self._admit(method, rule, request, context)
            _CURRENT_CALLER.set(caller)
            event_id = await self._begin_audit(context, method, rule, caller, request)
            response, outcome = None, "OK"
            try:
                response = await behavior(request, context)
                self.authorize_result(rule, caller, response)
                return response
            except Refused as refused:
                outcome, response = refused.code.name, None
                await self._refuse(context, method, caller, refused)
            except BaseException as exc:
                outcome, response = _outcome(exc, context), None
                raise
            finally:
                if event_id:
                    await self.audit.finish(event_id, outcome, response)

        return wrapped

    def _wrap_stream(self, method: str, rule: policy.Rule, behavior):
        async def wrapped(request, context):
            caller = await self._admit(method, rule, request, context)
            _CURRENT_CALLER.set(caller)
            event_id = await self._begin_audit(context, method, rule, caller, request)
            last, outcome = None, "OK"
            try:
                async for item in behavior(request, context):
                    last = item
                    yield item
            except BaseException as exc:
                outcome = _outcome(exc, context)
                raise
            finally:
                if event_id:
                    await self.audit.finish(event_id, outcome, last)

        return wrapped


def _outcome(exc: BaseException, context) -> str:
    code = getattr(exc, "code", None)
    if isinstance(code, grpc.StatusCode):
        return code.name
    if isinstance(exc, grpc.aio.AbortError) and context.code() is not None:
        return context.code().name
    return "CANCELLED" if isinstance(exc, (GeneratorExit, StopAsyncIteration)) else "ERROR"


# ---------- client side: attach a token to every call ----------


class ServiceToken:
    """A service's own token, re-minted shortly before it expires."""

    def __init__(self, secret: bytes, subject: str):
        self._secret = secret
        self._subject = subject
        self._token = ""
        self._expires_at = 0.0

    def current(self) -> str:
        now = time.time()
        if now > self._expires_at - SERVICE_TOKEN_REFRESH_SECONDS:
            self._token = issue_token(self._secret, policy.SERVICE, self._subject, ttl_seconds=SERVICE_TOKEN_TTL_SECONDS,
                                      now=now)
            self._expires_at = now + SERVICE_TOKEN_TTL_SECONDS
        return self._token


def _with_token(metadata, token: str):
    return (*(metadata or ()), (METADATA_KEY, BEARER + token))


class AioTokenInterceptor(grpc.aio.UnaryUnaryClientInterceptor, grpc.aio.UnaryStreamClientInterceptor):
    """For grpc.aio channels: adds the token (a str or a callable returning one) to each call."""

    def __init__(self, token):
        self._token = token if callable(token) else (lambda: token)

    def _details(self, details):
        return details._replace(metadata=_with_token(details.metadata, self._token()))

    async def intercept_unary_unary(self, continuation, client_call_details, request):
        return await continuation(self._details(client_call_details), request)

    async def intercept_unary_stream(self, continuation, client_call_details, request):
        return await continuation(self._details(client_call_details), request)


class SyncTokenInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                           grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """For sync grpc channels (tests, the CLI): adds the token to each call."""

    def __init__(self, token):
        self._token = token if callable(token) else (lambda: token)

    def _details(self, details):
        return details._replace(metadata=_with_token(details.metadata, self._token()))

    def intercept_unary_unary(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details), request)

    def intercept_unary_stream(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details), request)

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):
        return continuation(self._details(client_call_details), request_iterator)

    def intercept_stream_stream(self, continuation, client_call_details, request_iterator):
        return continuation(self._details(client_call_details), request_iterator)


def with_token(channel: grpc.Channel, token) -> grpc.Channel:
    """A sync channel that sends `token` (str or callable) with every call."""
    return grpc.intercept_channel(channel, SyncTokenInterceptor(token))


def service_interceptor(client_name: str, environ: Mapping[str, str] | None = None) -> AioTokenInterceptor:
    """What clients.channel adds: this process's service token on every call."""
    return AioTokenInterceptor(ServiceToken(secret_from_env(environ), client_name).current)


# ---------- command line ----------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.shared.auth", description="Issue access tokens.")
    commands = parser.add_subparsers(dest="command", required=True)
    issue = commands.add_parser("issue", help="print a signed token (uses CLUB_AUTH_SECRET and CLUB_ENV)")
    issue.add_argument("--role", required=True, choices=policy.ROLES)
    issue.add_argument("--subject", required=True, help="who the token is for (recorded in the audit log)")
    issue.add_argument("--merchant-id", default="", help="required for --role merchant")
    issue.add_argument("--ttl", type=int, default=DEFAULT_TTL_SECONDS, help="lifetime in seconds")
    args = parser.parse_args(argv)
    try:
        secret = secret_from_env(os.environ)
        print(issue_token(secret, args.role, args.subject, args.merchant_id, args.ttl))
    except cfg.ConfigError as exc:
        sys.exit(f"configuration error: {exc}")
    except ValueError as exc:
        parser.error(str(exc))


if __name__ == "__main__":
    main()
