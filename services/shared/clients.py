"""gRPC channels to the other services (plaintext or mTLS, round-robin across replicas)."""

from __future__ import annotations

import pathlib

import grpc

from . import auth
from .config import Setting, text
from .server import MAX_MESSAGE_BYTES

CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    # Headless Services resolve to every replica; spread calls across them.
    ("grpc.lb_policy_name", "round_robin"),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.enable_retries", 0),
]


def channel(target: str, tls_dir: str = "", client_name: str = "client", token: str | None = None) -> grpc.aio.Channel:
    """An aio channel to `target` (host:port or dns:///host:port).

    Every call carries this process's `service` token (subject `client_name`), minted from
    CLUB_AUTH_SECRET, or `token` when given (a person's token, e.g. the CLI's CLUB_TOKEN); with
    `token=""` the channel adds none and each call brings its own (the portal: the signed-in
    person's). With `tls_dir`, the channel also presents the `client_name` certificate.
    """
    if token == "":
        interceptors = []
    elif token is not None:
        interceptors = [auth.AioTokenInterceptor(token)]
    else:
        interceptors = [auth.service_interceptor(client_name)]
    if not tls_dir:
        return grpc.aio.insecure_channel(target, options=CHANNEL_OPTIONS, interceptors=interceptors)
    base = pathlib.Path(tls_dir)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=(base / "ca.pem").read_bytes(),
        private_key=(base / f"{client_name}-key.pem").read_bytes(),
        certificate_chain=(base / f"{client_name}.pem").read_bytes(),
    )
    return grpc.aio.secure_channel(target, credentials, options=CHANNEL_OPTIONS, interceptors=interceptors)


# Where each service listens; the ports double as each service's default CLUB_GRPC_PORT.
DEFAULT_PORTS = {"cards": 7101, "wallet": 7102, "tasheem": 7103, "switch": 7104, "crm": 7105}

ADDRESS_SETTINGS = [
    Setting(f"CLUB_{name.upper()}_ADDR", f"127.0.0.1:{port}", text, f"gRPC address of the {name} service")
    for name, port in DEFAULT_PORTS.items()
]
