import datetime

from services.gen.club.cards.v1 import cards_pb2 as _cards_pb2
from services.gen.club.switch.v1 import authorization_pb2 as _authorization_pb2
from services.gen.club.tasheem.v1 import tasheem_pb2 as _tasheem_pb2
from services.gen.club.wallet.v1 import wallet_pb2 as _wallet_pb2
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

class InteractionChannel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INTERACTION_CHANNEL_UNSPECIFIED: _ClassVar[InteractionChannel]
    INTERACTION_CHANNEL_BRANCH: _ClassVar[InteractionChannel]
    INTERACTION_CHANNEL_CALL_CENTRE: _ClassVar[InteractionChannel]
    INTERACTION_CHANNEL_SMS: _ClassVar[InteractionChannel]
    INTERACTION_CHANNEL_PORTAL: _ClassVar[InteractionChannel]
    INTERACTION_CHANNEL_EMAIL: _ClassVar[InteractionChannel]

class InteractionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INTERACTION_KIND_UNSPECIFIED: _ClassVar[InteractionKind]
    INTERACTION_KIND_REQUEST: _ClassVar[InteractionKind]
    INTERACTION_KIND_COMPLAINT: _ClassVar[InteractionKind]
    INTERACTION_KIND_QUESTION: _ClassVar[InteractionKind]
    INTERACTION_KIND_FEEDBACK: _ClassVar[InteractionKind]
    INTERACTION_KIND_SUGGESTION: _ClassVar[InteractionKind]

class InteractionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INTERACTION_STATUS_UNSPECIFIED: _ClassVar[InteractionStatus]
    INTERACTION_STATUS_OPEN: _ClassVar[InteractionStatus]
    INTERACTION_STATUS_IN_PROGRESS: _ClassVar[InteractionStatus]
    INTERACTION_STATUS_RESOLVED: _ClassVar[InteractionStatus]

class LinkKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LINK_KIND_UNSPECIFIED: _ClassVar[LinkKind]
    LINK_KIND_TRANSACTION: _ClassVar[LinkKind]
    LINK_KIND_CARD: _ClassVar[LinkKind]
    LINK_KIND_EVENT: _ClassVar[LinkKind]

class QuestionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    QUESTION_KIND_UNSPECIFIED: _ClassVar[QuestionKind]
    QUESTION_KIND_SCALE: _ClassVar[QuestionKind]
    QUESTION_KIND_CHOICE: _ClassVar[QuestionKind]
    QUESTION_KIND_TEXT: _ClassVar[QuestionKind]
    QUESTION_KIND_NPS: _ClassVar[QuestionKind]

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
INTERACTION_CHANNEL_UNSPECIFIED: InteractionChannel
INTERACTION_CHANNEL_BRANCH: InteractionChannel
INTERACTION_CHANNEL_CALL_CENTRE: InteractionChannel
INTERACTION_CHANNEL_SMS: InteractionChannel
INTERACTION_CHANNEL_PORTAL: InteractionChannel
INTERACTION_CHANNEL_EMAIL: InteractionChannel
INTERACTION_KIND_UNSPECIFIED: InteractionKind
INTERACTION_KIND_REQUEST: InteractionKind
INTERACTION_KIND_COMPLAINT: InteractionKind
INTERACTION_KIND_QUESTION: InteractionKind
INTERACTION_KIND_FEEDBACK: InteractionKind
INTERACTION_KIND_SUGGESTION: InteractionKind
INTERACTION_STATUS_UNSPECIFIED: InteractionStatus
INTERACTION_STATUS_OPEN: InteractionStatus
INTERACTION_STATUS_IN_PROGRESS: InteractionStatus
INTERACTION_STATUS_RESOLVED: InteractionStatus
LINK_KIND_UNSPECIFIED: LinkKind
LINK_KIND_TRANSACTION: LinkKind
LINK_KIND_CARD: LinkKind
LINK_KIND_EVENT: LinkKind
QUESTION_KIND_UNSPECIFIED: QuestionKind
QUESTION_KIND_SCALE: QuestionKind
QUESTION_KIND_CHOICE: QuestionKind
QUESTION_KIND_TEXT: QuestionKind
QUESTION_KIND_NPS: QuestionKind
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
    __slots__ = ("event_id", "tiers", "segments", "member_ids", "interests")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    MEMBER_IDS_FIELD_NUMBER: _ClassVar[int]
    INTERESTS_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tiers: _containers.RepeatedScalarFieldContainer[str]
    segments: _containers.RepeatedScalarFieldContainer[str]
    member_ids: _containers.RepeatedScalarFieldContainer[str]
    interests: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, event_id: _Optional[str] = ..., tiers: _Optional[_Iterable[str]] = ..., segments: _Optional[_Iterable[str]] = ..., member_ids: _Optional[_Iterable[str]] = ..., interests: _Optional[_Iterable[str]] = ...) -> None: ...

