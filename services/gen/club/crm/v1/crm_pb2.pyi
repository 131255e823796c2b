import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EventState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_STATE_UNSPECIFIED: _ClassVar[EventState]
    EVENT_STATE_SCHEDULED: _ClassVar[EventState]
    EVENT_STATE_CANCELLED: _ClassVar[EventState]

class InvitationState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INVITATION_STATE_UNSPECIFIED: _ClassVar[InvitationState]
    INVITATION_STATE_INVITED: _ClassVar[InvitationState]
    INVITATION_STATE_ACCEPTED: _ClassVar[InvitationState]
    INVITATION_STATE_WAITLISTED: _ClassVar[InvitationState]
    INVITATION_STATE_DECLINED: _ClassVar[InvitationState]
    INVITATION_STATE_CANCELLED: _ClassVar[InvitationState]

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_SMS: _ClassVar[Channel]
    CHANNEL_EMAIL: _ClassVar[Channel]
    CHANNEL_INBOX: _ClassVar[Channel]

class DeliveryState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DELIVERY_STATE_UNSPECIFIED: _ClassVar[DeliveryState]
    DELIVERY_STATE_QUEUED: _ClassVar[DeliveryState]
    DELIVERY_STATE_HELD: _ClassVar[DeliveryState]
    DELIVERY_STATE_SENDING: _ClassVar[DeliveryState]
    DELIVERY_STATE_SENT: _ClassVar[DeliveryState]
    DELIVERY_STATE_FAILED: _ClassVar[DeliveryState]
    DELIVERY_STATE_UNKNOWN: _ClassVar[DeliveryState]
    DELIVERY_STATE_SKIPPED: _ClassVar[DeliveryState]
EVENT_STATE_UNSPECIFIED: EventState
EVENT_STATE_SCHEDULED: EventState
EVENT_STATE_CANCELLED: EventState
INVITATION_STATE_UNSPECIFIED: InvitationState
INVITATION_STATE_INVITED: InvitationState
INVITATION_STATE_ACCEPTED: InvitationState
INVITATION_STATE_WAITLISTED: InvitationState
INVITATION_STATE_DECLINED: InvitationState
INVITATION_STATE_CANCELLED: InvitationState
CHANNEL_UNSPECIFIED: Channel
CHANNEL_SMS: Channel
CHANNEL_EMAIL: Channel
CHANNEL_INBOX: Channel
DELIVERY_STATE_UNSPECIFIED: DeliveryState
DELIVERY_STATE_QUEUED: DeliveryState
DELIVERY_STATE_HELD: DeliveryState
DELIVERY_STATE_SENDING: DeliveryState
DELIVERY_STATE_SENT: DeliveryState
DELIVERY_STATE_FAILED: DeliveryState
DELIVERY_STATE_UNKNOWN: DeliveryState
DELIVERY_STATE_SKIPPED: DeliveryState

