"""One way to run a service process.

`run(app)` loads configuration (common settings plus the app's own), sets up masked
logs, starts a grpc.aio server with the standard health service, reflection, metrics
and error mapping, and shuts down gracefully on SIGTERM/SIGINT: health goes
NOT_SERVING, in-flight RPCs get CLUB_SHUTDOWN_GRACE_SECONDS, then the app closes its
pools.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import pathlib
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Protocol

import grpc
import uvloop
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio
from grpc_reflection.v1alpha import reflection

from . import audit, auth, logs, metrics
from . import config as cfg
from .errors import ServiceError

MAX_MESSAGE_BYTES = 16 * 1024 * 1024
# Health name that is SERVING while the process's event loop answers, whatever the readiness:
# a liveness probe on it does not restart a pod that is only rebuilding its Redis state.
LIVENESS_SERVICE = "liveness"
MIN_CALLER_PING_INTERVAL_MS = 1_000
SERVER_OPTIONS = [
    # gRPC shares a port between processes by default (SO_REUSEPORT): a stale process left from
    # an earlier run would silently take part of the calls. A port in use fails start-up instead.
    ("grpc.so_reuseport", 0),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.keepalive_permit_without_calls", 1),
    # Callers ping every few seconds to find a hung replica (services/shared/clients.py): accept
    # it, rather than gRPC's default of one ping per 5 minutes without data and GOAWAY after.
    ("grpc.http2.min_recv_ping_interval_without_data_ms", MIN_CALLER_PING_INTERVAL_MS),
    ("grpc.http2.max_ping_strikes", 0),
]


@dataclass
class Runtime:
    """What a running app is given: its configuration, logger and health switch."""

    name: str
    config: SimpleNamespace
    log: logging.Logger
    health: health_aio.HealthServicer
    service_names: list[str] = field(default_factory=list)

    async def set_serving(self, serving: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ["", *self.service_names]:
            await self.health.set(name, status)

    @property
    def data_dir(self) -> pathlib.Path:
        path = pathlib.Path(self.config.data_dir)
        path.mkdir(parents=True, exist_ok=True)
        return path


class App(Protocol):
    name: str
    default_port: int
    settings: list[cfg.Setting]

    # Each servicer with the generated add_*_to_server function and its full service name.
    def servicers(self) -> list[tuple[Callable[[Any, grpc.aio.Server], None], Any, str]]: ...

    async def start(self, runtime: Runtime) -> None: ...

    async def stop(self) -> None: ...


def _status_name(exc: BaseException) -> str:
    if isinstance(exc, ServiceError):
        return exc.code.name
    if metrics.dependency_of(exc):
        return "UNAVAILABLE"
    return "UNIMPLEMENTED" if isinstance(exc, NotImplementedError) else "INTERNAL"


class ServiceInterceptor(grpc.aio.ServerInterceptor):
    """Maps ServiceError to its status, hides unexpected errors, records metrics."""

    def __init__(self, service: str, log: logging.Logger):
        self.service = service
        self.log = log

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        if handler is None or handler_call_details.method.startswith(("/grpc.health", "/grpc.reflection")):
            return handler
        method = handler_call_details.method.rsplit("/", 1)[-1]
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                self._wrap_unary(method, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                self._wrap_stream(method, handler.unary_stream),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler

    async def _fail(self, context, method: str, exc: BaseException) -> str:
        if isinstance(exc, ServiceError):
            await context.abort(exc.code, exc.message)
        if isinstance(exc, NotImplementedError):  # the generated servicer's default
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{method} is not implemented")
        if unavailable := metrics.unavailable_message(exc):  # Postgres or Redis away: the caller retries
            self.log.warning("%s: %s (%s)", method, unavailable, type(exc).__name__)
            await context.abort(grpc.StatusCode.UNAVAILABLE, unavailable)
        self.log.error("unhandled error in %s: %s", method, type(exc).__name__, exc_info=exc)
        await context.abort(grpc.StatusCode.INTERNAL, "internal error")
        return "INTERNAL"  # not reached: abort raises

    def _record(self, method: str, code: str, started: float) -> None:
        metrics.RPC_REQUESTS.labels(self.service, method, code).inc()
        metrics.RPC_LATENCY.labels(self.service, method).observe(time.perf_counter() - started)

    def _wrap_unary(self, method, behavior):
        async def wrapped(request, context):
            started = time.perf_counter()
            try:
                response = await behavior(request, context)
            except grpc.aio.AbortError:
                self._record(method, context.code().name if context.code() else "ABORTED", started)
                raise
            except Exception as exc:  # noqa: BLE001 - mapped to a status, never leaked
                await self._failed(context, method, exc, started)
            self._record(method, "OK", started)
            return response

        return wrapped

    async def _failed(self, context, method: str, exc: BaseException, started: float) -> None:
        # Counted before the status is sent (abort sends it at once): a client that has seen the
        # error and reads /metrics finds it there.
        metrics.record_failure(self.service, exc)
        self._record(method, _status_name(exc), started)
        await self._fail(context, method, exc)

    def _wrap_stream(self, method, behavior):
        async def wrapped(request, context):
            started = time.perf_counter()
            try:
                async for item in behavior(request, context):
                    yield item
            except grpc.aio.AbortError:
                self._record(method, context.code().name if context.code() else "ABORTED", started)
                raise
            except Exception as exc:  # noqa: BLE001
                await self._failed(context, method, exc, started)
            self._record(method, "OK", started)

        return wrapped


def server_credentials(tls_dir: str, name: str) -> grpc.ServerCredentials | None:
    if not tls_dir:
        return None
    base = pathlib.Path(tls_dir)
    return grpc.ssl_server_credentials(
        [((base / f"{name}-key.pem").read_bytes(), (base / f"{name}.pem").read_bytes())],
        root_certificates=(base / "ca.pem").read_bytes(),
        require_client_auth=True,
    )


def port_setting(app: App) -> cfg.Setting:
    return cfg.Setting("CLUB_GRPC_PORT", str(app.default_port), cfg.port, f"{app.name} gRPC port")


def load_config(app: App, env=None) -> SimpleNamespace:
    config = cfg.load([*cfg.COMMON, *auth.SETTINGS, port_setting(app), *app.settings], env)
    auth.validate_config(config, app.name)
    return config


async def start_health_server(health: health_aio.HealthServicer, config: SimpleNamespace) -> grpc.aio.Server:
    """Health alone, in plaintext, on CLUB_HEALTH_PORT: probes that cannot do mTLS still see the truth."""
    server = grpc.aio.server(options=SERVER_OPTIONS)
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    server.add_insecure_port(f"{config.grpc_host}:{config.health_port}")
    await server.start()
    return server


async def serve(app: App, config: SimpleNamespace, log: logging.Logger) -> None:
    health = health_aio.HealthServicer()
    runtime = Runtime(app.name, config, log, health, [name for _, _, name in app.servicers()])
    audit_log = audit.AuditLog(config.database_url)
    # The auth interceptor runs inside the service interceptor, so refusals are counted in metrics.
    access = auth.AuthInterceptor(app.name, auth.Verifier(auth.secret_from(config.env, config.auth_secret)),
                                  config.auth_required, log, audit_log)
    server = grpc.aio.server(interceptors=[ServiceInterceptor(app.name, log), access], options=SERVER_OPTIONS)
    for add, servicer, _ in app.servicers():
        add(servicer, server)
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    reflection.enable_server_reflection([*runtime.service_names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                                         reflection.SERVICE_NAME], server)
    address = f"{config.grpc_host}:{config.grpc_port}"
    credentials = server_credentials(config.tls_dir, app.name)
    try:
        bound = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
    except RuntimeError:
        log.error("cannot listen: the port is in use or the address is not local", extra={"address": address})
        raise SystemExit(1) from None
    await runtime.set_serving(False)
    await health.set(LIVENESS_SERVICE, health_pb2.HealthCheckResponse.SERVING)
    await server.start()
    health_server = await start_health_server(health, config) if config.health_port else None
    metrics.serve_metrics(config.metrics_port)

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)

    await app.start(runtime)
    # What start-up built (modules, descriptors, pools, caches) lives as long as the process; out
    # of the collector's sight, a full collection walks only what serving allocates. Measured
    # under load: full collections of ~65,000 objects paused a service 18-30 ms every few seconds,
    # the purchase path's p99 with them (docs/performance.md).
    gc.collect()
    gc.freeze()
    await runtime.set_serving(True)
    log.info("serving", extra={"port": bound, "tls": bool(credentials), "metrics_port": config.metrics_port,
                               "auth_required": config.auth_required})
    await stopping.wait()

    log.info("shutting down", extra={"grace_seconds": config.shutdown_grace_seconds})
    await runtime.set_serving(False)
    await server.stop(config.shutdown_grace_seconds)
    if health_server:
        await health_server.stop(0)
    await app.stop()
    await audit_log.close()
    log.info("stopped")


def run(app: App) -> None:
    try:
        config = load_config(app)
    except cfg.ConfigError as exc:
        print(f"{app.name}: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)
    log = logs.setup(app.name, config.log_level, config.log_format)
    try:
        # uvloop: the same asyncio API with a libuv loop; measured cheaper per socket event
        # (docs/performance.md), and every service process is mostly socket events.
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(serve(app, config, log))
    except Exception:
        log.exception("service failed")
        sys.exit(1)