class InviteProgress(_message.Message):
    __slots__ = ("total", "processed", "invited", "already_invited", "done", "announced")
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PROCESSED_FIELD_NUMBER: _ClassVar[int]
    INVITED_FIELD_NUMBER: _ClassVar[int]
    ALREADY_INVITED_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCED_FIELD_NUMBER: _ClassVar[int]
    total: int
    processed: int
    invited: int
    already_invited: int
    done: bool
    announced: int
    def __init__(self, total: _Optional[int] = ..., processed: _Optional[int] = ..., invited: _Optional[int] = ..., already_invited: _Optional[int] = ..., done: _Optional[bool] = ..., announced: _Optional[int] = ...) -> None: ...

class Invitation(_message.Message):
    __slots__ = ("event_id", "member_id", "state", "tier", "waitlist_position", "points_charged", "replied_at", "checked_in_at", "event_title", "starts_local", "venue", "description", "ends_local", "rsvp_deadline_local", "points_price", "event_cancelled", "cancel_reason")
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
    VENUE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ENDS_LOCAL_FIELD_NUMBER: _ClassVar[int]
    RSVP_DEADLINE_LOCAL_FIELD_NUMBER: _ClassVar[int]
    POINTS_PRICE_FIELD_NUMBER: _ClassVar[int]
    EVENT_CANCELLED_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
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
    venue: str
    description: str
    ends_local: str
    rsvp_deadline_local: str
    points_price: int
    event_cancelled: bool
    cancel_reason: str
    def __init__(self, event_id: _Optional[str] = ..., member_id: _Optional[str] = ..., state: _Optional[_Union[InvitationState, str]] = ..., tier: _Optional[str] = ..., waitlist_position: _Optional[int] = ..., points_charged: _Optional[int] = ..., replied_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., checked_in_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., event_title: _Optional[str] = ..., starts_local: _Optional[str] = ..., venue: _Optional[str] = ..., description: _Optional[str] = ..., ends_local: _Optional[str] = ..., rsvp_deadline_local: _Optional[str] = ..., points_price: _Optional[int] = ..., event_cancelled: _Optional[bool] = ..., cancel_reason: _Optional[str] = ...) -> None: ...

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

