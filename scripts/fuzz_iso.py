"""Fuzz the ISO 8583 front: random and mutated frames never crash the server, never post
money, and every response is well-formed.

    python scripts/fuzz_iso.py --host 127.0.0.1 --port 8583            # a short run against a running switch
    python scripts/fuzz_iso.py --long                                   # `make fuzz`: own stack, long run
    python scripts/fuzz_iso.py --long --engine atheris                  # libFuzzer mutations (needs atheris)

Each fuzzed frame is sent on a live connection followed by a sentinel 0800 echo (70=301)
with a unique STAN; every response read until the echo's answer must decode under the
wire spec (pyiso8583 `default`), be the response MTI of a request class, and carry a known
field 39. The echo's answer proves the server and the connection survived. Financial
requests built by the fuzzer use PANs no card has, so any 39=00 on them is money posted.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import itertools
import os
import pathlib
import random
import socket
import struct
import sys
import time
from dataclasses import dataclass, field

import iso8583
from iso8583.specs import default as SPEC

ROOT = pathlib.Path(__file__).resolve().parent.parent
LENGTH_HEADER = struct.Struct(">H")
RESPONSE_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5.0
MAX_FRAME_BYTES = 2048
RESPONSE_CODES = {"00", "05", "12", "13", "14", "30", "51", "54", "55", "57", "58", "61", "62", "63", "65", "75",
                  "91", "94", "95", "96"}
REQUEST_MTIS = ["0100", "0200", "0220", "0400", "0420", "0800", "0500", "0120", "0210", "9999"]
FINANCIAL_MTIS = {"0100", "0200", "0220"}
SENTINEL_TERMINAL = "FUZZECHO"
SHORT_EXAMPLES = 150
LONG_EXAMPLES = 20_000


class ServerGone(AssertionError):
    pass


class Malformed(AssertionError):
    pass


@dataclass
class Stats:
    frames: int = 0
    responses: int = 0
    reconnects: int = 0
    codes: dict[str, int] = field(default_factory=dict)


class Connection:
    """One terminal connection speaking the 2-byte length framing."""

    def __init__(self, host: str, port: int):
        self.address = (host, port)
        self.sock = socket.create_connection(self.address, timeout=CONNECT_TIMEOUT_SECONDS)
        self.buffer = b""

    def send_frame(self, payload: bytes) -> None:
        self.sock.sendall(LENGTH_HEADER.pack(len(payload)) + payload)

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_frame(self, deadline: float) -> bytes:
        while True:
            if len(self.buffer) >= LENGTH_HEADER.size:
                (length,) = LENGTH_HEADER.unpack_from(self.buffer)
                if len(self.buffer) >= LENGTH_HEADER.size + length:
                    frame = self.buffer[LENGTH_HEADER.size:LENGTH_HEADER.size + length]
                    self.buffer = self.buffer[LENGTH_HEADER.size + length:]
                    return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServerGone("no answer to the echo in time")
            self.sock.settimeout(remaining)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("server closed the connection")
            self.buffer += chunk

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def echo_request(stan: str) -> bytes:
    now = time.gmtime()
    fields = {"t": "0800", "7": time.strftime("%m%d%H%M%S", now), "11": stan, "41": SENTINEL_TERMINAL, "70": "301"}
    return bytes(iso8583.encode(fields, SPEC)[0])


def check_response(frame: bytes) -> dict:
    """The decoded response, or Malformed saying what is wrong with it."""
    try:
        decoded, _ = iso8583.decode(frame, SPEC)
    except iso8583.DecodeError as exc:
        raise Malformed(f"response does not decode: {exc}") from None
    mti = decoded.get("t", "")
    if len(mti) != 4 or not mti.isdigit() or int(mti[2]) % 2 != 1:
        raise Malformed(f"response MTI {mti!r} is not a response class")
    if decoded.get("39") not in RESPONSE_CODES:
        raise Malformed(f"response field 39 {decoded.get('39')!r} is not a known code")
    return decoded


class Target:
    """A live connection to the front, re-opened when the server closes it (counted)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.stats = Stats()
        self.stans = itertools.count(random.randrange(100_000))
        self.conn = Connection(host, port)

    def _reconnect(self) -> None:
        self.conn.close()
        self.stats.reconnects += 1
        try:
            self.conn = Connection(self.host, self.port)
        except OSError as exc:
            raise ServerGone(f"server refuses connections after a fuzzed frame: {exc}") from None

    def probe(self, payload: bytes, raw: bool = False, financial_unknown_card: bool = False) -> None:
        """Send one fuzzed frame, then an echo; check everything that comes back."""
        self.stats.frames += 1
        stan = f"{next(self.stans) % 1_000_000:06d}"
        try:
            self.conn.send_raw(payload) if raw else self.conn.send_frame(payload)
            if raw:
                # Raw bytes may leave the framing mid-frame: finish on a fresh connection.
                self._reconnect()
            self.conn.send_frame(echo_request(stan))
            self._read_until_echo(stan, financial_unknown_card)
        except (ConnectionError, OSError):
            self._reconnect()
            self.conn.send_frame(echo_request(stan))
            self._read_until_echo(stan, financial_unknown_card)

    def _read_until_echo(self, stan: str, financial_unknown_card: bool) -> None:
        deadline = time.monotonic() + RESPONSE_TIMEOUT_SECONDS
        while True:
            decoded = check_response(self.conn.read_frame(deadline))
            self.stats.responses += 1
            code = decoded["39"]
            self.stats.codes[code] = self.stats.codes.get(code, 0) + 1
            if decoded.get("t") == "0810" and decoded.get("11") == stan and decoded.get("41") == SENTINEL_TERMINAL:
                return
            if financial_unknown_card and decoded.get("t") in ("0110", "0210", "0230") and code == "00":
                raise AssertionError(f"a fuzzed purchase with an unknown card was approved: {decoded}")

    def close(self) -> None:
        self.conn.close()


