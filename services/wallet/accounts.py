"""Account naming and the properties each kind of account has, declared as data."""

from __future__ import annotations

from dataclasses import dataclass

from services.gen.club.wallet.v1 import wallet_pb2 as pb

IRR = pb.UNIT_IRR
POINTS = pb.UNIT_POINTS

CLUB_POINTS_LIABILITY = "club:points_liability"
CLUB_POINTS_REDEMPTION = "club:points_redemption"
CLUB_POINTS_RECOVERY = "club:points_recovery"
CLUB_TOPUP_CLEARING = "club:topup_clearing"
CLUB_SETTLEMENT_CLEARING = "club:settlement_clearing"
MERCHANT_PARTY = "merchant"


@dataclass(frozen=True)
class AccountSpec:
    account_id: str
    unit: int
    kind: int
    owner_id: str = ""
    debits_must_not_exceed_credits: bool = False
    credits_must_not_exceed_debits: bool = False

    @property
    def limited(self) -> bool:
        """Accounts whose available balance Redis gates (they may never go below zero)."""
        return self.debits_must_not_exceed_credits


def member_credit(member_id: str) -> AccountSpec:
    return AccountSpec(f"member:{member_id}:credit", IRR, pb.ACCOUNT_KIND_MEMBER_CREDIT, member_id, True)


def member_points(member_id: str) -> AccountSpec:
    return AccountSpec(f"member:{member_id}:points", POINTS, pb.ACCOUNT_KIND_MEMBER_POINTS, member_id, True)


def merchant_payable(merchant_id: str) -> AccountSpec:
    return AccountSpec(f"merchant:{merchant_id}:payable", IRR, pb.ACCOUNT_KIND_MERCHANT_PAYABLE, merchant_id)


def funder_discount(party_id: str) -> AccountSpec:
    return AccountSpec(f"funder:{party_id}:discount", IRR, pb.ACCOUNT_KIND_FUNDER_DISCOUNT, party_id)


CLUB_ACCOUNTS = {
    CLUB_POINTS_LIABILITY: AccountSpec(CLUB_POINTS_LIABILITY, POINTS, pb.ACCOUNT_KIND_CLUB_POINTS_LIABILITY, "club"),
    CLUB_POINTS_REDEMPTION: AccountSpec(CLUB_POINTS_REDEMPTION, IRR, pb.ACCOUNT_KIND_POINTS_REDEMPTION, "club"),
    CLUB_POINTS_RECOVERY: AccountSpec(CLUB_POINTS_RECOVERY, IRR, pb.ACCOUNT_KIND_POINTS_REDEMPTION, "club"),
    CLUB_TOPUP_CLEARING: AccountSpec(CLUB_TOPUP_CLEARING, IRR, pb.ACCOUNT_KIND_TOPUP_CLEARING, "club"),
    CLUB_SETTLEMENT_CLEARING: AccountSpec(CLUB_SETTLEMENT_CLEARING, IRR, pb.ACCOUNT_KIND_SETTLEMENT_CLEARING, "club"),
}


def merchant_of(account_id: str) -> str | None:
    if account_id.startswith("merchant:") and account_id.endswith(":payable"):
        return account_id[len("merchant:"):-len(":payable")]
    return None
