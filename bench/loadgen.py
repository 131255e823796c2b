"""A cheap ISO 8583 load generator: one pre-encoded 0200 template per terminal whose STAN and
field 7 are patched in place and the MAC recomputed, and answers matched on STAN.

It shares the machine with the services it measures, so it spends as little as it can inside
the timed window: frames are rendered in bulk before the window starts (more on the fly only if
a connection runs out); each connection is a Protocol that takes answers in large chunks as they
arrive, parses only fields 11 and 39 out of them (no full decode) and writes the requests that
follow in one go. Summaries carry the generator's own CPU per request (loadgen_cpu_ms_per_request).

Closed loop (`drive`): `concurrency` requests in flight per connection, the next sent as soon as
one is answered. Open loop (`drive_rate`): requests sent at a fixed total rate whatever the
answers (up to MAX_OPEN_LOOP_IN_FLIGHT per connection), so queueing shows up as latency."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import resource
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import iso8583
import uvloop

from services.switch.iso import mac, spec

RESPONSE_TIMEOUT_SECONDS = 10.0
MAX_OPEN_LOOP_IN_FLIGHT = 2_000
# Closed-loop runs are pre-rendered for this total rate (about the platform's on the 2-core bench
# machine); a faster run (the references reach 12,000-30,000/s) renders the rest on the fly, the
# generator then using ~0.01 ms of CPU per request in all (measured).
CLOSED_LOOP_EXPECTED_RATE = 2_000
PRERENDER_MARGIN = 1.2
MAX_PRERENDERED_FRAMES = 150_000  # over all connections: ~20 MB, a few seconds of rendering
READ_CHUNK_BYTES = 256 * 1024
LENGTH_HEADER_BYTES = 2
STAN_DIGITS = 6
STAN_MODULUS = 10**STAN_DIGITS


@dataclass
class Template:
    frame: bytearray  # the encoded message, MAC included
    stan_at: int
    time_at: int
    mac_key: bytes | None

    @classmethod
    def purchase(cls, pan: str, expiry: str, amount: int, terminal_id: str, merchant_id: str,
                 mac_key: bytes | None) -> Template:
        message = {"t": "0200", "2": pan, "3": "000000", "4": f"{amount:012d}", "7": "0101000000", "11": "999999",
                   "14": expiry, "22": "021", "41": terminal_id, "42": merchant_id.ljust(15), "49": "364"}
        if mac_key:
            message["64"] = "00" * 8
        frame = bytearray(iso8583.encode(message, spec.SPEC)[0])
        stan_at = frame.index(b"999999")
        time_at = frame.index(b"0101000000")
        return cls(frame, stan_at, time_at, mac_key)

    def render(self, stan: int, transmitted: bytes) -> bytes:
        frame = self.frame
        frame[self.stan_at:self.stan_at + STAN_DIGITS] = b"%06d" % stan
        frame[self.time_at:self.time_at + 10] = transmitted
        if self.mac_key:
            frame[-8:] = mac.compute(self.mac_key, bytes(frame[:-8]))
        return len(frame).to_bytes(LENGTH_HEADER_BYTES, "big") + bytes(frame)

    def render_many(self, count: int, stans: iter) -> list[bytes]:
        """`count` framed requests, each with its own STAN, all stamped with the current time:
        a plausible field 7 (the switch infers the year from it), and 41 + 7 + 11 stays unique
        because the STANs come from the shared iterator."""
        transmitted = transmission_time()
        return [self.render(next(stans) % STAN_MODULUS, transmitted) for _ in range(count)]


def transmission_time() -> bytes:
    """Field 7, MMDDhhmmss in UTC."""
    return dt.datetime.now(dt.UTC).strftime("%m%d%H%M%S").encode()


def _answer_layout() -> tuple[int, tuple[tuple[int, int], ...]]:
    """From SPEC: where the primary bitmap starts, and for fields 0..39 the (length-prefix digits,
    fixed length) needed to step over them. Only what SPEC uses is handled; anything else fails
    here, at import, rather than misreading answers."""
    for key in ("h", "t"):
        assert spec.SPEC[key]["len_type"] == 0, f"SPEC field {key} must be fixed length"
    assert spec.SPEC["p"]["data_enc"] == "b" and spec.SPEC["p"]["max_len"] == 8, "the bitmap must be 8 binary bytes"
    layout = [(0, 0), (0, 0)]  # fields 0 and 1 (the secondary bitmap) are handled apart
    for number in range(2, 40):
        field_spec = spec.SPEC[str(number)]
        assert field_spec.get("len_count", "bytes") == "bytes" and field_spec["data_enc"] in ("ascii", "b"), number
        assert field_spec["len_type"] == 0 or field_spec["len_enc"] == "ascii", number
        layout.append((field_spec["len_type"], field_spec["max_len"]))
    return spec.SPEC["h"]["max_len"] + spec.SPEC["t"]["max_len"], tuple(layout)


BITMAP_AT, ANSWER_LAYOUT = _answer_layout()
BITMAP_BYTES = 8
SECONDARY_BITMAP_BIT = 1 << 63  # field 1
FIELDS_2_TO_39 = ((1 << 63) - 1) & ~((1 << (64 - 39)) - 1)  # bits of fields 2..39 in the primary bitmap


def answer_fields(body: bytes) -> tuple[bytes, bytes]:
    """Fields 11 (STAN) and 39 (response code) of an encoded message, b"" for one that is absent,
    reading only the bitmap and the lengths of the fields before them."""
    at = BITMAP_AT + BITMAP_BYTES
    bitmap = int.from_bytes(body[BITMAP_AT:at], "big")
    if bitmap & SECONDARY_BITMAP_BIT:
        at += BITMAP_BYTES  # secondary fields are encoded after all primary ones: never in the way
    stan = b""
    present = bitmap & FIELDS_2_TO_39
    while present:  # set bits, lowest field number first
        top = present.bit_length()
        present ^= 1 << (top - 1)
        number = 65 - top
        prefix_digits, size = ANSWER_LAYOUT[number]
        if prefix_digits:
            size = int(body[at:at + prefix_digits])
            at += prefix_digits
        if number == 11:
            stan = body[at:at + size]
        elif number == 39:
            return stan, body[at:at + size]
        at += size
    return stan, b""


def _frames(buffer: bytearray):
    """Complete frames at the front of `buffer`, removed from it as they are taken."""
    at = 0
    while len(buffer) - at >= LENGTH_HEADER_BYTES:
        end = at + LENGTH_HEADER_BYTES + int.from_bytes(buffer[at:at + LENGTH_HEADER_BYTES], "big")
        if end > len(buffer):
            break
        yield bytes(buffer[at + LENGTH_HEADER_BYTES:end])
        at = end
    del buffer[:at]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    codes: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the generator's own, within the window

    def summary(self) -> dict:
        ordered = sorted(self.latencies) or [0.0]
        approved = self.codes.get("00", 0)
        requests = sum(self.codes.values())

        def pct(p: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)
        return {"requests": requests, "approved": approved,
                "approved_per_second": round(approved / self.seconds, 1) if self.seconds else 0,
                "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
                "mean_ms": round(statistics.fmean(ordered) * 1000, 2), "codes": dict(self.codes),
                "loadgen_cpu_ms_per_request": round(self.cpu_seconds * 1000 / requests, 4) if requests else 0}


class _Terminal(asyncio.Protocol):
    """One terminal connection. Answers are handled as they arrive, in data_received (no reader
    task to wake per chunk), and the requests that follow them go out in a single write.

    `owed` counts requests due but not sent yet: the closed loop owes one per answer, the open
    loop one per tick; they are sent as far as `limit` (requests in flight) allows."""

    def __init__(self, template: Template, frames: list[bytes], result: Result, stans: iter, limit: int,
                 until: float, closed_loop: bool) -> None:
        self.template, self.result, self.stans, self.limit, self.until = template, result, stans, limit, until
        self.closed_loop = closed_loop
        self.prerendered = iter(frames)
        self.stan_offset = template.stan_at + LENGTH_HEADER_BYTES  # in the framed bytes
        self.pending: dict[bytes, float] = {}
        self.owed = 0
        self.stopped = False
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.drained = asyncio.get_running_loop().create_future()  # stopped and nothing pending, or lost

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        now = time.perf_counter()  # the answers of one chunk arrived together
        answered = 0
        for body in _frames(self.buffer):
            stan, code = answer_fields(body)
            sent = self.pending.pop(stan, None)
            if sent is not None:
                self.result.latencies.append(now - sent)
                self.result.codes[code.decode() or "??"] += 1
                answered += 1
        if self.closed_loop:
            self.owed += answered
        self.send_owed()
        if self.stopped and not self.pending:
            self._drained()

    def connection_lost(self, exc: Exception | None) -> None:
        self.stopped = True
        self._drained()

    def _drained(self) -> None:
        if not self.drained.done():
            self.drained.set_result(None)

    def owe(self, count: int) -> None:
        self.owed += count
        self.send_owed()

    def send_owed(self) -> None:
        count = min(self.owed, self.limit - len(self.pending))
        if count <= 0 or self.stopped or time.perf_counter() >= self.until:
            return
        self.owed -= count
        frames = [self._next_frame() for _ in range(count)]
        sent = time.perf_counter()
        for framed in frames:
            self.pending[framed[self.stan_offset:self.stan_offset + STAN_DIGITS]] = sent
        self.transport.write(b"".join(frames))

    def _next_frame(self) -> bytes:
        framed = next(self.prerendered, None)  # correctness over speed once they run out
        return framed or self.template.render(next(self.stans) % STAN_MODULUS, transmission_time())

    def stop(self) -> None:
        self.stopped = True
        if not self.pending:
            self._drained()


async def _connection(port: int, template: Template, frames: list[bytes], concurrency: int, until: float,
                      result: Result, stans: iter, interval: float = 0.0, phase: float = 0.0) -> None:
    """Closed loop when `interval` is 0; otherwise one request every `interval` seconds, the first
    after `phase` seconds (connections are staggered so that they do not send in bursts).
    `frames` are sent first, in order; after them, frames are rendered as they are needed."""
    loop = asyncio.get_running_loop()
    transport, terminal = await loop.create_connection(
        lambda: _Terminal(template, frames, result, stans, concurrency, until, not interval), "127.0.0.1", port)
    next_send = time.perf_counter() + phase
    timer = None

    def tick() -> None:  # open loop: one request per interval, on schedule whatever the answers
        nonlocal next_send, timer
        if time.perf_counter() >= until:
            return
        terminal.owe(1)
        next_send += interval
        timer = loop.call_later(max(next_send - time.perf_counter(), 0), tick)

    try:
        if interval:
            timer = loop.call_later(max(next_send - time.perf_counter(), 0), tick)
        else:
            terminal.owe(concurrency)
        await asyncio.sleep(max(until - time.perf_counter(), 0))
        terminal.stop()
        try:
            await asyncio.wait_for(terminal.drained, RESPONSE_TIMEOUT_SECONDS)
        except TimeoutError:
            pass
        result.codes["no answer"] += len(terminal.pending)
    finally:
        if timer is not None:
            timer.cancel()
        transport.close()


def run(drive_coroutine):
    """Run a drive on uvloop, the loop the services run on: the generator's own CPU per request
    in open loop is ~20% less than on the standard loop (measured, docs/performance.md)."""
    return uvloop.run(drive_coroutine)


STANS = iter(range(1, 10**9))  # shared by every run of this process: 41 + 7 + 11 never repeats


def _prerender(templates: list[Template], expected_per_connection: float) -> list[list[bytes]]:
    """Frames for each connection, rendered before the window so that rendering is not measured."""
    count = min(math.ceil(expected_per_connection), MAX_PRERENDERED_FRAMES // len(templates))
    return [template.render_many(count, STANS) for template in templates]


async def _run(port: int | list[int], templates: list[Template], frames: list[list[bytes]], concurrency: int,
               seconds: float, interval: float = 0.0, meter=None, groups: list[str] | None = None) -> dict:
    """`meter` (bench/cpu.py CpuMeter) measures every process's CPU over the window alone.
    `groups` names each template's group; the answers of each group are also summed apart.
    `port`: the switch's, or several switches' (connection i goes to port i mod n)."""
    ports = [port] if isinstance(port, int) else list(port)
    groups = groups or [""] * len(templates)
    results = {name: Result() for name in groups}
    if meter is not None:
        meter.start()
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    await asyncio.gather(*(_connection(ports[index % len(ports)], template, template_frames, concurrency, started + seconds, results[group],
                                       STANS, interval, interval * index / len(templates))
                           for index, (template, template_frames, group)
                           in enumerate(zip(templates, frames, groups, strict=True))))
    seconds, cpu_seconds = time.perf_counter() - started, _cpu_seconds() - cpu_started
    result = Result(seconds=seconds, cpu_seconds=cpu_seconds)
    for part in results.values():
        result.latencies += part.latencies
        result.codes.update(part.codes)
        part.seconds = seconds
    summary = result.summary()
    if meter is not None:
        summary["cpu_ms_per_approval"] = meter.stop(summary["approved"])
    if len(results) > 1:
        summary["by_group"] = {name: part.summary() for name, part in results.items()}
    return summary


async def drive(port: int | list[int], templates: list[Template], concurrency: int, seconds: float, meter=None) -> dict:
    """Closed loop: `concurrency` in flight per terminal connection."""
    expected = CLOSED_LOOP_EXPECTED_RATE * seconds * PRERENDER_MARGIN / len(templates) + concurrency
    return await _run(port, templates, _prerender(templates, expected), concurrency, seconds, meter=meter)


async def drive_rate(port: int | list[int], templates: list[Template], rate: float, seconds: float, meter=None,
                     groups: list[str] | None = None) -> dict:
    """Open loop: `rate` requests per second in total, spread over the terminal connections."""
    interval = len(templates) / rate
    frames = _prerender(templates, seconds / interval + 2)  # a connection sends at most one per interval
    return await _run(port, templates, frames, MAX_OPEN_LOOP_IN_FLIGHT, seconds, interval, meter, groups)


async def drive_rate_grouped(port: int, groups: dict[str, list[Template]], rate: float, seconds: float) -> dict:
    """Open loop as `drive_rate`, with each group's answers also summed apart ("by_group")."""
    templates = [template for members in groups.values() for template in members]
    names = [name for name, members in groups.items() for _ in members]
    return await drive_rate(port, templates, rate, seconds, groups=names)
