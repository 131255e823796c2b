"""The audit log: every change made by a person, who, what, when, request and result (masked).

Rows live in audit.events (one shared `audit` schema; migrations in services/audit/). The
auth interceptor writes a PENDING row before a person's change runs and completes it with
the outcome and the (masked) result afterwards. If the PENDING row cannot be written the
change is refused (UNAVAILABLE): no change by a person goes unrecorded.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from google.protobuf.json_format import MessageToDict
from psycopg.types.json import Jsonb

from . import db
from .logs import SECRET_FIELD_RE, mask_text

SCHEMA = "audit"
POOL_MIN = 1
POOL_MAX = 2
PENDING = "PENDING"
REDACTED = "[redacted]"
NOT_SECRET_FIELDS = frozenset({"pin_tries", "key_version", "pin_set", "pin_block_format", "pin_key_kcv", "mac_key_kcv"})
# Coupon codes claim money: kept nowhere in the clear (tasheem keeps only their keyed hashes).
# Text only: a numeric `code` (a status) is no secret.
CODE_FIELDS = frozenset({"code", "codes"})

log = logging.getLogger("audit")


def masked(message) -> dict:
    """A protobuf message as a dict with secrets redacted and PANs cut to BIN + last 4."""
    if message is None:
        return {}
    return _clean("", MessageToDict(message, preserving_proto_field_name=True))


def _clean(name: str, value):
    if name and SECRET_FIELD_RE.search(name) and name not in NOT_SECRET_FIELDS:
        return REDACTED
    if name in CODE_FIELDS and isinstance(value, str):
        return REDACTED
    if isinstance(value, str):
        # jsonb cannot hold NUL: a request carrying one is still audited (and then refused by its field).
        return mask_text(value.replace("\x00", "\ufffd"))
    if isinstance(value, dict):
        return {key: _clean(key, item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(name, item) for item in value]
    return value


class AuditUnavailable(Exception):
    pass


class AuditLog:
    """Writes audit.events through a small pool of its own, opened on first use."""

    def __init__(self, database_url: str):
        self._url = database_url
        self._pool = None
        self._lock = asyncio.Lock()

    async def _connection(self):
        async with self._lock:
            if self._pool is None:
                self._pool = await db.open_pool(self._url, SCHEMA, POOL_MIN, POOL_MAX)
        return self._pool.connection()

    async def begin(self, service: str, method: str, caller, request) -> str:
        event_id = str(uuid.uuid4())
        try:
            async with await self._connection() as conn:
                await conn.execute(
                    "INSERT INTO events (event_id, service, method, subject, role, merchant_id, outcome, request)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    (event_id, service, method, caller.subject, caller.role, caller.merchant_id, PENDING,
                     Jsonb(masked(request))))
        except Exception as exc:  # noqa: BLE001 - any failure means we cannot record, so refuse
            log.error("audit write failed for %s by %s: %s", method, caller.subject, type(exc).__name__)
            raise AuditUnavailable(method) from None
        return event_id

    async def finish(self, event_id: str, outcome: str, result) -> None:
        assert outcome != PENDING
        try:
            async with await self._connection() as conn:
                await conn.execute("UPDATE events SET outcome = %s, result = %s, finished_at = now()"
                                   " WHERE event_id = %s AND outcome = %s",
                                   (outcome, Jsonb(masked(result)) if result is not None else None, event_id, PENDING))
        except Exception as exc:  # noqa: BLE001 - the change is done; the PENDING row still records it
            log.error("audit outcome not recorded for event %s: %s", event_id, type(exc).__name__)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
