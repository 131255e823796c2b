"""The Authorization API over gRPC, for channels that are not ISO 8583 terminals (mobile, web).
The same transaction manager as the ISO front; declines are answers (response_code), not errors."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import grpc
from google.protobuf import timestamp_pb2

from services.gen.club.switch.v1 import authorization_pb2 as pb
from services.gen.club.switch.v1 import authorization_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2 as tpb
from services.shared import response_codes as codes
from services.shared.errors import FieldError, NotFound
from services.shared.limits import CHANNEL_LENGTH, CHANNEL_SEPARATOR, REQUEST_ID_LENGTH, TRANSACTION_ID_LENGTH
from services.shared.validate import check_amount, check_id, check_pan

from . import flows, journal
from .flows import Request
from .iso.routes import PROCESSING_CODES
from .manager import TransactionManager
from .outcome import Outcome

KIND_OF_TYPE = {
    pb.TRANSACTION_TYPE_PURCHASE: flows.PURCHASE,
    pb.TRANSACTION_TYPE_POINTS_PURCHASE: flows.POINTS_PURCHASE,
    pb.TRANSACTION_TYPE_PREAUTH: flows.PREAUTH,
    pb.TRANSACTION_TYPE_REFUND: flows.REFUND,
    pb.TRANSACTION_TYPE_BALANCE_INQUIRY: flows.BALANCE,
}
TYPE_OF_KIND = {flows.COMPLETION: pb.TRANSACTION_TYPE_COMPLETION, flows.REVERSAL: pb.TRANSACTION_TYPE_REVERSAL,
                **{kind: type_ for type_, kind in KIND_OF_TYPE.items()}}
DEFAULT_CHANNEL = "api"


def _timestamp(value: dt.datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value)
    return stamp


def _response(outcome: Outcome) -> pb.AuthorizeResponse:
    amount = outcome.amount if outcome.response_code == codes.APPROVED else 0  # what moved
    return pb.AuthorizeResponse(
        transaction_id=outcome.transaction_id, response_code=outcome.response_code,
        approval_code=outcome.approval_code, amount=amount, discount=outcome.discount,
        net_amount=amount - outcome.discount, points_earned=outcome.points_earned,
        credit_available=outcome.credit_available or 0, points_available=outcome.points_available or 0,
        offers_applied=outcome.offers, masked_pan=outcome.masked_pan, message=outcome.message)


class MerchantNames:
    """Merchants' names as tasheem gives them, for transaction lists; kept NAME_TTL_SECONDS. A name
    tasheem cannot give now is "" (the list is still answered)."""

    NAME_TTL_SECONDS = 300.0
    TIMEOUT_SECONDS = 1.0
    MAX_KEPT = 10_000

    def __init__(self) -> None:
        self.tasheem = None  # tasheem's stub, set with the manager
        self._kept: dict[str, tuple[str, float]] = {}

    async def _one(self, merchant_id: str) -> str:
        try:
            merchant = await self.tasheem.GetMerchant(tpb.GetMerchantRequest(merchant_id=merchant_id),
                                                      timeout=self.TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError:
            return ""
        if len(self._kept) >= self.MAX_KEPT:
            self._kept.clear()
        self._kept[merchant_id] = (merchant.name, time.monotonic() + self.NAME_TTL_SECONDS)
        return merchant.name

    async def names(self, merchant_ids: set[str]) -> dict[str, str]:
        if self.tasheem is None:
            return {}
        now = time.monotonic()
        known = {key: kept[0] for key in merchant_ids if (kept := self._kept.get(key)) and kept[1] > now}
        missing = sorted(merchant_ids - set(known))
        found = await asyncio.gather(*(self._one(key) for key in missing))
        return known | dict(zip(missing, found, strict=True))


class AuthorizationServicer(authorization_pb2_grpc.AuthorizationServiceServicer):
    def __init__(self) -> None:
        self.manager: TransactionManager | None = None
        self.merchant_names = MerchantNames()

    def _channel_id(self, channel: str, request_id: str) -> str:
        channel = check_id(channel or DEFAULT_CHANNEL, "channel", CHANNEL_LENGTH, ascii_only=True)
        return f"{channel}{CHANNEL_SEPARATOR}{check_id(request_id, 'request_id', REQUEST_ID_LENGTH, ascii_only=True)}"

    async def Authorize(self, request: pb.AuthorizeRequest, context) -> pb.AuthorizeResponse:
        transaction_id = self._channel_id(request.channel, request.request_id)
        kind = KIND_OF_TYPE.get(request.type)
        if kind is None:
            raise FieldError("type", "must be purchase, points purchase, pre-authorization, refund or balance inquiry")
        which = request.WhichOneof("card")
        if which is None:
            raise FieldError("pan", "pan or card_token is required")
        if which == "pan":
            check_pan(request.pan)
        check_amount(request.amount, "amount", allow_zero=kind == flows.BALANCE)
        if request.expiry and not (len(request.expiry) == 4 and request.expiry.isdigit()):
            raise FieldError("expiry", "must be YYMM")
        if request.cvv2 and not (len(request.cvv2) == 3 and request.cvv2.isdigit()):
            raise FieldError("cvv2", "must be 3 digits")
        if request.pin_block and len(request.pin_block) != 8:
            raise FieldError("pin_block", "must be an 8-byte ISO format 0 PIN block")
        if request.pin_block and not request.terminal_id:
            raise FieldError("terminal_id", "is required with a pin_block (it names the PIN key)")
        if kind == flows.REFUND:
            check_id(request.original_transaction_id, "original_transaction_id", TRANSACTION_ID_LENGTH, ascii_only=True)
        elif kind != flows.BALANCE and not request.merchant_id and not request.terminal_id:
            raise FieldError("merchant_id", "is required (or a terminal_id that names it)")
        outcome = await self.manager.run(Request(
            kind=kind, transaction_id=transaction_id, channel=request.channel or DEFAULT_CHANNEL,
            received_at=dt.datetime.now(dt.UTC), terminal_id=request.terminal_id, merchant_id=request.merchant_id,
            processing_code=PROCESSING_CODES[kind], pan=request.pan, card_token=request.card_token,
            expiry=request.expiry, pin_block=request.pin_block, cvv2=request.cvv2, amount=request.amount,
            original_transaction_id=request.original_transaction_id))
        return _response(outcome)

    async def Complete(self, request: pb.CompleteRequest, context) -> pb.AuthorizeResponse:
        transaction_id = self._channel_id(DEFAULT_CHANNEL, request.request_id)
        check_id(request.preauth_transaction_id, "preauth_transaction_id", TRANSACTION_ID_LENGTH, ascii_only=True)
        check_amount(request.amount, "amount", allow_zero=True)
        outcome = await self.manager.run(Request(
            kind=flows.COMPLETION, transaction_id=transaction_id, channel=DEFAULT_CHANNEL,
            received_at=dt.datetime.now(dt.UTC), amount=request.amount,
            original_transaction_id=request.preauth_transaction_id))
        return _response(outcome)

    async def Reverse(self, request: pb.ReverseRequest, context) -> pb.AuthorizeResponse:
        transaction_id = self._channel_id(DEFAULT_CHANNEL, request.request_id)
        check_id(request.original_transaction_id, "original_transaction_id", TRANSACTION_ID_LENGTH, ascii_only=True)
        check_amount(request.amount, "amount", allow_zero=True)
        outcome = await self.manager.run(Request(
            kind=flows.REVERSAL, transaction_id=transaction_id, channel=DEFAULT_CHANNEL,
            received_at=dt.datetime.now(dt.UTC), original_transaction_id=request.original_transaction_id,
            reverse_amount=request.amount))
        return _response(outcome)

    async def GetTransaction(self, request: pb.GetTransactionRequest, context) -> pb.Transaction:
        if not request.transaction_id or len(request.transaction_id) > TRANSACTION_ID_LENGTH:
            raise FieldError("transaction_id", "is required (as Authorize returned it)")
        row = await self.manager.transaction(request.transaction_id)
        if row is None:
            raise NotFound(f"no transaction {request.transaction_id}")
        return await self._transaction(row, await self.merchant_names.names({row["merchant_id"]} - {""}))

    async def ListTransactions(self, request: pb.ListTransactionsRequest, context) -> pb.ListTransactionsResponse:
        if request.page_size < 0:
            raise FieldError("page_size", "must not be negative")
        if request.page_token and not request.page_token.isdigit():
            raise FieldError("page_token", "is not a token this service gave")
        size = min(request.page_size or journal.PAGE_SIZE_DEFAULT, journal.PAGE_SIZE_MAX)
        if request.member_id:
            check_id(request.member_id, "member_id")
        for field in ("min_amount", "max_amount"):
            if getattr(request, field):
                check_amount(getattr(request, field), field)
        if request.min_amount and request.max_amount and request.min_amount > request.max_amount:
            raise FieldError("max_amount", "must not be below min_amount")
        rows = await self.manager.transactions(request.terminal_id, request.merchant_id,
                                               int(request.page_token or 0), size, request.member_id,
                                               request.newest_first, request.min_amount, request.max_amount)
        names = await self.merchant_names.names({row["merchant_id"] for row in rows if row["merchant_id"]})
        response = pb.ListTransactionsResponse(transactions=[await self._transaction(row, names) for row in rows])
        if len(rows) == size:
            response.next_page_token = str(rows[-1]["seq"])
        return response

    async def _transaction(self, row: dict, merchant_names: dict[str, str] | None = None) -> pb.Transaction:
        followers = await self.manager.followers(row["transaction_id"])
        return pb.Transaction(
            transaction_id=row["transaction_id"], type=TYPE_OF_KIND[row["kind"]], channel=row["channel"],
            terminal_id=row["terminal_id"], merchant_id=row["merchant_id"], stan=row["stan"],
            masked_pan=row["masked_pan"], card_token=row["card_token"], amount=row["amount"],
            discount=row["discount"], response_code=row["response_code"], approval_code=row["approval_code"],
            state=journal.state_of(row, followers), received_at=_timestamp(row["received_at"]),
            answered_at=_timestamp(row["answered_at"]), original_transaction_id=row["original_transaction_id"],
            seq=row["seq"], member_id=row["member_id"], points_earned=row["points_earned"],
            credit_available=row["credit_available"], points_available=row["points_available"],
            merchant_name=(merchant_names or {}).get(row["merchant_id"], ""))
