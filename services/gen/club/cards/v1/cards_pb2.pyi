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

class CardKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CARD_KIND_UNSPECIFIED: _ClassVar[CardKind]
    CARD_KIND_GIFT: _ClassVar[CardKind]
    CARD_KIND_PREPAID: _ClassVar[CardKind]
    CARD_KIND_CREDIT: _ClassVar[CardKind]
    CARD_KIND_LOYALTY: _ClassVar[CardKind]

class CardStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CARD_STATUS_UNSPECIFIED: _ClassVar[CardStatus]
    CARD_STATUS_ISSUED: _ClassVar[CardStatus]
    CARD_STATUS_ACTIVE: _ClassVar[CardStatus]
    CARD_STATUS_SUSPENDED: _ClassVar[CardStatus]
    CARD_STATUS_LOST: _ClassVar[CardStatus]
    CARD_STATUS_STOLEN: _ClassVar[CardStatus]
    CARD_STATUS_EXPIRED: _ClassVar[CardStatus]
    CARD_STATUS_CLOSED: _ClassVar[CardStatus]

class PinBlockFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PIN_BLOCK_FORMAT_UNSPECIFIED: _ClassVar[PinBlockFormat]
    PIN_BLOCK_FORMAT_ISO_0: _ClassVar[PinBlockFormat]
    PIN_BLOCK_FORMAT_ISO_4: _ClassVar[PinBlockFormat]

class TerminalStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TERMINAL_STATUS_UNSPECIFIED: _ClassVar[TerminalStatus]
    TERMINAL_STATUS_ACTIVE: _ClassVar[TerminalStatus]
    TERMINAL_STATUS_BLOCKED: _ClassVar[TerminalStatus]
    TERMINAL_STATUS_CLOSED: _ClassVar[TerminalStatus]
CARD_KIND_UNSPECIFIED: CardKind
CARD_KIND_GIFT: CardKind
CARD_KIND_PREPAID: CardKind
CARD_KIND_CREDIT: CardKind
CARD_KIND_LOYALTY: CardKind
CARD_STATUS_UNSPECIFIED: CardStatus
CARD_STATUS_ISSUED: CardStatus
CARD_STATUS_ACTIVE: CardStatus
CARD_STATUS_SUSPENDED: CardStatus
CARD_STATUS_LOST: CardStatus
CARD_STATUS_STOLEN: CardStatus
CARD_STATUS_EXPIRED: CardStatus
CARD_STATUS_CLOSED: CardStatus
PIN_BLOCK_FORMAT_UNSPECIFIED: PinBlockFormat
PIN_BLOCK_FORMAT_ISO_0: PinBlockFormat
PIN_BLOCK_FORMAT_ISO_4: PinBlockFormat
TERMINAL_STATUS_UNSPECIFIED: TerminalStatus
TERMINAL_STATUS_ACTIVE: TerminalStatus
TERMINAL_STATUS_BLOCKED: TerminalStatus
TERMINAL_STATUS_CLOSED: TerminalStatus

