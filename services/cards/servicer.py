"""The gRPC face of the cards service: requests in, domain functions, protos out."""

from __future__ import annotations

import datetime as dt

from google.protobuf.timestamp_pb2 import Timestamp

from services.gen.club.cards.v1 import cards_pb2 as pb
from services.gen.club.cards.v1 import cards_pb2_grpc
from services.shared import auth, batching
from services.shared.auth_policy import MEMBER

from . import authorize, cards, issuance, members, products, terminals, validate
from .context import Deps
from .lifecycle import STATUS_TO_PROTO
from .products import KIND_VALUES

ACTOR_METADATA_KEY = "x-actor"  # who did it (a person or a process); defaults to the channel


def actor_of(context) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == ACTOR_METADATA_KEY:
            text = value.decode() if isinstance(value, bytes) else value
            return validate.name(text, ACTOR_METADATA_KEY)[:validate.MAX_NAME_LENGTH]
    return ""


def by_member() -> bool:
    """The call is a member's own (a member token): the handler applies a member's narrower rules."""
    caller = auth.current_caller()
    return caller is not None and caller.authenticated and caller.role == MEMBER


def timestamp(value: dt.datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value.astimezone(dt.UTC))
    return stamp


def member_proto(row: dict) -> pb.Member:
    return pb.Member(
        member_id=str(row["member_id"]), phone=row["phone"], national_id=row["national_id"],
        first_name=row["first_name"], last_name=row["last_name"], email=row["email"],
        birth_date=row["birth_date"].isoformat() if row["birth_date"] else "", segment=row["segment"],
        tier=row["tier"], preferences=row["preferences"],
        consents=[pb.Consent(purpose=c["purpose"], granted=c["granted"], at=timestamp(dt.datetime.fromisoformat(c["at"])))
                  for c in row["consents"]],
        created_at=timestamp(row["created_at"]), updated_at=timestamp(row["updated_at"]))


def product_proto(row: dict) -> pb.Product:
    return pb.Product(
        product_id=str(row["product_id"]), name=row["name"], bin=row["bin"], pan_length=row["pan_length"],
        kind=KIND_VALUES[row["kind"]], currency=row["currency"], validity_months=row["validity_months"],
        service_code=row["service_code"], pin_required=row["pin_required"],
        limits=pb.ProductLimits(per_transaction_amount=row["per_transaction_amount"], daily_amount=row["daily_amount"],
                                daily_count=row["daily_count"]),
        allowed_processing=row["allowed_processing"], created_at=timestamp(row["created_at"]))


def card_proto(row: dict) -> pb.Card:
    return pb.Card(
        card_token=row["card_token"], masked_pan=row["masked_pan"], member_id=str(row["member_id"]),
        product_id=str(row["product_id"]), status=STATUS_TO_PROTO[row["status"]], expiry=row["expiry"],
        pin_tries=row["pin_tries"], pin_set=row["pvv"] is not None, replaced_by=row["replaced_by"] or "",
        campaign=row["campaign"], issued_at=timestamp(row["issued_at"]), updated_at=timestamp(row["updated_at"]),
        virtual=row["virtual"])


def event_proto(row: dict) -> pb.CardEvent:
    return pb.CardEvent(
        card_token=row["card_token"], from_status=STATUS_TO_PROTO.get(row["from_status"], pb.CARD_STATUS_UNSPECIFIED),
        to_status=STATUS_TO_PROTO[row["to_status"]], event=row["event"], reason_code=row["reason_code"],
        channel=row["channel"], actor=row["actor"], at=timestamp(row["at"]))


def terminal_proto(row: dict) -> pb.Terminal:
    return pb.Terminal(
        terminal_id=row["terminal_id"], merchant_id=row["merchant_id"], status=terminals.STATUS_TO_PROTO[row["status"]],
        pin_key_kcv=row["pin_key_kcv"], mac_key_kcv=row["mac_key_kcv"], key_version=row["key_version"],
        created_at=timestamp(row["created_at"]))


def issued_proto(row: dict, pan: str, cvv2: str) -> pb.IssueCardResponse:
    return pb.IssueCardResponse(card=card_proto(row), pan=pan, cvv2=cvv2)