class InteractionStatusChange(_message.Message):
    __slots__ = ("from_status", "to_status", "note", "actor", "changed_at")
    FROM_STATUS_FIELD_NUMBER: _ClassVar[int]
    TO_STATUS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    from_status: InteractionStatus
    to_status: InteractionStatus
    note: str
    actor: str
    changed_at: _timestamp_pb2.Timestamp
    def __init__(self, from_status: _Optional[_Union[InteractionStatus, str]] = ..., to_status: _Optional[_Union[InteractionStatus, str]] = ..., note: _Optional[str] = ..., actor: _Optional[str] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Interaction(_message.Message):
    __slots__ = ("interaction_id", "member_id", "channel", "kind", "subject", "body", "agent", "link_kind", "link_id", "status", "tier", "created_at", "updated_at", "due_at", "resolved_at", "overdue", "history")
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    LINK_KIND_FIELD_NUMBER: _ClassVar[int]
    LINK_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    interaction_id: str
    member_id: str
    channel: InteractionChannel
    kind: InteractionKind
    subject: str
    body: str
    agent: str
    link_kind: LinkKind
    link_id: str
    status: InteractionStatus
    tier: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    due_at: _timestamp_pb2.Timestamp
    resolved_at: _timestamp_pb2.Timestamp
    overdue: bool
    history: _containers.RepeatedCompositeFieldContainer[InteractionStatusChange]
    def __init__(self, interaction_id: _Optional[str] = ..., member_id: _Optional[str] = ..., channel: _Optional[_Union[InteractionChannel, str]] = ..., kind: _Optional[_Union[InteractionKind, str]] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ..., agent: _Optional[str] = ..., link_kind: _Optional[_Union[LinkKind, str]] = ..., link_id: _Optional[str] = ..., status: _Optional[_Union[InteractionStatus, str]] = ..., tier: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., overdue: _Optional[bool] = ..., history: _Optional[_Iterable[_Union[InteractionStatusChange, _Mapping]]] = ...) -> None: ...

class RecordInteractionRequest(_message.Message):
    __slots__ = ("member_id", "channel", "kind", "subject", "body", "link_kind", "link_id")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    LINK_KIND_FIELD_NUMBER: _ClassVar[int]
    LINK_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    channel: InteractionChannel
    kind: InteractionKind
    subject: str
    body: str
    link_kind: LinkKind
    link_id: str
    def __init__(self, member_id: _Optional[str] = ..., channel: _Optional[_Union[InteractionChannel, str]] = ..., kind: _Optional[_Union[InteractionKind, str]] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ..., link_kind: _Optional[_Union[LinkKind, str]] = ..., link_id: _Optional[str] = ...) -> None: ...

class GetInteractionRequest(_message.Message):
    __slots__ = ("member_id", "interaction_id")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    interaction_id: str
    def __init__(self, member_id: _Optional[str] = ..., interaction_id: _Optional[str] = ...) -> None: ...

class ListInteractionsRequest(_message.Message):
    __slots__ = ("member_id", "open_only")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    OPEN_ONLY_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    open_only: bool
    def __init__(self, member_id: _Optional[str] = ..., open_only: _Optional[bool] = ...) -> None: ...

class ListInteractionsResponse(_message.Message):
    __slots__ = ("interactions",)
    INTERACTIONS_FIELD_NUMBER: _ClassVar[int]
    interactions: _containers.RepeatedCompositeFieldContainer[Interaction]
    def __init__(self, interactions: _Optional[_Iterable[_Union[Interaction, _Mapping]]] = ...) -> None: ...

class ChangeInteractionStatusRequest(_message.Message):
    __slots__ = ("interaction_id", "status", "note")
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    interaction_id: str
    status: InteractionStatus
    note: str
    def __init__(self, interaction_id: _Optional[str] = ..., status: _Optional[_Union[InteractionStatus, str]] = ..., note: _Optional[str] = ...) -> None: ...

class ListWorkQueueRequest(_message.Message):
    __slots__ = ("limit", "tier")
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    limit: int
    tier: str
    def __init__(self, limit: _Optional[int] = ..., tier: _Optional[str] = ...) -> None: ...

class TierBacklog(_message.Message):
    __slots__ = ("tier", "open", "overdue", "target_minutes")
    TIER_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    TARGET_MINUTES_FIELD_NUMBER: _ClassVar[int]
    tier: str
    open: int
    overdue: int
    target_minutes: int
    def __init__(self, tier: _Optional[str] = ..., open: _Optional[int] = ..., overdue: _Optional[int] = ..., target_minutes: _Optional[int] = ...) -> None: ...

class WorkQueue(_message.Message):
    __slots__ = ("items", "backlog")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    BACKLOG_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[Interaction]
    backlog: _containers.RepeatedCompositeFieldContainer[TierBacklog]
    def __init__(self, items: _Optional[_Iterable[_Union[Interaction, _Mapping]]] = ..., backlog: _Optional[_Iterable[_Union[TierBacklog, _Mapping]]] = ...) -> None: ...

class GetMember360Request(_message.Message):
    __slots__ = ("member_id",)
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    def __init__(self, member_id: _Optional[str] = ...) -> None: ...

class PartStatus(_message.Message):
    __slots__ = ("part", "available", "reason")
    PART_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    part: str
    available: bool
    reason: str
    def __init__(self, part: _Optional[str] = ..., available: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class Member360(_message.Message):
    __slots__ = ("member_id", "parts", "profile", "cards", "balances", "tier", "next_tier", "transactions", "coupons", "invitations", "open_interactions", "interests", "tier_progress")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    CARDS_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    NEXT_TIER_FIELD_NUMBER: _ClassVar[int]
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    COUPONS_FIELD_NUMBER: _ClassVar[int]
    INVITATIONS_FIELD_NUMBER: _ClassVar[int]
    OPEN_INTERACTIONS_FIELD_NUMBER: _ClassVar[int]
    INTERESTS_FIELD_NUMBER: _ClassVar[int]
    TIER_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    parts: _containers.RepeatedCompositeFieldContainer[PartStatus]
    profile: _cards_pb2.Member
    cards: _containers.RepeatedCompositeFieldContainer[_cards_pb2.Card]
    balances: _wallet_pb2.MemberBalances
    tier: str
    next_tier: str
    transactions: _containers.RepeatedCompositeFieldContainer[_authorization_pb2.Transaction]
    coupons: _containers.RepeatedCompositeFieldContainer[_tasheem_pb2.Coupon]
    invitations: _containers.RepeatedCompositeFieldContainer[Invitation]
    open_interactions: _containers.RepeatedCompositeFieldContainer[Interaction]
    interests: _containers.RepeatedScalarFieldContainer[str]
    tier_progress: _wallet_pb2.TierProgress
    def __init__(self, member_id: _Optional[str] = ..., parts: _Optional[_Iterable[_Union[PartStatus, _Mapping]]] = ..., profile: _Optional[_Union[_cards_pb2.Member, _Mapping]] = ..., cards: _Optional[_Iterable[_Union[_cards_pb2.Card, _Mapping]]] = ..., balances: _Optional[_Union[_wallet_pb2.MemberBalances, _Mapping]] = ..., tier: _Optional[str] = ..., next_tier: _Optional[str] = ..., transactions: _Optional[_Iterable[_Union[_authorization_pb2.Transaction, _Mapping]]] = ..., coupons: _Optional[_Iterable[_Union[_tasheem_pb2.Coupon, _Mapping]]] = ..., invitations: _Optional[_Iterable[_Union[Invitation, _Mapping]]] = ..., open_interactions: _Optional[_Iterable[_Union[Interaction, _Mapping]]] = ..., interests: _Optional[_Iterable[str]] = ..., tier_progress: _Optional[_Union[_wallet_pb2.TierProgress, _Mapping]] = ...) -> None: ...

class SetInterestsRequest(_message.Message):
    __slots__ = ("member_id", "categories")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    categories: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, member_id: _Optional[str] = ..., categories: _Optional[_Iterable[str]] = ...) -> None: ...

class GetInterestsRequest(_message.Message):
    __slots__ = ("member_id",)
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    def __init__(self, member_id: _Optional[str] = ...) -> None: ...

class Interests(_message.Message):
    __slots__ = ("member_id", "categories")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    categories: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, member_id: _Optional[str] = ..., categories: _Optional[_Iterable[str]] = ...) -> None: ...