class Member(_message.Message):
    __slots__ = ("member_id", "phone", "national_id", "first_name", "last_name", "email", "birth_date", "segment", "tier", "preferences", "consents", "created_at", "updated_at")
    class PreferencesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    BIRTH_DATE_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    CONSENTS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    phone: str
    national_id: str
    first_name: str
    last_name: str
    email: str
    birth_date: str
    segment: str
    tier: str
    preferences: _containers.ScalarMap[str, str]
    consents: _containers.RepeatedCompositeFieldContainer[Consent]
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, member_id: _Optional[str] = ..., phone: _Optional[str] = ..., national_id: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., email: _Optional[str] = ..., birth_date: _Optional[str] = ..., segment: _Optional[str] = ..., tier: _Optional[str] = ..., preferences: _Optional[_Mapping[str, str]] = ..., consents: _Optional[_Iterable[_Union[Consent, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Consent(_message.Message):
    __slots__ = ("purpose", "granted", "at")
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    GRANTED_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    purpose: str
    granted: bool
    at: _timestamp_pb2.Timestamp
    def __init__(self, purpose: _Optional[str] = ..., granted: _Optional[bool] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RegisterMemberRequest(_message.Message):
    __slots__ = ("phone", "national_id", "first_name", "last_name", "email", "birth_date", "segment", "preferences", "consents")
    class PreferencesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PHONE_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    BIRTH_DATE_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_FIELD_NUMBER: _ClassVar[int]
    PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    CONSENTS_FIELD_NUMBER: _ClassVar[int]
    phone: str
    national_id: str
    first_name: str
    last_name: str
    email: str
    birth_date: str
    segment: str
    preferences: _containers.ScalarMap[str, str]
    consents: _containers.RepeatedCompositeFieldContainer[Consent]
    def __init__(self, phone: _Optional[str] = ..., national_id: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., email: _Optional[str] = ..., birth_date: _Optional[str] = ..., segment: _Optional[str] = ..., preferences: _Optional[_Mapping[str, str]] = ..., consents: _Optional[_Iterable[_Union[Consent, _Mapping]]] = ...) -> None: ...

class GetMemberRequest(_message.Message):
    __slots__ = ("member_id",)
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    def __init__(self, member_id: _Optional[str] = ...) -> None: ...

class UpdateMemberRequest(_message.Message):
    __slots__ = ("member_id", "update_fields", "values")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELDS_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    update_fields: _containers.RepeatedScalarFieldContainer[str]
    values: RegisterMemberRequest
    def __init__(self, member_id: _Optional[str] = ..., update_fields: _Optional[_Iterable[str]] = ..., values: _Optional[_Union[RegisterMemberRequest, _Mapping]] = ...) -> None: ...

class ListMembersRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "phone", "national_id", "tier", "segment")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_ID_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    phone: str
    national_id: str
    tier: str
    segment: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., phone: _Optional[str] = ..., national_id: _Optional[str] = ..., tier: _Optional[str] = ..., segment: _Optional[str] = ...) -> None: ...

class ListMembersResponse(_message.Message):
    __slots__ = ("members", "next_page_token")
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedCompositeFieldContainer[Member]
    next_page_token: str
    def __init__(self, members: _Optional[_Iterable[_Union[Member, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SetMemberTierRequest(_message.Message):
    __slots__ = ("member_id", "tier", "reason")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    tier: str
    reason: str
    def __init__(self, member_id: _Optional[str] = ..., tier: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ProductLimits(_message.Message):
    __slots__ = ("per_transaction_amount", "daily_amount", "daily_count")
    PER_TRANSACTION_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DAILY_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DAILY_COUNT_FIELD_NUMBER: _ClassVar[int]
    per_transaction_amount: int
    daily_amount: int
    daily_count: int
    def __init__(self, per_transaction_amount: _Optional[int] = ..., daily_amount: _Optional[int] = ..., daily_count: _Optional[int] = ...) -> None: ...

class Product(_message.Message):
    __slots__ = ("product_id", "name", "bin", "pan_length", "kind", "currency", "validity_months", "service_code", "pin_required", "limits", "allowed_processing", "created_at")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    BIN_FIELD_NUMBER: _ClassVar[int]
    PAN_LENGTH_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    VALIDITY_MONTHS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_CODE_FIELD_NUMBER: _ClassVar[int]
    PIN_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_PROCESSING_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    name: str
    bin: str
    pan_length: int
    kind: CardKind
    currency: str
    validity_months: int
    service_code: str
    pin_required: bool
    limits: ProductLimits
    allowed_processing: _containers.RepeatedScalarFieldContainer[str]
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, product_id: _Optional[str] = ..., name: _Optional[str] = ..., bin: _Optional[str] = ..., pan_length: _Optional[int] = ..., kind: _Optional[_Union[CardKind, str]] = ..., currency: _Optional[str] = ..., validity_months: _Optional[int] = ..., service_code: _Optional[str] = ..., pin_required: _Optional[bool] = ..., limits: _Optional[_Union[ProductLimits, _Mapping]] = ..., allowed_processing: _Optional[_Iterable[str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateProductRequest(_message.Message):
    __slots__ = ("name", "bin", "pan_length", "kind", "currency", "validity_months", "service_code", "pin_required", "limits", "allowed_processing")
    NAME_FIELD_NUMBER: _ClassVar[int]
    BIN_FIELD_NUMBER: _ClassVar[int]
    PAN_LENGTH_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    VALIDITY_MONTHS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_CODE_FIELD_NUMBER: _ClassVar[int]
    PIN_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_PROCESSING_FIELD_NUMBER: _ClassVar[int]
    name: str
    bin: str
    pan_length: int
    kind: CardKind
    currency: str
    validity_months: int
    service_code: str
    pin_required: bool
    limits: ProductLimits
    allowed_processing: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., bin: _Optional[str] = ..., pan_length: _Optional[int] = ..., kind: _Optional[_Union[CardKind, str]] = ..., currency: _Optional[str] = ..., validity_months: _Optional[int] = ..., service_code: _Optional[str] = ..., pin_required: _Optional[bool] = ..., limits: _Optional[_Union[ProductLimits, _Mapping]] = ..., allowed_processing: _Optional[_Iterable[str]] = ...) -> None: ...

class GetProductRequest(_message.Message):
    __slots__ = ("product_id",)
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    def __init__(self, product_id: _Optional[str] = ...) -> None: ...

class ListProductsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListProductsResponse(_message.Message):
    __slots__ = ("products", "next_page_token")
    PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    products: _containers.RepeatedCompositeFieldContainer[Product]
    next_page_token: str
    def __init__(self, products: _Optional[_Iterable[_Union[Product, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class Card(_message.Message):
    __slots__ = ("card_token", "masked_pan", "member_id", "product_id", "status", "expiry", "pin_tries", "pin_set", "replaced_by", "campaign", "issued_at", "updated_at", "virtual")
    CARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MASKED_PAN_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_FIELD_NUMBER: _ClassVar[int]
    PIN_TRIES_FIELD_NUMBER: _ClassVar[int]
    PIN_SET_FIELD_NUMBER: _ClassVar[int]
    REPLACED_BY_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VIRTUAL_FIELD_NUMBER: _ClassVar[int]
    card_token: str
    masked_pan: str
    member_id: str
    product_id: str
    status: CardStatus
    expiry: str
    pin_tries: int
    pin_set: bool
    replaced_by: str
    campaign: str
    issued_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    virtual: bool
    def __init__(self, card_token: _Optional[str] = ..., masked_pan: _Optional[str] = ..., member_id: _Optional[str] = ..., product_id: _Optional[str] = ..., status: _Optional[_Union[CardStatus, str]] = ..., expiry: _Optional[str] = ..., pin_tries: _Optional[int] = ..., pin_set: _Optional[bool] = ..., replaced_by: _Optional[str] = ..., campaign: _Optional[str] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., virtual: _Optional[bool] = ...) -> None: ...

class IssueCardRequest(_message.Message):
    __slots__ = ("member_id", "product_id", "campaign", "channel", "virtual")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    VIRTUAL_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    product_id: str
    campaign: str
    channel: str
    virtual: bool
    def __init__(self, member_id: _Optional[str] = ..., product_id: _Optional[str] = ..., campaign: _Optional[str] = ..., channel: _Optional[str] = ..., virtual: _Optional[bool] = ...) -> None: ...

class IssueCardResponse(_message.Message):
    __slots__ = ("card", "pan", "cvv2")
    CARD_FIELD_NUMBER: _ClassVar[int]
    PAN_FIELD_NUMBER: _ClassVar[int]
    CVV2_FIELD_NUMBER: _ClassVar[int]
    card: Card
    pan: str
    cvv2: str
    def __init__(self, card: _Optional[_Union[Card, _Mapping]] = ..., pan: _Optional[str] = ..., cvv2: _Optional[str] = ...) -> None: ...

class BulkIssueCardsRequest(_message.Message):
    __slots__ = ("product_id", "campaign", "member_ids", "count", "channel")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    MEMBER_IDS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    campaign: str
    member_ids: _containers.RepeatedScalarFieldContainer[str]
    count: int
    channel: str
    def __init__(self, product_id: _Optional[str] = ..., campaign: _Optional[str] = ..., member_ids: _Optional[_Iterable[str]] = ..., count: _Optional[int] = ..., channel: _Optional[str] = ...) -> None: ...

class BulkIssueProgress(_message.Message):
    __slots__ = ("issued", "total", "done", "printing_file", "batch_id")
    ISSUED_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    PRINTING_FILE_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    issued: int
    total: int
    done: bool
    printing_file: str
    batch_id: str
    def __init__(self, issued: _Optional[int] = ..., total: _Optional[int] = ..., done: _Optional[bool] = ..., printing_file: _Optional[str] = ..., batch_id: _Optional[str] = ...) -> None: ...

class GetCardRequest(_message.Message):
    __slots__ = ("card_token", "pan")
    CARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAN_FIELD_NUMBER: _ClassVar[int]
    card_token: str
    pan: str
    def __init__(self, card_token: _Optional[str] = ..., pan: _Optional[str] = ...) -> None: ...

class ListCardsRequest(_message.Message):
    __slots__ = ("member_id", "page_size", "page_token", "campaign")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    page_size: int
    page_token: str
    campaign: str
    def __init__(self, member_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., campaign: _Optional[str] = ...) -> None: ...

class ListCardsResponse(_message.Message):
    __slots__ = ("cards", "next_page_token")
    CARDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    cards: _containers.RepeatedCompositeFieldContainer[Card]
    next_page_token: str
    def __init__(self, cards: _Optional[_Iterable[_Union[Card, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ActivateCardRequest(_message.Message):
    __slots__ = ("card_token", "pin", "channel")
    CARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PIN_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    card_token: str
    pin: PinBlock
    channel: str
    def __init__(self, card_token: _Optional[str] = ..., pin: _Optional[_Union[PinBlock, _Mapping]] = ..., channel: _Optional[str] = ...) -> None: ...

class ChangeCardStatusRequest(_message.Message):
    __slots__ = ("card_token", "status", "reason_code", "channel", "member_id")
    CARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    card_token: str
    status: CardStatus
    reason_code: str
    channel: str
    member_id: str
    def __init__(self, card_token: _Optional[str] = ..., status: _Optional[_Union[CardStatus, str]] = ..., reason_code: _Optional[str] = ..., channel: _Optional[str] = ..., member_id: _Optional[str] = ...) -> None: ...

class ReplaceCardRequest(_message.Message):
    __slots__ = ("card_token", "reason_code", "channel")
    CARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    card_token: str
    reason_code: str
    channel: str
    def __init__(self, card_token: _Optional[str] = ..., reason_code: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class PinBlock(_message.Message):
    __slots__ = ("block", "format", "terminal_id")
    BLOCK_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    block: bytes
    format: PinBlockFormat
    terminal_id: str
    def __init__(self, block: _Optional[bytes] = ..., format: _Optional[_Union[PinBlockFormat, str]] = ..., terminal_id: _Optional[str] = ...) -> None: ...

class ChangePinRequest(_message.Message):
    __slots__ = ("card_token", "old_pin", "new_pin", "channel")
    CARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    OLD_PIN_FIELD_NUMBER: _ClassVar[int]
    NEW_PIN_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    card_token: str
    old_pin: PinBlock
    new_pin: PinBlock
    channel: str
    def __init__(self, card_token: _Optional[str] = ..., old_pin: _Optional[_Union[PinBlock, _Mapping]] = ..., new_pin: _Optional[_Union[PinBlock, _Mapping]] = ..., channel: _Optional[str] = ...) -> None: ...

class ResetPinTriesRequest(_message.Message):
    __slots__ = ("card_token", "reason_code", "channel")
    CARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    card_token: str
    reason_code: str
    channel: str
    def __init__(self, card_token: _Optional[str] = ..., reason_code: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class CardEvent(_message.Message):
    __slots__ = ("card_token", "from_status", "to_status", "event", "reason_code", "channel", "actor", "at")
    CARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FROM_STATUS_FIELD_NUMBER: _ClassVar[int]
    TO_STATUS_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    card_token: str
    from_status: CardStatus
    to_status: CardStatus
    event: str
    reason_code: str
    channel: str
    actor: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, card_token: _Optional[str] = ..., from_status: _Optional[_Union[CardStatus, str]] = ..., to_status: _Optional[_Union[CardStatus, str]] = ..., event: _Optional[str] = ..., reason_code: _Optional[str] = ..., channel: _Optional[str] = ..., actor: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListCardEventsRequest(_message.Message):
    __slots__ = ("card_token", "page_size", "page_token")
    CARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    card_token: str
    page_size: int
    page_token: str
    def __init__(self, card_token: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCardEventsResponse(_message.Message):
    __slots__ = ("events", "next_page_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[CardEvent]
    next_page_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[CardEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AuthorizeCardRequest(_message.Message):
    __slots__ = ("pan", "track2", "card_token", "expiry", "pin_block", "pin_block_format", "cvv2", "terminal_id", "amount", "processing_code")
    PAN_FIELD_NUMBER: _ClassVar[int]
    TRACK2_FIELD_NUMBER: _ClassVar[int]
    CARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_FIELD_NUMBER: _ClassVar[int]
    PIN_BLOCK_FIELD_NUMBER: _ClassVar[int]
    PIN_BLOCK_FORMAT_FIELD_NUMBER: _ClassVar[int]
    CVV2_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_CODE_FIELD_NUMBER: _ClassVar[int]
    pan: str
    track2: str
    card_token: str
    expiry: str
    pin_block: bytes
    pin_block_format: PinBlockFormat
    cvv2: str
    terminal_id: str
    amount: int
    processing_code: str
    def __init__(self, pan: _Optional[str] = ..., track2: _Optional[str] = ..., card_token: _Optional[str] = ..., expiry: _Optional[str] = ..., pin_block: _Optional[bytes] = ..., pin_block_format: _Optional[_Union[PinBlockFormat, str]] = ..., cvv2: _Optional[str] = ..., terminal_id: _Optional[str] = ..., amount: _Optional[int] = ..., processing_code: _Optional[str] = ...) -> None: ...

class AuthorizeCardResponse(_message.Message):
    __slots__ = ("response_code", "card_token", "member_id", "product_id", "tier", "segment", "limits", "masked_pan", "kind", "merchant_id")
    RESPONSE_CODE_FIELD_NUMBER: _ClassVar[int]
    CARD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    MASKED_PAN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    response_code: str
    card_token: str
    member_id: str
    product_id: str
    tier: str
    segment: str
    limits: ProductLimits
    masked_pan: str
    kind: CardKind
    merchant_id: str
    def __init__(self, response_code: _Optional[str] = ..., card_token: _Optional[str] = ..., member_id: _Optional[str] = ..., product_id: _Optional[str] = ..., tier: _Optional[str] = ..., segment: _Optional[str] = ..., limits: _Optional[_Union[ProductLimits, _Mapping]] = ..., masked_pan: _Optional[str] = ..., kind: _Optional[_Union[CardKind, str]] = ..., merchant_id: _Optional[str] = ...) -> None: ...

class AuthorizeCardsRequest(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[AuthorizeCardRequest]
    def __init__(self, items: _Optional[_Iterable[_Union[AuthorizeCardRequest, _Mapping]]] = ...) -> None: ...

class AuthorizeCardsResponse(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[AuthorizeCardResult]
    def __init__(self, items: _Optional[_Iterable[_Union[AuthorizeCardResult, _Mapping]]] = ...) -> None: ...

class AuthorizeCardResult(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: AuthorizeCardResponse
    error: _batch_pb2.ItemError
    def __init__(self, response: _Optional[_Union[AuthorizeCardResponse, _Mapping]] = ..., error: _Optional[_Union[_batch_pb2.ItemError, _Mapping]] = ...) -> None: ...

class Terminal(_message.Message):
    __slots__ = ("terminal_id", "merchant_id", "status", "pin_key_kcv", "mac_key_kcv", "key_version", "created_at")
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PIN_KEY_KCV_FIELD_NUMBER: _ClassVar[int]
    MAC_KEY_KCV_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    terminal_id: str
    merchant_id: str
    status: TerminalStatus
    pin_key_kcv: str
    mac_key_kcv: str
    key_version: int
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, terminal_id: _Optional[str] = ..., merchant_id: _Optional[str] = ..., status: _Optional[_Union[TerminalStatus, str]] = ..., pin_key_kcv: _Optional[str] = ..., mac_key_kcv: _Optional[str] = ..., key_version: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RegisterTerminalRequest(_message.Message):
    __slots__ = ("terminal_id", "merchant_id", "pin_key", "mac_key")
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    PIN_KEY_FIELD_NUMBER: _ClassVar[int]
    MAC_KEY_FIELD_NUMBER: _ClassVar[int]
    terminal_id: str
    merchant_id: str
    pin_key: str
    mac_key: str
    def __init__(self, terminal_id: _Optional[str] = ..., merchant_id: _Optional[str] = ..., pin_key: _Optional[str] = ..., mac_key: _Optional[str] = ...) -> None: ...

class GetTerminalRequest(_message.Message):
    __slots__ = ("terminal_id",)
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    terminal_id: str
    def __init__(self, terminal_id: _Optional[str] = ...) -> None: ...

class ListTerminalsRequest(_message.Message):
    __slots__ = ("merchant_id", "page_size", "page_token")
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    merchant_id: str
    page_size: int
    page_token: str
    def __init__(self, merchant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTerminalsResponse(_message.Message):
    __slots__ = ("terminals", "next_page_token")
    TERMINALS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    terminals: _containers.RepeatedCompositeFieldContainer[Terminal]
    next_page_token: str
    def __init__(self, terminals: _Optional[_Iterable[_Union[Terminal, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ChangeTerminalStatusRequest(_message.Message):
    __slots__ = ("terminal_id", "status", "reason_code")
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    terminal_id: str
    status: TerminalStatus
    reason_code: str
    def __init__(self, terminal_id: _Optional[str] = ..., status: _Optional[_Union[TerminalStatus, str]] = ..., reason_code: _Optional[str] = ...) -> None: ...

class ChangeTerminalKeysRequest(_message.Message):
    __slots__ = ("terminal_id", "pin_key", "mac_key")
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    PIN_KEY_FIELD_NUMBER: _ClassVar[int]
    MAC_KEY_FIELD_NUMBER: _ClassVar[int]
    terminal_id: str
    pin_key: str
    mac_key: str
    def __init__(self, terminal_id: _Optional[str] = ..., pin_key: _Optional[str] = ..., mac_key: _Optional[str] = ...) -> None: ...

class TerminalKeys(_message.Message):
    __slots__ = ("terminal_id", "merchant_id", "status", "mac_key", "key_version")
    TERMINAL_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MAC_KEY_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_FIELD_NUMBER: _ClassVar[int]
    terminal_id: str
    merchant_id: str
    status: TerminalStatus
    mac_key: bytes
    key_version: int
    def __init__(self, terminal_id: _Optional[str] = ..., merchant_id: _Optional[str] = ..., status: _Optional[_Union[TerminalStatus, str]] = ..., mac_key: _Optional[bytes] = ..., key_version: _Optional[int] = ...) -> None: ...
