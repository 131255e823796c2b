"""Which flow answers a message: (MTI, transaction type in field 3, account in field 3) -> the
kind of request (services/switch/flows.py), as data. The ISO front reads it forwards; the gRPC
API reads it backwards, for the processing code a kind is journaled with."""

from __future__ import annotations

from .. import flows
from . import spec

ANY = ""  # the position of field 3 does not choose the flow

# (MTI, field 3 positions 1-2, field 3 positions 3-4) -> kind
ROUTES: dict[tuple[str, str, str], str] = {
    ("0100", spec.PURCHASE, ANY): flows.PREAUTH,
    ("0200", spec.PURCHASE, ANY): flows.PURCHASE,
    ("0200", spec.PURCHASE, spec.POINTS_ACCOUNT): flows.POINTS_PURCHASE,
    ("0200", spec.REFUND, ANY): flows.REFUND,
    ("0200", spec.BALANCE_INQUIRY, ANY): flows.BALANCE,
    ("0220", ANY, ANY): flows.COMPLETION,
    ("0400", ANY, ANY): flows.REVERSAL,
    ("0420", ANY, ANY): flows.REVERSAL,
    ("0500", ANY, ANY): flows.RECONCILIATION,
}

# kind -> the processing code its requests carry when no terminal sent one (the gRPC API)
PROCESSING_CODES: dict[str, str] = {
    flows.PURCHASE: spec.PURCHASE + "0000",
    flows.POINTS_PURCHASE: spec.PURCHASE + spec.POINTS_ACCOUNT + "00",
    flows.PREAUTH: spec.PURCHASE + "0000",
    flows.REFUND: spec.REFUND + "0000",
    flows.BALANCE: spec.BALANCE_INQUIRY + "0000",
}


def kind_of(mti: str, processing_code: str) -> str | None:
    """The kind of request, or None when the switch does not offer it (answer 12)."""
    transaction_type, account = processing_code[:2], processing_code[2:4]
    return (ROUTES.get((mti, transaction_type, account)) or ROUTES.get((mti, transaction_type, ANY))
            or ROUTES.get((mti, ANY, ANY)))


assert {mti for mti, _, _ in ROUTES} == spec.REQUEST_MTIS - {"0800"}, "every request MTI but network management"
assert set(ROUTES.values()) == set(flows.KINDS), "every kind is reached from the wire"
assert all(kind_of("0100" if kind == flows.PREAUTH else "0200", code) == kind
           for kind, code in PROCESSING_CODES.items()), "a kind's processing code routes back to it"
