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

class Unit(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UNIT_UNSPECIFIED: _ClassVar[Unit]
    UNIT_IRR: _ClassVar[Unit]
    UNIT_POINTS: _ClassVar[Unit]

class AccountKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCOUNT_KIND_UNSPECIFIED: _ClassVar[AccountKind]
    ACCOUNT_KIND_MEMBER_CREDIT: _ClassVar[AccountKind]
    ACCOUNT_KIND_MEMBER_POINTS: _ClassVar[AccountKind]
    ACCOUNT_KIND_MERCHANT_PAYABLE: _ClassVar[AccountKind]
    ACCOUNT_KIND_FUNDER_DISCOUNT: _ClassVar[AccountKind]
    ACCOUNT_KIND_CLUB_POINTS_LIABILITY: _ClassVar[AccountKind]
    ACCOUNT_KIND_SETTLEMENT_CLEARING: _ClassVar[AccountKind]
    ACCOUNT_KIND_FEES: _ClassVar[AccountKind]
    ACCOUNT_KIND_TOPUP_CLEARING: _ClassVar[AccountKind]
    ACCOUNT_KIND_POINTS_REDEMPTION: _ClassVar[AccountKind]

class TransferCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSFER_CODE_UNSPECIFIED: _ClassVar[TransferCode]
    TRANSFER_CODE_SALE: _ClassVar[TransferCode]
    TRANSFER_CODE_DISCOUNT_FUNDING: _ClassVar[TransferCode]
    TRANSFER_CODE_POINTS_EARNED: _ClassVar[TransferCode]
    TRANSFER_CODE_POINTS_REDEEMED: _ClassVar[TransferCode]
    TRANSFER_CODE_POINTS_EXPIRED: _ClassVar[TransferCode]
    TRANSFER_CODE_REFUND: _ClassVar[TransferCode]
    TRANSFER_CODE_REVERSAL: _ClassVar[TransferCode]
    TRANSFER_CODE_TOPUP: _ClassVar[TransferCode]
    TRANSFER_CODE_WITHDRAWAL: _ClassVar[TransferCode]
    TRANSFER_CODE_ADJUSTMENT: _ClassVar[TransferCode]
    TRANSFER_CODE_FEE: _ClassVar[TransferCode]
    TRANSFER_CODE_SETTLEMENT: _ClassVar[TransferCode]

class TransferResult(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSFER_RESULT_UNSPECIFIED: _ClassVar[TransferResult]
    TRANSFER_RESULT_OK: _ClassVar[TransferResult]
    TRANSFER_RESULT_EXISTS: _ClassVar[TransferResult]
    TRANSFER_RESULT_EXISTS_WITH_DIFFERENT_CONTENT: _ClassVar[TransferResult]
    TRANSFER_RESULT_EXCEEDS_CREDITS: _ClassVar[TransferResult]
    TRANSFER_RESULT_EXCEEDS_DEBITS: _ClassVar[TransferResult]
    TRANSFER_RESULT_ACCOUNT_NOT_FOUND: _ClassVar[TransferResult]
    TRANSFER_RESULT_ACCOUNT_CLOSED: _ClassVar[TransferResult]
    TRANSFER_RESULT_UNIT_MISMATCH: _ClassVar[TransferResult]
    TRANSFER_RESULT_PENDING_NOT_FOUND: _ClassVar[TransferResult]
    TRANSFER_RESULT_PENDING_ALREADY_RESOLVED: _ClassVar[TransferResult]
    TRANSFER_RESULT_PENDING_EXPIRED: _ClassVar[TransferResult]
    TRANSFER_RESULT_LINKED_EVENT_FAILED: _ClassVar[TransferResult]
    TRANSFER_RESULT_AMOUNT_EXCEEDS_PENDING: _ClassVar[TransferResult]

class PaymentSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_SOURCE_UNSPECIFIED: _ClassVar[PaymentSource]
    PAYMENT_SOURCE_CREDIT: _ClassVar[PaymentSource]
    PAYMENT_SOURCE_POINTS: _ClassVar[PaymentSource]

class PurchaseOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PURCHASE_OUTCOME_UNSPECIFIED: _ClassVar[PurchaseOutcome]
    PURCHASE_OUTCOME_APPROVED: _ClassVar[PurchaseOutcome]
    PURCHASE_OUTCOME_INSUFFICIENT_FUNDS: _ClassVar[PurchaseOutcome]
    PURCHASE_OUTCOME_ACCOUNT_NOT_FOUND: _ClassVar[PurchaseOutcome]
    PURCHASE_OUTCOME_ACCOUNT_CLOSED: _ClassVar[PurchaseOutcome]
    PURCHASE_OUTCOME_CONFLICT: _ClassVar[PurchaseOutcome]
    PURCHASE_OUTCOME_HOLD_NOT_FOUND: _ClassVar[PurchaseOutcome]
    PURCHASE_OUTCOME_HOLD_RESOLVED: _ClassVar[PurchaseOutcome]
    PURCHASE_OUTCOME_EXCEEDS_HOLD: _ClassVar[PurchaseOutcome]

class ReverseOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REVERSE_OUTCOME_UNSPECIFIED: _ClassVar[ReverseOutcome]
    REVERSE_OUTCOME_REVERSED: _ClassVar[ReverseOutcome]
    REVERSE_OUTCOME_UNKNOWN_ORIGINAL: _ClassVar[ReverseOutcome]
    REVERSE_OUTCOME_ALREADY_REVERSED: _ClassVar[ReverseOutcome]
    REVERSE_OUTCOME_EXCEEDS_ORIGINAL: _ClassVar[ReverseOutcome]
UNIT_UNSPECIFIED: Unit
UNIT_IRR: Unit
UNIT_POINTS: Unit
ACCOUNT_KIND_UNSPECIFIED: AccountKind
ACCOUNT_KIND_MEMBER_CREDIT: AccountKind
ACCOUNT_KIND_MEMBER_POINTS: AccountKind
ACCOUNT_KIND_MERCHANT_PAYABLE: AccountKind
ACCOUNT_KIND_FUNDER_DISCOUNT: AccountKind
ACCOUNT_KIND_CLUB_POINTS_LIABILITY: AccountKind
ACCOUNT_KIND_SETTLEMENT_CLEARING: AccountKind
ACCOUNT_KIND_FEES: AccountKind
ACCOUNT_KIND_TOPUP_CLEARING: AccountKind
ACCOUNT_KIND_POINTS_REDEMPTION: AccountKind
TRANSFER_CODE_UNSPECIFIED: TransferCode
TRANSFER_CODE_SALE: TransferCode
TRANSFER_CODE_DISCOUNT_FUNDING: TransferCode
TRANSFER_CODE_POINTS_EARNED: TransferCode
TRANSFER_CODE_POINTS_REDEEMED: TransferCode
TRANSFER_CODE_POINTS_EXPIRED: TransferCode
TRANSFER_CODE_REFUND: TransferCode
TRANSFER_CODE_REVERSAL: TransferCode
TRANSFER_CODE_TOPUP: TransferCode
TRANSFER_CODE_WITHDRAWAL: TransferCode
TRANSFER_CODE_ADJUSTMENT: TransferCode
TRANSFER_CODE_FEE: TransferCode
TRANSFER_CODE_SETTLEMENT: TransferCode
TRANSFER_RESULT_UNSPECIFIED: TransferResult
TRANSFER_RESULT_OK: TransferResult
TRANSFER_RESULT_EXISTS: TransferResult
TRANSFER_RESULT_EXISTS_WITH_DIFFERENT_CONTENT: TransferResult
TRANSFER_RESULT_EXCEEDS_CREDITS: TransferResult
TRANSFER_RESULT_EXCEEDS_DEBITS: TransferResult
TRANSFER_RESULT_ACCOUNT_NOT_FOUND: TransferResult
TRANSFER_RESULT_ACCOUNT_CLOSED: TransferResult
TRANSFER_RESULT_UNIT_MISMATCH: TransferResult
TRANSFER_RESULT_PENDING_NOT_FOUND: TransferResult
TRANSFER_RESULT_PENDING_ALREADY_RESOLVED: TransferResult
TRANSFER_RESULT_PENDING_EXPIRED: TransferResult
TRANSFER_RESULT_LINKED_EVENT_FAILED: TransferResult
TRANSFER_RESULT_AMOUNT_EXCEEDS_PENDING: TransferResult
PAYMENT_SOURCE_UNSPECIFIED: PaymentSource
PAYMENT_SOURCE_CREDIT: PaymentSource
PAYMENT_SOURCE_POINTS: PaymentSource
PURCHASE_OUTCOME_UNSPECIFIED: PurchaseOutcome
PURCHASE_OUTCOME_APPROVED: PurchaseOutcome
PURCHASE_OUTCOME_INSUFFICIENT_FUNDS: PurchaseOutcome
PURCHASE_OUTCOME_ACCOUNT_NOT_FOUND: PurchaseOutcome
PURCHASE_OUTCOME_ACCOUNT_CLOSED: PurchaseOutcome
PURCHASE_OUTCOME_CONFLICT: PurchaseOutcome
PURCHASE_OUTCOME_HOLD_NOT_FOUND: PurchaseOutcome
PURCHASE_OUTCOME_HOLD_RESOLVED: PurchaseOutcome
PURCHASE_OUTCOME_EXCEEDS_HOLD: PurchaseOutcome
REVERSE_OUTCOME_UNSPECIFIED: ReverseOutcome
REVERSE_OUTCOME_REVERSED: ReverseOutcome
REVERSE_OUTCOME_UNKNOWN_ORIGINAL: ReverseOutcome
REVERSE_OUTCOME_ALREADY_REVERSED: ReverseOutcome
REVERSE_OUTCOME_EXCEEDS_ORIGINAL: ReverseOutcome

class AccountFlags(_message.Message):
    __slots__ = ("debits_must_not_exceed_credits", "credits_must_not_exceed_debits")
    DEBITS_MUST_NOT_EXCEED_CREDITS_FIELD_NUMBER: _ClassVar[int]
    CREDITS_MUST_NOT_EXCEED_DEBITS_FIELD_NUMBER: _ClassVar[int]
    debits_must_not_exceed_credits: bool
    credits_must_not_exceed_debits: bool
    def __init__(self, debits_must_not_exceed_credits: _Optional[bool] = ..., credits_must_not_exceed_debits: _Optional[bool] = ...) -> None: ...

class Account(_message.Message):
    __slots__ = ("account_id", "unit", "kind", "owner_id", "flags", "closed", "debits_posted", "credits_posted", "debits_pending", "credits_pending", "credit_limit", "available", "created_at")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    CLOSED_FIELD_NUMBER: _ClassVar[int]
    DEBITS_POSTED_FIELD_NUMBER: _ClassVar[int]
    CREDITS_POSTED_FIELD_NUMBER: _ClassVar[int]
    DEBITS_PENDING_FIELD_NUMBER: _ClassVar[int]
    CREDITS_PENDING_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    unit: Unit
    kind: AccountKind
    owner_id: str
    flags: AccountFlags
    closed: bool
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int
    credit_limit: int
    available: int
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., unit: _Optional[_Union[Unit, str]] = ..., kind: _Optional[_Union[AccountKind, str]] = ..., owner_id: _Optional[str] = ..., flags: _Optional[_Union[AccountFlags, _Mapping]] = ..., closed: _Optional[bool] = ..., debits_posted: _Optional[int] = ..., credits_posted: _Optional[int] = ..., debits_pending: _Optional[int] = ..., credits_pending: _Optional[int] = ..., credit_limit: _Optional[int] = ..., available: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OpenAccountRequest(_message.Message):
    __slots__ = ("account_id", "unit", "kind", "owner_id", "flags")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    unit: Unit
    kind: AccountKind
    owner_id: str
    flags: AccountFlags
    def __init__(self, account_id: _Optional[str] = ..., unit: _Optional[_Union[Unit, str]] = ..., kind: _Optional[_Union[AccountKind, str]] = ..., owner_id: _Optional[str] = ..., flags: _Optional[_Union[AccountFlags, _Mapping]] = ...) -> None: ...

class CloseAccountRequest(_message.Message):
    __slots__ = ("account_id", "reason")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    reason: str
    def __init__(self, account_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class GetAccountRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class TransferFlags(_message.Message):
    __slots__ = ("pending", "post_pending", "void_pending")
    PENDING_FIELD_NUMBER: _ClassVar[int]
    POST_PENDING_FIELD_NUMBER: _ClassVar[int]
    VOID_PENDING_FIELD_NUMBER: _ClassVar[int]
    pending: bool
    post_pending: bool
    void_pending: bool
    def __init__(self, pending: _Optional[bool] = ..., post_pending: _Optional[bool] = ..., void_pending: _Optional[bool] = ...) -> None: ...

class Transfer(_message.Message):
    __slots__ = ("transfer_id", "debit_account_id", "credit_account_id", "amount", "unit", "code", "flags", "pending_id", "timeout_seconds", "reason", "source_ref", "party_id", "sequence", "created_at")
    TRANSFER_ID_FIELD_NUMBER: _ClassVar[int]
    DEBIT_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CREDIT_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    PENDING_ID_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SOURCE_REF_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    transfer_id: str
    debit_account_id: str
    credit_account_id: str
    amount: int
    unit: Unit
    code: TransferCode
    flags: TransferFlags
    pending_id: str
    timeout_seconds: int
    reason: str
    source_ref: str
    party_id: str
    sequence: int
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, transfer_id: _Optional[str] = ..., debit_account_id: _Optional[str] = ..., credit_account_id: _Optional[str] = ..., amount: _Optional[int] = ..., unit: _Optional[_Union[Unit, str]] = ..., code: _Optional[_Union[TransferCode, str]] = ..., flags: _Optional[_Union[TransferFlags, _Mapping]] = ..., pending_id: _Optional[str] = ..., timeout_seconds: _Optional[int] = ..., reason: _Optional[str] = ..., source_ref: _Optional[str] = ..., party_id: _Optional[str] = ..., sequence: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateTransfersRequest(_message.Message):
    __slots__ = ("transfers", "linked")
    TRANSFERS_FIELD_NUMBER: _ClassVar[int]
    LINKED_FIELD_NUMBER: _ClassVar[int]
    transfers: _containers.RepeatedCompositeFieldContainer[Transfer]
    linked: bool
    def __init__(self, transfers: _Optional[_Iterable[_Union[Transfer, _Mapping]]] = ..., linked: _Optional[bool] = ...) -> None: ...

class CreateTransfersResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedScalarFieldContainer[TransferResult]
    def __init__(self, results: _Optional[_Iterable[_Union[TransferResult, str]]] = ...) -> None: ...

class ListAccountTransfersRequest(_message.Message):
    __slots__ = ("account_id", "page_size", "page_token")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    page_size: int
    page_token: str
    def __init__(self, account_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAccountTransfersResponse(_message.Message):
    __slots__ = ("transfers", "next_page_token")
    TRANSFERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    transfers: _containers.RepeatedCompositeFieldContainer[Transfer]
    next_page_token: str
    def __init__(self, transfers: _Optional[_Iterable[_Union[Transfer, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class OpenMemberAccountsRequest(_message.Message):
    __slots__ = ("member_id",)
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    def __init__(self, member_id: _Optional[str] = ...) -> None: ...

class GetMemberBalancesRequest(_message.Message):
    __slots__ = ("member_id",)
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    def __init__(self, member_id: _Optional[str] = ...) -> None: ...

class MemberBalances(_message.Message):
    __slots__ = ("member_id", "credit_available", "credit_posted", "credit_held", "credit_limit", "points_available", "points_held", "tier")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    CREDIT_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    CREDIT_POSTED_FIELD_NUMBER: _ClassVar[int]
    CREDIT_HELD_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    POINTS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    POINTS_HELD_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    credit_available: int
    credit_posted: int
    credit_held: int
    credit_limit: int
    points_available: int
    points_held: int
    tier: str
    def __init__(self, member_id: _Optional[str] = ..., credit_available: _Optional[int] = ..., credit_posted: _Optional[int] = ..., credit_held: _Optional[int] = ..., credit_limit: _Optional[int] = ..., points_available: _Optional[int] = ..., points_held: _Optional[int] = ..., tier: _Optional[str] = ...) -> None: ...

class TopUpRequest(_message.Message):
    __slots__ = ("transfer_id", "member_id", "amount", "reason")
    TRANSFER_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    transfer_id: str
    member_id: str
    amount: int
    reason: str
    def __init__(self, transfer_id: _Optional[str] = ..., member_id: _Optional[str] = ..., amount: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class WithdrawRequest(_message.Message):
    __slots__ = ("transfer_id", "member_id", "amount", "reason")
    TRANSFER_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    transfer_id: str
    member_id: str
    amount: int
    reason: str
    def __init__(self, transfer_id: _Optional[str] = ..., member_id: _Optional[str] = ..., amount: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class SetCreditLimitRequest(_message.Message):
    __slots__ = ("member_id", "credit_limit", "reason")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    credit_limit: int
    reason: str
    def __init__(self, member_id: _Optional[str] = ..., credit_limit: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class MoneyMovementResponse(_message.Message):
    __slots__ = ("result", "balances")
    RESULT_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    result: TransferResult
    balances: MemberBalances
    def __init__(self, result: _Optional[_Union[TransferResult, str]] = ..., balances: _Optional[_Union[MemberBalances, _Mapping]] = ...) -> None: ...

class FundingShare(_message.Message):
    __slots__ = ("party_id", "amount")
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    party_id: str
    amount: int
    def __init__(self, party_id: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class PurchaseRequest(_message.Message):
    __slots__ = ("transaction_id", "member_id", "merchant_id", "amount", "discount", "funding", "points_earned", "source", "hold", "hold_timeout_seconds", "card_token")
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_FIELD_NUMBER: _ClassVar[int]
    FUNDING_FIELD_NUMBER: _ClassVar[int]
    POINTS_EARNED_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    HOLD_FIELD_NUMBER: _ClassVar[int]
    HOLD_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    member_id: str
    merchant_id: str
    amount: int
    discount: int
    funding: _containers.RepeatedCompositeFieldContainer[FundingShare]
    points_earned: int
    source: PaymentSource
    hold: bool
    hold_timeout_seconds: int
    card_token: str
    def __init__(self, transaction_id: _Optional[str] = ..., member_id: _Optional[str] = ..., merchant_id: _Optional[str] = ..., amount: _Optional[int] = ..., discount: _Optional[int] = ..., funding: _Optional[_Iterable[_Union[FundingShare, _Mapping]]] = ..., points_earned: _Optional[int] = ..., source: _Optional[_Union[PaymentSource, str]] = ..., hold: _Optional[bool] = ..., hold_timeout_seconds: _Optional[int] = ..., card_token: _Optional[str] = ...) -> None: ...

class PurchaseResponse(_message.Message):
    __slots__ = ("transaction_id", "outcome", "replayed", "charged", "points_earned", "credit_available", "points_available", "ledger_sequence")
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    CHARGED_FIELD_NUMBER: _ClassVar[int]
    POINTS_EARNED_FIELD_NUMBER: _ClassVar[int]
    CREDIT_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    POINTS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    LEDGER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    outcome: PurchaseOutcome
    replayed: bool
    charged: int
    points_earned: int
    credit_available: int
    points_available: int
    ledger_sequence: int
    def __init__(self, transaction_id: _Optional[str] = ..., outcome: _Optional[_Union[PurchaseOutcome, str]] = ..., replayed: _Optional[bool] = ..., charged: _Optional[int] = ..., points_earned: _Optional[int] = ..., credit_available: _Optional[int] = ..., points_available: _Optional[int] = ..., ledger_sequence: _Optional[int] = ...) -> None: ...

class PurchaseBatchRequest(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[PurchaseRequest]
    def __init__(self, items: _Optional[_Iterable[_Union[PurchaseRequest, _Mapping]]] = ...) -> None: ...

class PurchaseBatchResponse(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[PurchaseResult]
    def __init__(self, items: _Optional[_Iterable[_Union[PurchaseResult, _Mapping]]] = ...) -> None: ...

class PurchaseResult(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: PurchaseResponse
    error: _batch_pb2.ItemError
    def __init__(self, response: _Optional[_Union[PurchaseResponse, _Mapping]] = ..., error: _Optional[_Union[_batch_pb2.ItemError, _Mapping]] = ...) -> None: ...

class CaptureRequest(_message.Message):
    __slots__ = ("transaction_id", "hold_transaction_id", "amount")
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    HOLD_TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    hold_transaction_id: str
    amount: int
    def __init__(self, transaction_id: _Optional[str] = ..., hold_transaction_id: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class ReleaseHoldRequest(_message.Message):
    __slots__ = ("transaction_id", "hold_transaction_id")
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    HOLD_TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    hold_transaction_id: str
    def __init__(self, transaction_id: _Optional[str] = ..., hold_transaction_id: _Optional[str] = ...) -> None: ...

class ReverseRequest(_message.Message):
    __slots__ = ("reversal_id", "original_transaction_id", "amount", "reason", "stands")
    REVERSAL_ID_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STANDS_FIELD_NUMBER: _ClassVar[int]
    reversal_id: str
    original_transaction_id: str
    amount: int
    reason: str
    stands: int
    def __init__(self, reversal_id: _Optional[str] = ..., original_transaction_id: _Optional[str] = ..., amount: _Optional[int] = ..., reason: _Optional[str] = ..., stands: _Optional[int] = ...) -> None: ...

class RefundRequest(_message.Message):
    __slots__ = ("refund_id", "original_transaction_id", "amount", "reason")
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    refund_id: str
    original_transaction_id: str
    amount: int
    reason: str
    def __init__(self, refund_id: _Optional[str] = ..., original_transaction_id: _Optional[str] = ..., amount: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ReverseResponse(_message.Message):
    __slots__ = ("reversal_id", "outcome", "replayed", "amount_reversed", "charged_returned", "points_taken_back", "discount_reversed", "credit_available", "points_available", "fully_undone", "stands")
    REVERSAL_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_REVERSED_FIELD_NUMBER: _ClassVar[int]
    CHARGED_RETURNED_FIELD_NUMBER: _ClassVar[int]
    POINTS_TAKEN_BACK_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_REVERSED_FIELD_NUMBER: _ClassVar[int]
    CREDIT_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    POINTS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    FULLY_UNDONE_FIELD_NUMBER: _ClassVar[int]
    STANDS_FIELD_NUMBER: _ClassVar[int]
    reversal_id: str
    outcome: ReverseOutcome
    replayed: bool
    amount_reversed: int
    charged_returned: int
    points_taken_back: int
    discount_reversed: int
    credit_available: int
    points_available: int
    fully_undone: bool
    stands: int
    def __init__(self, reversal_id: _Optional[str] = ..., outcome: _Optional[_Union[ReverseOutcome, str]] = ..., replayed: _Optional[bool] = ..., amount_reversed: _Optional[int] = ..., charged_returned: _Optional[int] = ..., points_taken_back: _Optional[int] = ..., discount_reversed: _Optional[int] = ..., credit_available: _Optional[int] = ..., points_available: _Optional[int] = ..., fully_undone: _Optional[bool] = ..., stands: _Optional[int] = ...) -> None: ...

class AdjustPointsRequest(_message.Message):
    __slots__ = ("transfer_id", "member_id", "points", "reason", "expires_in_days")
    TRANSFER_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_IN_DAYS_FIELD_NUMBER: _ClassVar[int]
    transfer_id: str
    member_id: str
    points: int
    reason: str
    expires_in_days: int
    def __init__(self, transfer_id: _Optional[str] = ..., member_id: _Optional[str] = ..., points: _Optional[int] = ..., reason: _Optional[str] = ..., expires_in_days: _Optional[int] = ...) -> None: ...

class PointsLot(_message.Message):
    __slots__ = ("lot_id", "points", "remaining", "earned_at", "expires_at", "source", "source_ref")
    LOT_ID_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    EARNED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_REF_FIELD_NUMBER: _ClassVar[int]
    lot_id: str
    points: int
    remaining: int
    earned_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    source: str
    source_ref: str
    def __init__(self, lot_id: _Optional[str] = ..., points: _Optional[int] = ..., remaining: _Optional[int] = ..., earned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[str] = ..., source_ref: _Optional[str] = ...) -> None: ...

class SpendPointsRequest(_message.Message):
    __slots__ = ("spend_id", "member_id", "points", "reason")
    SPEND_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    spend_id: str
    member_id: str
    points: int
    reason: str
    def __init__(self, spend_id: _Optional[str] = ..., member_id: _Optional[str] = ..., points: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ReturnPointsRequest(_message.Message):
    __slots__ = ("spend_id", "reason")
    SPEND_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    spend_id: str
    reason: str
    def __init__(self, spend_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ListPointsLotsRequest(_message.Message):
    __slots__ = ("member_id", "include_spent")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_SPENT_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    include_spent: bool
    def __init__(self, member_id: _Optional[str] = ..., include_spent: _Optional[bool] = ...) -> None: ...

class ListPointsLotsResponse(_message.Message):
    __slots__ = ("lots",)
    LOTS_FIELD_NUMBER: _ClassVar[int]
    lots: _containers.RepeatedCompositeFieldContainer[PointsLot]
    def __init__(self, lots: _Optional[_Iterable[_Union[PointsLot, _Mapping]]] = ...) -> None: ...

class ExpirePointsRequest(_message.Message):
    __slots__ = ("as_of",)
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ExpirePointsResponse(_message.Message):
    __slots__ = ("lots_expired", "points_expired")
    LOTS_EXPIRED_FIELD_NUMBER: _ClassVar[int]
    POINTS_EXPIRED_FIELD_NUMBER: _ClassVar[int]
    lots_expired: int
    points_expired: int
    def __init__(self, lots_expired: _Optional[int] = ..., points_expired: _Optional[int] = ...) -> None: ...

class RecomputeTiersRequest(_message.Message):
    __slots__ = ("as_of", "period_end", "member_ids")
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    PERIOD_END_FIELD_NUMBER: _ClassVar[int]
    MEMBER_IDS_FIELD_NUMBER: _ClassVar[int]
    as_of: _timestamp_pb2.Timestamp
    period_end: bool
    member_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., period_end: _Optional[bool] = ..., member_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class TierChange(_message.Message):
    __slots__ = ("member_id", "from_tier", "to_tier", "qualifying_spend")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_TIER_FIELD_NUMBER: _ClassVar[int]
    TO_TIER_FIELD_NUMBER: _ClassVar[int]
    QUALIFYING_SPEND_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    from_tier: str
    to_tier: str
    qualifying_spend: int
    def __init__(self, member_id: _Optional[str] = ..., from_tier: _Optional[str] = ..., to_tier: _Optional[str] = ..., qualifying_spend: _Optional[int] = ...) -> None: ...

class RecomputeTiersResponse(_message.Message):
    __slots__ = ("changes",)
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[TierChange]
    def __init__(self, changes: _Optional[_Iterable[_Union[TierChange, _Mapping]]] = ...) -> None: ...

class GetTierProgressRequest(_message.Message):
    __slots__ = ("member_id",)
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    def __init__(self, member_id: _Optional[str] = ...) -> None: ...

class TierProgress(_message.Message):
    __slots__ = ("member_id", "tier", "qualifying_spend", "window_days", "next_tier", "next_tier_spend", "spend_to_next_tier")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    QUALIFYING_SPEND_FIELD_NUMBER: _ClassVar[int]
    WINDOW_DAYS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TIER_FIELD_NUMBER: _ClassVar[int]
    NEXT_TIER_SPEND_FIELD_NUMBER: _ClassVar[int]
    SPEND_TO_NEXT_TIER_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    tier: str
    qualifying_spend: int
    window_days: int
    next_tier: str
    next_tier_spend: int
    spend_to_next_tier: int
    def __init__(self, member_id: _Optional[str] = ..., tier: _Optional[str] = ..., qualifying_spend: _Optional[int] = ..., window_days: _Optional[int] = ..., next_tier: _Optional[str] = ..., next_tier_spend: _Optional[int] = ..., spend_to_next_tier: _Optional[int] = ...) -> None: ...

class MerchantActivityRequest(_message.Message):
    __slots__ = ("after_sequence", "up_to_sequence", "merchant_ids", "up_to_time")
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    UP_TO_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_IDS_FIELD_NUMBER: _ClassVar[int]
    UP_TO_TIME_FIELD_NUMBER: _ClassVar[int]
    after_sequence: int
    up_to_sequence: int
    merchant_ids: _containers.RepeatedScalarFieldContainer[str]
    up_to_time: _timestamp_pb2.Timestamp
    def __init__(self, after_sequence: _Optional[int] = ..., up_to_sequence: _Optional[int] = ..., merchant_ids: _Optional[_Iterable[str]] = ..., up_to_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MerchantTotals(_message.Message):
    __slots__ = ("merchant_id", "sales", "discount_funding", "funding_by_party", "refunds", "reversals", "fees", "settled", "net_change", "transfer_count")
    class FundingByPartyEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    SALES_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_FUNDING_FIELD_NUMBER: _ClassVar[int]
    FUNDING_BY_PARTY_FIELD_NUMBER: _ClassVar[int]
    REFUNDS_FIELD_NUMBER: _ClassVar[int]
    REVERSALS_FIELD_NUMBER: _ClassVar[int]
    FEES_FIELD_NUMBER: _ClassVar[int]
    SETTLED_FIELD_NUMBER: _ClassVar[int]
    NET_CHANGE_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_COUNT_FIELD_NUMBER: _ClassVar[int]
    merchant_id: str
    sales: int
    discount_funding: int
    funding_by_party: _containers.ScalarMap[str, int]
    refunds: int
    reversals: int
    fees: int
    settled: int
    net_change: int
    transfer_count: int
    def __init__(self, merchant_id: _Optional[str] = ..., sales: _Optional[int] = ..., discount_funding: _Optional[int] = ..., funding_by_party: _Optional[_Mapping[str, int]] = ..., refunds: _Optional[int] = ..., reversals: _Optional[int] = ..., fees: _Optional[int] = ..., settled: _Optional[int] = ..., net_change: _Optional[int] = ..., transfer_count: _Optional[int] = ...) -> None: ...

class MerchantActivityResponse(_message.Message):
    __slots__ = ("merchants", "up_to_sequence")
    MERCHANTS_FIELD_NUMBER: _ClassVar[int]
    UP_TO_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    merchants: _containers.RepeatedCompositeFieldContainer[MerchantTotals]
    up_to_sequence: int
    def __init__(self, merchants: _Optional[_Iterable[_Union[MerchantTotals, _Mapping]]] = ..., up_to_sequence: _Optional[int] = ...) -> None: ...

class ReconcileRequest(_message.Message):
    __slots__ = ("repair",)
    REPAIR_FIELD_NUMBER: _ClassVar[int]
    repair: bool
    def __init__(self, repair: _Optional[bool] = ...) -> None: ...

class BalanceDrift(_message.Message):
    __slots__ = ("account_id", "ledger_available", "redis_available")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    LEDGER_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    REDIS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    ledger_available: int
    redis_available: int
    def __init__(self, account_id: _Optional[str] = ..., ledger_available: _Optional[int] = ..., redis_available: _Optional[int] = ...) -> None: ...

class ReconcileResponse(_message.Message):
    __slots__ = ("accounts_checked", "drifts", "repaired")
    ACCOUNTS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    DRIFTS_FIELD_NUMBER: _ClassVar[int]
    REPAIRED_FIELD_NUMBER: _ClassVar[int]
    accounts_checked: int
    drifts: _containers.RepeatedCompositeFieldContainer[BalanceDrift]
    repaired: bool
    def __init__(self, accounts_checked: _Optional[int] = ..., drifts: _Optional[_Iterable[_Union[BalanceDrift, _Mapping]]] = ..., repaired: _Optional[bool] = ...) -> None: ...
