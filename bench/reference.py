"""The minimal single-process reference the switch is measured against: decode an 0200, one
Redis reservation (Lua), a group-committed ledger insert in Postgres, encode the 0210. No hops,
no offers, no journal: what one process on this machine can do at best for a durable approval.
It uses the platform's own best building blocks (uvloop, the auto-pipelined Redis connection),
so the ratio compares architectures, not clients.

With `--contract`, the same process also does the per-request work the wire contract asks of
any implementation, whatever its architecture: the field checks (30), the MAC verified and the
answer signed (63), the duplicate claim on 41+7+11 and the stored answer for a retransmission,
and a journal row for each approval, committed with its ledger row (the benchmark's requests are
all approvals; declines here go unjournaled, which only flatters this reference). Still no hops,
no offers, no funding shares, no points, one ledger row instead of a balanced transfer set: the
most a design that keeps the contract could reach on this machine, so the share of the gap that
no architecture can close.

    python -m bench.reference --port 9583 --redis redis://... --database postgresql://... [--contract MAC_KEY_HEX]
"""

from __future__ import annotations

import argparse
import asyncio

import iso8583
import orjson
import psycopg
import uvloop

from services.shared import db, redis_scripts
from services.shared import response_codes as codes
from services.shared.redis_pipeline import AutoPipeline
from services.switch import dedupe, flows
from services.switch.iso import codec, fields, framing, mac, spec

RESERVE = """
local left = redis.call('DECRBY', KEYS[1], ARGV[1])
if left < 0 then redis.call('INCRBY', KEYS[1], ARGV[1]) return -1 end
return left
"""
BALANCE = 10**15
ROWS = db.Recordset(txn="text", account="text", amount="bigint")
JOURNAL = db.Recordset(txn="text", mti="text", terminal_id="text", stan="text", pan_last4="text", amount="bigint",
                       code="text")


def _claim_key(transaction_id: str) -> str:
    return "ref:" + dedupe.key(transaction_id)  # the switch's key, apart from a switch on the same Redis


class Reference:
    def __init__(self, redis: AutoPipeline, conn: psycopg.AsyncConnection, mac_key: bytes | None):
        self.redis = redis
        self.reserve = redis.script(RESERVE)
        self.conn = conn
        self.mac_key = mac_key  # set: the contract's work too
        self.queue: list[tuple[tuple, tuple | None, asyncio.Future]] = []
        self.wakeup = asyncio.Event()
        self.tasks: set[asyncio.Task] = set()

    async def committer(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.queue:
                batch, self.queue = self.queue, []
                async with self.conn.transaction(), self.conn.cursor() as cur:
                    await cur.execute(ROWS.insert("ref_ledger"), (ROWS.param(row for row, _, _ in batch),))
                    if self.mac_key:
                        await cur.execute(JOURNAL.insert("ref_journal"), (JOURNAL.param(entry for _, entry, _ in batch),))
                for _, _, future in batch:
                    future.set_result(None)

    async def answer(self, payload: bytes, outbox: framing.Outbox) -> None:
        decoded = iso8583.decode(payload, spec.SPEC)[0]
        response = {"t": "0210", "11": decoded["11"], "41": decoded["41"]}
        txn = f"{decoded['41']}.{decoded['7']}.{decoded['11']}"
        if not self.mac_key:
            response["39"] = await self._reserve_and_commit(decoded, txn)
            outbox.send(framing.frame(bytes(iso8583.encode(response, spec.SPEC)[0])))
            return
        response["39"] = await self._contract_answer(decoded, payload, txn)
        if response["39"] == codes.APPROVED:
            response["38"] = flows.approval_code(txn)
        signing = None if response["39"] == codes.SECURITY_VIOLATION else self.mac_key  # nothing unverified is signed
        outbox.send(framing.frame(codec.encode(response, signing)))
        if response["39"] != codes.DUPLICATE_TRANSMISSION:  # kept for a retransmission, as the switch keeps it
            await self.redis.set(_claim_key(txn), orjson.dumps(response), ex=dedupe.DUPLICATE_WINDOW_SECONDS)

    async def _reserve_and_commit(self, decoded: dict, txn: str) -> str:
        amount = int(decoded["4"])
        account = decoded["2"][-4:]
        try:
            if await self.reserve(keys=[f"ref:{{{account}}}"], args=[amount]) < 0:
                return codes.INSUFFICIENT_FUNDS
            journal = (txn, decoded["t"], decoded["41"], decoded["11"], account, amount, codes.APPROVED) \
                if self.mac_key else None
            future = asyncio.get_running_loop().create_future()
            self.queue.append(((txn, account, amount), journal, future))
            self.wakeup.set()
            await future
        except Exception:  # counted as a decline by the load generator, never left unanswered
            return codes.SYSTEM_MALFUNCTION
        return codes.APPROVED

    async def _contract_answer(self, decoded: dict, payload: bytes, txn: str) -> str:
        try:
            fields.check(decoded)
        except fields.FieldFormatError:
            return codes.FORMAT_ERROR
        if not mac.verify(self.mac_key, payload):
            return codes.SECURITY_VIOLATION
        claimed = await self.redis.set(_claim_key(txn), dedupe.INFLIGHT, nx=True, ex=dedupe.INFLIGHT_CLAIM_SECONDS,
                                       get=True)
        if claimed is not None:
            return codes.DUPLICATE_TRANSMISSION  # the load generator never repeats a request
        return await self._reserve_and_commit(decoded, txn)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        outbox = framing.Outbox(writer)
        try:
            while True:
                payload = await framing.read_frame(reader)
                task = asyncio.create_task(self.answer(payload, outbox))
                self.tasks.add(task)  # a task nobody references may be collected before it ends
                task.add_done_callback(self.tasks.discard)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


async def main(port: int, redis_url: str, database: str, mac_key: bytes | None) -> None:
    setup = redis_scripts.client(redis_url)
    redis = redis_scripts.hot_client(redis_url)
    conn = await psycopg.AsyncConnection.connect(database, autocommit=True)
    await conn.execute("CREATE TABLE IF NOT EXISTS ref_ledger (seq bigserial PRIMARY KEY, txn text UNIQUE,"
                       " account text, amount bigint)")
    await conn.execute("CREATE TABLE IF NOT EXISTS ref_journal (seq bigserial PRIMARY KEY, txn text UNIQUE, mti text,"
                       " terminal_id text, stan text, pan_last4 text, amount bigint, code text,"
                       " answered_at timestamptz NOT NULL DEFAULT now())")
    keys = [key async for key in setup.scan_iter("ref:*")]
    if keys:
        await setup.delete(*keys)
    reference = Reference(redis, conn, mac_key)
    await asyncio.gather(*(redis.set(f"ref:{{{account:04d}}}", BALANCE) for account in range(10_000)))
    asyncio.create_task(reference.committer())
    server = await asyncio.start_server(reference.serve, "127.0.0.1", port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--contract", metavar="MAC_KEY_HEX", type=bytes.fromhex,
                        help="do the wire contract's per-request work too, terminals MACing under this key")
    args = parser.parse_args()
    uvloop.run(main(args.port, args.redis, args.database, args.contract))