class Question(_message.Message):
    __slots__ = ("position", "kind", "prompt", "scale_max", "choices")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    SCALE_MAX_FIELD_NUMBER: _ClassVar[int]
    CHOICES_FIELD_NUMBER: _ClassVar[int]
    position: int
    kind: QuestionKind
    prompt: str
    scale_max: int
    choices: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, position: _Optional[int] = ..., kind: _Optional[_Union[QuestionKind, str]] = ..., prompt: _Optional[str] = ..., scale_max: _Optional[int] = ..., choices: _Optional[_Iterable[str]] = ...) -> None: ...

class Survey(_message.Message):
    __slots__ = ("survey_id", "title", "questions", "after_event_id", "created_at", "requested", "answered", "after_purchase")
    SURVEY_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    QUESTIONS_FIELD_NUMBER: _ClassVar[int]
    AFTER_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_FIELD_NUMBER: _ClassVar[int]
    AFTER_PURCHASE_FIELD_NUMBER: _ClassVar[int]
    survey_id: str
    title: str
    questions: _containers.RepeatedCompositeFieldContainer[Question]
    after_event_id: str
    created_at: _timestamp_pb2.Timestamp
    requested: int
    answered: int
    after_purchase: bool
    def __init__(self, survey_id: _Optional[str] = ..., title: _Optional[str] = ..., questions: _Optional[_Iterable[_Union[Question, _Mapping]]] = ..., after_event_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., requested: _Optional[int] = ..., answered: _Optional[int] = ..., after_purchase: _Optional[bool] = ...) -> None: ...