class Event(_message.Message):
    __slots__ = ("event_id", "title", "description", "venue", "starts_at", "ends_at", "capacity", "points_price", "rsvp_deadline", "state", "time_zone", "starts_local", "ends_local", "rsvp_deadline_local", "accepted", "waitlisted", "invited", "cancel_reason", "created_at")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    VENUE_FIELD_NUMBER: _ClassVar[int]
    STARTS_AT_FIELD_NUMBER: _ClassVar[int]
    ENDS_AT_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    POINTS_PRICE_FIELD_NUMBER: _ClassVar[int]
    RSVP_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    STARTS_LOCAL_FIELD_NUMBER: _ClassVar[int]
    ENDS_LOCAL_FIELD_NUMBER: _ClassVar[int]
    RSVP_DEADLINE_LOCAL_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    WAITLISTED_FIELD_NUMBER: _ClassVar[int]
    INVITED_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    title: str
    description: str
    venue: str
    starts_at: _timestamp_pb2.Timestamp
    ends_at: _timestamp_pb2.Timestamp
    capacity: int
    points_price: int
    rsvp_deadline: _timestamp_pb2.Timestamp
    state: EventState
    time_zone: str
    starts_local: str
    ends_local: str
    rsvp_deadline_local: str
    accepted: int
    waitlisted: int
    invited: int
    cancel_reason: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, event_id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., venue: _Optional[str] = ..., starts_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ends_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., capacity: _Optional[int] = ..., points_price: _Optional[int] = ..., rsvp_deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[_Union[EventState, str]] = ..., time_zone: _Optional[str] = ..., starts_local: _Optional[str] = ..., ends_local: _Optional[str] = ..., rsvp_deadline_local: _Optional[str] = ..., accepted: _Optional[int] = ..., waitlisted: _Optional[int] = ..., invited: _Optional[int] = ..., cancel_reason: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateEventRequest(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: Event
    def __init__(self, event: _Optional[_Union[Event, _Mapping]] = ...) -> None: ...

class UpdateEventRequest(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: Event
    def __init__(self, event: _Optional[_Union[Event, _Mapping]] = ...) -> None: ...

class CancelEventRequest(_message.Message):
    __slots__ = ("event_id", "reason")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    reason: str
    def __init__(self, event_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class GetEventRequest(_message.Message):
    __slots__ = ("event_id",)
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    def __init__(self, event_id: _Optional[str] = ...) -> None: ...

class ListEventsRequest(_message.Message):
    __slots__ = ("upcoming_only", "include_cancelled")
    UPCOMING_ONLY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CANCELLED_FIELD_NUMBER: _ClassVar[int]
    upcoming_only: bool
    include_cancelled: bool
    def __init__(self, upcoming_only: _Optional[bool] = ..., include_cancelled: _Optional[bool] = ...) -> None: ...

class ListEventsResponse(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[Event]
    def __init__(self, events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ...) -> None: ...

class InviteAudienceRequest(_message.Message):
    __slots__ = ("event_id", "tiers", "segments", "member_ids")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    MEMBER_IDS_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tiers: _containers.RepeatedScalarFieldContainer[str]
    segments: _containers.RepeatedScalarFieldContainer[str]
    member_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, event_id: _Optional[str] = ..., tiers: _Optional[_Iterable[str]] = ..., segments: _Optional[_Iterable[str]] = ..., member_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class InviteProgress(_message.Message):
    __slots__ = ("total", "processed", "invited", "already_invited", "done")
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PROCESSED_FIELD_NUMBER: _ClassVar[int]
    INVITED_FIELD_NUMBER: _ClassVar[int]
    ALREADY_INVITED_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    total: int
    processed: int
    invited: int
    already_invited: int
    done: bool
    def __init__(self, total: _Optional[int] = ..., processed: _Optional[int] = ..., invited: _Optional[int] = ..., already_invited: _Optional[int] = ..., done: _Optional[bool] = ...) -> None: ...

class Invitation(_message.Message):
    __slots__ = ("event_id", "member_id", "state", "tier", "waitlist_position", "points_charged", "replied_at", "checked_in_at", "event_title", "starts_local")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    WAITLIST_POSITION_FIELD_NUMBER: _ClassVar[int]
    POINTS_CHARGED_FIELD_NUMBER: _ClassVar[int]
    REPLIED_AT_FIELD_NUMBER: _ClassVar[int]
    CHECKED_IN_AT_FIELD_NUMBER: _ClassVar[int]
    EVENT_TITLE_FIELD_NUMBER: _ClassVar[int]
    STARTS_LOCAL_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    member_id: str
    state: InvitationState
    tier: str
    waitlist_position: int
    points_charged: int
    replied_at: _timestamp_pb2.Timestamp
    checked_in_at: _timestamp_pb2.Timestamp
    event_title: str
    starts_local: str
    def __init__(self, event_id: _Optional[str] = ..., member_id: _Optional[str] = ..., state: _Optional[_Union[InvitationState, str]] = ..., tier: _Optional[str] = ..., waitlist_position: _Optional[int] = ..., points_charged: _Optional[int] = ..., replied_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., checked_in_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., event_title: _Optional[str] = ..., starts_local: _Optional[str] = ...) -> None: ...

class ListInvitationsRequest(_message.Message):
    __slots__ = ("member_id",)
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    def __init__(self, member_id: _Optional[str] = ...) -> None: ...

class ListInvitationsResponse(_message.Message):
    __slots__ = ("invitations",)
    INVITATIONS_FIELD_NUMBER: _ClassVar[int]
    invitations: _containers.RepeatedCompositeFieldContainer[Invitation]
    def __init__(self, invitations: _Optional[_Iterable[_Union[Invitation, _Mapping]]] = ...) -> None: ...

class ListAttendeesRequest(_message.Message):
    __slots__ = ("event_id", "state")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    state: InvitationState
    def __init__(self, event_id: _Optional[str] = ..., state: _Optional[_Union[InvitationState, str]] = ...) -> None: ...

class ListAttendeesResponse(_message.Message):
    __slots__ = ("invitations",)
    INVITATIONS_FIELD_NUMBER: _ClassVar[int]
    invitations: _containers.RepeatedCompositeFieldContainer[Invitation]
    def __init__(self, invitations: _Optional[_Iterable[_Union[Invitation, _Mapping]]] = ...) -> None: ...

class RsvpRequest(_message.Message):
    __slots__ = ("event_id", "member_id", "accept")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    member_id: str
    accept: bool
    def __init__(self, event_id: _Optional[str] = ..., member_id: _Optional[str] = ..., accept: _Optional[bool] = ...) -> None: ...

class CancelRsvpRequest(_message.Message):
    __slots__ = ("event_id", "member_id")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    member_id: str
    def __init__(self, event_id: _Optional[str] = ..., member_id: _Optional[str] = ...) -> None: ...

class CancelRsvpResponse(_message.Message):
    __slots__ = ("invitation", "promoted_member_id")
    INVITATION_FIELD_NUMBER: _ClassVar[int]
    PROMOTED_MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    invitation: Invitation
    promoted_member_id: str
    def __init__(self, invitation: _Optional[_Union[Invitation, _Mapping]] = ..., promoted_member_id: _Optional[str] = ...) -> None: ...

class GetCheckInCodeRequest(_message.Message):
    __slots__ = ("event_id", "member_id")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    member_id: str
    def __init__(self, event_id: _Optional[str] = ..., member_id: _Optional[str] = ...) -> None: ...

class CheckInCode(_message.Message):
    __slots__ = ("code", "qr_png")
    CODE_FIELD_NUMBER: _ClassVar[int]
    QR_PNG_FIELD_NUMBER: _ClassVar[int]
    code: str
    qr_png: bytes
    def __init__(self, code: _Optional[str] = ..., qr_png: _Optional[bytes] = ...) -> None: ...

class CheckInRequest(_message.Message):
    __slots__ = ("event_id", "code", "member_id")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    code: str
    member_id: str
    def __init__(self, event_id: _Optional[str] = ..., code: _Optional[str] = ..., member_id: _Optional[str] = ...) -> None: ...

class CheckInResponse(_message.Message):
    __slots__ = ("member_id", "checked_in_at")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    CHECKED_IN_AT_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    checked_in_at: _timestamp_pb2.Timestamp
    def __init__(self, member_id: _Optional[str] = ..., checked_in_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAttendanceRequest(_message.Message):
    __slots__ = ("member_id",)
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    def __init__(self, member_id: _Optional[str] = ...) -> None: ...

class ListAttendanceResponse(_message.Message):
    __slots__ = ("attended",)
    ATTENDED_FIELD_NUMBER: _ClassVar[int]
    attended: _containers.RepeatedCompositeFieldContainer[Invitation]
    def __init__(self, attended: _Optional[_Iterable[_Union[Invitation, _Mapping]]] = ...) -> None: ...

class Variable(_message.Message):
    __slots__ = ("name", "text", "rials", "number", "date")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    RIALS_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    name: str
    text: str
    rials: int
    number: int
    date: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., text: _Optional[str] = ..., rials: _Optional[int] = ..., number: _Optional[int] = ..., date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PreviewMessageRequest(_message.Message):
    __slots__ = ("template", "variables", "member_id")
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    template: str
    variables: _containers.RepeatedCompositeFieldContainer[Variable]
    member_id: str
    def __init__(self, template: _Optional[str] = ..., variables: _Optional[_Iterable[_Union[Variable, _Mapping]]] = ..., member_id: _Optional[str] = ...) -> None: ...

class PreviewMessageResponse(_message.Message):
    __slots__ = ("text", "characters", "sms_parts")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    SMS_PARTS_FIELD_NUMBER: _ClassVar[int]
    text: str
    characters: int
    sms_parts: int
    def __init__(self, text: _Optional[str] = ..., characters: _Optional[int] = ..., sms_parts: _Optional[int] = ...) -> None: ...

class AnnounceRequest(_message.Message):
    __slots__ = ("announcement_id", "channels", "template", "subject", "variables", "marketing", "tiers", "segments", "member_ids")
    ANNOUNCEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    MARKETING_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    MEMBER_IDS_FIELD_NUMBER: _ClassVar[int]
    announcement_id: str
    channels: _containers.RepeatedScalarFieldContainer[Channel]
    template: str
    subject: str
    variables: _containers.RepeatedCompositeFieldContainer[Variable]
    marketing: bool
    tiers: _containers.RepeatedScalarFieldContainer[str]
    segments: _containers.RepeatedScalarFieldContainer[str]
    member_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, announcement_id: _Optional[str] = ..., channels: _Optional[_Iterable[_Union[Channel, str]]] = ..., template: _Optional[str] = ..., subject: _Optional[str] = ..., variables: _Optional[_Iterable[_Union[Variable, _Mapping]]] = ..., marketing: _Optional[bool] = ..., tiers: _Optional[_Iterable[str]] = ..., segments: _Optional[_Iterable[str]] = ..., member_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class AnnounceProgress(_message.Message):
    __slots__ = ("announcement_id", "total", "processed", "queued", "skipped_consent", "skipped_address", "done")
    ANNOUNCEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PROCESSED_FIELD_NUMBER: _ClassVar[int]
    QUEUED_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_CONSENT_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    announcement_id: str
    total: int
    processed: int
    queued: int
    skipped_consent: int
    skipped_address: int
    done: bool
    def __init__(self, announcement_id: _Optional[str] = ..., total: _Optional[int] = ..., processed: _Optional[int] = ..., queued: _Optional[int] = ..., skipped_consent: _Optional[int] = ..., skipped_address: _Optional[int] = ..., done: _Optional[bool] = ...) -> None: ...

class GetAnnouncementRequest(_message.Message):
    __slots__ = ("announcement_id",)
    ANNOUNCEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    announcement_id: str
    def __init__(self, announcement_id: _Optional[str] = ...) -> None: ...

class StateCount(_message.Message):
    __slots__ = ("state", "count")
    STATE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    state: DeliveryState
    count: int
    def __init__(self, state: _Optional[_Union[DeliveryState, str]] = ..., count: _Optional[int] = ...) -> None: ...

class Announcement(_message.Message):
    __slots__ = ("announcement_id", "template", "channels", "marketing", "total", "skipped_consent", "skipped_address", "messages", "created_at", "queued")
    ANNOUNCEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    MARKETING_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_CONSENT_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    QUEUED_FIELD_NUMBER: _ClassVar[int]
    announcement_id: str
    template: str
    channels: _containers.RepeatedScalarFieldContainer[Channel]
    marketing: bool
    total: int
    skipped_consent: int
    skipped_address: int
    messages: _containers.RepeatedCompositeFieldContainer[StateCount]
    created_at: _timestamp_pb2.Timestamp
    queued: bool
    def __init__(self, announcement_id: _Optional[str] = ..., template: _Optional[str] = ..., channels: _Optional[_Iterable[_Union[Channel, str]]] = ..., marketing: _Optional[bool] = ..., total: _Optional[int] = ..., skipped_consent: _Optional[int] = ..., skipped_address: _Optional[int] = ..., messages: _Optional[_Iterable[_Union[StateCount, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., queued: _Optional[bool] = ...) -> None: ...

class ListMessagesRequest(_message.Message):
    __slots__ = ("member_id", "announcement_id", "state", "limit")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    announcement_id: str
    state: DeliveryState
    limit: int
    def __init__(self, member_id: _Optional[str] = ..., announcement_id: _Optional[str] = ..., state: _Optional[_Union[DeliveryState, str]] = ..., limit: _Optional[int] = ...) -> None: ...

class Message(_message.Message):
    __slots__ = ("message_id", "member_id", "channel", "kind", "marketing", "state", "reason", "attempts", "body", "provider_id", "created_at", "sent_at", "next_attempt_at", "announcement_id")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MARKETING_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    message_id: int
    member_id: str
    channel: Channel
    kind: str
    marketing: bool
    state: DeliveryState
    reason: str
    attempts: int
    body: str
    provider_id: str
    created_at: _timestamp_pb2.Timestamp
    sent_at: _timestamp_pb2.Timestamp
    next_attempt_at: _timestamp_pb2.Timestamp
    announcement_id: str
    def __init__(self, message_id: _Optional[int] = ..., member_id: _Optional[str] = ..., channel: _Optional[_Union[Channel, str]] = ..., kind: _Optional[str] = ..., marketing: _Optional[bool] = ..., state: _Optional[_Union[DeliveryState, str]] = ..., reason: _Optional[str] = ..., attempts: _Optional[int] = ..., body: _Optional[str] = ..., provider_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_attempt_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., announcement_id: _Optional[str] = ...) -> None: ...

class ListMessagesResponse(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[Message]
    def __init__(self, messages: _Optional[_Iterable[_Union[Message, _Mapping]]] = ...) -> None: ...

class ListInboxRequest(_message.Message):
    __slots__ = ("member_id", "unread_only")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    UNREAD_ONLY_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    unread_only: bool
    def __init__(self, member_id: _Optional[str] = ..., unread_only: _Optional[bool] = ...) -> None: ...

class InboxMessage(_message.Message):
    __slots__ = ("message_id", "subject", "body", "created_at", "read_at")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    READ_AT_FIELD_NUMBER: _ClassVar[int]
    message_id: int
    subject: str
    body: str
    created_at: _timestamp_pb2.Timestamp
    read_at: _timestamp_pb2.Timestamp
    def __init__(self, message_id: _Optional[int] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., read_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListInboxResponse(_message.Message):
    __slots__ = ("messages", "unread")
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    UNREAD_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[InboxMessage]
    unread: int
    def __init__(self, messages: _Optional[_Iterable[_Union[InboxMessage, _Mapping]]] = ..., unread: _Optional[int] = ...) -> None: ...

class MarkReadRequest(_message.Message):
    __slots__ = ("member_id", "message_id")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    message_id: int
    def __init__(self, member_id: _Optional[str] = ..., message_id: _Optional[int] = ...) -> None: ...
