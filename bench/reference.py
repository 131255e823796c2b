"""The minimal single-process reference the switch is measured against: decode an 0200, one
Redis reservation (Lua), a group-committed ledger insert in Postgres, encode the 0210. No hops,
no offers, no journal: what one process on this machine can do at best for a durable approval.
It uses the platform's own best building blocks (uvloop, the auto-pipelined Redis connection),
so the ratio compares architectures, not clients.

    python -m bench.reference --port 9583 --redis redis://... --database postgresql://...
"""

from __future__ import annotations

import argparse
import asyncio

import iso8583
import psycopg
import uvloop

from services.shared import db, redis_scripts
from services.shared.redis_pipeline import AutoPipeline
from services.switch.iso import framing, spec

RESERVE = """
local left = redis.call('DECRBY', KEYS[1], ARGV[1])
if left < 0 then redis.call('INCRBY', KEYS[1], ARGV[1]) return -1 end
return left
"""
BALANCE = 10**15
ROWS = db.Recordset(txn="text", account="text", amount="bigint")


class Reference:
    def __init__(self, redis: AutoPipeline, conn: psycopg.AsyncConnection):
        self.reserve = redis.script(RESERVE)
        self.conn = conn
        self.queue: list[tuple[tuple, asyncio.Future]] = []
        self.wakeup = asyncio.Event()
        self.tasks: set[asyncio.Task] = set()

    async def committer(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.queue:
                batch, self.queue = self.queue, []
                async with self.conn.transaction(), self.conn.cursor() as cur:
                    await cur.execute(ROWS.insert("ref_ledger"), (ROWS.param(row for row, _ in batch),))
                for _, future in batch:
                    future.set_result(None)

    async def answer(self, payload: bytes, outbox: framing.Outbox) -> None:
        decoded = iso8583.decode(payload, spec.SPEC)[0]
        amount = int(decoded["4"])
        account = decoded["2"][-4:]
        code = "00"
        try:
            if await self.reserve(keys=[f"ref:{{{account}}}"], args=[amount]) < 0:
                code = "51"
            else:
                future = asyncio.get_running_loop().create_future()
                self.queue.append(((f"{decoded['41']}.{decoded['7']}.{decoded['11']}", account, amount), future))
                self.wakeup.set()
                await future
        except Exception:  # counted as a decline by the load generator, never left unanswered
            code = "96"
        response = {"t": "0210", "11": decoded["11"], "41": decoded["41"], "39": code}
        outbox.send(framing.frame(bytes(iso8583.encode(response, spec.SPEC)[0])))

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


async def main(port: int, redis_url: str, database: str) -> None:
    setup = redis_scripts.client(redis_url)
    redis = redis_scripts.hot_client(redis_url)
    conn = await psycopg.AsyncConnection.connect(database, autocommit=True)
    await conn.execute("CREATE TABLE IF NOT EXISTS ref_ledger (seq bigserial PRIMARY KEY, txn text UNIQUE,"
                       " account text, amount bigint)")
    keys = [key async for key in setup.scan_iter("ref:*")]
    if keys:
        await setup.delete(*keys)
    reference = Reference(redis, conn)
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
    args = parser.parse_args()
    uvloop.run(main(args.port, args.redis, args.database))
