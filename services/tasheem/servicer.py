"""The gRPC face of tasheem: requests in, domain functions, protos out."""

from __future__ import annotations

import datetime as dt
import functools

import psycopg
from google.protobuf.timestamp_pb2 import Timestamp

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from services.shared import batching, redis_scripts
from services.shared.errors import FieldError, Unavailable

from . import (
    benefits,
    budgets,
    coupon_codes,
    coupons,
    dashboard,
    merchant_users,
    offer_store,
    quote,
    registry,
    rewards,
    settlement,
    terminals,
)
from .context import Deps


def timestamp(value: dt.datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value.astimezone(dt.UTC))
    return stamp


def party_proto(row: dict) -> pb.Party:
    return pb.Party(party_id=row["party_id"], name=row["name"], created_at=timestamp(row["created_at"]))


def merchant_proto(row: dict) -> pb.Merchant:
    return pb.Merchant(
        merchant_id=row["merchant_id"], name=row["name"], mcc=row["mcc"], group=row["grp"], active=row["active"],
        created_at=timestamp(row["created_at"]),
        beneficiaries=[pb.Beneficiary(iban=b.iban, name=b.name, ratio_bp=b.ratio_bp, fixed_amount=b.fixed_amount,
                                      remainder=b.remainder) for b in row["beneficiaries"]])


def dependency_errors(method):
    """Postgres or Redis unreachable: UNAVAILABLE (retry), never a half-done change."""

    @functools.wraps(method)
    async def wrapped(self, request, context):
        try:
            return await method(self, request, context)
        except (psycopg.OperationalError, *redis_scripts.UNAVAILABLE) as exc:
            self.deps.log.warning("dependency unavailable", extra={"error": type(exc).__name__})
            raise Unavailable("a dependency is unavailable; retry") from exc

    return wrapped


