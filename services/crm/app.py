"""Process wiring for crm: settings, the pool, the channels to cards, wallet, tasheem and the switch, the
points-return sweep, the response-target sweep, the outbox worker and the receipts poller."""

from __future__ import annotations

import asyncio
import zoneinfo

from services.gen.club.cards.v1 import cards_pb2_grpc
from services.gen.club.crm.v1 import crm_pb2, crm_pb2_grpc
from services.gen.club.switch.v1 import authorization_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from services.shared import auth, clients, db, vault
from services.shared import config as cfg
from services.shared.clients import ADDRESS_SETTINGS, DEFAULT_PORTS
from services.shared.server import Runtime

from . import checkin, invitations, messaging, queue, receipts, signin
from .context import Deps
from .servicer import CrmServicer

DEFAULT_TIME_ZONE = "Asia/Tehran"


def time_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone") from None
    return value


SETTINGS = [
    cfg.Setting("CLUB_TIME_ZONE", DEFAULT_TIME_ZONE, time_zone,
                "the club's time zone: offer windows by default, member limit periods, cut-offs, event times"),
    checkin.KEY_SETTING,
    *[setting for setting in ADDRESS_SETTINGS if setting.name in ("CLUB_WALLET_ADDR", "CLUB_CARDS_ADDR")],
    # The member view reads tasheem and the switch; receipts read the switch's journal.
    *[setting for setting in ADDRESS_SETTINGS if setting.name in ("CLUB_TASHEEM_ADDR", "CLUB_SWITCH_ADDR")],
    *queue.SETTINGS,  # response targets by tier
    *messaging.SETTINGS,  # announcements and notifications: SMS, email, the outbox
    *signin.SETTINGS,  # the portal's sign-in and joining
    *vault.SEALING_SETTINGS,  # seals sign-in code SMS bodies in the outbox
]


class CrmApp:
    name = "crm"
    default_port = DEFAULT_PORTS["crm"]
    settings = SETTINGS

    def __init__(self) -> None:
        self.servicer = CrmServicer()
        self.pool = None
        self.cards_channel = None  # members, their tiers and segments
        self.wallet_channel = None  # points charged for events and given back
        self.tasheem_channel = None  # member care: coupons and vouchers in the member view
        self.switch_channel = None  # recent transactions in the member view; the journal, for receipts
        self.tasks: list[asyncio.Task] = []

    def servicers(self):
        return [(crm_pb2_grpc.add_CrmServiceServicer_to_server, self.servicer,
                 crm_pb2.DESCRIPTOR.services_by_name["CrmService"].full_name)]

    async def start(self, runtime: Runtime) -> None:
        config = runtime.config
        self.pool = await db.open_pool(config.database_url, "crm", config.db_pool_min, config.db_pool_max)
        deps = Deps(pool=self.pool, log=runtime.log, time_zone=config.time_zone, checkin_key=checkin.code_key(config))
        self.cards_channel = clients.channel(config.cards_addr, config.tls_dir, "crm")
        deps.cards = cards_pb2_grpc.CardServiceStub(self.cards_channel)
        self.wallet_channel = clients.channel(config.wallet_addr, config.tls_dir, "crm")
        deps.wallet = wallet_pb2_grpc.WalletServiceStub(self.wallet_channel)
        self.tasheem_channel = clients.channel(config.tasheem_addr, config.tls_dir, "crm")
        deps.tasheem = tasheem_pb2_grpc.TasheemServiceStub(self.tasheem_channel)
        self.switch_channel = clients.channel(config.switch_addr, config.tls_dir, "crm")
        deps.switch = authorization_pb2_grpc.AuthorizationServiceStub(self.switch_channel)
        deps.response_targets = config.crm_response_targets
        deps.signin_key = signin.code_key(config)
        deps.vault = vault.Vault.from_config(config, pan_lookups=False)
        deps.auth_secret = auth.secret_from(config.env, config.auth_secret)
        deps.member_token_ttl = config.member_token_ttl_seconds
        deps.join_card_product_id = config.join_card_product_id
        self.servicer.deps = deps
        self.tasks = [asyncio.create_task(invitations.run_sweeps(deps), name="points-returns"),
                      asyncio.create_task(queue.run_sweeps(deps, config.crm_queue_sweep_seconds),
                                          name="response-targets"),
                      asyncio.create_task(messaging.worker(config, deps).run(), name="outbox")]
        if config.receipt_sms:
            self.tasks.append(asyncio.create_task(receipts.Receipts(deps, deps.switch).run(), name="receipts"))

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for channel in (self.cards_channel, self.wallet_channel, self.tasheem_channel, self.switch_channel):
            if channel:
                await channel.close()
        if self.pool:
            await self.pool.close()