class CreateSurveyRequest(_message.Message):
    __slots__ = ("survey",)
    SURVEY_FIELD_NUMBER: _ClassVar[int]
    survey: Survey
    def __init__(self, survey: _Optional[_Union[Survey, _Mapping]] = ...) -> None: ...

class GetSurveyRequest(_message.Message):
    __slots__ = ("survey_id",)
    SURVEY_ID_FIELD_NUMBER: _ClassVar[int]
    survey_id: str
    def __init__(self, survey_id: _Optional[str] = ...) -> None: ...

class SendSurveyRequest(_message.Message):
    __slots__ = ("survey_id", "member_ids", "tiers", "segments", "interests")
    SURVEY_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_IDS_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    INTERESTS_FIELD_NUMBER: _ClassVar[int]
    survey_id: str
    member_ids: _containers.RepeatedScalarFieldContainer[str]
    tiers: _containers.RepeatedScalarFieldContainer[str]
    segments: _containers.RepeatedScalarFieldContainer[str]
    interests: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, survey_id: _Optional[str] = ..., member_ids: _Optional[_Iterable[str]] = ..., tiers: _Optional[_Iterable[str]] = ..., segments: _Optional[_Iterable[str]] = ..., interests: _Optional[_Iterable[str]] = ...) -> None: ...

class SendSurveyResponse(_message.Message):
    __slots__ = ("total", "requested", "already_requested")
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_FIELD_NUMBER: _ClassVar[int]
    ALREADY_REQUESTED_FIELD_NUMBER: _ClassVar[int]
    total: int
    requested: int
    already_requested: int
    def __init__(self, total: _Optional[int] = ..., requested: _Optional[int] = ..., already_requested: _Optional[int] = ...) -> None: ...

class ListPendingSurveysRequest(_message.Message):
    __slots__ = ("member_id",)
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    def __init__(self, member_id: _Optional[str] = ...) -> None: ...

class ListPendingSurveysResponse(_message.Message):
    __slots__ = ("surveys",)
    SURVEYS_FIELD_NUMBER: _ClassVar[int]
    surveys: _containers.RepeatedCompositeFieldContainer[Survey]
    def __init__(self, surveys: _Optional[_Iterable[_Union[Survey, _Mapping]]] = ...) -> None: ...

class Answer(_message.Message):
    __slots__ = ("position", "score", "choice", "text")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    CHOICE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    position: int
    score: int
    choice: int
    text: str
    def __init__(self, position: _Optional[int] = ..., score: _Optional[int] = ..., choice: _Optional[int] = ..., text: _Optional[str] = ...) -> None: ...

