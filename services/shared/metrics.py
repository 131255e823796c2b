"""Prometheus metrics shared by every service (per-method counts, latencies, errors)."""

from __future__ import annotations

import psycopg
from prometheus_client import Counter, Histogram, start_http_server

from . import redis_scripts

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

RPC_REQUESTS = Counter("club_rpc_requests_total", "gRPC requests handled", ["service", "method", "code"])
RPC_LATENCY = Histogram("club_rpc_latency_seconds", "gRPC handler latency", ["service", "method"],
                        buckets=LATENCY_BUCKETS)
DEPENDENCY_ERRORS = Counter("club_dependency_errors_total", "errors talking to Postgres or Redis",
                            ["service", "dependency"])

# Invariant 7 watched in production: the settlement close's automatic reconciliation increments
# this when a closed batch's totals differ from its ledger postings (alert ClubSettlementMismatch).
SETTLEMENT_MISMATCHES = Counter("club_settlement_mismatches_total",
                                "closed settlement batches whose totals differ from the ledger", ["service"])

# What a failed call's exception chain says about an unreachable dependency.
DEPENDENCY_FAILURES = (
    (redis_scripts.UNAVAILABLE, "redis"),
    ((psycopg.OperationalError,), "postgres"),  # lost connections, shutdowns, pool timeouts
)


def dependency_of(exc: BaseException | None) -> str | None:
    """"redis" or "postgres" when `exc`, or what caused it, is that dependency failing."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        for types, name in DEPENDENCY_FAILURES:
            if isinstance(exc, types):
                return name
        exc = exc.__cause__ or exc.__context__
    return None


def unavailable_message(exc: BaseException) -> str | None:
    """What a caller is told (UNAVAILABLE: retry) when `exc` is Postgres or Redis failing; None
    when it is something else."""
    dependency = dependency_of(exc)
    return f"{dependency} is unavailable; retry" if dependency else None


def record_failure(service: str, exc: BaseException) -> None:
    """Count a failed call against the dependency that caused it, if any (club_dependency_errors_total)."""
    dependency = dependency_of(exc)
    if dependency:
        DEPENDENCY_ERRORS.labels(service, dependency).inc()


def serve_metrics(port: int) -> None:
    if port:
        start_http_server(port)
