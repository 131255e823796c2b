"""What every command shares: the connection settings, gRPC stubs, errors and output.

Output is either human-readable text or, with --json, one JSON document on stdout. Amounts are
printed as integers (rials, points). Full PANs, CVV2s, PIN blocks and keys are never printed:
`to_dict` drops them from every message before it is shown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pathlib
import sys
from collections.abc import Callable, Iterable

import grpc
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from services.gen.club.cards.v1 import cards_pb2_grpc
from services.gen.club.crm.v1 import crm_pb2_grpc
from services.gen.club.switch.v1 import authorization_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from services.shared import auth, tls
from services.shared.clients import CHANNEL_OPTIONS, DEFAULT_PORTS
from services.shared.config import ConfigError
from services.shared.pan import mask

CHANNEL = "cli"  # the `channel` recorded by the services for changes made here
TLS_CLIENT_NAME = "cli"  # the certificate `make certs` makes for this tool
DEFAULT_TIMEOUT_SECONDS = 30.0
# Never shown: card data and key material (a full PAN appears only in files the operator asks for).
SECRET_FIELDS = frozenset({"pan", "cvv2", "track2", "pin_block", "block", "pin_key", "mac_key", "pin", "old_pin",
                           "new_pin"})

STUBS = {
    "cards": cards_pb2_grpc.CardServiceStub,
    "wallet": wallet_pb2_grpc.WalletServiceStub,
    "tasheem": tasheem_pb2_grpc.TasheemServiceStub,
    "switch": authorization_pb2_grpc.AuthorizationServiceStub,
    "crm": crm_pb2_grpc.CrmServiceStub,
}


class CliError(Exception):
    """A problem found before or after a call (bad value, unreadable file): message, exit 2."""

    exit_code = 2


class ServiceCallError(Exception):
    """A gRPC call failed: the service, its address, the status code and the server's message."""

    exit_code = 1

    def __init__(self, service: str, address: str, error: grpc.RpcError):
        self.service = service
        self.address = address
        self.code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        self.details = (error.details() if hasattr(error, "details") else "") or ""
        super().__init__(str(self))

    def __str__(self) -> str:
        name = self.code.name if isinstance(self.code, grpc.StatusCode) else str(self.code)
        text = f"{self.service} ({self.address}) answered {name}: {self.details or 'no details'}"
        if self.code == grpc.StatusCode.UNAUTHENTICATED:
            text += ("\nhint: pass --token or set CLUB_TOKEN to an access token "
                     "(`clubctl token issue --role operator --subject <you>`)")
        elif self.code == grpc.StatusCode.PERMISSION_DENIED:
            text += "\nhint: the token's role may not do this; ask for a token with the right role"
        elif self.code == grpc.StatusCode.UNAVAILABLE:
            text += f"\nhint: is the {self.service} service running? set CLUB_{self.service.upper()}_ADDR"
        return text


def address_of(service: str, override: str | None = None) -> str:
    return override or os.environ.get(f"CLUB_{service.upper()}_ADDR") or f"127.0.0.1:{DEFAULT_PORTS[service]}"


class _Stub:
    """A service stub whose calls carry a timeout and turn gRPC errors into ServiceCallError."""

    def __init__(self, service: str, address: str, stub, timeout: float):
        self._service, self._address, self._stub, self._timeout = service, address, stub, timeout

    def __getattr__(self, method: str):
        target = getattr(self._stub, method)

        def call(request, **kwargs):
            kwargs.setdefault("timeout", self._timeout)
            try:
                return target(request, **kwargs)
            except grpc.RpcError as exc:
                raise ServiceCallError(self._service, self._address, exc) from None

        return call

    def stream(self, method: str, request, timeout: float | None = None):
        """Iterate a server-streaming call, with errors mid-stream turned into ServiceCallError."""
        try:
            yield from getattr(self._stub, method)(request, timeout=timeout or self._timeout)
        except grpc.RpcError as exc:
            raise ServiceCallError(self._service, self._address, exc) from None


