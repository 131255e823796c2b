"""An asyncio ISO 8583 terminal for load and chaos runs: one TCP connection, many requests
in flight, responses matched by fields 41 + 11 (the wire contract, docs/architecture.md,
"Wire contract"), and a reversal (0400) for every request left unanswered, as a real terminal
does.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from dataclasses import dataclass

import iso8583

from services.switch.iso import codec, framing
from services.switch.iso.spec import SPEC

RESPONSE_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 3.0
CURRENCY_IRR = "364"
PURCHASE = "000000"
ACQUIRER_ID = "00000000000"  # 11 digits, used in field 90
# A reversal answered so (or not at all) did not happen: the terminal repeats it for this long,
# waiting 1, 2, 4 ... up to 8 s between tries (every terminal at once, after an outage).
REVERSAL_UNSETTLED = ("", "91", "96")
REVERSAL_RETRY_SECONDS = 90.0
REVERSAL_PAUSE_FIRST_SECONDS, REVERSAL_PAUSE_MAX_SECONDS = 1.0, 8.0


@dataclass
class Outcome:
    terminal_id: str
    stan: str
    transmitted: str  # field 7
    amount: int
    pan: str
    sent_at: float
    code: str = ""  # field 39; "" = no answer
    approval: str = ""  # field 38
    answered_at: float = 0.0
    reversed_code: str = ""  # answer to our 0400 when the purchase went unanswered

    @property
    def approved(self) -> bool:
        return self.code == "00"


class Terminal:
    """A terminal on one connection; reconnects when the connection drops. With `other_ports`
    (several switches, each its own port), a connection that cannot be made goes to the next
    port, as a terminal configured with a backup host does."""

    def __init__(self, host: str, port: int, terminal_id: str, merchant_id: str,
                 mac_key: bytes | None = None, other_ports: tuple[int, ...] = ()):
        self.host, self.port = host, port
        self.ports = (port, *other_ports)
        self.terminal_id = terminal_id
        self.merchant_id = merchant_id.ljust(15)
        self.mac_key = mac_key  # the terminal's MAC key; None: it sends no MAC
        self._stans = itertools.count(1)
        self._pending: dict[str, asyncio.Future] = {}
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    def next_stan(self) -> str:
        return f"{next(self._stans) % 1_000_000:06d}"

    async def _connection(self) -> asyncio.StreamWriter:
        async with self._lock:
            if self._writer is None or self._writer.is_closing():
                reader, writer = await self._connect()
                self._writer = writer
                self._reader_task = asyncio.create_task(self._read_loop(reader, writer))
            return self._writer

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """The current port first, then the others in turn; the last failure is raised."""
        for attempt in range(len(self.ports)):
            try:
                return await asyncio.wait_for(asyncio.open_connection(self.host, self.port), CONNECT_TIMEOUT_SECONDS)
            except (TimeoutError, OSError):
                if attempt == len(self.ports) - 1:
                    raise
                self.port = self.ports[(self.ports.index(self.port) + 1) % len(self.ports)]
        raise AssertionError("unreachable")

    async def _read_loop(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                payload = await framing.read_frame(reader)
                if not payload:
                    continue  # keep-alive
                decoded, _ = iso8583.decode(payload, SPEC)
                future = self._pending.pop(decoded.get("11", ""), None)
                if future is not None and not future.done():
                    future.set_result(decoded)
        except (asyncio.IncompleteReadError, ConnectionError, OSError, iso8583.DecodeError, framing.FrameError):
            pass
        finally:
            writer.close()

    def _frame(self, fields: dict) -> bytes:
        return framing.frame(codec.encode(fields, self.mac_key))

    async def exchange(self, fields: dict, timeout: float = RESPONSE_TIMEOUT_SECONDS) -> dict | None:
        """Send one request; its decoded answer, or None (no connection, no answer in time)."""
        stan = fields["11"]
        future = asyncio.get_running_loop().create_future()
        self._pending[stan] = future
        try:
            writer = await self._connection()
            writer.write(self._frame(fields))
            await writer.drain()
            return await asyncio.wait_for(future, timeout)
        except (TimeoutError, ConnectionError, OSError):
            return None
        finally:
            self._pending.pop(stan, None)

    def purchase_fields(self, pan: str, expiry: str, amount: int, stan: str, transmitted: str) -> dict:
        local = time.localtime()
        return {"t": "0200", "2": pan, "3": PURCHASE, "4": f"{amount:012d}", "7": transmitted, "11": stan,
                "12": time.strftime("%H%M%S", local), "13": time.strftime("%m%d", local), "14": expiry,
                "22": "021", "41": self.terminal_id, "42": self.merchant_id, "49": CURRENCY_IRR}

    async def purchase(self, pan: str, expiry: str, amount: int, reverse_unanswered: bool = True) -> Outcome:
        stan, transmitted = self.next_stan(), time.strftime("%m%d%H%M%S", time.gmtime())
        outcome = Outcome(self.terminal_id, stan, transmitted, amount, pan, time.monotonic())
        answer = await self.exchange(self.purchase_fields(pan, expiry, amount, stan, transmitted))
        if answer is not None:
            outcome.code, outcome.approval = answer.get("39", ""), answer.get("38", "")
            outcome.answered_at = time.monotonic()
        elif reverse_unanswered:
            outcome.reversed_code = await self.reverse(outcome, expiry)
        return outcome

    async def reverse(self, original: Outcome, expiry: str, retry_seconds: float = REVERSAL_RETRY_SECONDS) -> str:
        """0400 for an unanswered purchase, repeated (as 0420 would be) until the switch settles it:
        no answer, or 91/96 (it could not process the reversal either), is sent again."""
        deadline = time.monotonic() + retry_seconds
        pause = REVERSAL_PAUSE_FIRST_SECONDS
        while True:
            stan = self.next_stan()
            fields = {**self.purchase_fields(original.pan, expiry, original.amount, stan,
                                             time.strftime("%m%d%H%M%S", time.gmtime())),
                      "t": "0400",
                      "90": f"0200{original.stan}{original.transmitted}{ACQUIRER_ID}{ACQUIRER_ID}"}
            answer = await self.exchange(fields)
            code = answer.get("39", "") if answer is not None else ""
            if code not in REVERSAL_UNSETTLED or time.monotonic() >= deadline:
                return code
            await asyncio.sleep(pause)
            pause = min(pause * 2, REVERSAL_PAUSE_MAX_SECONDS)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._reader_task is not None:
            self._reader_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader_task
