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
EVENT_STATE_UNSPECIFIED: EventState
EVENT_STATE_SCHEDULED: EventState
EVENT_STATE_CANCELLED: EventState
INVITATION_STATE_UNSPECIFIED: InvitationState
INVITATION_STATE_INVITED: InvitationState
INVITATION_STATE_ACCEPTED: InvitationState
INVITATION_STATE_WAITLISTED: InvitationState
INVITATION_STATE_DECLINED: InvitationState
INVITATION_STATE_CANCELLED: InvitationState

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