class CardServicer(cards_pb2_grpc.CardServiceServicer):
    def __init__(self) -> None:
        self.deps: Deps | None = None  # set by CardsApp.start

    # ---- members ----

    async def RegisterMember(self, request, context):
        return member_proto(await members.register(self.deps, request))

    async def GetMember(self, request, context):
        return member_proto(await members.get(self.deps, request.member_id))

    async def UpdateMember(self, request, context):
        return member_proto(await members.update(self.deps, request, by_member=by_member()))

    async def ListMembers(self, request, context):
        rows, token = await members.list_members(self.deps, request)
        return pb.ListMembersResponse(members=[member_proto(row) for row in rows], next_page_token=token)

    async def SetMemberTier(self, request, context):
        return member_proto(await members.set_tier(self.deps, request))

    # ---- products ----

    async def CreateProduct(self, request, context):
        return product_proto(await products.create(self.deps, request))

    async def GetProduct(self, request, context):
        return product_proto(await products.get(self.deps, request.product_id))

    async def ListProducts(self, request, context):
        rows, token = await products.list_products(self.deps, request)
        return pb.ListProductsResponse(products=[product_proto(row) for row in rows], next_page_token=token)

    # ---- cards ----

    async def IssueCard(self, request, context):
        return issued_proto(*await issuance.issue(self.deps, request, actor_of(context)))

    async def BulkIssueCards(self, request, context):
        async for progress in issuance.bulk_issue(self.deps, request, actor_of(context)):
            yield pb.BulkIssueProgress(issued=progress.issued, total=progress.total, done=progress.done,
                                       printing_file=progress.printing_file, batch_id=progress.batch_id)

    async def GetCard(self, request, context):
        return card_proto(await cards.get(self.deps, request))

    async def ListCards(self, request, context):
        rows, token = await cards.list_cards(self.deps, request)
        return pb.ListCardsResponse(cards=[card_proto(row) for row in rows], next_page_token=token)

    async def ActivateCard(self, request, context):
        return card_proto(await cards.activate(self.deps, request, actor_of(context)))

    async def ChangeCardStatus(self, request, context):
        return card_proto(await cards.change_status(self.deps, request, actor_of(context), by_member=by_member()))

    async def ReplaceCard(self, request, context):
        return issued_proto(*await issuance.replace(self.deps, request, actor_of(context)))

    async def ChangePin(self, request, context):
        return card_proto(await cards.change_pin(self.deps, request, actor_of(context)))

    async def ResetPinTries(self, request, context):
        return card_proto(await cards.reset_pin_tries(self.deps, request, actor_of(context)))

    async def ListCardEvents(self, request, context):
        rows, token = await cards.list_events(self.deps, request)
        return pb.ListCardEventsResponse(events=[event_proto(row) for row in rows], next_page_token=token)

    async def AuthorizeCard(self, request, context):
        return await authorize.authorize(self.deps, request)

    async def AuthorizeCards(self, request, context):
        return pb.AuthorizeCardsResponse(items=await batching.answer_items(
            request.items, lambda item: self.AuthorizeCard(item, context), pb.AuthorizeCardResult, self.deps.log,
            "AuthorizeCards"))

    # ---- terminals ----

    async def RegisterTerminal(self, request, context):
        return terminal_proto(await terminals.register(self.deps, request, actor_of(context)))

    async def GetTerminal(self, request, context):
        return terminal_proto(await terminals.get(self.deps, request.terminal_id))

    async def ListTerminals(self, request, context):
        rows, token = await terminals.list_terminals(self.deps, request)
        return pb.ListTerminalsResponse(terminals=[terminal_proto(row) for row in rows], next_page_token=token)

    async def ChangeTerminalStatus(self, request, context):
        return terminal_proto(await terminals.change_status(self.deps, request, actor_of(context)))

    async def ChangeTerminalKeys(self, request, context):
        return terminal_proto(await terminals.change_keys(self.deps, request, actor_of(context)))

    async def GetTerminalKeys(self, request, context):
        terminal = await terminals.profile(self.deps, request.terminal_id)
        return pb.TerminalKeys(terminal_id=terminal.terminal_id, merchant_id=terminal.merchant_id,
                               status=terminals.STATUS_TO_PROTO[terminal.status],
                               mac_key=terminals.mac_key(self.deps, terminal), key_version=terminal.key_version)
