"""A participant is one step of a flow (jPOS's TransactionManager is the model).

`prepare` does or reserves its step and says whether the flow goes on. The manager
(services/switch/manager.py) lists a participant as prepared before its `prepare` runs, since a
step may leave something behind even when it then declines or fails; so every `undo` and
`compensate` is safe to run for a step that did nothing.

- A decline (`Declined`) is definite: the manager calls `undo` on every prepared participant, last
  first, before the answer goes out, unless the decline says the reservations are not this
  transaction's to give back.
- An uncertain end (a deadline passed, a dependency failed: 91 or 96) cannot be undone now: the
  names of the prepared participants that `compensates` are journaled, and the manager's
  compensation loop calls their `compensate` until each confirms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..context import Context, Services


@dataclass(frozen=True, slots=True)
class Declined:
    response_code: str
    message: str
    undo: bool = True  # False: what was reserved belongs to another transmission of the same id


class Participant:
    name: ClassVar[str]
    compensates: ClassVar[bool] = False  # leaves work in another service that an uncertain end must undo

    def __init__(self, services: Services):
        self.services = services

    def begin(self, context: Context) -> None:
        """Work that may start before the duplicate claim because it changes nothing (a
        retransmission's is simply dropped)."""

    async def prepare(self, context: Context) -> Declined | None:
        raise NotImplementedError

    async def undo(self, context: Context) -> None:
        """A later step declined: give back at once what `prepare` reserved."""

    async def compensate(self, transaction_id: str, final: bool) -> bool:
        """After an uncertain answer: undo this step's effect elsewhere. True once settled;
        `final`: past the grace period, when "never arrived" can be believed."""
        raise NotImplementedError(f"{self.name} leaves nothing to compensate")
