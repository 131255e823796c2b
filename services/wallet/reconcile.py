"""Compare Redis balances with the ledger: `python -m services.wallet.reconcile [--repair]`.

Talks to a running wallet (CLUB_WALLET_ADDR) so the comparison sees the same reservations the
service does. Exit 1 when drift was found (and not repaired).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from services.gen.club.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from services.shared import clients
from services.shared import config as cfg


async def main_async(repair: bool) -> int:
    settings = cfg.load([*cfg.COMMON, *clients.ADDRESS_SETTINGS])
    async with clients.channel(settings.wallet_addr, settings.tls_dir, client_name="cli") as channel:
        reply = await wallet_pb2_grpc.WalletServiceStub(channel).Reconcile(wallet_pb2.ReconcileRequest(repair=repair),
                                                                           timeout=60)
    print(f"accounts checked: {reply.accounts_checked}; drifting: {len(reply.drifts)}")
    for drift in reply.drifts:
        print(f"  {drift.account_id}: ledger {drift.ledger_available}, redis {drift.redis_available}")
    if reply.drifts and not reply.repaired:
        return 1
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repair", action="store_true", help="set drifting Redis balances to the ledger's")
    sys.exit(asyncio.run(main_async(parser.parse_args().repair)))


if __name__ == "__main__":
    main()
