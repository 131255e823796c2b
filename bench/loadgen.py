"""A cheap ISO 8583 load generator: one pre-encoded 0200 template per terminal whose STAN and
field 7 are patched in place, the MAC recomputed, and answers matched on STAN.

Closed loop (`drive`): `concurrency` requests in flight per connection, the next sent as soon as
one is answered. Open loop (`drive_rate`): requests sent at a fixed total rate whatever the
answers (up to MAX_OPEN_LOOP_IN_FLIGHT per connection), so queueing shows up as latency."""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import iso8583

from services.switch.iso import mac, spec

RESPONSE_TIMEOUT_SECONDS = 10.0
MAX_OPEN_LOOP_IN_FLIGHT = 2_000


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
        frame[self.stan_at:self.stan_at + 6] = b"%06d" % stan
        frame[self.time_at:self.time_at + 10] = transmitted
        if self.mac_key:
            frame[-8:] = mac.compute(self.mac_key, bytes(frame[:-8]))
        return len(frame).to_bytes(2, "big") + bytes(frame)


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    codes: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def summary(self) -> dict:
        ordered = sorted(self.latencies) or [0.0]
        approved = self.codes.get("00", 0)

        def pct(p: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)
        return {"requests": sum(self.codes.values()), "approved": approved,
                "approved_per_second": round(approved / self.seconds, 1) if self.seconds else 0,
                "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
                "mean_ms": round(statistics.fmean(ordered) * 1000, 2), "codes": dict(self.codes)}


async def _connection(port: int, template: Template, concurrency: int, until: float, result: Result,
                      stans: iter, interval: float = 0.0, phase: float = 0.0) -> None:
    """Closed loop when `interval` is 0; otherwise one request every `interval` seconds, the first
    after `phase` seconds (connections are staggered so that they do not send in bursts)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    pending: dict[bytes, float] = {}
    slots = asyncio.Semaphore(concurrency)
    stan_offset = template.stan_at + 2  # in the framed bytes

    async def read_answers() -> None:
        while True:
            header = await reader.readexactly(2)
            body = await reader.readexactly(int.from_bytes(header, "big"))
            decoded = iso8583.decode(body, spec.SPEC)[0]
            sent = pending.pop(decoded["11"].encode(), None)
            if sent is not None:
                result.latencies.append(time.perf_counter() - sent)
                result.codes[decoded.get("39", "??")] += 1
                slots.release()

    reading = asyncio.create_task(read_answers())
    next_send = time.perf_counter() + phase - interval
    try:
        while time.perf_counter() < until:
            if interval:
                next_send += interval
                delay = next_send - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            try:  # never past `until`, even when answers stop coming
                await asyncio.wait_for(slots.acquire(), max(until - time.perf_counter(), 0.001))
            except TimeoutError:
                break
            stan = next(stans) % 1_000_000
            framed = template.render(stan, dt.datetime.now(dt.UTC).strftime("%m%d%H%M%S").encode())
            pending[framed[stan_offset:stan_offset + 6]] = time.perf_counter()
            writer.write(framed)
        deadline = time.perf_counter() + RESPONSE_TIMEOUT_SECONDS
        while pending and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        result.codes["no answer"] += len(pending)
    finally:
        reading.cancel()
        writer.close()


STANS = iter(range(1, 10**9))  # shared by every run of this process: 41 + 7 + 11 never repeats


async def drive(port: int, templates: list[Template], concurrency: int, seconds: float) -> dict:
    """Closed loop: `concurrency` in flight per terminal connection."""
    result = Result()
    started = time.perf_counter()
    await asyncio.gather(*(_connection(port, template, concurrency, started + seconds, result, STANS)
                           for template in templates))
    result.seconds = time.perf_counter() - started
    return result.summary()


async def drive_rate(port: int, templates: list[Template], rate: float, seconds: float) -> dict:
    """Open loop: `rate` requests per second in total, spread over the terminal connections."""
    result = Result()
    started = time.perf_counter()
    interval = len(templates) / rate
    await asyncio.gather(*(_connection(port, template, MAX_OPEN_LOOP_IN_FLIGHT, started + seconds, result, STANS,
                                       interval, interval * index / len(templates))
                           for index, template in enumerate(templates)))
    result.seconds = time.perf_counter() - started
    return result.summary()
