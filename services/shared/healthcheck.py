"""A container health check: exit 0 when a local gRPC server answers SERVING, 1 otherwise.

    python -m services.shared.healthcheck 8081                      # the plaintext CLUB_HEALTH_PORT
    python -m services.shared.healthcheck 8081 --service liveness   # alive, whatever the readiness
    python -m services.shared.healthcheck 7101 --tls-name cards    # the mTLS gRPC port (CLUB_TLS_DIR)

docker compose runs it as each service's healthcheck (Kubernetes uses its native gRPC probes).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

TIMEOUT_SECONDS = 3.0


def check(target: str, service: str = "", tls_dir: str = "", tls_name: str = "",
          timeout: float = TIMEOUT_SECONDS) -> str:
    """The health status name the server reports for `service` (raises grpc.RpcError when unreachable)."""
    if tls_name:
        base = pathlib.Path(tls_dir)
        credentials = grpc.ssl_channel_credentials(
            root_certificates=(base / "ca.pem").read_bytes(),
            private_key=(base / f"{tls_name}-key.pem").read_bytes(),
            certificate_chain=(base / f"{tls_name}.pem").read_bytes(),
        )
        # The certificate names the service and localhost, so verify against localhost.
        channel = grpc.secure_channel(target, credentials, options=[("grpc.ssl_target_name_override", "localhost")])
    else:
        channel = grpc.insecure_channel(target)
    with channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service),
                                                          timeout=timeout)
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("port", type=int)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--service", default="", help="health service name; empty = the whole server")
    parser.add_argument("--tls-name", default="", help="present this process's certificate from CLUB_TLS_DIR")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_SECONDS)
    args = parser.parse_args(argv)
    tls_dir = os.environ.get("CLUB_TLS_DIR", "")
    if args.tls_name and not tls_dir:
        sys.exit("--tls-name needs CLUB_TLS_DIR")
    try:
        status = check(f"{args.host}:{args.port}", args.service, tls_dir, args.tls_name, args.timeout)
    except grpc.RpcError as exc:
        print(f"unhealthy: {exc.code().name}", file=sys.stderr)
        sys.exit(1)
    if status != "SERVING":
        print(f"unhealthy: {status}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
