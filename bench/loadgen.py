"""A cheap ISO 8583 load generator: one pre-encoded 0200 template per terminal whose STAN and
field 7 are patched in place, the MAC recomputed, and answers read by length and matched on
STAN without a full decode. Closed loop: `concurrency` requests in flight per connection."""

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
                      stans: iter) -> None:
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
    try:
        while time.perf_counter() < until:
            await slots.acquire()
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


async def drive(port: int, templates: list[Template], concurrency: int, seconds: float) -> dict:
    result = Result()
    stans = iter(range(1, 10**9))
    started = time.perf_counter()
    await asyncio.gather(*(_connection(port, template, concurrency, started + seconds, result, stans)
                           for template in templates))
    result.seconds = time.perf_counter() - started
    return result.summary()
