import datetime

from services.gen.club.common.v1 import batch_pb2 as _batch_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LimitPeriod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LIMIT_PERIOD_UNSPECIFIED: _ClassVar[LimitPeriod]
    LIMIT_PERIOD_DAY: _ClassVar[LimitPeriod]
    LIMIT_PERIOD_WEEK: _ClassVar[LimitPeriod]
    LIMIT_PERIOD_MONTH: _ClassVar[LimitPeriod]
    LIMIT_PERIOD_CAMPAIGN: _ClassVar[LimitPeriod]

class Stacking(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STACKING_UNSPECIFIED: _ClassVar[Stacking]
    STACKING_EXCLUSIVE: _ClassVar[Stacking]
    STACKING_STACKABLE: _ClassVar[Stacking]

class QuoteOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    QUOTE_OUTCOME_UNSPECIFIED: _ClassVar[QuoteOutcome]
    QUOTE_OUTCOME_OK: _ClassVar[QuoteOutcome]
    QUOTE_OUTCOME_UNKNOWN_MERCHANT: _ClassVar[QuoteOutcome]

class BatchStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BATCH_STATUS_UNSPECIFIED: _ClassVar[BatchStatus]
    BATCH_STATUS_CLOSED: _ClassVar[BatchStatus]
    BATCH_STATUS_RECONCILED: _ClassVar[BatchStatus]
    BATCH_STATUS_MISMATCH: _ClassVar[BatchStatus]

class CouponState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COUPON_STATE_UNSPECIFIED: _ClassVar[CouponState]
    COUPON_STATE_AVAILABLE: _ClassVar[CouponState]
    COUPON_STATE_USED: _ClassVar[CouponState]
    COUPON_STATE_EXPIRED: _ClassVar[CouponState]
    COUPON_STATE_CANCELLED: _ClassVar[CouponState]

class CouponSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COUPON_SOURCE_UNSPECIFIED: _ClassVar[CouponSource]
    COUPON_SOURCE_ASSIGNED: _ClassVar[CouponSource]
    COUPON_SOURCE_CODE: _ClassVar[CouponSource]
    COUPON_SOURCE_VOUCHER: _ClassVar[CouponSource]

class VoucherExpiry(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VOUCHER_EXPIRY_UNSPECIFIED: _ClassVar[VoucherExpiry]
    VOUCHER_EXPIRY_FORFEIT: _ClassVar[VoucherExpiry]
    VOUCHER_EXPIRY_REFUND: _ClassVar[VoucherExpiry]

class BenefitKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BENEFIT_KIND_UNSPECIFIED: _ClassVar[BenefitKind]
    BENEFIT_KIND_OFFER: _ClassVar[BenefitKind]
    BENEFIT_KIND_COUPON: _ClassVar[BenefitKind]
    BENEFIT_KIND_VOUCHER: _ClassVar[BenefitKind]
    BENEFIT_KIND_PRIVILEGE: _ClassVar[BenefitKind]
LIMIT_PERIOD_UNSPECIFIED: LimitPeriod
LIMIT_PERIOD_DAY: LimitPeriod
LIMIT_PERIOD_WEEK: LimitPeriod
LIMIT_PERIOD_MONTH: LimitPeriod
LIMIT_PERIOD_CAMPAIGN: LimitPeriod
STACKING_UNSPECIFIED: Stacking
STACKING_EXCLUSIVE: Stacking
STACKING_STACKABLE: Stacking
QUOTE_OUTCOME_UNSPECIFIED: QuoteOutcome
QUOTE_OUTCOME_OK: QuoteOutcome
QUOTE_OUTCOME_UNKNOWN_MERCHANT: QuoteOutcome
BATCH_STATUS_UNSPECIFIED: BatchStatus
BATCH_STATUS_CLOSED: BatchStatus
BATCH_STATUS_RECONCILED: BatchStatus
BATCH_STATUS_MISMATCH: BatchStatus
COUPON_STATE_UNSPECIFIED: CouponState
COUPON_STATE_AVAILABLE: CouponState
COUPON_STATE_USED: CouponState
COUPON_STATE_EXPIRED: CouponState
COUPON_STATE_CANCELLED: CouponState
COUPON_SOURCE_UNSPECIFIED: CouponSource
COUPON_SOURCE_ASSIGNED: CouponSource
COUPON_SOURCE_CODE: CouponSource
COUPON_SOURCE_VOUCHER: CouponSource
VOUCHER_EXPIRY_UNSPECIFIED: VoucherExpiry
VOUCHER_EXPIRY_FORFEIT: VoucherExpiry
VOUCHER_EXPIRY_REFUND: VoucherExpiry
BENEFIT_KIND_UNSPECIFIED: BenefitKind
BENEFIT_KIND_OFFER: BenefitKind
BENEFIT_KIND_COUPON: BenefitKind
BENEFIT_KIND_VOUCHER: BenefitKind
BENEFIT_KIND_PRIVILEGE: BenefitKind

class Party(_message.Message):
    __slots__ = ("party_id", "name", "created_at")
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    party_id: str
    name: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, party_id: _Optional[str] = ..., name: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreatePartyRequest(_message.Message):
    __slots__ = ("party_id", "name")
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    party_id: str
    name: str
    def __init__(self, party_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class ListPartiesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListPartiesResponse(_message.Message):
    __slots__ = ("parties",)
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    parties: _containers.RepeatedCompositeFieldContainer[Party]
    def __init__(self, parties: _Optional[_Iterable[_Union[Party, _Mapping]]] = ...) -> None: ...

class Beneficiary(_message.Message):
    __slots__ = ("iban", "name", "ratio_bp", "fixed_amount", "remainder")
    IBAN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RATIO_BP_FIELD_NUMBER: _ClassVar[int]
    FIXED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REMAINDER_FIELD_NUMBER: _ClassVar[int]
    iban: str
    name: str
    ratio_bp: int
    fixed_amount: int
    remainder: bool
    def __init__(self, iban: _Optional[str] = ..., name: _Optional[str] = ..., ratio_bp: _Optional[int] = ..., fixed_amount: _Optional[int] = ..., remainder: _Optional[bool] = ...) -> None: ...

class Merchant(_message.Message):
    __slots__ = ("merchant_id", "name", "mcc", "group", "beneficiaries", "active", "created_at")
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MCC_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    BENEFICIARIES_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    merchant_id: str
    name: str
    mcc: str
    group: str
    beneficiaries: _containers.RepeatedCompositeFieldContainer[Beneficiary]
    active: bool
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, merchant_id: _Optional[str] = ..., name: _Optional[str] = ..., mcc: _Optional[str] = ..., group: _Optional[str] = ..., beneficiaries: _Optional[_Iterable[_Union[Beneficiary, _Mapping]]] = ..., active: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateMerchantRequest(_message.Message):
    __slots__ = ("merchant_id", "name", "mcc", "group", "beneficiaries")
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MCC_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    BENEFICIARIES_FIELD_NUMBER: _ClassVar[int]
    merchant_id: str
    name: str
    mcc: str
    group: str
    beneficiaries: _containers.RepeatedCompositeFieldContainer[Beneficiary]
    def __init__(self, merchant_id: _Optional[str] = ..., name: _Optional[str] = ..., mcc: _Optional[str] = ..., group: _Optional[str] = ..., beneficiaries: _Optional[_Iterable[_Union[Beneficiary, _Mapping]]] = ...) -> None: ...

class GetMerchantRequest(_message.Message):
    __slots__ = ("merchant_id",)
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    merchant_id: str
    def __init__(self, merchant_id: _Optional[str] = ...) -> None: ...

class UpdateMerchantRequest(_message.Message):
    __slots__ = ("merchant_id", "name", "mcc", "group", "active")
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MCC_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    merchant_id: str
    name: str
    mcc: str
    group: str
    active: bool
    def __init__(self, merchant_id: _Optional[str] = ..., name: _Optional[str] = ..., mcc: _Optional[str] = ..., group: _Optional[str] = ..., active: _Optional[bool] = ...) -> None: ...

class ListMerchantsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "group")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    group: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., group: _Optional[str] = ...) -> None: ...

class ListMerchantsResponse(_message.Message):
    __slots__ = ("merchants", "next_page_token")
    MERCHANTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    merchants: _containers.RepeatedCompositeFieldContainer[Merchant]
    next_page_token: str
    def __init__(self, merchants: _Optional[_Iterable[_Union[Merchant, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SetBeneficiariesRequest(_message.Message):
    __slots__ = ("merchant_id", "beneficiaries")
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    BENEFICIARIES_FIELD_NUMBER: _ClassVar[int]
    merchant_id: str
    beneficiaries: _containers.RepeatedCompositeFieldContainer[Beneficiary]
    def __init__(self, merchant_id: _Optional[str] = ..., beneficiaries: _Optional[_Iterable[_Union[Beneficiary, _Mapping]]] = ...) -> None: ...

class OfferScope(_message.Message):
    __slots__ = ("merchant_ids", "merchant_groups", "mccs", "terminal_ids", "product_ids", "tiers", "segments")
    MERCHANT_IDS_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_GROUPS_FIELD_NUMBER: _ClassVar[int]
    MCCS_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_IDS_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_IDS_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    merchant_ids: _containers.RepeatedScalarFieldContainer[str]
    merchant_groups: _containers.RepeatedScalarFieldContainer[str]
    mccs: _containers.RepeatedScalarFieldContainer[str]
    terminal_ids: _containers.RepeatedScalarFieldContainer[str]
    product_ids: _containers.RepeatedScalarFieldContainer[str]
    tiers: _containers.RepeatedScalarFieldContainer[str]
    segments: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, merchant_ids: _Optional[_Iterable[str]] = ..., merchant_groups: _Optional[_Iterable[str]] = ..., mccs: _Optional[_Iterable[str]] = ..., terminal_ids: _Optional[_Iterable[str]] = ..., product_ids: _Optional[_Iterable[str]] = ..., tiers: _Optional[_Iterable[str]] = ..., segments: _Optional[_Iterable[str]] = ...) -> None: ...

class OfferWindow(_message.Message):
    __slots__ = ("starts_at", "ends_at", "days_of_week", "from_time", "to_time", "time_zone")
    STARTS_AT_FIELD_NUMBER: _ClassVar[int]
    ENDS_AT_FIELD_NUMBER: _ClassVar[int]
    DAYS_OF_WEEK_FIELD_NUMBER: _ClassVar[int]
    FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    TO_TIME_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    starts_at: _timestamp_pb2.Timestamp
    ends_at: _timestamp_pb2.Timestamp
    days_of_week: _containers.RepeatedScalarFieldContainer[int]
    from_time: str
    to_time: str
    time_zone: str
    def __init__(self, starts_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ends_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., days_of_week: _Optional[_Iterable[int]] = ..., from_time: _Optional[str] = ..., to_time: _Optional[str] = ..., time_zone: _Optional[str] = ...) -> None: ...

class Discount(_message.Message):
    __slots__ = ("percent_bp", "fixed_amount", "cap")
    PERCENT_BP_FIELD_NUMBER: _ClassVar[int]
    FIXED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CAP_FIELD_NUMBER: _ClassVar[int]
    percent_bp: int
    fixed_amount: int
    cap: int
    def __init__(self, percent_bp: _Optional[int] = ..., fixed_amount: _Optional[int] = ..., cap: _Optional[int] = ...) -> None: ...

class PointsRule(_message.Message):
    __slots__ = ("bonus_points", "multiplier_pct")
    BONUS_POINTS_FIELD_NUMBER: _ClassVar[int]
    MULTIPLIER_PCT_FIELD_NUMBER: _ClassVar[int]
    bonus_points: int
    multiplier_pct: int
    def __init__(self, bonus_points: _Optional[int] = ..., multiplier_pct: _Optional[int] = ...) -> None: ...

class MemberLimit(_message.Message):
    __slots__ = ("period", "max_uses", "max_discount")
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    MAX_USES_FIELD_NUMBER: _ClassVar[int]
    MAX_DISCOUNT_FIELD_NUMBER: _ClassVar[int]
    period: LimitPeriod
    max_uses: int
    max_discount: int
    def __init__(self, period: _Optional[_Union[LimitPeriod, str]] = ..., max_uses: _Optional[int] = ..., max_discount: _Optional[int] = ...) -> None: ...

class FundingRule(_message.Message):
    __slots__ = ("party_id", "percent_bp", "fixed_amount", "remainder")
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    PERCENT_BP_FIELD_NUMBER: _ClassVar[int]
    FIXED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REMAINDER_FIELD_NUMBER: _ClassVar[int]
    party_id: str
    percent_bp: int
    fixed_amount: int
    remainder: bool
    def __init__(self, party_id: _Optional[str] = ..., percent_bp: _Optional[int] = ..., fixed_amount: _Optional[int] = ..., remainder: _Optional[bool] = ...) -> None: ...

class Offer(_message.Message):
    __slots__ = ("offer_id", "name", "campaign", "scope", "window", "min_amount", "discount", "points", "member_limits", "budget", "budget_used", "priority", "stacking", "stacks_with", "funding", "active", "created_at", "coupon_required", "coupons_per_member", "reward_id")
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    MIN_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    MEMBER_LIMITS_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    BUDGET_USED_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    STACKING_FIELD_NUMBER: _ClassVar[int]
    STACKS_WITH_FIELD_NUMBER: _ClassVar[int]
    FUNDING_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    COUPON_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    COUPONS_PER_MEMBER_FIELD_NUMBER: _ClassVar[int]
    REWARD_ID_FIELD_NUMBER: _ClassVar[int]
    offer_id: str
    name: str
    campaign: str
    scope: OfferScope
    window: OfferWindow
    min_amount: int
    discount: Discount
    points: PointsRule
    member_limits: _containers.RepeatedCompositeFieldContainer[MemberLimit]
    budget: int
    budget_used: int
    priority: int
    stacking: Stacking
    stacks_with: _containers.RepeatedScalarFieldContainer[str]
    funding: _containers.RepeatedCompositeFieldContainer[FundingRule]
    active: bool
    created_at: _timestamp_pb2.Timestamp
    coupon_required: bool
    coupons_per_member: int
    reward_id: str
    def __init__(self, offer_id: _Optional[str] = ..., name: _Optional[str] = ..., campaign: _Optional[str] = ..., scope: _Optional[_Union[OfferScope, _Mapping]] = ..., window: _Optional[_Union[OfferWindow, _Mapping]] = ..., min_amount: _Optional[int] = ..., discount: _Optional[_Union[Discount, _Mapping]] = ..., points: _Optional[_Union[PointsRule, _Mapping]] = ..., member_limits: _Optional[_Iterable[_Union[MemberLimit, _Mapping]]] = ..., budget: _Optional[int] = ..., budget_used: _Optional[int] = ..., priority: _Optional[int] = ..., stacking: _Optional[_Union[Stacking, str]] = ..., stacks_with: _Optional[_Iterable[str]] = ..., funding: _Optional[_Iterable[_Union[FundingRule, _Mapping]]] = ..., active: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., coupon_required: _Optional[bool] = ..., coupons_per_member: _Optional[int] = ..., reward_id: _Optional[str] = ...) -> None: ...

class CreateOfferRequest(_message.Message):
    __slots__ = ("offer",)
    OFFER_FIELD_NUMBER: _ClassVar[int]
    offer: Offer
    def __init__(self, offer: _Optional[_Union[Offer, _Mapping]] = ...) -> None: ...

class UpdateOfferRequest(_message.Message):
    __slots__ = ("offer",)
    OFFER_FIELD_NUMBER: _ClassVar[int]
    offer: Offer
    def __init__(self, offer: _Optional[_Union[Offer, _Mapping]] = ...) -> None: ...

class GetOfferRequest(_message.Message):
    __slots__ = ("offer_id",)
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    offer_id: str
    def __init__(self, offer_id: _Optional[str] = ...) -> None: ...

class ListOffersRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "active_only", "merchant_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_ONLY_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    active_only: bool
    merchant_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., active_only: _Optional[bool] = ..., merchant_id: _Optional[str] = ...) -> None: ...

class ListOffersResponse(_message.Message):
    __slots__ = ("offers", "next_page_token")
    OFFERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    offers: _containers.RepeatedCompositeFieldContainer[Offer]
    next_page_token: str
    def __init__(self, offers: _Optional[_Iterable[_Union[Offer, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SetOfferActiveRequest(_message.Message):
    __slots__ = ("offer_id", "active")
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    offer_id: str
    active: bool
    def __init__(self, offer_id: _Optional[str] = ..., active: _Optional[bool] = ...) -> None: ...

class QuoteRequest(_message.Message):
    __slots__ = ("transaction_id", "merchant_id", "terminal_id", "product_id", "tier", "segment", "member_id", "amount", "at", "reserve")
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    RESERVE_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    merchant_id: str
    terminal_id: str
    product_id: str
    tier: str
    segment: str
    member_id: str
    amount: int
    at: _timestamp_pb2.Timestamp
    reserve: bool
    def __init__(self, transaction_id: _Optional[str] = ..., merchant_id: _Optional[str] = ..., terminal_id: _Optional[str] = ..., product_id: _Optional[str] = ..., tier: _Optional[str] = ..., segment: _Optional[str] = ..., member_id: _Optional[str] = ..., amount: _Optional[int] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reserve: _Optional[bool] = ...) -> None: ...

class AppliedOffer(_message.Message):
    __slots__ = ("offer_id", "name", "discount", "points_bonus", "funding", "coupon_id")
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_FIELD_NUMBER: _ClassVar[int]
    POINTS_BONUS_FIELD_NUMBER: _ClassVar[int]
    FUNDING_FIELD_NUMBER: _ClassVar[int]
    COUPON_ID_FIELD_NUMBER: _ClassVar[int]
    offer_id: str
    name: str
    discount: int
    points_bonus: int
    funding: _containers.RepeatedCompositeFieldContainer[FundingAmount]
    coupon_id: str
    def __init__(self, offer_id: _Optional[str] = ..., name: _Optional[str] = ..., discount: _Optional[int] = ..., points_bonus: _Optional[int] = ..., funding: _Optional[_Iterable[_Union[FundingAmount, _Mapping]]] = ..., coupon_id: _Optional[str] = ...) -> None: ...

class FundingAmount(_message.Message):
    __slots__ = ("party_id", "amount")
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    party_id: str
    amount: int
    def __init__(self, party_id: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class QuoteResponse(_message.Message):
    __slots__ = ("transaction_id", "outcome", "offers", "discount", "funding", "points_bonus", "points_multiplier_pct", "net_amount", "mcc", "points_earned", "decided_by")
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    OFFERS_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_FIELD_NUMBER: _ClassVar[int]
    FUNDING_FIELD_NUMBER: _ClassVar[int]
    POINTS_BONUS_FIELD_NUMBER: _ClassVar[int]
    POINTS_MULTIPLIER_PCT_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    MCC_FIELD_NUMBER: _ClassVar[int]
    POINTS_EARNED_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    outcome: QuoteOutcome
    offers: _containers.RepeatedCompositeFieldContainer[AppliedOffer]
    discount: int
    funding: _containers.RepeatedCompositeFieldContainer[FundingAmount]
    points_bonus: int
    points_multiplier_pct: int
    net_amount: int
    mcc: str
    points_earned: int
    decided_by: str
    def __init__(self, transaction_id: _Optional[str] = ..., outcome: _Optional[_Union[QuoteOutcome, str]] = ..., offers: _Optional[_Iterable[_Union[AppliedOffer, _Mapping]]] = ..., discount: _Optional[int] = ..., funding: _Optional[_Iterable[_Union[FundingAmount, _Mapping]]] = ..., points_bonus: _Optional[int] = ..., points_multiplier_pct: _Optional[int] = ..., net_amount: _Optional[int] = ..., mcc: _Optional[str] = ..., points_earned: _Optional[int] = ..., decided_by: _Optional[str] = ...) -> None: ...

class QuoteBatchRequest(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[QuoteRequest]
    def __init__(self, items: _Optional[_Iterable[_Union[QuoteRequest, _Mapping]]] = ...) -> None: ...

class QuoteBatchResponse(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[QuoteResult]
    def __init__(self, items: _Optional[_Iterable[_Union[QuoteResult, _Mapping]]] = ...) -> None: ...

class QuoteResult(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: QuoteResponse
    error: _batch_pb2.ItemError
    def __init__(self, response: _Optional[_Union[QuoteResponse, _Mapping]] = ..., error: _Optional[_Union[_batch_pb2.ItemError, _Mapping]] = ...) -> None: ...

class ReleaseRequest(_message.Message):
    __slots__ = ("transaction_id",)
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    def __init__(self, transaction_id: _Optional[str] = ...) -> None: ...

class ReleaseResponse(_message.Message):
    __slots__ = ("released",)
    RELEASED_FIELD_NUMBER: _ClassVar[int]
    released: bool
    def __init__(self, released: _Optional[bool] = ...) -> None: ...

class ReleasePartRequest(_message.Message):
    __slots__ = ("transaction_id", "stands")
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    STANDS_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    stands: int
    def __init__(self, transaction_id: _Optional[str] = ..., stands: _Optional[int] = ...) -> None: ...

class ReleasePartResponse(_message.Message):
    __slots__ = ("discount_released",)
    DISCOUNT_RELEASED_FIELD_NUMBER: _ClassVar[int]
    discount_released: int
    def __init__(self, discount_released: _Optional[int] = ...) -> None: ...

class MerchantSettlement(_message.Message):
    __slots__ = ("merchant_id", "gross_sales", "discounts", "merchant_borne", "funded_by_party", "refunds", "reversals", "fees", "net_payable", "payouts")
    class FundedByPartyEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    GROSS_SALES_FIELD_NUMBER: _ClassVar[int]
    DISCOUNTS_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_BORNE_FIELD_NUMBER: _ClassVar[int]
    FUNDED_BY_PARTY_FIELD_NUMBER: _ClassVar[int]
    REFUNDS_FIELD_NUMBER: _ClassVar[int]
    REVERSALS_FIELD_NUMBER: _ClassVar[int]
    FEES_FIELD_NUMBER: _ClassVar[int]
    NET_PAYABLE_FIELD_NUMBER: _ClassVar[int]
    PAYOUTS_FIELD_NUMBER: _ClassVar[int]
    merchant_id: str
    gross_sales: int
    discounts: int
    merchant_borne: int
    funded_by_party: _containers.ScalarMap[str, int]
    refunds: int
    reversals: int
    fees: int
    net_payable: int
    payouts: _containers.RepeatedCompositeFieldContainer[BeneficiaryPayout]
    def __init__(self, merchant_id: _Optional[str] = ..., gross_sales: _Optional[int] = ..., discounts: _Optional[int] = ..., merchant_borne: _Optional[int] = ..., funded_by_party: _Optional[_Mapping[str, int]] = ..., refunds: _Optional[int] = ..., reversals: _Optional[int] = ..., fees: _Optional[int] = ..., net_payable: _Optional[int] = ..., payouts: _Optional[_Iterable[_Union[BeneficiaryPayout, _Mapping]]] = ...) -> None: ...

class BeneficiaryPayout(_message.Message):
    __slots__ = ("iban", "name", "amount")
    IBAN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    iban: str
    name: str
    amount: int
    def __init__(self, iban: _Optional[str] = ..., name: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class SettlementBatch(_message.Message):
    __slots__ = ("batch_id", "cutoff", "status", "from_sequence", "to_sequence", "merchants", "total_net_payable", "payout_lines", "settlement_file", "report_dir", "closed_at", "period_start", "payout_at")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    CUTOFF_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FROM_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TO_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    MERCHANTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_NET_PAYABLE_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_LINES_FIELD_NUMBER: _ClassVar[int]
    SETTLEMENT_FILE_FIELD_NUMBER: _ClassVar[int]
    REPORT_DIR_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    PERIOD_START_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_AT_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    cutoff: _timestamp_pb2.Timestamp
    status: BatchStatus
    from_sequence: int
    to_sequence: int
    merchants: _containers.RepeatedCompositeFieldContainer[MerchantSettlement]
    total_net_payable: int
    payout_lines: int
    settlement_file: str
    report_dir: str
    closed_at: _timestamp_pb2.Timestamp
    period_start: _timestamp_pb2.Timestamp
    payout_at: _timestamp_pb2.Timestamp
    def __init__(self, batch_id: _Optional[str] = ..., cutoff: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[BatchStatus, str]] = ..., from_sequence: _Optional[int] = ..., to_sequence: _Optional[int] = ..., merchants: _Optional[_Iterable[_Union[MerchantSettlement, _Mapping]]] = ..., total_net_payable: _Optional[int] = ..., payout_lines: _Optional[int] = ..., settlement_file: _Optional[str] = ..., report_dir: _Optional[str] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., period_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., payout_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CloseBatchRequest(_message.Message):
    __slots__ = ("cutoff",)
    CUTOFF_FIELD_NUMBER: _ClassVar[int]
    cutoff: _timestamp_pb2.Timestamp
    def __init__(self, cutoff: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetBatchRequest(_message.Message):
    __slots__ = ("batch_id", "merchant_id")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    merchant_id: str
    def __init__(self, batch_id: _Optional[str] = ..., merchant_id: _Optional[str] = ...) -> None: ...

class ListBatchesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "merchant_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    merchant_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., merchant_id: _Optional[str] = ...) -> None: ...

class ListBatchesResponse(_message.Message):
    __slots__ = ("batches", "next_page_token")
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    batches: _containers.RepeatedCompositeFieldContainer[SettlementBatch]
    next_page_token: str
    def __init__(self, batches: _Optional[_Iterable[_Union[SettlementBatch, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetMerchantStatementRequest(_message.Message):
    __slots__ = ("batch_id", "merchant_id")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    merchant_id: str
    def __init__(self, batch_id: _Optional[str] = ..., merchant_id: _Optional[str] = ...) -> None: ...

class GetFunderStatementRequest(_message.Message):
    __slots__ = ("batch_id", "party_id")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    party_id: str
    def __init__(self, batch_id: _Optional[str] = ..., party_id: _Optional[str] = ...) -> None: ...

class Statement(_message.Message):
    __slots__ = ("batch_id", "owner_id", "csv", "html", "csv_path", "html_path")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CSV_FIELD_NUMBER: _ClassVar[int]
    HTML_FIELD_NUMBER: _ClassVar[int]
    CSV_PATH_FIELD_NUMBER: _ClassVar[int]
    HTML_PATH_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    owner_id: str
    csv: str
    html: str
    csv_path: str
    html_path: str
    def __init__(self, batch_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., csv: _Optional[str] = ..., html: _Optional[str] = ..., csv_path: _Optional[str] = ..., html_path: _Optional[str] = ...) -> None: ...

class ReconcileTerminalTotalsRequest(_message.Message):
    __slots__ = ("terminal_id", "merchant_id", "purchase_count", "purchase_amount", "refund_count", "refund_amount", "reversal_count", "reversal_amount", "since")
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    PURCHASE_COUNT_FIELD_NUMBER: _ClassVar[int]
    PURCHASE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REFUND_COUNT_FIELD_NUMBER: _ClassVar[int]
    REFUND_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REVERSAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    REVERSAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    terminal_id: str
    merchant_id: str
    purchase_count: int
    purchase_amount: int
    refund_count: int
    refund_amount: int
    reversal_count: int
    reversal_amount: int
    since: _timestamp_pb2.Timestamp
    def __init__(self, terminal_id: _Optional[str] = ..., merchant_id: _Optional[str] = ..., purchase_count: _Optional[int] = ..., purchase_amount: _Optional[int] = ..., refund_count: _Optional[int] = ..., refund_amount: _Optional[int] = ..., reversal_count: _Optional[int] = ..., reversal_amount: _Optional[int] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TotalsMismatch(_message.Message):
    __slots__ = ("field", "terminal_value", "our_value")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_VALUE_FIELD_NUMBER: _ClassVar[int]
    OUR_VALUE_FIELD_NUMBER: _ClassVar[int]
    field: str
    terminal_value: int
    our_value: int
    def __init__(self, field: _Optional[str] = ..., terminal_value: _Optional[int] = ..., our_value: _Optional[int] = ...) -> None: ...

class ReconcileTerminalTotalsResponse(_message.Message):
    __slots__ = ("in_balance", "mismatches")
    IN_BALANCE_FIELD_NUMBER: _ClassVar[int]
    MISMATCHES_FIELD_NUMBER: _ClassVar[int]
    in_balance: bool
    mismatches: _containers.RepeatedCompositeFieldContainer[TotalsMismatch]
    def __init__(self, in_balance: _Optional[bool] = ..., mismatches: _Optional[_Iterable[_Union[TotalsMismatch, _Mapping]]] = ...) -> None: ...

class ListTerminalReconciliationsRequest(_message.Message):
    __slots__ = ("merchant_id", "terminal_id", "page_size", "page_token")
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    merchant_id: str
    terminal_id: str
    page_size: int
    page_token: str
    def __init__(self, merchant_id: _Optional[str] = ..., terminal_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class TerminalReconciliation(_message.Message):
    __slots__ = ("reconciliation_id", "terminal_id", "merchant_id", "since", "until", "in_balance", "mismatches")
    RECONCILIATION_ID_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    IN_BALANCE_FIELD_NUMBER: _ClassVar[int]
    MISMATCHES_FIELD_NUMBER: _ClassVar[int]
    reconciliation_id: int
    terminal_id: str
    merchant_id: str
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    in_balance: bool
    mismatches: _containers.RepeatedCompositeFieldContainer[TotalsMismatch]
    def __init__(self, reconciliation_id: _Optional[int] = ..., terminal_id: _Optional[str] = ..., merchant_id: _Optional[str] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., in_balance: _Optional[bool] = ..., mismatches: _Optional[_Iterable[_Union[TotalsMismatch, _Mapping]]] = ...) -> None: ...

class ListTerminalReconciliationsResponse(_message.Message):
    __slots__ = ("reconciliations", "next_page_token")
    RECONCILIATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    reconciliations: _containers.RepeatedCompositeFieldContainer[TerminalReconciliation]
    next_page_token: str
    def __init__(self, reconciliations: _Optional[_Iterable[_Union[TerminalReconciliation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListBatchTransactionsRequest(_message.Message):
    __slots__ = ("batch_id", "merchant_id")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    merchant_id: str
    def __init__(self, batch_id: _Optional[str] = ..., merchant_id: _Optional[str] = ...) -> None: ...

class BatchTransaction(_message.Message):
    __slots__ = ("figure", "transaction_id", "party_id", "amount", "at", "sequence")
    FIGURE_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    figure: str
    transaction_id: str
    party_id: str
    amount: int
    at: _timestamp_pb2.Timestamp
    sequence: int
    def __init__(self, figure: _Optional[str] = ..., transaction_id: _Optional[str] = ..., party_id: _Optional[str] = ..., amount: _Optional[int] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sequence: _Optional[int] = ...) -> None: ...

class ListBatchTransactionsResponse(_message.Message):
    __slots__ = ("batch_id", "merchant_id", "transactions", "party_names")
    class PartyNamesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    PARTY_NAMES_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    merchant_id: str
    transactions: _containers.RepeatedCompositeFieldContainer[BatchTransaction]
    party_names: _containers.ScalarMap[str, str]
    def __init__(self, batch_id: _Optional[str] = ..., merchant_id: _Optional[str] = ..., transactions: _Optional[_Iterable[_Union[BatchTransaction, _Mapping]]] = ..., party_names: _Optional[_Mapping[str, str]] = ...) -> None: ...

class AssignCouponsRequest(_message.Message):
    __slots__ = ("offer_id", "member_ids", "assignment_id")
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_IDS_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    offer_id: str
    member_ids: _containers.RepeatedScalarFieldContainer[str]
    assignment_id: str
    def __init__(self, offer_id: _Optional[str] = ..., member_ids: _Optional[_Iterable[str]] = ..., assignment_id: _Optional[str] = ...) -> None: ...

class AssignCouponsResponse(_message.Message):
    __slots__ = ("assigned", "already_assigned", "over_member_limit")
    ASSIGNED_FIELD_NUMBER: _ClassVar[int]
    ALREADY_ASSIGNED_FIELD_NUMBER: _ClassVar[int]
    OVER_MEMBER_LIMIT_FIELD_NUMBER: _ClassVar[int]
    assigned: int
    already_assigned: int
    over_member_limit: int
    def __init__(self, assigned: _Optional[int] = ..., already_assigned: _Optional[int] = ..., over_member_limit: _Optional[int] = ...) -> None: ...

class GenerateCouponCodesRequest(_message.Message):
    __slots__ = ("offer_id", "count")
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    offer_id: str
    count: int
    def __init__(self, offer_id: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class GenerateCouponCodesResponse(_message.Message):
    __slots__ = ("codes",)
    CODES_FIELD_NUMBER: _ClassVar[int]
    codes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, codes: _Optional[_Iterable[str]] = ...) -> None: ...

class CreateSharedCodeRequest(_message.Message):
    __slots__ = ("offer_id", "code", "total_uses", "per_member_uses")
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_USES_FIELD_NUMBER: _ClassVar[int]
    PER_MEMBER_USES_FIELD_NUMBER: _ClassVar[int]
    offer_id: str
    code: str
    total_uses: int
    per_member_uses: int
    def __init__(self, offer_id: _Optional[str] = ..., code: _Optional[str] = ..., total_uses: _Optional[int] = ..., per_member_uses: _Optional[int] = ...) -> None: ...

class SharedCode(_message.Message):
    __slots__ = ("offer_id", "total_uses", "claimed", "per_member_uses")
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_USES_FIELD_NUMBER: _ClassVar[int]
    CLAIMED_FIELD_NUMBER: _ClassVar[int]
    PER_MEMBER_USES_FIELD_NUMBER: _ClassVar[int]
    offer_id: str
    total_uses: int
    claimed: int
    per_member_uses: int
    def __init__(self, offer_id: _Optional[str] = ..., total_uses: _Optional[int] = ..., claimed: _Optional[int] = ..., per_member_uses: _Optional[int] = ...) -> None: ...

class ClaimCouponRequest(_message.Message):
    __slots__ = ("member_id", "code")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    code: str
    def __init__(self, member_id: _Optional[str] = ..., code: _Optional[str] = ...) -> None: ...

class Coupon(_message.Message):
    __slots__ = ("coupon_id", "offer_id", "member_id", "state", "source", "transaction_id", "expires_at", "created_at", "reward_id", "points_spent", "name")
    COUPON_ID_FIELD_NUMBER: _ClassVar[int]
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    REWARD_ID_FIELD_NUMBER: _ClassVar[int]
    POINTS_SPENT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    coupon_id: str
    offer_id: str
    member_id: str
    state: CouponState
    source: CouponSource
    transaction_id: str
    expires_at: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    reward_id: str
    points_spent: int
    name: str
    def __init__(self, coupon_id: _Optional[str] = ..., offer_id: _Optional[str] = ..., member_id: _Optional[str] = ..., state: _Optional[_Union[CouponState, str]] = ..., source: _Optional[_Union[CouponSource, str]] = ..., transaction_id: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reward_id: _Optional[str] = ..., points_spent: _Optional[int] = ..., name: _Optional[str] = ...) -> None: ...

class ListCouponsRequest(_message.Message):
    __slots__ = ("member_id", "available_only")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_ONLY_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    available_only: bool
    def __init__(self, member_id: _Optional[str] = ..., available_only: _Optional[bool] = ...) -> None: ...

class ListCouponsResponse(_message.Message):
    __slots__ = ("coupons",)
    COUPONS_FIELD_NUMBER: _ClassVar[int]
    coupons: _containers.RepeatedCompositeFieldContainer[Coupon]
    def __init__(self, coupons: _Optional[_Iterable[_Union[Coupon, _Mapping]]] = ...) -> None: ...

class Reward(_message.Message):
    __slots__ = ("reward_id", "name", "points_price", "stock", "merchant_id", "value", "funded_by", "tiers", "segments", "window", "voucher_valid_days", "on_expiry", "active", "created_at", "redeemed")
    REWARD_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POINTS_PRICE_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    FUNDED_BY_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    VOUCHER_VALID_DAYS_FIELD_NUMBER: _ClassVar[int]
    ON_EXPIRY_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    REDEEMED_FIELD_NUMBER: _ClassVar[int]
    reward_id: str
    name: str
    points_price: int
    stock: int
    merchant_id: str
    value: int
    funded_by: str
    tiers: _containers.RepeatedScalarFieldContainer[str]
    segments: _containers.RepeatedScalarFieldContainer[str]
    window: OfferWindow
    voucher_valid_days: int
    on_expiry: VoucherExpiry
    active: bool
    created_at: _timestamp_pb2.Timestamp
    redeemed: int
    def __init__(self, reward_id: _Optional[str] = ..., name: _Optional[str] = ..., points_price: _Optional[int] = ..., stock: _Optional[int] = ..., merchant_id: _Optional[str] = ..., value: _Optional[int] = ..., funded_by: _Optional[str] = ..., tiers: _Optional[_Iterable[str]] = ..., segments: _Optional[_Iterable[str]] = ..., window: _Optional[_Union[OfferWindow, _Mapping]] = ..., voucher_valid_days: _Optional[int] = ..., on_expiry: _Optional[_Union[VoucherExpiry, str]] = ..., active: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., redeemed: _Optional[int] = ...) -> None: ...

class CreateRewardRequest(_message.Message):
    __slots__ = ("reward",)
    REWARD_FIELD_NUMBER: _ClassVar[int]
    reward: Reward
    def __init__(self, reward: _Optional[_Union[Reward, _Mapping]] = ...) -> None: ...

class GetRewardRequest(_message.Message):
    __slots__ = ("reward_id",)
    REWARD_ID_FIELD_NUMBER: _ClassVar[int]
    reward_id: str
    def __init__(self, reward_id: _Optional[str] = ...) -> None: ...

class ListRewardsRequest(_message.Message):
    __slots__ = ("member_id", "active_only")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_ONLY_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    active_only: bool
    def __init__(self, member_id: _Optional[str] = ..., active_only: _Optional[bool] = ...) -> None: ...

class ListRewardsResponse(_message.Message):
    __slots__ = ("rewards",)
    REWARDS_FIELD_NUMBER: _ClassVar[int]
    rewards: _containers.RepeatedCompositeFieldContainer[Reward]
    def __init__(self, rewards: _Optional[_Iterable[_Union[Reward, _Mapping]]] = ...) -> None: ...

class RedeemRewardRequest(_message.Message):
    __slots__ = ("redemption_id", "member_id", "reward_id")
    REDEMPTION_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    REWARD_ID_FIELD_NUMBER: _ClassVar[int]
    redemption_id: str
    member_id: str
    reward_id: str
    def __init__(self, redemption_id: _Optional[str] = ..., member_id: _Optional[str] = ..., reward_id: _Optional[str] = ...) -> None: ...

class CancelVoucherRequest(_message.Message):
    __slots__ = ("coupon_id", "member_id")
    COUPON_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    coupon_id: str
    member_id: str
    def __init__(self, coupon_id: _Optional[str] = ..., member_id: _Optional[str] = ...) -> None: ...

class ExpireVouchersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ExpireVouchersResponse(_message.Message):
    __slots__ = ("expired", "refunded")
    EXPIRED_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_FIELD_NUMBER: _ClassVar[int]
    expired: int
    refunded: int
    def __init__(self, expired: _Optional[int] = ..., refunded: _Optional[int] = ...) -> None: ...

class Benefit(_message.Message):
    __slots__ = ("kind", "offer_id", "coupon_id", "title", "sentence", "until", "merchant_id")
    KIND_FIELD_NUMBER: _ClassVar[int]
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    COUPON_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SENTENCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    kind: BenefitKind
    offer_id: str
    coupon_id: str
    title: str
    sentence: str
    until: _timestamp_pb2.Timestamp
    merchant_id: str
    def __init__(self, kind: _Optional[_Union[BenefitKind, str]] = ..., offer_id: _Optional[str] = ..., coupon_id: _Optional[str] = ..., title: _Optional[str] = ..., sentence: _Optional[str] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., merchant_id: _Optional[str] = ...) -> None: ...

class ListBenefitsRequest(_message.Message):
    __slots__ = ("member_id",)
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    def __init__(self, member_id: _Optional[str] = ...) -> None: ...

class ListBenefitsResponse(_message.Message):
    __slots__ = ("benefits", "tier", "next_tier", "next_tier_adds")
    BENEFITS_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    NEXT_TIER_FIELD_NUMBER: _ClassVar[int]
    NEXT_TIER_ADDS_FIELD_NUMBER: _ClassVar[int]
    benefits: _containers.RepeatedCompositeFieldContainer[Benefit]
    tier: str
    next_tier: str
    next_tier_adds: _containers.RepeatedCompositeFieldContainer[Benefit]
    def __init__(self, benefits: _Optional[_Iterable[_Union[Benefit, _Mapping]]] = ..., tier: _Optional[str] = ..., next_tier: _Optional[str] = ..., next_tier_adds: _Optional[_Iterable[_Union[Benefit, _Mapping]]] = ...) -> None: ...

class CreateMerchantUserRequest(_message.Message):
    __slots__ = ("username", "password", "display_name", "merchant_ids", "totp")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_IDS_FIELD_NUMBER: _ClassVar[int]
    TOTP_FIELD_NUMBER: _ClassVar[int]
    username: str
    password: str
    display_name: str
    merchant_ids: _containers.RepeatedScalarFieldContainer[str]
    totp: bool
    def __init__(self, username: _Optional[str] = ..., password: _Optional[str] = ..., display_name: _Optional[str] = ..., merchant_ids: _Optional[_Iterable[str]] = ..., totp: _Optional[bool] = ...) -> None: ...

class MerchantUser(_message.Message):
    __slots__ = ("username", "display_name", "merchant_ids", "totp_enabled", "totp_provisioning_uri", "created_at", "disabled", "password_changed_at")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_IDS_FIELD_NUMBER: _ClassVar[int]
    TOTP_ENABLED_FIELD_NUMBER: _ClassVar[int]
    TOTP_PROVISIONING_URI_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DISABLED_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    username: str
    display_name: str
    merchant_ids: _containers.RepeatedScalarFieldContainer[str]
    totp_enabled: bool
    totp_provisioning_uri: str
    created_at: _timestamp_pb2.Timestamp
    disabled: bool
    password_changed_at: _timestamp_pb2.Timestamp
    def __init__(self, username: _Optional[str] = ..., display_name: _Optional[str] = ..., merchant_ids: _Optional[_Iterable[str]] = ..., totp_enabled: _Optional[bool] = ..., totp_provisioning_uri: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., disabled: _Optional[bool] = ..., password_changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UpdateMerchantUserRequest(_message.Message):
    __slots__ = ("username", "disabled", "new_password", "new_totp", "display_name", "merchant_ids")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    DISABLED_FIELD_NUMBER: _ClassVar[int]
    NEW_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    NEW_TOTP_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_IDS_FIELD_NUMBER: _ClassVar[int]
    username: str
    disabled: bool
    new_password: str
    new_totp: bool
    display_name: str
    merchant_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, username: _Optional[str] = ..., disabled: _Optional[bool] = ..., new_password: _Optional[str] = ..., new_totp: _Optional[bool] = ..., display_name: _Optional[str] = ..., merchant_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ChangeMerchantPasswordRequest(_message.Message):
    __slots__ = ("username", "current_password", "totp_code", "new_password", "client_address")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    TOTP_CODE_FIELD_NUMBER: _ClassVar[int]
    NEW_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    username: str
    current_password: str
    totp_code: str
    new_password: str
    client_address: str
    def __init__(self, username: _Optional[str] = ..., current_password: _Optional[str] = ..., totp_code: _Optional[str] = ..., new_password: _Optional[str] = ..., client_address: _Optional[str] = ...) -> None: ...

class ListMerchantUsersRequest(_message.Message):
    __slots__ = ("merchant_id",)
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    merchant_id: str
    def __init__(self, merchant_id: _Optional[str] = ...) -> None: ...

class ListMerchantUsersResponse(_message.Message):
    __slots__ = ("users",)
    USERS_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[MerchantUser]
    def __init__(self, users: _Optional[_Iterable[_Union[MerchantUser, _Mapping]]] = ...) -> None: ...

class MerchantSignInRequest(_message.Message):
    __slots__ = ("username", "password", "totp_code", "client_address")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    TOTP_CODE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    username: str
    password: str
    totp_code: str
    client_address: str
    def __init__(self, username: _Optional[str] = ..., password: _Optional[str] = ..., totp_code: _Optional[str] = ..., client_address: _Optional[str] = ...) -> None: ...

class MerchantAccess(_message.Message):
    __slots__ = ("merchant_id", "merchant_name", "token")
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_NAME_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    merchant_id: str
    merchant_name: str
    token: str
    def __init__(self, merchant_id: _Optional[str] = ..., merchant_name: _Optional[str] = ..., token: _Optional[str] = ...) -> None: ...

class MerchantSignInResult(_message.Message):
    __slots__ = ("username", "display_name", "access", "expires_at")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ACCESS_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    username: str
    display_name: str
    access: _containers.RepeatedCompositeFieldContainer[MerchantAccess]
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, username: _Optional[str] = ..., display_name: _Optional[str] = ..., access: _Optional[_Iterable[_Union[MerchantAccess, _Mapping]]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetMerchantDashboardRequest(_message.Message):
    __slots__ = ("merchant_id",)
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    merchant_id: str
    def __init__(self, merchant_id: _Optional[str] = ...) -> None: ...

class FunderAmount(_message.Message):
    __slots__ = ("party_id", "name", "amount")
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    party_id: str
    name: str
    amount: int
    def __init__(self, party_id: _Optional[str] = ..., name: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class PayoutPreview(_message.Message):
    __slots__ = ("iban", "beneficiary_name", "amount")
    IBAN_FIELD_NUMBER: _ClassVar[int]
    BENEFICIARY_NAME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    iban: str
    beneficiary_name: str
    amount: int
    def __init__(self, iban: _Optional[str] = ..., beneficiary_name: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class MerchantDashboard(_message.Message):
    __slots__ = ("merchant_id", "merchant_name", "business_date", "sales_count", "sales_amount", "discount_amount", "discount_funders", "points_given", "next_cutoff_at", "next_payout_at", "next_payouts")
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_NAME_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_DATE_FIELD_NUMBER: _ClassVar[int]
    SALES_COUNT_FIELD_NUMBER: _ClassVar[int]
    SALES_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_FUNDERS_FIELD_NUMBER: _ClassVar[int]
    POINTS_GIVEN_FIELD_NUMBER: _ClassVar[int]
    NEXT_CUTOFF_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAYOUT_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAYOUTS_FIELD_NUMBER: _ClassVar[int]
    merchant_id: str
    merchant_name: str
    business_date: str
    sales_count: int
    sales_amount: int
    discount_amount: int
    discount_funders: _containers.RepeatedCompositeFieldContainer[FunderAmount]
    points_given: int
    next_cutoff_at: _timestamp_pb2.Timestamp
    next_payout_at: _timestamp_pb2.Timestamp
    next_payouts: _containers.RepeatedCompositeFieldContainer[PayoutPreview]
    def __init__(self, merchant_id: _Optional[str] = ..., merchant_name: _Optional[str] = ..., business_date: _Optional[str] = ..., sales_count: _Optional[int] = ..., sales_amount: _Optional[int] = ..., discount_amount: _Optional[int] = ..., discount_funders: _Optional[_Iterable[_Union[FunderAmount, _Mapping]]] = ..., points_given: _Optional[int] = ..., next_cutoff_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_payout_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_payouts: _Optional[_Iterable[_Union[PayoutPreview, _Mapping]]] = ...) -> None: ...
