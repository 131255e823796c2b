"""The services the portal calls, over gRPC, each call with the signed-in person's token.

The channels carry no token of their own (clients.channel with token=""): a page can do only what
its visitor could do with clubctl and the same token. The public sign-in calls carry none at all.
"""

from __future__ import annotations

import contextvars

from services.gen.club.cards.v1 import cards_pb2_grpc
from services.gen.club.crm.v1 import crm_pb2_grpc
from services.gen.club.switch.v1 import authorization_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from services.shared import auth, clients

CLIENT_NAME = "portal"  # its mTLS certificate; it grants no role (scripts/make_certs.py)
# The home page gathers everything in one aggregate call; it may never need more than this.
HOME_CALLS_MAX = 3
# The gRPC calls the page being served has made (web.CallCountMiddleware sets a fresh count per
# request and reports it in the X-Grpc-Calls header; the benchmark reads it).
CALLS: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("portal_grpc_calls", default=None)


class Backends:
    """One channel per service and its stub; `call` runs one RPC as a person (or as no one)."""

    def __init__(self, cfg):
        self.timeout = cfg.portal_call_timeout_seconds
        self._channels = {name: clients.channel(getattr(cfg, f"{name}_addr"), cfg.tls_dir, CLIENT_NAME, token="")
                          for name in clients.DEFAULT_PORTS}
        self.cards = cards_pb2_grpc.CardServiceStub(self._channels["cards"])
        self.wallet = wallet_pb2_grpc.WalletServiceStub(self._channels["wallet"])
        self.tasheem = tasheem_pb2_grpc.TasheemServiceStub(self._channels["tasheem"])
        self.switch = authorization_pb2_grpc.AuthorizationServiceStub(self._channels["switch"])
        self.crm = crm_pb2_grpc.CrmServiceStub(self._channels["crm"])

    async def call(self, method, request, token: str | None):
        """`method(request)` with `token` as the bearer (None: a public call, no token)."""
        metadata = ((auth.METADATA_KEY, auth.BEARER + token),) if token else ()
        count = CALLS.get()
        if count is not None:
            count[0] += 1
        return await method(request, metadata=metadata, timeout=self.timeout)

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()