class Context:
    """Connection settings from the global options; stubs are made on first use."""

    def __init__(self, args):
        self.args = args
        self.json = bool(getattr(args, "json", False))
        self.token = args.token or os.environ.get("CLUB_TOKEN") or None
        self.tls_dir = args.tls_dir if args.tls_dir is not None else os.environ.get("CLUB_TLS_DIR", "")
        self.timeout = args.timeout
        self._overrides = {name: getattr(args, f"{name}_addr", None) for name in STUBS}
        self._channels: list[grpc.Channel] = []
        self._stubs: dict[str, _Stub] = {}

    def address(self, service: str) -> str:
        return address_of(service, self._overrides.get(service))

    def _channel(self, address: str) -> grpc.Channel:
        if self.tls_dir:
            try:
                tls.check_dir(self.tls_dir, TLS_CLIENT_NAME)
            except ConfigError as exc:
                raise CliError(f"--tls-dir: {exc}") from None
            base = pathlib.Path(self.tls_dir)
            credentials = grpc.ssl_channel_credentials(
                root_certificates=(base / tls.CA_FILE).read_bytes(),
                private_key=tls.key_file(self.tls_dir, TLS_CLIENT_NAME).read_bytes(),
                certificate_chain=tls.cert_file(self.tls_dir, TLS_CLIENT_NAME).read_bytes())
            channel = grpc.secure_channel(address, credentials, options=CHANNEL_OPTIONS)
        else:
            channel = grpc.insecure_channel(address, options=CHANNEL_OPTIONS)
        self._channels.append(channel)
        return auth.with_token(channel, self.token) if self.token else channel

    def stub(self, service: str) -> _Stub:
        if service not in self._stubs:
            address = self.address(service)
            self._stubs[service] = _Stub(service, address, STUBS[service](self._channel(address)), self.timeout)
        return self._stubs[service]

    @property
    def cards(self) -> _Stub:
        return self.stub("cards")

    @property
    def wallet(self) -> _Stub:
        return self.stub("wallet")

    @property
    def tasheem(self) -> _Stub:
        return self.stub("tasheem")

    def close(self) -> None:
        for channel in self._channels:
            channel.close()

    # ---- output ---------------------------------------------------------------------------

    def emit(self, data, text: Callable[[], None] | None = None) -> None:
        """--json: `data` as JSON (messages converted by to_dict); otherwise `text()` or a listing."""
        if isinstance(data, Message):
            data = to_dict(data)
        if self.json:
            print(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))
        elif text is not None:
            text()
        else:
            print_record(data)

    def note(self, message: str) -> None:
        """A progress or hint line for a person: stderr, so stdout stays machine-readable."""
        print(message, file=sys.stderr)


# ---- messages as plain data -------------------------------------------------------------------


def _timestamp(value: Timestamp) -> str:
    if not value.seconds and not value.nanos:
        return ""
    return value.ToDatetime(dt.UTC).isoformat().replace("+00:00", "Z")


def _scalar(field, value):
    if field.type == field.TYPE_ENUM:
        enum = field.enum_type.values_by_number.get(value)
        return enum.name if enum else value
    if field.type == field.TYPE_BYTES:
        return value.hex()
    return value