class AnswerSurveyRequest(_message.Message):
    __slots__ = ("survey_id", "member_id", "answers")
    SURVEY_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    survey_id: str
    member_id: str
    answers: _containers.RepeatedCompositeFieldContainer[Answer]
    def __init__(self, survey_id: _Optional[str] = ..., member_id: _Optional[str] = ..., answers: _Optional[_Iterable[_Union[Answer, _Mapping]]] = ...) -> None: ...

class AnswerSurveyResponse(_message.Message):
    __slots__ = ("answered_at",)
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    answered_at: _timestamp_pb2.Timestamp
    def __init__(self, answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetSurveyResultsRequest(_message.Message):
    __slots__ = ("survey_id",)
    SURVEY_ID_FIELD_NUMBER: _ClassVar[int]
    survey_id: str
    def __init__(self, survey_id: _Optional[str] = ...) -> None: ...

class QuestionResult(_message.Message):
    __slots__ = ("question", "answers", "counts", "promoters", "passives", "detractors", "nps", "score_sum", "texts")
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    PROMOTERS_FIELD_NUMBER: _ClassVar[int]
    PASSIVES_FIELD_NUMBER: _ClassVar[int]
    DETRACTORS_FIELD_NUMBER: _ClassVar[int]
    NPS_FIELD_NUMBER: _ClassVar[int]
    SCORE_SUM_FIELD_NUMBER: _ClassVar[int]
    TEXTS_FIELD_NUMBER: _ClassVar[int]
    question: Question
    answers: int
    counts: _containers.RepeatedScalarFieldContainer[int]
    promoters: int
    passives: int
    detractors: int
    nps: int
    score_sum: int
    texts: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, question: _Optional[_Union[Question, _Mapping]] = ..., answers: _Optional[int] = ..., counts: _Optional[_Iterable[int]] = ..., promoters: _Optional[int] = ..., passives: _Optional[int] = ..., detractors: _Optional[int] = ..., nps: _Optional[int] = ..., score_sum: _Optional[int] = ..., texts: _Optional[_Iterable[str]] = ...) -> None: ...

class SurveyResults(_message.Message):
    __slots__ = ("survey", "questions")
    SURVEY_FIELD_NUMBER: _ClassVar[int]
    QUESTIONS_FIELD_NUMBER: _ClassVar[int]
    survey: Survey
    questions: _containers.RepeatedCompositeFieldContainer[QuestionResult]
    def __init__(self, survey: _Optional[_Union[Survey, _Mapping]] = ..., questions: _Optional[_Iterable[_Union[QuestionResult, _Mapping]]] = ...) -> None: ...

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
    __slots__ = ("announcement_id", "channels", "template", "subject", "variables", "marketing", "tiers", "segments", "member_ids", "interests")
    ANNOUNCEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    MARKETING_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    MEMBER_IDS_FIELD_NUMBER: _ClassVar[int]
    INTERESTS_FIELD_NUMBER: _ClassVar[int]
    announcement_id: str
    channels: _containers.RepeatedScalarFieldContainer[Channel]
    template: str
    subject: str
    variables: _containers.RepeatedCompositeFieldContainer[Variable]
    marketing: bool
    tiers: _containers.RepeatedScalarFieldContainer[str]
    segments: _containers.RepeatedScalarFieldContainer[str]
    member_ids: _containers.RepeatedScalarFieldContainer[str]
    interests: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, announcement_id: _Optional[str] = ..., channels: _Optional[_Iterable[_Union[Channel, str]]] = ..., template: _Optional[str] = ..., subject: _Optional[str] = ..., variables: _Optional[_Iterable[_Union[Variable, _Mapping]]] = ..., marketing: _Optional[bool] = ..., tiers: _Optional[_Iterable[str]] = ..., segments: _Optional[_Iterable[str]] = ..., member_ids: _Optional[_Iterable[str]] = ..., interests: _Optional[_Iterable[str]] = ...) -> None: ...

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

class StartSignInRequest(_message.Message):
    __slots__ = ("phone", "client_address")
    PHONE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    phone: str
    client_address: str
    def __init__(self, phone: _Optional[str] = ..., client_address: _Optional[str] = ...) -> None: ...

