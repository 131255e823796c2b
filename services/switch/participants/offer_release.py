"""Money went back to the member (a refund, a reversal, a completion for less than was held): the
purchase's offers give back what no longer stands, budget in proportion and, once nothing
stands, the member's use too. The money has moved whatever happens here, so a failure does not
change the answer: the release is owed (journal) and retried by the compensation loop; until
then the budget counts more spent than it is, never less."""

from __future__ import annotations

import grpc
from prometheus_client import Counter

from services.gen.club.tasheem.v1 import tasheem_pb2

from .. import journal
from ..context import Services

OFFER_RELEASES = Counter("club_offer_releases_total", "offer reservations given back after money went back to the"
                         " member, in full or in part", ["extent", "result"])


async def release(services: Services, original: str, stands: int, timeout: float) -> None:
    if await send(services, original, stands, timeout):
        return
    try:
        await journal.owe_offer_release(services.pool, original, stands)
    except Exception as exc:  # Postgres down as well: the budget stays counted as spent
        services.log.error("offer release not recorded", extra={"transaction_id": original, "error": str(exc)})


async def send(services: Services, original: str, stands: int, timeout: float) -> bool:
    extent = "part" if stands else "full"
    try:
        if stands:
            await services.tasheem.ReleasePart(tasheem_pb2.ReleasePartRequest(transaction_id=original, stands=stands),
                                               timeout=timeout)
        else:
            await services.tasheem.Release(tasheem_pb2.ReleaseRequest(transaction_id=original), timeout=timeout)
    except (TimeoutError, grpc.aio.AioRpcError) as exc:
        OFFER_RELEASES.labels(extent, "failed").inc()
        error = exc.code().name if isinstance(exc, grpc.aio.AioRpcError) else "deadline passed"
        services.log.warning("offer release failed", extra={"transaction_id": original, "extent": extent,
                                                            "error": error})
        return False
    OFFER_RELEASES.labels(extent, "done").inc()
    return True