def to_dict(message: Message) -> dict:
    """Every field (defaults included), int64 kept as integers, enums by name, timestamps ISO 8601;
    SECRET_FIELDS left out."""
    if isinstance(message, Timestamp):
        return _timestamp(message)
    result = {}
    for field in message.DESCRIPTOR.fields:
        if field.name in SECRET_FIELDS:
            continue
        value = getattr(message, field.name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value_field = field.message_type.fields_by_name["value"]
            result[field.name] = {k: (to_dict(v) if value_field.message_type else _scalar(value_field, v))
                                  for k, v in sorted(value.items())}
        elif field.is_repeated:
            result[field.name] = [to_dict(v) if field.message_type else _scalar(field, v) for v in value]
        elif field.message_type is not None:
            if field.containing_oneof is not None and not message.HasField(field.name):
                continue
            result[field.name] = to_dict(value) if message.HasField(field.name) else (
                "" if field.message_type.full_name == "google.protobuf.Timestamp" else to_dict(value))
        else:
            if field.containing_oneof is not None and message.WhichOneof(field.containing_oneof.name) != field.name:
                continue
            result[field.name] = _scalar(field, value)
    return result


def _flat(data, prefix: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _flat(value, f"{prefix}{key}.") if isinstance(value, dict | list) and value else \
                [(f"{prefix}{key}", _text(value))]
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _flat(value, f"{prefix}{index}.") if isinstance(value, dict | list) else \
                [(f"{prefix}{index}", _text(value))]
    else:
        yield prefix.rstrip("."), _text(data)


def _text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict | list):
        return "-"
    return str(value) if value != "" else "-"


def print_record(data) -> None:
    """key: value lines, nested fields dotted; empty values shown as '-'."""
    rows = list(_flat(data))
    width = max((len(key) for key, _ in rows), default=0)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


def print_table(rows: list[dict], columns: list[str], empty: str = "(none)") -> None:
    """A plain text table of the given columns (dotted names reach into nested dicts)."""
    if not rows:
        print(empty)
        return

    def cell(row, column):
        value = row
        for part in column.split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        if isinstance(value, list):
            return ",".join(str(v) for v in value) or "-"
        return _text(value)

    cells = [[cell(row, column) for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[i]) for line in cells)) for i, column in enumerate(columns)]
    print("  ".join(column.upper().ljust(widths[i]) for i, column in enumerate(columns)).rstrip())
    for line in cells:
        print("  ".join(value.ljust(widths[i]) for i, value in enumerate(line)).rstrip())


# ---- argument helpers ---------------------------------------------------------------------------


def rials(text: str) -> int:
    """An amount in rials (or points): a non-negative integer; 1_000_000 and 1,000,000 are accepted."""
    cleaned = text.replace(",", "").replace("_", "").strip()
    if not cleaned.isdigit() or not cleaned.isascii():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole, non-negative number (amounts are integers)")
    return int(cleaned)


def signed_integer(text: str) -> int:
    cleaned = text.replace(",", "").replace("_", "").strip()
    body = cleaned[1:] if cleaned[:1] in "+-" else cleaned
    if not body.isdigit() or not body.isascii():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    return int(cleaned)


def add_paging(parser, default_size: int = 50) -> None:
    parser.add_argument("--page-size", type=int, default=default_size, help=f"rows per page (default {default_size})")
    parser.add_argument("--page-token", default="", help="continue from a previous listing's next page token")
    parser.add_argument("--all", action="store_true", help="follow every page")


def pages(call, request, items: str, args) -> tuple[list, str]:
    """Run a paged List call; with --all follow next_page_token. Returns (items, next token)."""
    request.page_size = args.page_size
    request.page_token = args.page_token
    found = []
    while True:
        reply = call(request)
        found.extend(getattr(reply, items))
        if not args.all or not reply.next_page_token:
            return found, reply.next_page_token
        request.page_token = reply.next_page_token


def emit_list(ctx: Context, key: str, messages: list, columns: list[str], next_token: str = "") -> None:
    rows = [to_dict(m) for m in messages]
    data = {key: rows, "next_page_token": next_token}

    def text():
        print_table(rows, columns)
        if next_token:
            print(f"(more: --page-token {next_token} or --all)")

    ctx.emit(data, text)


def masked(pan: str) -> str:
    return mask(pan)


def write_private(path: pathlib.Path | str, text: str) -> pathlib.Path:
    """Write a file readable by its owner only (it holds card data or keys)."""
    path = pathlib.Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.chmod(path, 0o600)
    return path


def percent_bp(text: str, option: str) -> int:
    """'40%' or '33.33%' as basis points (4000, 3333): exact decimal arithmetic, at most 2 decimals."""
    body = text.strip().removesuffix("%").strip()
    whole, _, fraction = body.partition(".")
    if not whole.isdigit() or not whole.isascii() or (fraction and (not fraction.isdigit() or len(fraction) > 2)):
        raise CliError(f"{option}: {text!r} is not a percentage like 40% or 33.33%")
    return int(whole) * 100 + int(fraction.ljust(2, "0") or 0)