class TasheemServicer(tasheem_pb2_grpc.TasheemServiceServicer):
    deps: Deps

    # ---------- parties ----------
    @dependency_errors
    async def CreateParty(self, request, context):
        return party_proto(await registry.create_party(self.deps, request))

    @dependency_errors
    async def ListParties(self, request, context):
        return pb.ListPartiesResponse(parties=[party_proto(row) for row in await registry.list_parties(self.deps)])

    # ---------- merchants ----------
    @dependency_errors
    async def CreateMerchant(self, request, context):
        return merchant_proto(await registry.create_merchant(self.deps, request))

    @dependency_errors
    async def GetMerchant(self, request, context):
        return merchant_proto(await registry.get_merchant(self.deps, request.merchant_id))

    @dependency_errors
    async def UpdateMerchant(self, request, context):
        return merchant_proto(await registry.update_merchant(self.deps, request))

    @dependency_errors
    async def ListMerchants(self, request, context):
        rows, token = await registry.list_merchants(self.deps, request)
        return pb.ListMerchantsResponse(merchants=[merchant_proto(row) for row in rows], next_page_token=token)

    @dependency_errors
    async def SetBeneficiaries(self, request, context):
        return merchant_proto(await registry.set_beneficiaries(self.deps, request))

    # ---------- offers ----------
    @dependency_errors
    async def CreateOffer(self, request, context):
        return await offer_store.create(self.deps, request.offer)

    @dependency_errors
    async def UpdateOffer(self, request, context):
        if not request.offer.offer_id:
            raise FieldError("offer.offer_id", "is required")
        return await offer_store.update(self.deps, request.offer)

    @dependency_errors
    async def GetOffer(self, request, context):
        return await offer_store.get(self.deps, request.offer_id)

    @dependency_errors
    async def ListOffers(self, request, context):
        offers, token = await offer_store.list_offers(self.deps, request)
        return pb.ListOffersResponse(offers=offers, next_page_token=token)

    @dependency_errors
    async def SetOfferActive(self, request, context):
        return await offer_store.set_active(self.deps, request.offer_id, request.active)

    # ---------- purchase path ----------
    @dependency_errors
    async def Quote(self, request, context):
        return await quote.quote(self.deps, request)

    async def QuoteBatch(self, request, context):
        return pb.QuoteBatchResponse(items=await batching.answer_items(
            request.items, lambda item: self.Quote(item, context), pb.QuoteResult, self.deps.log, "QuoteBatch"))

    @dependency_errors
    async def Release(self, request, context):
        if not request.transaction_id:
            raise FieldError("transaction_id", "is required")
        return pb.ReleaseResponse(released=await budgets.release(self.deps, request.transaction_id))

    @dependency_errors
    async def ReleasePart(self, request, context):
        if not request.transaction_id:
            raise FieldError("transaction_id", "is required")
        if request.stands < 0:
            raise FieldError("stands", "must not be negative")
        return pb.ReleasePartResponse(
            discount_released=await budgets.release_part(self.deps, request.transaction_id, request.stands))

    # ---------- settlement ----------
    @dependency_errors
    async def CloseBatch(self, request, context):
        cutoff = request.cutoff.ToDatetime(dt.UTC) if request.HasField("cutoff") else None
        return await settlement.close_batch(self.deps, cutoff)

    @dependency_errors
    async def GetBatch(self, request, context):
        return await settlement.get_batch(self.deps, request.batch_id, request.merchant_id)

    @dependency_errors
    async def ListBatches(self, request, context):
        batches, token = await settlement.list_batches(self.deps, request)
        return pb.ListBatchesResponse(batches=batches, next_page_token=token)

    @dependency_errors
    async def GetMerchantStatement(self, request, context):
        return await settlement.statement(self.deps, request.batch_id, "merchants", request.merchant_id)

    @dependency_errors
    async def GetFunderStatement(self, request, context):
        return await settlement.statement(self.deps, request.batch_id, "funders", request.party_id)

    @dependency_errors
    async def ListBatchTransactions(self, request, context):
        return await settlement.batch_transactions(self.deps, request.batch_id, request.merchant_id)

    @dependency_errors
    async def ReconcileTerminalTotals(self, request, context):
        return await terminals.reconcile(self.deps, request)

    @dependency_errors
    async def ListTerminalReconciliations(self, request, context):
        return await terminals.list_results(self.deps, request)

    # ---------- coupons ----------
    @dependency_errors
    async def AssignCoupons(self, request, context):
        return await coupons.assign(self.deps, request)

    @dependency_errors
    async def GenerateCouponCodes(self, request, context):
        return await coupon_codes.generate(self.deps, request)

    @dependency_errors
    async def CreateSharedCode(self, request, context):
        return await coupon_codes.create_shared(self.deps, request)

    @dependency_errors
    async def ClaimCoupon(self, request, context):
        return await coupon_codes.claim(self.deps, request)

    @dependency_errors
    async def ListCoupons(self, request, context):
        return await coupons.list_for_member(self.deps, request)

    # ---------- rewards and vouchers ----------
    @dependency_errors
    async def CreateReward(self, request, context):
        return await rewards.create(self.deps, request.reward)

    @dependency_errors
    async def GetReward(self, request, context):
        return await rewards.get(self.deps, request.reward_id)

    @dependency_errors
    async def ListRewards(self, request, context):
        return pb.ListRewardsResponse(rewards=await rewards.list_rewards(self.deps, request))

    @dependency_errors
    async def RedeemReward(self, request, context):
        return await rewards.redeem(self.deps, request)

    @dependency_errors
    async def CancelVoucher(self, request, context):
        return await rewards.cancel_voucher(self.deps, request)

    @dependency_errors
    async def ExpireVouchers(self, request, context):
        expired, refunded = await rewards.sweep(self.deps)
        return pb.ExpireVouchersResponse(expired=expired, refunded=refunded)

    # ---------- merchant users and the merchant portal ----------
    @dependency_errors
    async def CreateMerchantUser(self, request, context):
        return await merchant_users.create(self.deps, request)

    @dependency_errors
    async def ListMerchantUsers(self, request, context):
        return await merchant_users.list_users(self.deps, request)

    @dependency_errors
    async def UpdateMerchantUser(self, request, context):
        return await merchant_users.update(self.deps, request)

    @dependency_errors
    async def ChangeMerchantPassword(self, request, context):
        return await merchant_users.change_password(self.deps, request)

    @dependency_errors
    async def MerchantSignIn(self, request, context):
        return await merchant_users.sign_in(self.deps, request)

    @dependency_errors
    async def GetMerchantDashboard(self, request, context):
        return await dashboard.dashboard(self.deps, request.merchant_id)

    # ---------- members ----------
    @dependency_errors
    async def ListBenefits(self, request, context):
        return await benefits.list_benefits(self.deps, request)
