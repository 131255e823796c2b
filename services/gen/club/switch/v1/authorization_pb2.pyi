import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TransactionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSACTION_TYPE_UNSPECIFIED: _ClassVar[TransactionType]
    TRANSACTION_TYPE_PURCHASE: _ClassVar[TransactionType]
    TRANSACTION_TYPE_REFUND: _ClassVar[TransactionType]
    TRANSACTION_TYPE_BALANCE_INQUIRY: _ClassVar[TransactionType]
    TRANSACTION_TYPE_POINTS_PURCHASE: _ClassVar[TransactionType]
    TRANSACTION_TYPE_PREAUTH: _ClassVar[TransactionType]
    TRANSACTION_TYPE_COMPLETION: _ClassVar[TransactionType]
    TRANSACTION_TYPE_REVERSAL: _ClassVar[TransactionType]
TRANSACTION_TYPE_UNSPECIFIED: TransactionType
TRANSACTION_TYPE_PURCHASE: TransactionType
TRANSACTION_TYPE_REFUND: TransactionType
TRANSACTION_TYPE_BALANCE_INQUIRY: TransactionType
TRANSACTION_TYPE_POINTS_PURCHASE: TransactionType
TRANSACTION_TYPE_PREAUTH: TransactionType
TRANSACTION_TYPE_COMPLETION: TransactionType
TRANSACTION_TYPE_REVERSAL: TransactionType

class AuthorizeRequest(_message.Message):
    __slots__ = ("request_id", "channel", "type", "pan", "card_token", "expiry", "pin_block", "cvv2", "terminal_id", "merchant_id", "amount", "original_transaction_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    PAN_FIELD_NUMBER: _ClassVar[int]
    CARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_FIELD_NUMBER: _ClassVar[int]
    PIN_BLOCK_FIELD_NUMBER: _ClassVar[int]
    CVV2_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    channel: str
    type: TransactionType
    pan: str
    card_token: str
    expiry: str
    pin_block: bytes
    cvv2: str
    terminal_id: str
    merchant_id: str
    amount: int
    original_transaction_id: str
    def __init__(self, request_id: _Optional[str] = ..., channel: _Optional[str] = ..., type: _Optional[_Union[TransactionType, str]] = ..., pan: _Optional[str] = ..., card_token: _Optional[str] = ..., expiry: _Optional[str] = ..., pin_block: _Optional[bytes] = ..., cvv2: _Optional[str] = ..., terminal_id: _Optional[str] = ..., merchant_id: _Optional[str] = ..., amount: _Optional[int] = ..., original_transaction_id: _Optional[str] = ...) -> None: ...

class AuthorizeResponse(_message.Message):
    __slots__ = ("transaction_id", "response_code", "approval_code", "amount", "discount", "net_amount", "points_earned", "credit_available", "points_available", "offers_applied", "masked_pan", "message")
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_CODE_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_CODE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    POINTS_EARNED_FIELD_NUMBER: _ClassVar[int]
    CREDIT_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    POINTS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    OFFERS_APPLIED_FIELD_NUMBER: _ClassVar[int]
    MASKED_PAN_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    response_code: str
    approval_code: str
    amount: int
    discount: int
    net_amount: int
    points_earned: int
    credit_available: int
    points_available: int
    offers_applied: _containers.RepeatedScalarFieldContainer[str]
    masked_pan: str
    message: str
    def __init__(self, transaction_id: _Optional[str] = ..., response_code: _Optional[str] = ..., approval_code: _Optional[str] = ..., amount: _Optional[int] = ..., discount: _Optional[int] = ..., net_amount: _Optional[int] = ..., points_earned: _Optional[int] = ..., credit_available: _Optional[int] = ..., points_available: _Optional[int] = ..., offers_applied: _Optional[_Iterable[str]] = ..., masked_pan: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class CompleteRequest(_message.Message):
    __slots__ = ("request_id", "preauth_transaction_id", "amount")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PREAUTH_TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    preauth_transaction_id: str
    amount: int
    def __init__(self, request_id: _Optional[str] = ..., preauth_transaction_id: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class ReverseRequest(_message.Message):
    __slots__ = ("request_id", "original_transaction_id", "amount", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    original_transaction_id: str
    amount: int
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., original_transaction_id: _Optional[str] = ..., amount: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class GetTransactionRequest(_message.Message):
    __slots__ = ("transaction_id",)
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    def __init__(self, transaction_id: _Optional[str] = ...) -> None: ...

class Transaction(_message.Message):
    __slots__ = ("transaction_id", "type", "channel", "terminal_id", "merchant_id", "stan", "masked_pan", "card_token", "amount", "discount", "response_code", "approval_code", "state", "received_at", "answered_at", "original_transaction_id", "seq", "member_id", "points_earned", "credit_available", "points_available", "merchant_name")
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    STAN_FIELD_NUMBER: _ClassVar[int]
    MASKED_PAN_FIELD_NUMBER: _ClassVar[int]
    CARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_CODE_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_CODE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    POINTS_EARNED_FIELD_NUMBER: _ClassVar[int]
    CREDIT_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    POINTS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_NAME_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    type: TransactionType
    channel: str
    terminal_id: str
    merchant_id: str
    stan: str
    masked_pan: str
    card_token: str
    amount: int
    discount: int
    response_code: str
    approval_code: str
    state: str
    received_at: _timestamp_pb2.Timestamp
    answered_at: _timestamp_pb2.Timestamp
    original_transaction_id: str
    seq: int
    member_id: str
    points_earned: int
    credit_available: int
    points_available: int
    merchant_name: str
    def __init__(self, transaction_id: _Optional[str] = ..., type: _Optional[_Union[TransactionType, str]] = ..., channel: _Optional[str] = ..., terminal_id: _Optional[str] = ..., merchant_id: _Optional[str] = ..., stan: _Optional[str] = ..., masked_pan: _Optional[str] = ..., card_token: _Optional[str] = ..., amount: _Optional[int] = ..., discount: _Optional[int] = ..., response_code: _Optional[str] = ..., approval_code: _Optional[str] = ..., state: _Optional[str] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., original_transaction_id: _Optional[str] = ..., seq: _Optional[int] = ..., member_id: _Optional[str] = ..., points_earned: _Optional[int] = ..., credit_available: _Optional[int] = ..., points_available: _Optional[int] = ..., merchant_name: _Optional[str] = ...) -> None: ...

class ListTransactionsRequest(_message.Message):
    __slots__ = ("terminal_id", "merchant_id", "page_size", "page_token", "member_id", "newest_first", "min_amount", "max_amount")
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    NEWEST_FIRST_FIELD_NUMBER: _ClassVar[int]
    MIN_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    MAX_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    terminal_id: str
    merchant_id: str
    page_size: int
    page_token: str
    member_id: str
    newest_first: bool
    min_amount: int
    max_amount: int
    def __init__(self, terminal_id: _Optional[str] = ..., merchant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., member_id: _Optional[str] = ..., newest_first: _Optional[bool] = ..., min_amount: _Optional[int] = ..., max_amount: _Optional[int] = ...) -> None: ...

class ListTransactionsResponse(_message.Message):
    __slots__ = ("transactions", "next_page_token")
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    transactions: _containers.RepeatedCompositeFieldContainer[Transaction]
    next_page_token: str
    def __init__(self, transactions: _Optional[_Iterable[_Union[Transaction, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