class StartSignInResponse(_message.Message):
    __slots__ = ("expires_in_seconds", "resend_after_seconds")
    EXPIRES_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RESEND_AFTER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    expires_in_seconds: int
    resend_after_seconds: int
    def __init__(self, expires_in_seconds: _Optional[int] = ..., resend_after_seconds: _Optional[int] = ...) -> None: ...

class VerifySignInRequest(_message.Message):
    __slots__ = ("phone", "code", "client_address")
    PHONE_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    phone: str
    code: str
    client_address: str
    def __init__(self, phone: _Optional[str] = ..., code: _Optional[str] = ..., client_address: _Optional[str] = ...) -> None: ...

class SignInResult(_message.Message):
    __slots__ = ("token", "expires_at", "member_id", "join_ticket")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    JOIN_TICKET_FIELD_NUMBER: _ClassVar[int]
    token: str
    expires_at: _timestamp_pb2.Timestamp
    member_id: str
    join_ticket: str
    def __init__(self, token: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., member_id: _Optional[str] = ..., join_ticket: _Optional[str] = ...) -> None: ...

class JoinClubRequest(_message.Message):
    __slots__ = ("join_ticket", "first_name", "last_name", "national_id", "client_address")
    JOIN_TICKET_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    join_ticket: str
    first_name: str
    last_name: str
    national_id: str
    client_address: str
    def __init__(self, join_ticket: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., national_id: _Optional[str] = ..., client_address: _Optional[str] = ...) -> None: ...

class GetMemberHomeRequest(_message.Message):
    __slots__ = ("member_id",)
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    def __init__(self, member_id: _Optional[str] = ...) -> None: ...

class MemberHome(_message.Message):
    __slots__ = ("member_id", "parts", "profile", "tier", "next_tier", "tier_progress", "balances", "points_expiring_soon", "points_expire_at", "benefits", "upcoming_events", "unread_messages", "pending_surveys")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    NEXT_TIER_FIELD_NUMBER: _ClassVar[int]
    TIER_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    POINTS_EXPIRING_SOON_FIELD_NUMBER: _ClassVar[int]
    POINTS_EXPIRE_AT_FIELD_NUMBER: _ClassVar[int]
    BENEFITS_FIELD_NUMBER: _ClassVar[int]
    UPCOMING_EVENTS_FIELD_NUMBER: _ClassVar[int]
    UNREAD_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    PENDING_SURVEYS_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    parts: _containers.RepeatedCompositeFieldContainer[PartStatus]
    profile: _cards_pb2.Member
    tier: str
    next_tier: str
    tier_progress: _wallet_pb2.TierProgress
    balances: _wallet_pb2.MemberBalances
    points_expiring_soon: int
    points_expire_at: _timestamp_pb2.Timestamp
    benefits: _containers.RepeatedCompositeFieldContainer[_tasheem_pb2.Benefit]
    upcoming_events: _containers.RepeatedCompositeFieldContainer[Invitation]
    unread_messages: int
    pending_surveys: int
    def __init__(self, member_id: _Optional[str] = ..., parts: _Optional[_Iterable[_Union[PartStatus, _Mapping]]] = ..., profile: _Optional[_Union[_cards_pb2.Member, _Mapping]] = ..., tier: _Optional[str] = ..., next_tier: _Optional[str] = ..., tier_progress: _Optional[_Union[_wallet_pb2.TierProgress, _Mapping]] = ..., balances: _Optional[_Union[_wallet_pb2.MemberBalances, _Mapping]] = ..., points_expiring_soon: _Optional[int] = ..., points_expire_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., benefits: _Optional[_Iterable[_Union[_tasheem_pb2.Benefit, _Mapping]]] = ..., upcoming_events: _Optional[_Iterable[_Union[Invitation, _Mapping]]] = ..., unread_messages: _Optional[int] = ..., pending_surveys: _Optional[int] = ...) -> None: ...
