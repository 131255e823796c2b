"""gRPC channels to the other services (plaintext or mTLS, round-robin across replicas)."""

from __future__ import annotations

import json
import pathlib

import grpc

from . import auth
from .config import Setting, text
from .server import MAX_MESSAGE_BYTES, MIN_CALLER_PING_INTERVAL_MS

# Calls sent once more, to another replica, when the first answer is UNAVAILABLE (the replica died
# or is stopping, possibly after doing the work): only those whose request carries a key the
# service posts or reserves once under, answering a repeat with the first outcome (docs/scaling.md,
# "Several replicas"). Not cards' AuthorizeCard(s): a wrong PIN try is counted per call, so a
# repeat could count it twice. Every other call gets gRPC's transparent retry only (sent again
# when it never reached a server).
RETRIED_ON_UNAVAILABLE = {
    "club.wallet.v1.WalletService": ("Purchase", "PurchaseBatch", "Reverse", "Refund", "Capture"),
    "club.tasheem.v1.TasheemService": ("Quote", "QuoteBatch", "Release", "ReleasePart"),
}
RETRY_POLICY = {"maxAttempts": 2, "initialBackoff": "0.01s", "maxBackoff": "0.05s", "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE"]}
SERVICE_CONFIG = {"methodConfig": [{"name": [{"service": service, "method": method} for method in methods],
                                    "retryPolicy": RETRY_POLICY}
                                   for service, methods in RETRIED_ON_UNAVAILABLE.items()]}

KEEPALIVE_TIME_MS = 5_000  # a ping this often on every connection to another service...
KEEPALIVE_TIMEOUT_MS = 3_000  # ...unanswered this long: the replica is left out
assert KEEPALIVE_TIMEOUT_MS < KEEPALIVE_TIME_MS and KEEPALIVE_TIME_MS >= MIN_CALLER_PING_INTERVAL_MS

CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    # Several replicas (a headless Service's DNS answer, or an ipv4: list): spread calls across
    # them, one call at a time; a replica whose connection fails is left out until it is back.
    ("grpc.lb_policy_name", "round_robin"),
    # A replica that hangs (its process stopped, its machine frozen) keeps its connections open
    # and answers nothing: a ping unanswered within KEEPALIVE_TIMEOUT_MS closes the connection,
    # and round_robin leaves the replica out until it answers again (docs/scaling.md). Any ping:
    # gRPC's own flow-control (BDP) ping left unanswered would otherwise hold back the keepalive
    # ping for good, and a busy connection never goes quiet long enough to need one.
    ("grpc.keepalive_time_ms", KEEPALIVE_TIME_MS),
    ("grpc.keepalive_timeout_ms", KEEPALIVE_TIMEOUT_MS),
    ("grpc.http2.ping_timeout_ms", KEEPALIVE_TIMEOUT_MS),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.enable_retries", 1),
    ("grpc.service_config", json.dumps(SERVICE_CONFIG)),
]


def channel(target: str, tls_dir: str = "", client_name: str = "client", token: str | None = None) -> grpc.aio.Channel:
    """An aio channel to `target`: host:port, dns:///host:port (every address the name resolves
    to), or ipv4:host:port,host:port,... (a fixed list of replicas).

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
    Setting(f"CLUB_{name.upper()}_ADDR", f"127.0.0.1:{port}", text,
            f"gRPC target of the {name} service: host:port, dns:///host:port or ipv4:host:port,host:port for replicas")
    for name, port in DEFAULT_PORTS.items()
]
