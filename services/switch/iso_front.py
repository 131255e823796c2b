"""The ISO 8583 front: an asyncio TCP server. Each frame is decoded, validated, checked
(terminal, MAC) and handed to the transaction manager as a `Request`; the answer is encoded and sent as
soon as it is ready, so answers on one connection may come back out of order (matched by 41+11).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass

import iso8583

from services.shared import response_codes as codes

from . import flows
from .admission import Admission
from .dispatch import Dispatcher, Frame, TierCache
from .flows import Request
from .iso import codec, fields, framing, mac, routes, spec
from .iso.fields import AdditionalAmount, FieldFormatError
from .manager import AUTHORIZATIONS, TransactionManager
from .outcome import Outcome
from .participants.shedding import SHED
from .terminals import TerminalDirectory, TerminalInfo

MAX_CONNECTIONS = 1_000
# Frames read and not yet answered (waiting ones included), past which the connection is not read
# until an answer goes out. An acquirer's link may carry a bank's traffic: it must be able to
# bring more than the shedding band (CLUB_MAX_IN_FLIGHT) into view, or its backlog would wait in
# the socket, where no tier can be seen.
MAX_IN_FLIGHT_PER_CONNECTION = 4_096
IDLE_TIMEOUT_SECONDS = 300.0
CLOSE_GRACE_SECONDS = 5.0
SHED_LOG_INTERVAL_SECONDS = 10.0  # frames turned away are logged as one line per interval, not one each


class Unsupported(Exception):
    """A well-formed request the switch does not do (answer 12)."""


@dataclass(slots=True)
class _Connection:
    outbox: framing.Outbox
    slots: asyncio.Semaphore


class IsoFront:
    def __init__(self, manager: TransactionManager, admission: Admission, tiers: TierCache,
                 terminals: TerminalDirectory, header_kind: str, log: logging.Logger):
        self.manager = manager
        self.terminals = terminals
        self.header_kind = header_kind
        self.log = log
        self.server: asyncio.Server | None = None
        self.connections: set[asyncio.StreamWriter] = set()
        self.tasks: set[asyncio.Task] = set()
        self.signed_on: set[str] = set()
        self._turned_away_count = 0  # since the last log line
        self._longest_wait = 0.0
        self._shed_logged_at = 0.0
        self.dispatcher = Dispatcher(admission, tiers, self._start, self._turn_away, codec.peek_pan,
                                     codec.never_held)

    async def start(self, host: str, port: int) -> None:
        self.server = await asyncio.start_server(self._serve, host, port)

    async def stop(self) -> None:
        """Stop accepting, let answers in progress go out, then close every connection."""
        if self.server is not None:
            self.server.close()
        self.dispatcher.turn_away_all()  # held frames get an answer, not silence
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=CLOSE_GRACE_SECONDS)
        for writer in list(self.connections):
            writer.close()

    # ---- connections ---------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        if len(self.connections) >= MAX_CONNECTIONS:
            self.log.warning("connection refused: too many connections", extra={"peer": str(peer)})
            writer.close()
            return
        self.connections.add(writer)
        connection = _Connection(framing.Outbox(writer), asyncio.Semaphore(MAX_IN_FLIGHT_PER_CONNECTION))
        loop = asyncio.get_running_loop()
        # One idle deadline per connection, moved on by each frame, not a wait_for per frame: a
        # frame already in the buffer is then read without a turn of the event loop, so a backlog
        # comes into the dispatcher's view (and its tier order) at once instead of one frame per
        # connection per loop iteration.
        try:
            async with asyncio.timeout(IDLE_TIMEOUT_SECONDS) as idle:
                while True:
                    payload = await framing.read_frame(reader, self.header_kind)
                    idle.reschedule(loop.time() + IDLE_TIMEOUT_SECONDS)
                    if not payload:
                        continue  # keep-alive
                    await connection.slots.acquire()
                    self.dispatcher.submit(Frame(payload, loop.time(), connection))
        except TimeoutError:
            self.log.info("idle connection closed", extra={"peer": str(peer)})
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except framing.FrameError as exc:
            self.log.warning("connection closed: unusable framing", extra={"peer": str(peer), "error": str(exc)})
        finally:
            self.connections.discard(writer)
            writer.close()  # answers still in progress finish their work; their frames are dropped

    def _start(self, frame: Frame) -> None:
        task = asyncio.create_task(self._answer(frame))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _answer(self, frame: Frame) -> None:
        try:
            self._send(frame.connection, await self.handle(frame.payload, frame.arrived))
        except Exception:  # the server never dies of one message
            self.log.exception("message handling failed")
        finally:
            frame.connection.slots.release()
            self.dispatcher.finished()

    def _send(self, connection: _Connection, response: bytes | None) -> None:
        if response is not None:
            connection.outbox.send(framing.frame(response, self.header_kind))

    def _turn_away(self, frame: Frame, waited: float) -> None:
        """91 without the work: decoded only to be answered, never journaled, as a frame the front
        refuses before the switch sees it (30, 58, 63) is not. The terminal is the one last known
        (no lookup), and its MAC is checked as for any frame: a frame with a wrong MAC gets 63,
        unsigned, never a signed 91 (the front signs nothing it has not verified)."""
        try:
            decoded, refused = self._decoded(frame.payload)
            self._send(frame.connection, refused if decoded is None else self._unworked_answer(decoded, frame))
        except Exception:  # the server never dies of one message
            self.log.exception("turning a message away failed")
        finally:
            frame.connection.slots.release()
        self._note_turned_away(waited)

    def _unworked_answer(self, decoded: dict, frame: Frame) -> bytes:
        terminal = self.terminals.last_known(decoded.get("41", ""))
        if terminal is not None and not terminal.active:
            return self._reply(decoded, Outcome(codes.NOT_PERMITTED_TO_TERMINAL), None)
        if terminal is not None and terminal.mac_key and not self._mac_ok(decoded, frame.payload, terminal):
            counting = asyncio.create_task(self.terminals.mac_failed(terminal.terminal_id))
            self.tasks.add(counting)
            counting.add_done_callback(self._counted)
            return self._reply(decoded, Outcome(codes.SECURITY_VIOLATION), None)
        SHED.labels(frame.tier or "none").inc()
        AUTHORIZATIONS.labels(codes.ISSUER_UNAVAILABLE).inc()
        return self._reply(decoded, Outcome(codes.ISSUER_UNAVAILABLE), terminal)

    def _counted(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.log.warning("MAC failure not counted", extra={"error": str(task.exception())})

    def _note_turned_away(self, waited: float) -> None:
        self._turned_away_count += 1
        self._longest_wait = max(self._longest_wait, waited)
        now = asyncio.get_running_loop().time()
        if now - self._shed_logged_at >= SHED_LOG_INTERVAL_SECONDS:
            self.log.warning("frames turned away under load", extra={
                "frames": self._turned_away_count, "longest_wait_ms": round(self._longest_wait * 1000),
                "waiting": self.dispatcher.waiting, "in_progress": self.dispatcher.in_progress})
            self._turned_away_count, self._longest_wait, self._shed_logged_at = 0, 0.0, now

    # ---- one message -----------------------------------------------------------------------------

    def _decoded(self, payload: bytes) -> tuple[dict | None, bytes | None]:
        """The message decoded and checked, or None and the answer to a malformed one (None too
        when it cannot be answered)."""
        try:
            decoded, _ = iso8583.decode(payload, spec.SPEC)
        except iso8583.DecodeError as exc:
            self.log.warning("undecodable message", extra={"field": exc.field, "error": exc.args[0] if exc.args else ""})
            return None, self._format_error(exc.doc_dec)
        except Exception as exc:  # anything else the decoder trips on is still just bad input
            self.log.warning("undecodable message", extra={"error": type(exc).__name__})
            return None, None
        try:
            fields.check(decoded)
        except FieldFormatError as exc:
            self.log.warning("format error", extra={"field": exc.field, "error": exc.reason, "mti": decoded.get("t")})
            return None, self._format_error(decoded)
        return decoded, None

    async def handle(self, payload: bytes, arrived: float | None = None) -> bytes | None:
        """The encoded answer to one frame, or None when no answer can be built. `arrived`: the
        loop's clock when the frame was read (the authorization's deadline counts from it)."""
        decoded, refused = self._decoded(payload)
        if decoded is None:
            return refused
        if decoded["t"] == "0800":
            return await self._network(decoded)
        terminal_id = decoded["41"]
        try:
            terminal = await self.terminals.get(terminal_id)
        except Exception as exc:
            self.log.warning("terminal lookup failed", extra={"terminal_id": terminal_id, "error": str(exc)})
            return self._reply(decoded, Outcome(codes.ISSUER_UNAVAILABLE), None)
        if terminal is None or not terminal.active:
            return self._reply(decoded, Outcome(codes.NOT_PERMITTED_TO_TERMINAL, message="unknown or blocked terminal"),
                               None)
        if "42" in decoded and decoded["42"].strip() != terminal.merchant_id:
            return self._reply(decoded, Outcome(codes.NOT_PERMITTED_TO_TERMINAL), terminal)
        if terminal.mac_key and not self._mac_ok(decoded, payload, terminal):
            with contextlib.suppress(Exception):
                await self.terminals.mac_failed(terminal_id)
            return self._reply(decoded, Outcome(codes.SECURITY_VIOLATION, message="MAC missing or wrong"), None)
        try:
            request = self._request(decoded, terminal, arrived)
        except FieldFormatError as exc:
            self.log.warning("format error", extra={"field": exc.field, "error": exc.reason, "mti": decoded["t"]})
            return self._reply(decoded, Outcome(codes.FORMAT_ERROR), terminal)
        except Unsupported as exc:
            return self._reply(decoded, Outcome(codes.INVALID_TRANSACTION, message=str(exc)), terminal)
        return self._reply(decoded, await self.manager.run(request), terminal)

    def _mac_ok(self, decoded: dict, payload: bytes, terminal: TerminalInfo) -> bool:
        return codec.mac_field(decoded) in decoded and mac.verify(terminal.mac_key, payload)

    async def _network(self, decoded: dict) -> bytes:
        code = codes.APPROVED
        terminal_id = decoded.get("41", "")
        if decoded["70"] not in spec.NETWORK_CODES:
            code = codes.INVALID_TRANSACTION
        elif decoded["70"] != spec.ECHO_TEST:
            try:
                terminal = await self.terminals.get(terminal_id) if terminal_id else None
            except Exception:
                terminal, code = None, codes.ISSUER_UNAVAILABLE
            if code == codes.APPROVED and (terminal is None or not terminal.active):
                code = codes.NOT_PERMITTED_TO_TERMINAL
            elif code == codes.APPROVED:
                (self.signed_on.add if decoded["70"] == spec.SIGN_ON else self.signed_on.discard)(terminal_id)
                self.log.info("terminal signed " + ("on" if decoded["70"] == spec.SIGN_ON else "off"),
                              extra={"terminal_id": terminal_id})
        AUTHORIZATIONS.labels(code).inc()
        return self._reply(decoded, Outcome(code), None)

    def _request(self, decoded: dict, terminal: TerminalInfo, arrived: float | None = None) -> Request:
        now = dt.datetime.now(dt.UTC)
        mti, terminal_id, stan = decoded["t"], decoded["41"], decoded["11"]
        transmitted = fields.transmission_time(decoded["7"], now)
        if decoded.get("49", spec.CURRENCY_IRR) != spec.CURRENCY_IRR:
            raise FieldFormatError("49", "only 364 (IRR) is accepted")
        common = dict(
            transaction_id=flows.iso_transaction_id(terminal_id, transmitted, stan), channel="iso", received_at=now,
            terminal_id=terminal_id, merchant_id=terminal.merchant_id, stan=stan, mti=mti,
            processing_code=decoded.get("3", "000000"), pan=decoded.get("2", ""), expiry=decoded.get("14", ""),
            pin_block=bytes.fromhex(decoded["52"]) if "52" in decoded else b"", amount=int(decoded.get("4", "0")),
            arrived=arrived)
        if (mti in ("0100", "0200") and common["amount"] == 0
                and common["processing_code"][:2] != spec.BALANCE_INQUIRY):
            raise FieldFormatError("4", "must be a positive amount")
        kind = routes.kind_of(mti, common["processing_code"])
        if kind is None:
            raise Unsupported(f"processing code {common['processing_code']} is not offered in a {mti}")
        if kind == flows.RECONCILIATION:
            totals = {name: int(decoded.get(field, "0")) for name, field in spec.RECONCILIATION_FIELDS.items()}
            return Request(kind=kind, totals=totals, **common)
        if kind == flows.REFUND:
            if "37" not in decoded:
                raise FieldFormatError("37", "a refund names its purchase by the RRN the purchase returned")
            return Request(kind=kind, original_rrn=decoded["37"], **common)
        if kind not in (flows.COMPLETION, flows.REVERSAL):
            return Request(kind=kind, **common)
        original = fields.OriginalData.parse(decoded["90"])
        original_id = flows.iso_transaction_id(terminal_id, fields.transmission_time(original.transmitted, now),
                                               original.stan)
        if kind == flows.COMPLETION:
            if original.mti != "0100":
                raise FieldFormatError("90", "a completion refers to a 0100 pre-authorization")
            return Request(kind=flows.COMPLETION, original_transaction_id=original_id, **common)
        # 0400 / 0420: field 4 carries the original amount; 95 the amount that stands after a partial reversal.
        stands = None
        if "95" in decoded:
            stands = fields.replacement_amount(decoded["95"])
            if stands >= common["amount"]:
                raise FieldFormatError("95", "the amount that stands must be less than the original amount")
        return Request(kind=kind, original_transaction_id=original_id, stands=stands, **common)

    # ---- answers ---------------------------------------------------------------------------------

    def _format_error(self, decoded: dict) -> bytes | None:
        """A 30 answer when the request got far enough to be matched (MTI, 11 and 41 readable)."""
        mti = decoded.get("t", "")
        if mti not in spec.REQUEST_MTIS or not _valid(decoded, "11") or not _valid(decoded, "41"):
            return None
        AUTHORIZATIONS.labels(codes.FORMAT_ERROR).inc()
        return self._reply(decoded, Outcome(codes.FORMAT_ERROR), None, checked=False)

    def _reply(self, decoded: dict, answer: Outcome, terminal: TerminalInfo | None, checked: bool = True) -> bytes:
        """`checked`: the request passed fields.check, so its fields can be echoed as they are."""
        response = {"t": spec.response_mti(decoded["t"]), "39": answer.response_code}
        for field in spec.ECHOED_FIELDS:
            if field in decoded and (checked or _valid(decoded, field)):
                response[field] = decoded[field]
        if answer.approval_code:
            response["38"] = answer.approval_code
        if answer.rrn:
            response["37"] = answer.rrn
        blocks = additional_amounts(answer)
        if blocks:
            response["54"] = fields.additional_amounts(blocks)
        return codec.encode(response, terminal.mac_key if terminal is not None else None)


def additional_amounts(answer: Outcome) -> list[AdditionalAmount]:
    blocks = []
    if answer.credit_available is not None:
        blocks.append(AdditionalAmount(fields.ACCOUNT_CREDIT, fields.AMOUNT_AVAILABLE, spec.CURRENCY_IRR,
                                       answer.credit_available))
    if answer.points_available is not None:
        blocks.append(AdditionalAmount(fields.ACCOUNT_POINTS, fields.AMOUNT_AVAILABLE, spec.POINTS_CURRENCY,
                                       answer.points_available))
    if answer.discount:
        blocks.append(AdditionalAmount(fields.ACCOUNT_CREDIT, fields.AMOUNT_DISCOUNT, spec.CURRENCY_IRR, answer.discount))
    if answer.points_earned:
        blocks.append(AdditionalAmount(fields.ACCOUNT_POINTS, fields.AMOUNT_POINTS_EARNED, spec.POINTS_CURRENCY,
                                       answer.points_earned))
    return blocks


def _valid(decoded: dict, field: str) -> bool:
    """Whether a field's value can be echoed back (right content and length)."""
    value = decoded.get(field)
    if value is None:
        return False
    try:
        iso8583.encode({"t": "0810", field: value}, spec.SPEC)
    except iso8583.EncodeError:
        return False
    kind = spec.FIELD_CONTENT.get(field)
    return kind is None or fields.content_ok(kind, value)
