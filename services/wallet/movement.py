"""A movement: what one request does to the ledger, described before it is applied.

The engine reserves `reserve` in Redis, commits `legs` (plus `extra` statements) to Postgres
in one transaction with the request record, then raises `credit_after` in Redis.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from services.shared.db import Recordset

from .accounts import AccountSpec

PENDING, POST_PENDING, VOID_PENDING = 1, 2, 4


@dataclass
class Leg:
    transfer_id: str
    debit: AccountSpec
    credit: AccountSpec
    amount: int
    code: int
    flags: int = 0
    pending_id: str = ""
    pending_amount: int = 0  # for post/void: the amount the pending transfer held
    expires_at: datetime.datetime | None = None
    reason: str = ""
    source_ref: str = ""
    party_id: str = ""

    def __post_init__(self) -> None:
        assert self.amount >= 0, "transfer amounts are never negative"
        assert self.debit.unit == self.credit.unit, "a transfer moves one unit"
        assert self.debit.account_id != self.credit.account_id, "a transfer needs two accounts"


@dataclass
class Reservation:
    account: AccountSpec
    amount: int
    up_to: bool = False  # reserve what is available, up to amount (points take-back)


class InsertOnly:
    """A table `extra` rows only insert into, checking nothing: the ledger inserts all of a
    commit's rows for it in one statement over a recordset."""

    def __init__(self, table: str, rows: Recordset):
        self.rows = rows
        self.insert = rows.insert(table)


@dataclass(frozen=True)
class InsertRow:
    """One row for an InsertOnly table, its values in the table's column order."""

    into: InsertOnly
    values: tuple


@dataclass
class Movement:
    request_id: str
    kind: str
    fingerprint: bytes
    response: bytes  # the stored answer (without live balances), replayed to repeats
    legs: list[Leg] = field(default_factory=list)
    reserve: list[Reservation] = field(default_factory=list)
    credit_after: dict[str, int] = field(default_factory=dict)  # limited account id -> amount
    extra: list[Callable[..., Awaitable[None]] | InsertRow] = field(default_factory=list)
    # Filled by the engine: amounts actually reserved (up_to reservations may get less).
    reserved: dict[str, int] = field(default_factory=dict)
    # Completes the legs once reservations are known (a refund's points take-back), before commit.
    after_reserve: Callable[[Movement], None] | None = None

    def accounts(self) -> dict[str, AccountSpec]:
        found: dict[str, AccountSpec] = {}
        for leg in self.legs:
            found[leg.debit.account_id] = leg.debit
            found[leg.credit.account_id] = leg.credit
        return found
