"""Every flow the switch runs, as data: its participants in order (services/switch/participants/).
Adding a step to a flow is one participant file and one entry here."""

from __future__ import annotations

from dataclasses import dataclass

from . import flows
from .participants.balance import Balances
from .participants.base import Participant
from .participants.card_check import CardCheck
from .participants.completion import Capture
from .participants.daily_limit import DailyLimit
from .participants.merchant import MerchantCheck
from .participants.payment import Payment
from .participants.quote import Quote
from .participants.reconciliation import TerminalTotals
from .participants.refund import OriginalPurchase, Refund, SameCardAndMerchant
from .participants.reversal import Reverse, SettleOriginal
from .participants.shedding import TierAdmission


@dataclass(frozen=True)
class Flow:
    participants: tuple[type[Participant], ...]
    journaled: bool = True  # answered once per transaction id and journaled; False: neither (moves no money)


PURCHASE = Flow((CardCheck, MerchantCheck, TierAdmission, DailyLimit, Quote, Payment))

FLOWS: dict[str, Flow] = {
    flows.PURCHASE: PURCHASE,
    flows.POINTS_PURCHASE: PURCHASE,
    flows.PREAUTH: PURCHASE,
    flows.REFUND: Flow((OriginalPurchase, CardCheck, SameCardAndMerchant, Refund)),
    flows.BALANCE: Flow((CardCheck, Balances)),
    flows.COMPLETION: Flow((Capture,)),
    flows.REVERSAL: Flow((SettleOriginal, Reverse)),
    flows.RECONCILIATION: Flow((TerminalTotals,), journaled=False),
}

PARTICIPANTS: dict[str, type[Participant]] = {p.name: p for flow in FLOWS.values() for p in flow.participants}

assert set(FLOWS) == set(flows.KINDS), "every kind of request has a flow"
assert all(flow.participants for flow in FLOWS.values()), "a flow has at least one step"
assert len(PARTICIPANTS) == len({p for flow in FLOWS.values() for p in flow.participants}), "one name, one participant"
assert all(p.compensate is not Participant.compensate for p in PARTICIPANTS.values() if p.compensates), \
    "a participant that leaves work elsewhere says how to undo it"
assert all(FLOWS[kind].journaled for kind in flows.KINDS if kind != flows.RECONCILIATION), \
    "whatever may move money is answered once and journaled"