# ---------- generation ----------


def build_fields(rng: random.Random) -> dict:
    mti = rng.choice(REQUEST_MTIS)
    digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    fields = {"t": mti, "11": digits(6), "41": rng.choice(["T0000001", "FUZZ0001", digits(8)]),
              "42": rng.choice(["M000000000001", "FUZZMERCHANT", digits(15)]).ljust(15)}
    optional = {
        "2": lambda: "999999" + digits(rng.randint(7, 13)),  # BIN 999999: no product of ours
        "3": lambda: rng.choice(["000000", "200000", "310000", "009000", digits(6)]),
        "4": lambda: digits(12),
        "7": lambda: digits(10),
        "12": lambda: digits(6),
        "13": lambda: digits(4),
        "14": lambda: digits(4),
        "22": lambda: digits(3),
        "35": lambda: "999999" + digits(10) + "=" + digits(7),
        "37": lambda: digits(12),
        "49": lambda: rng.choice(["364", digits(3)]),
        "52": lambda: rng.randbytes(8).hex().upper(),  # binary fields are given to pyiso8583 as hex
        "54": lambda: digits(rng.randint(0, 40)),
        "64": lambda: rng.randbytes(8).hex().upper(),
        "70": lambda: rng.choice(["001", "002", "301", "101", digits(3)]),
        "90": lambda: digits(42),
    }
    for key, make in optional.items():
        if rng.random() < 0.5:
            fields[key] = make()
    return fields


def encode(fields: dict) -> bytes:
    return bytes(iso8583.encode(dict(fields), SPEC)[0])


