"""WalletService RPCs: validate, build the movement, apply it, answer."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hashlib

from google.protobuf import timestamp_pb2

from services.gen.club.wallet.v1 import wallet_pb2 as pb
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from services.shared import batching, redis_scripts
from services.shared.errors import AlreadyExists, FailedPrecondition, FieldError, NotFound
from services.shared.limits import AMOUNT_MAX, TRANSACTION_ID_LENGTH
from services.shared.validate import check_amount, check_id, check_text

from . import accounts as acc
from . import ledger, operations, queries
from .engine import Applied, Engine
from .movement import PENDING, POST_PENDING, VOID_PENDING, Leg, Movement, Reservation
from .operations import ConcurrentChange, Rules

MAX_TRANSFERS_PER_CALL = 1_000
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
RETRIES_ON_CONCURRENT_CHANGE = 3


def fingerprint(message) -> bytes:
    return hashlib.sha256(message.SerializeToString(deterministic=True)).digest()


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def page_size(value: int) -> int:
    if value < 0:
        raise FieldError("page_size", "must not be negative")
    return min(value or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def page_token(value: str) -> int:
    if not value:
        return 0
    if not value.isdigit():
        raise FieldError("page_token", "is not a token this service gave")
    return int(value)


def timestamp(value: datetime.datetime | None) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    if value is not None:
        ts.FromDatetime(value)
    return ts


class WalletServicer(wallet_pb2_grpc.WalletServiceServicer):
    def __init__(self, app):
        self.app = app
        self._ledger_available = batching.Batcher(self._read_available, "ledger-balances", max_in_flight=1)

    async def _read_available(self, account_ids: list[str], _timeout) -> list[int | None]:
        async with self.app.pool.connection() as conn:
            found = await ledger.available_of(conn, account_ids)
        return [found.get(account_id) for account_id in account_ids]

    @property
    def engine(self) -> Engine:
        return self.app.engine

    @property
    def rules(self) -> Rules:
        return self.app.rules

    async def _balances(self, member_id: str) -> tuple[int, int]:
        credit, points = acc.member_credit(member_id).account_id, acc.member_points(member_id).account_id
        try:
            values = await self.engine.hot.get_many([credit, points])
        except redis_scripts.UNAVAILABLE:
            values = [None, None]  # Redis unreachable (a rebuild follows): the ledger answers
        if None in values:
            # Not in Redis (opened before it was seeded there, or Redis unreachable): the ledger
            # answers, one query for every purchase waiting (loading Redis here could race credits).
            fresh = await asyncio.gather(*(self._ledger_available.call(account_id)
                                           for account_id, value in zip((credit, points), values, strict=True)
                                           if value is None))
            missing = iter(fresh)
            values = [value if value is not None else (next(missing) or 0) for value in values]
        return int(values[0]), int(values[1])

    # ---- purchase path -----------------------------------------------------------------------

    async def Purchase(self, request: pb.PurchaseRequest, context) -> pb.PurchaseResponse:
        check_id(request.transaction_id, "transaction_id", TRANSACTION_ID_LENGTH)
        check_id(request.member_id, "member_id")
        check_id(request.merchant_id, "merchant_id")
        check_amount(request.amount, "amount")
        check_amount(request.discount, "discount", allow_zero=True)
        check_amount(request.points_earned, "points_earned", allow_zero=True)
        if request.discount > request.amount:
            raise FieldError("discount", "must not exceed amount")
        for index, share in enumerate(request.funding):
            check_id(share.party_id, f"funding[{index}].party_id")
            check_amount(share.amount, f"funding[{index}].amount", allow_zero=True)
        if request.funding and sum(s.amount for s in request.funding) != request.discount:
            raise FieldError("funding", "shares must add up to the discount exactly")
        if request.source not in (pb.PAYMENT_SOURCE_UNSPECIFIED, pb.PAYMENT_SOURCE_CREDIT, pb.PAYMENT_SOURCE_POINTS):
            raise FieldError("source", "unknown payment source")
        if request.hold and request.source == pb.PAYMENT_SOURCE_POINTS:
            raise FieldError("hold", "pre-authorization is for credit, not points")
        movement = operations.purchase(request, fingerprint(request), self.rules, now())
        applied = await self.engine.apply(movement)
        return await self._purchase_answer(request.transaction_id, request.member_id, applied)

    async def PurchaseBatch(self, request: pb.PurchaseBatchRequest, context) -> pb.PurchaseBatchResponse:
        return pb.PurchaseBatchResponse(items=await batching.answer_items(
            request.items, lambda item: self.Purchase(item, context), pb.PurchaseResult, self.app.log, "PurchaseBatch"))

    async def _purchase_answer(self, transaction_id: str, member_id: str, applied: Applied) -> pb.PurchaseResponse:
        if applied.conflict:
            return pb.PurchaseResponse(transaction_id=transaction_id, outcome=pb.PURCHASE_OUTCOME_CONFLICT)
        if applied.closed_account:
            outcome = pb.PURCHASE_OUTCOME_ACCOUNT_CLOSED
        elif not applied.posted:
            outcome = pb.PURCHASE_OUTCOME_INSUFFICIENT_FUNDS
        else:
            outcome = None
        credit, points = await self._balances(member_id)
        if outcome is not None:
            return pb.PurchaseResponse(transaction_id=transaction_id, outcome=outcome, credit_available=credit,
                                       points_available=points)
        response = pb.PurchaseResponse.FromString(applied.stored_response)
        response.replayed = applied.replayed
        response.ledger_sequence = applied.sequence
        response.credit_available, response.points_available = credit, points
        return response

    async def _purchase_record(self, transaction_id: str) -> dict | None:
        async with self.app.pool.connection() as conn:
            return await queries.purchase(conn, transaction_id)

    async def _replayed(self, request_id: str, message) -> Applied | None:
        async with self.app.pool.connection() as conn:
            stored = await ledger.stored_request(conn, request_id)
        if stored is None:
            return None
        if bytes(stored["fingerprint"]) != fingerprint(message):
            return Applied(posted=False, conflict=True)
        return Applied(posted=True, replayed=True, stored_response=bytes(stored["response"]))

    async def Capture(self, request: pb.CaptureRequest, context) -> pb.PurchaseResponse:
        check_id(request.transaction_id, "transaction_id", TRANSACTION_ID_LENGTH)
        check_id(request.hold_transaction_id, "hold_transaction_id", TRANSACTION_ID_LENGTH)
        check_amount(request.amount, "amount", allow_zero=True)

        def capture(record: dict) -> Movement:
            return operations.capture(request, fingerprint(request), record, self.rules, now())[0]
        return await self._resolve_hold(request, capture, capture_amount=request.amount)

    async def ReleaseHold(self, request: pb.ReleaseHoldRequest, context) -> pb.PurchaseResponse:
        check_id(request.transaction_id, "transaction_id", TRANSACTION_ID_LENGTH)
        check_id(request.hold_transaction_id, "hold_transaction_id", TRANSACTION_ID_LENGTH)
        return await self._resolve_hold(
            request, lambda record: operations.release_hold(request.transaction_id, fingerprint(request), record))

    async def _resolve_hold(self, request, movement_for, capture_amount: int = 0) -> pb.PurchaseResponse:
        """Capture or release a pre-authorization hold once: a repeat replays, a hold that is
        unknown or already resolved is answered, and `movement_for(record)` does the rest."""
        await self.engine.ensure_ready()
        replay = await self._replayed(request.transaction_id, request)
        record = await self._purchase_record(request.hold_transaction_id)
        if replay is not None:
            return await self._purchase_answer(request.transaction_id, record["member_id"], replay)
        if record is None or not record["held"]:
            return pb.PurchaseResponse(transaction_id=request.transaction_id, outcome=pb.PURCHASE_OUTCOME_HOLD_NOT_FOUND)
        if record["state"] != "held":
            return pb.PurchaseResponse(transaction_id=request.transaction_id, outcome=pb.PURCHASE_OUTCOME_HOLD_RESOLVED)
        if capture_amount > record["amount"]:  # above the hold (which a partial reversal may have cut down)
            return pb.PurchaseResponse(transaction_id=request.transaction_id, outcome=pb.PURCHASE_OUTCOME_EXCEEDS_HOLD)
        expires_at = await self._hold_expiry(record)
        if expires_at is not None and expires_at <= now():  # before the sweep: nothing past its timeout posts
            with contextlib.suppress(ConcurrentChange):
                await self.engine.apply(operations.expire_hold(record))
            return pb.PurchaseResponse(transaction_id=request.transaction_id, outcome=pb.PURCHASE_OUTCOME_HOLD_RESOLVED)
        movement = movement_for(record)
        try:
            applied = await self.engine.apply(movement)
        except ConcurrentChange:
            return pb.PurchaseResponse(transaction_id=request.transaction_id, outcome=pb.PURCHASE_OUTCOME_HOLD_RESOLVED)
        return await self._purchase_answer(request.transaction_id, record["member_id"], applied)

    async def _hold_expiry(self, record: dict) -> datetime.datetime | None:
        async with self.app.pool.connection() as conn:
            return await queries.pending_expiry(conn, record["hold_id"])

    async def Reverse(self, request: pb.ReverseRequest, context) -> pb.ReverseResponse:
        check_id(request.reversal_id, "reversal_id", TRANSACTION_ID_LENGTH)
        check_id(request.original_transaction_id, "original_transaction_id", TRANSACTION_ID_LENGTH)
        check_amount(request.amount, "amount", allow_zero=True)
        if request.HasField("stands"):
            if request.amount:
                raise FieldError("stands", "give either amount (to reverse) or stands (to keep), not both")
            check_amount(request.stands, "stands", allow_zero=True)
        return await self._undo("reverse", request.reversal_id, request.original_transaction_id, request.amount, request)

    async def Refund(self, request: pb.RefundRequest, context) -> pb.ReverseResponse:
        check_id(request.refund_id, "refund_id", TRANSACTION_ID_LENGTH)
        check_id(request.original_transaction_id, "original_transaction_id", TRANSACTION_ID_LENGTH)
        check_amount(request.amount, "amount", allow_zero=True)
        return await self._undo("refund", request.refund_id, request.original_transaction_id, request.amount, request)

    async def _undo(self, kind: str, request_id: str, original: str, amount: int, message) -> pb.ReverseResponse:
        await self.engine.ensure_ready()
        for _ in range(RETRIES_ON_CONCURRENT_CHANGE):
            replay = await self._replayed(request_id, message)
            record = await self._purchase_record(original)
            if replay is not None:
                return await self._undo_answer(request_id, record, replay)
            if record is None:
                return pb.ReverseResponse(reversal_id=request_id, outcome=pb.REVERSE_OUTCOME_UNKNOWN_ORIGINAL)
            if record["state"] not in ("held", "posted") or (kind == "refund" and record["state"] == "held"):
                return pb.ReverseResponse(reversal_id=request_id, outcome=pb.REVERSE_OUTCOME_ALREADY_REVERSED)
            remaining = record["amount"] - record["undone_amount"]
            if kind == "reverse" and message.HasField("stands"):
                if message.stands >= remaining:  # already down to it (a repeated partial reversal)
                    return pb.ReverseResponse(reversal_id=request_id, outcome=pb.REVERSE_OUTCOME_ALREADY_REVERSED)
                amount = remaining - message.stands
            if remaining == 0:
                return pb.ReverseResponse(reversal_id=request_id, outcome=pb.REVERSE_OUTCOME_ALREADY_REVERSED)
            if amount > remaining:
                return pb.ReverseResponse(reversal_id=request_id, outcome=pb.REVERSE_OUTCOME_EXCEEDS_ORIGINAL)
            movement = await self._undo_movement(kind, request_id, fingerprint(message), record, amount or remaining)
            try:
                applied = await self.engine.apply(movement)
            except ConcurrentChange:
                continue
            return await self._undo_answer(request_id, record, applied)
        raise FailedPrecondition("the original transaction kept changing; try again")

    async def _undo_movement(self, kind: str, request_id: str, fingerprint: bytes, record: dict,
                             amount: int) -> Movement:
        """What undoing `amount` of the gross does: a posted purchase is reversed or refunded;
        a pre-authorization's hold is released, or cut down when part of it stands."""
        if record["state"] == "posted":
            return operations.undo(request_id, kind, fingerprint, record, amount, self.rules, now())
        if amount < record["amount"]:
            return operations.reduce_hold(request_id, fingerprint, record, record["amount"] - amount,
                                          await self._hold_expiry(record))
        movement = operations.release_hold(request_id, fingerprint, record)
        movement.response = pb.ReverseResponse(
            reversal_id=request_id, outcome=pb.REVERSE_OUTCOME_REVERSED, amount_reversed=record["amount"],
            charged_returned=record["charged"], discount_reversed=record["discount"],
            fully_undone=True).SerializeToString()
        return movement

    async def _undo_answer(self, request_id: str, record: dict | None, applied: Applied) -> pb.ReverseResponse:
        if applied.conflict:
            raise AlreadyExists(f"{request_id} was used for a different request")
        if not applied.posted:
            raise FailedPrecondition("the member's balance could not take the reversal; try again")
        response = pb.ReverseResponse.FromString(applied.stored_response)
        response.replayed = applied.replayed
        if record is not None:
            response.credit_available, response.points_available = await self._balances(record["member_id"])
        return response

    # ---- credit -------------------------------------------------------------------------------

    async def TopUp(self, request: pb.TopUpRequest, context) -> pb.MoneyMovementResponse:
        return await self._topup(request, withdraw=False)

    async def Withdraw(self, request: pb.WithdrawRequest, context) -> pb.MoneyMovementResponse:
        return await self._topup(request, withdraw=True)

    async def _topup(self, request, withdraw: bool) -> pb.MoneyMovementResponse:
        check_id(request.transfer_id, "transfer_id")
        check_id(request.member_id, "member_id")
        check_amount(request.amount, "amount")
        applied = await self.engine.apply(operations.topup(request, fingerprint(request), withdraw))
        return await self._movement_answer(request.member_id, applied)

    async def _movement_answer(self, member_id: str, applied: Applied) -> pb.MoneyMovementResponse:
        if applied.conflict:
            result = pb.TRANSFER_RESULT_EXISTS_WITH_DIFFERENT_CONTENT
        elif applied.closed_account:
            result = pb.TRANSFER_RESULT_ACCOUNT_CLOSED
        elif not applied.posted:
            result = pb.TRANSFER_RESULT_EXCEEDS_CREDITS
        else:
            result = pb.TRANSFER_RESULT_EXISTS if applied.replayed else pb.TRANSFER_RESULT_OK
        return pb.MoneyMovementResponse(result=result, balances=await self._member_balances(member_id))

    async def SetCreditLimit(self, request: pb.SetCreditLimitRequest, context) -> pb.MemberBalances:
        check_id(request.member_id, "member_id")
        check_amount(request.credit_limit, "credit_limit", allow_zero=True)
        await self.engine.ensure_ready()
        spec = acc.member_credit(request.member_id)
        async with self.app.pool.connection() as conn:
            try:
                delta = await queries.set_credit_limit(conn, spec, request.credit_limit)
            except ledger.LimitViolated:
                raise FailedPrecondition("the new credit limit is below what the member already owes or holds") from None
        if delta:
            await self.engine.hot.credit(spec.account_id, f"limit:{datetime.datetime.now().timestamp()}", delta)
        return await self._member_balances(request.member_id)

    # ---- members and accounts -----------------------------------------------------------------

    async def _member_balances(self, member_id: str) -> pb.MemberBalances:
        async with self.app.pool.connection() as conn:
            return await queries.member_balances(conn, member_id)

    async def OpenMemberAccounts(self, request: pb.OpenMemberAccountsRequest, context) -> pb.MemberBalances:
        check_id(request.member_id, "member_id")
        async with self.app.pool.connection() as conn:
            created = await queries.open_accounts(conn, [acc.member_credit(request.member_id),
                                                         acc.member_points(request.member_id)])
        # A member's accounts are limited and open empty: Redis holds them from the start, so the
        # purchase path never falls back to the ledger for their balances.
        for account_id in created:
            await self.engine.hot.load(account_id, 0)
        return await self._member_balances(request.member_id)

    async def GetMemberBalances(self, request: pb.GetMemberBalancesRequest, context) -> pb.MemberBalances:
        check_id(request.member_id, "member_id")
        return await self._member_balances(request.member_id)

    async def OpenAccount(self, request: pb.OpenAccountRequest, context) -> pb.Account:
        check_id(request.account_id, "account_id")
        if request.unit not in (pb.UNIT_IRR, pb.UNIT_POINTS):
            raise FieldError("unit", "must be UNIT_IRR or UNIT_POINTS")
        if request.kind not in pb.AccountKind.values() or request.kind == pb.ACCOUNT_KIND_UNSPECIFIED:
            raise FieldError("kind", "must be a known account kind")
        if request.flags.debits_must_not_exceed_credits and request.flags.credits_must_not_exceed_debits:
            raise FieldError("flags", "an account cannot limit both debits and credits")
        spec = acc.AccountSpec(request.account_id, request.unit, request.kind, request.owner_id,
                               request.flags.debits_must_not_exceed_credits, request.flags.credits_must_not_exceed_debits)
        async with self.app.pool.connection() as conn:
            existing = await queries.account(conn, request.account_id)
            if existing is not None:
                same = (existing.unit, existing.kind, existing.flags.debits_must_not_exceed_credits,
                        existing.flags.credits_must_not_exceed_debits) == (
                    spec.unit, spec.kind, spec.debits_must_not_exceed_credits, spec.credits_must_not_exceed_debits)
                if not same:
                    raise AlreadyExists(f"account {request.account_id} exists with different properties")
                return existing
            await queries.open_accounts(conn, [spec])
            return await queries.account(conn, request.account_id)

    async def CloseAccount(self, request: pb.CloseAccountRequest, context) -> pb.Account:
        check_id(request.account_id, "account_id")
        async with self.app.pool.connection() as conn:
            account = await queries.account(conn, request.account_id)
            if account is None:
                raise NotFound(f"account {request.account_id} not found")
            if account.debits_pending or account.credits_pending:
                raise FailedPrecondition("the account has pending holds; post or void them first")
            await conn.execute("UPDATE accounts SET closed = true WHERE account_id = %s", (request.account_id,))
            await conn.commit()
            return await queries.account(conn, request.account_id)

    async def GetAccount(self, request: pb.GetAccountRequest, context) -> pb.Account:
        check_id(request.account_id, "account_id")
        async with self.app.pool.connection() as conn:
            account = await queries.account(conn, request.account_id)
        if account is None:
            raise NotFound(f"account {request.account_id} not found")
        return account

    async def ListAccountTransfers(self, request: pb.ListAccountTransfersRequest, context):
        check_id(request.account_id, "account_id")
        size, before = page_size(request.page_size), page_token(request.page_token)
        async with self.app.pool.connection() as conn:
            transfers = await queries.account_transfers(conn, request.account_id, size + 1, before)
        next_token = str(transfers[size - 1].sequence) if len(transfers) > size else ""
        return pb.ListAccountTransfersResponse(transfers=transfers[:size], next_page_token=next_token)

    # ---- generic transfers ----------------------------------------------------------------------

    async def CreateTransfers(self, request: pb.CreateTransfersRequest, context) -> pb.CreateTransfersResponse:
        if not request.transfers:
            raise FieldError("transfers", "at least one transfer is required")
        if len(request.transfers) > MAX_TRANSFERS_PER_CALL:
            raise FieldError("transfers", f"at most {MAX_TRANSFERS_PER_CALL} per call")
        for index, transfer in enumerate(request.transfers):
            self._check_transfer(transfer, f"transfers[{index}]")
        await self.engine.ensure_ready()
        if request.linked:
            results = await self._create_linked(list(request.transfers))
        else:
            results = [(await self._create_linked([t]))[0] for t in request.transfers]
        return pb.CreateTransfersResponse(results=results)

    @staticmethod
    def _check_transfer(t: pb.Transfer, field: str) -> None:
        check_id(t.transfer_id, f"{field}.transfer_id")
        flags = [t.flags.pending, t.flags.post_pending, t.flags.void_pending]
        if sum(flags) > 1:
            raise FieldError(f"{field}.flags", "at most one of pending, post_pending, void_pending")
        if t.flags.post_pending or t.flags.void_pending:
            check_id(t.pending_id, f"{field}.pending_id")
            check_amount(t.amount, f"{field}.amount", allow_zero=True)
            return
        check_id(t.debit_account_id, f"{field}.debit_account_id")
        check_id(t.credit_account_id, f"{field}.credit_account_id")
        if t.debit_account_id == t.credit_account_id:
            raise FieldError(f"{field}.credit_account_id", "must differ from debit_account_id")
        check_amount(t.amount, f"{field}.amount")
        if t.unit not in (pb.UNIT_IRR, pb.UNIT_POINTS):
            raise FieldError(f"{field}.unit", "must be UNIT_IRR or UNIT_POINTS")

    async def _create_linked(self, transfers: list[pb.Transfer]) -> list[int]:
        results = [pb.TRANSFER_RESULT_LINKED_EVENT_FAILED] * len(transfers)
        message = pb.CreateTransfersRequest(transfers=transfers, linked=True)
        movement = Movement(f"transfers:{transfers[0].transfer_id}", "transfers", fingerprint(message),
                            pb.CreateTransfersResponse().SerializeToString())
        async with self.app.pool.connection() as conn:
            for index, t in enumerate(transfers):
                existing = await queries.transfer(conn, t.transfer_id)
                if existing is not None:
                    same = (existing.debit_account_id, existing.credit_account_id, existing.amount, existing.code) == (
                        t.debit_account_id or existing.debit_account_id, t.credit_account_id or existing.credit_account_id,
                        t.amount or existing.amount, t.code)
                    results[index] = pb.TRANSFER_RESULT_EXISTS if same else pb.TRANSFER_RESULT_EXISTS_WITH_DIFFERENT_CONTENT
                    continue
                failure = await self._add_leg(conn, movement, t)
                if failure:
                    results[index] = failure
                    return results if len(transfers) > 1 else [failure]
        if all(r in (pb.TRANSFER_RESULT_EXISTS, pb.TRANSFER_RESULT_EXISTS_WITH_DIFFERENT_CONTENT) for r in results):
            return results
        if any(r == pb.TRANSFER_RESULT_EXISTS_WITH_DIFFERENT_CONTENT for r in results) and len(transfers) > 1:
            return results
        applied = await self.engine.apply(movement)
        if applied.closed_account:
            return [pb.TRANSFER_RESULT_ACCOUNT_CLOSED if len(transfers) == 1 else pb.TRANSFER_RESULT_LINKED_EVENT_FAILED] * len(transfers)
        if not applied.posted:
            return [pb.TRANSFER_RESULT_EXCEEDS_CREDITS if len(transfers) == 1 else pb.TRANSFER_RESULT_LINKED_EVENT_FAILED] * len(transfers)
        return [r if r == pb.TRANSFER_RESULT_EXISTS else pb.TRANSFER_RESULT_OK for r in results]

    async def _add_leg(self, conn, movement: Movement, t: pb.Transfer) -> int | None:
        if t.flags.post_pending or t.flags.void_pending:
            pending = await queries.pending(conn, t.pending_id)
            if pending is None:
                return pb.TRANSFER_RESULT_PENDING_NOT_FOUND
            if pending["state"] == "expired":
                return pb.TRANSFER_RESULT_PENDING_EXPIRED
            if pending["state"] != "pending":
                return pb.TRANSFER_RESULT_PENDING_ALREADY_RESOLVED
            if pending["expires_at"] is not None and pending["expires_at"] <= now():
                return pb.TRANSFER_RESULT_PENDING_EXPIRED  # the sweep voids it
            debit, credit = pending["debit"], pending["credit"]
            held = pending["amount"]
            amount = t.amount or held if t.flags.post_pending else held
            if amount > held:
                return pb.TRANSFER_RESULT_AMOUNT_EXCEEDS_PENDING
            flag = POST_PENDING if t.flags.post_pending else VOID_PENDING
            movement.legs.append(Leg(t.transfer_id, debit, credit, amount, pending["code"], flags=flag,
                                     pending_id=t.pending_id, pending_amount=held, reason=t.reason,
                                     source_ref=t.source_ref, party_id=t.party_id))
            released = held - amount if flag == POST_PENDING else held
            if debit.limited and released:
                movement.credit_after[debit.account_id] = movement.credit_after.get(debit.account_id, 0) + released
            if credit.limited and flag == POST_PENDING and amount:
                movement.credit_after[credit.account_id] = movement.credit_after.get(credit.account_id, 0) + amount
            movement.extra.append(operations.resolve_pending(t.pending_id, "posted" if flag == POST_PENDING else "voided",
                                                             t.transfer_id))
            return None
        debit = await queries.account_spec(conn, t.debit_account_id)
        credit = await queries.account_spec(conn, t.credit_account_id)
        if debit is None or credit is None:
            return pb.TRANSFER_RESULT_ACCOUNT_NOT_FOUND
        if debit.unit != t.unit or credit.unit != t.unit:
            return pb.TRANSFER_RESULT_UNIT_MISMATCH
        expires_at = None
        flag = 0
        if t.flags.pending:
            flag = PENDING
            if t.timeout_seconds:
                expires_at = now() + datetime.timedelta(seconds=t.timeout_seconds)
            movement.extra.append(operations.open_pending(t.transfer_id, expires_at))
        movement.legs.append(Leg(t.transfer_id, debit, credit, t.amount, t.code, flags=flag, expires_at=expires_at,
                                 reason=t.reason, source_ref=t.source_ref, party_id=t.party_id))
        if debit.limited:
            movement.reserve.append(Reservation(debit, t.amount))
        if credit.limited and not flag:
            movement.credit_after[credit.account_id] = movement.credit_after.get(credit.account_id, 0) + t.amount
        return None

    # ---- points --------------------------------------------------------------------------------

    async def AdjustPoints(self, request: pb.AdjustPointsRequest, context) -> pb.MoneyMovementResponse:
        check_id(request.transfer_id, "transfer_id")
        check_id(request.member_id, "member_id")
        if request.points == 0 or abs(request.points) > AMOUNT_MAX:
            raise FieldError("points", "must be a non-zero number of points")
        check_text(request.reason, "reason")
        applied = await self.engine.apply(operations.adjust_points(request, fingerprint(request), self.rules, now()))
        return await self._movement_answer(request.member_id, applied)

    async def SpendPoints(self, request: pb.SpendPointsRequest, context) -> pb.MoneyMovementResponse:
        check_id(request.spend_id, "spend_id", TRANSACTION_ID_LENGTH)
        check_id(request.member_id, "member_id")
        check_amount(request.points, "points")
        check_text(request.reason, "reason")
        applied = await self.engine.apply(operations.spend_points(request, fingerprint(request)))
        return await self._movement_answer(request.member_id, applied)

    async def ReturnPoints(self, request: pb.ReturnPointsRequest, context) -> pb.MoneyMovementResponse:
        check_id(request.spend_id, "spend_id", TRANSACTION_ID_LENGTH)
        check_text(request.reason, "reason")
        async with self.app.pool.connection() as conn:
            spent = await queries.spend(conn, request.spend_id)
        if spent is None:
            raise NotFound(f"no points were spent under spend_id {request.spend_id}")
        # The return is one per spend whatever the reason given, so only the spend is fingerprinted.
        movement = operations.return_points(request.spend_id, request.reason,
                                            fingerprint(pb.ReturnPointsRequest(spend_id=request.spend_id)), spent)
        return await self._movement_answer(spent["member_id"], await self.engine.apply(movement))

    async def ListPointsLots(self, request: pb.ListPointsLotsRequest, context) -> pb.ListPointsLotsResponse:
        check_id(request.member_id, "member_id")
        async with self.app.pool.connection() as conn:
            return pb.ListPointsLotsResponse(lots=await queries.lots(conn, request.member_id, request.include_spent))

    async def ExpirePoints(self, request: pb.ExpirePointsRequest, context) -> pb.ExpirePointsResponse:
        as_of = request.as_of.ToDatetime(datetime.UTC) if request.HasField("as_of") else now()
        lots_expired, points_expired = await self.app.expire_points(as_of)
        return pb.ExpirePointsResponse(lots_expired=lots_expired, points_expired=points_expired)

    # ---- tiers, settlement support, operations ----------------------------------------------------

    async def RecomputeTiers(self, request: pb.RecomputeTiersRequest, context) -> pb.RecomputeTiersResponse:
        for index, member_id in enumerate(request.member_ids):
            check_id(member_id, f"member_ids[{index}]")
        as_of = request.as_of.ToDatetime(datetime.UTC) if request.HasField("as_of") else now()
        changes = await self.app.tiers.recompute(as_of, request.period_end, list(request.member_ids))
        return pb.RecomputeTiersResponse(changes=changes)

    async def GetTierProgress(self, request: pb.GetTierProgressRequest, context) -> pb.TierProgress:
        return await self.app.tiers.progress(check_id(request.member_id, "member_id"), now())

    async def MerchantActivity(self, request: pb.MerchantActivityRequest, context) -> pb.MerchantActivityResponse:
        if request.after_sequence < 0 or request.up_to_sequence < 0:
            raise FieldError("after_sequence", "sequences are never negative")
        if request.up_to_sequence and request.up_to_sequence < request.after_sequence:
            raise FieldError("up_to_sequence", "must not be before after_sequence")
        up_to_time = request.up_to_time.ToDatetime(datetime.UTC) if request.HasField("up_to_time") else None
        async with self.app.pool.connection() as conn:
            return await queries.merchant_activity(conn, request.after_sequence, request.up_to_sequence, up_to_time,
                                                   list(request.merchant_ids))

    async def Reconcile(self, request: pb.ReconcileRequest, context) -> pb.ReconcileResponse:
        await self.engine.ensure_ready()
        checked, drifts = await self.app.reconcile(request.repair)
        return pb.ReconcileResponse(accounts_checked=checked, drifts=drifts, repaired=request.repair and bool(drifts))