def mutate(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        choice = rng.random()
        if choice < 0.4 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice < 0.6 and data:
            start = rng.randrange(len(data))
            del data[start:start + rng.randint(1, 8)]
        elif choice < 0.8:
            position = rng.randrange(len(data) + 1)
            data[position:position] = rng.randbytes(rng.randint(1, 8))
        else:
            data = data[:rng.randrange(len(data) + 1)]
    return bytes(data[:MAX_FRAME_BYTES])


def one_case(target: Target, seed: int, kind: str) -> None:
    rng = random.Random(seed)
    fields = build_fields(rng)
    unknown_card = fields["t"] in FINANCIAL_MTIS
    if kind == "valid":
        target.probe(encode(fields), financial_unknown_card=unknown_card)
    elif kind == "mutated":
        target.probe(mutate(encode(fields), rng), financial_unknown_card=unknown_card)
    elif kind == "random":
        target.probe(rng.randbytes(rng.randint(0, 300)))
    elif kind == "bad_length":
        # A length header that lies (shorter than the bytes sent), then garbage.
        payload = encode(fields)
        target.probe(LENGTH_HEADER.pack(max(0, len(payload) - rng.randint(1, 20))) + payload, raw=True)
    else:
        raise ValueError(kind)


KINDS = ("valid", "mutated", "random", "bad_length")


def run_hypothesis(host: str, port: int, examples: int) -> Stats:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    target = Target(host, port)

    @settings(max_examples=examples, deadline=None, derandomize=False, database=None,
              suppress_health_check=list(HealthCheck))
    @given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(KINDS), blob=st.binary(max_size=400))
    def fuzz(seed: int, kind: str, blob: bytes) -> None:
        if kind == "random" and blob:
            target.probe(blob)
        else:
            one_case(target, seed, kind)

    try:
        fuzz()
    finally:
        target.close()
    return target.stats


def run_atheris(host: str, port: int, runs: int) -> Stats:
    import atheris

    target = Target(host, port)
    seeds = [encode(build_fields(random.Random(n))) for n in range(32)]

    def test_one_input(data: bytes) -> None:
        provider = atheris.FuzzedDataProvider(data)
        if provider.ConsumeBool():
            base = seeds[provider.ConsumeIntInRange(0, len(seeds) - 1)]
            target.probe(mutate(base, random.Random(provider.ConsumeInt(4))))
        else:
            target.probe(provider.ConsumeBytes(MAX_FRAME_BYTES))

    # libFuzzer ends the process itself when the runs are done: report from an exit hook.
    atexit.register(report, target.stats, "atheris")
    atheris.Setup([sys.argv[0], f"-runs={runs}", f"-max_len={MAX_FRAME_BYTES}"], test_one_input)
    atheris.Fuzz()
    return target.stats


def report(stats: Stats, engine: str) -> None:
    codes = ", ".join(f"{code}:{count}" for code, count in sorted(stats.codes.items()))
    print(f"fuzz_iso [{engine}]: {stats.frames} frames, {stats.responses} well-formed responses, "
          f"{stats.reconnects} reconnects; codes {codes}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="a running switch's ISO port; 0 = start an own stack")
    parser.add_argument("--long", action="store_true")
    parser.add_argument("--examples", type=int, default=0)
    parser.add_argument("--engine", choices=["hypothesis", "atheris"], default="hypothesis")
    args = parser.parse_args(argv)
    examples = args.examples or (LONG_EXAMPLES if args.long else SHORT_EXAMPLES)
    if args.engine == "atheris":
        try:
            import atheris  # noqa: F401
        except ImportError:
            print("atheris is not installed (pip install atheris, or `pip install -e .[fuzz]`); using hypothesis")
            args.engine = "hypothesis"

    stack = None
    host, port = args.host, args.port
    if not port:
        sys.path.insert(0, str(ROOT))
        from tests import harness

        if "switch" not in harness.available_services():
            print("fuzz_iso: the switch service is not in this tree; nothing to fuzz", file=sys.stderr)
            return 2
        harness.ensure_infra()
        stack = harness.Stack(ROOT / "var" / "fuzz", f"club_fuzz_{os.getpid()}")
        stack.start(*harness.available_services())
        port = stack.iso_port
    try:
        stats = run_atheris(host, port, examples) if args.engine == "atheris" else run_hypothesis(host, port, examples)
    finally:
        if stack is not None:
            stack.close()
    report(stats, args.engine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
