"""The gRPC face of crm: requests in, domain functions, protos out."""

from __future__ import annotations

import functools

import psycopg
import psycopg_pool

from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.crm.v1 import crm_pb2_grpc
from services.shared import auth
from services.shared.errors import Unavailable

from . import checkin, events, interactions, interests, invitations, member360, outbox, queue, signin, surveys
from .context import Deps


def dependency_errors(method):
    """Postgres unreachable or its pool exhausted: UNAVAILABLE (retry), never a half-done change."""

    @functools.wraps(method)
    async def wrapped(self, request, context):
        try:
            return await method(self, request, context)
        except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as exc:
            self.deps.log.warning("dependency unavailable", extra={"error": type(exc).__name__})
            raise Unavailable("a dependency is unavailable; retry") from exc

    return wrapped


class CrmServicer(crm_pb2_grpc.CrmServiceServicer):
    deps: Deps

    # ---------- events ----------
    @dependency_errors
    async def CreateEvent(self, request, context):
        return await events.create(self.deps, request.event)

    @dependency_errors
    async def UpdateEvent(self, request, context):
        return await events.update(self.deps, request.event)

    @dependency_errors
    async def CancelEvent(self, request, context):
        return await events.cancel(self.deps, request.event_id, request.reason)

    @dependency_errors
    async def GetEvent(self, request, context):
        return await events.get(self.deps, request.event_id)

    @dependency_errors
    async def ListEvents(self, request, context):
        return pb.ListEventsResponse(events=await events.list_events(self.deps, request))

    # ---------- audience ----------
    async def InviteAudience(self, request, context):
        async for progress in invitations.invite(self.deps, request):
            yield progress

    @dependency_errors
    async def ListInvitations(self, request, context):
        return pb.ListInvitationsResponse(invitations=await invitations.list_for_member(self.deps, request.member_id))

    @dependency_errors
    async def ListAttendees(self, request, context):
        return pb.ListAttendeesResponse(
            invitations=await invitations.list_for_event(self.deps, request.event_id, request.state))

    # ---------- replies ----------
    @dependency_errors
    async def Rsvp(self, request, context):
        return await invitations.rsvp(self.deps, request)

    @dependency_errors
    async def CancelRsvp(self, request, context):
        return await invitations.cancel_rsvp(self.deps, request)

    # ---------- check-in ----------
    @dependency_errors
    async def GetCheckInCode(self, request, context):
        return await checkin.get_code(self.deps, request)

    @dependency_errors
    async def CheckIn(self, request, context):
        answer = await checkin.check_in(self.deps, request)
        await surveys.after_check_in(self.deps, request.event_id, answer.member_id)  # surveys that follow it
        return answer

    @dependency_errors
    async def ListAttendance(self, request, context):
        return pb.ListAttendanceResponse(attended=await invitations.list_attended(self.deps, request.member_id))

    # ---------- member care: interactions, the work queue, the member view ----------
    @dependency_errors
    async def RecordInteraction(self, request, context):
        return await interactions.record(self.deps, request)

    @dependency_errors
    async def GetInteraction(self, request, context):
        return await interactions.get(self.deps, request)

    @dependency_errors
    async def ListInteractions(self, request, context):
        return pb.ListInteractionsResponse(
            interactions=await interactions.list_for_member(self.deps, request.member_id, request.open_only))

    @dependency_errors
    async def ChangeInteractionStatus(self, request, context):
        return await interactions.change_status(self.deps, request)

    @dependency_errors
    async def ListWorkQueue(self, request, context):
        return await queue.work_queue(self.deps, request)

    @dependency_errors
    async def GetMember360(self, request, context):
        return await member360.view(self.deps, request.member_id)

    # ---------- member care: interests ----------
    @dependency_errors
    async def SetInterests(self, request, context):
        return await interests.set_interests(self.deps, request)

    @dependency_errors
    async def GetInterests(self, request, context):
        return await interests.get_interests(self.deps, request.member_id)

    # ---------- member care: surveys ----------
    @dependency_errors
    async def CreateSurvey(self, request, context):
        return await surveys.create(self.deps, request.survey)

    @dependency_errors
    async def GetSurvey(self, request, context):
        return await surveys.get(self.deps, request.survey_id)

    @dependency_errors
    async def SendSurvey(self, request, context):
        return await surveys.send(self.deps, request)

    @dependency_errors
    async def ListPendingSurveys(self, request, context):
        return pb.ListPendingSurveysResponse(surveys=await surveys.pending(self.deps, request.member_id))

    @dependency_errors
    async def AnswerSurvey(self, request, context):
        return await surveys.answer(self.deps, request)

    @dependency_errors
    async def GetSurveyResults(self, request, context):
        return await surveys.results(self.deps, request.survey_id)
    # ---------- announcements and notifications ----------
    @dependency_errors
    async def PreviewMessage(self, request, context):
        return await outbox.preview(self.deps, request)

    async def Announce(self, request, context):
        caller = auth.current_caller()
        async for progress in outbox.announce(self.deps, request, caller.subject if caller else ""):
            yield progress

    @dependency_errors
    async def GetAnnouncement(self, request, context):
        return await outbox.get_announcement(self.deps, request.announcement_id)

    @dependency_errors
    async def ListMessages(self, request, context):
        return pb.ListMessagesResponse(messages=await outbox.list_messages(self.deps, request))

    @dependency_errors
    async def ListInbox(self, request, context):
        return await outbox.list_inbox(self.deps, request)

    @dependency_errors
    async def MarkRead(self, request, context):
        return await outbox.mark_read(self.deps, request)

    # ---------- the member portal: sign-in, joining, the home page ----------
    @dependency_errors
    async def StartSignIn(self, request, context):
        return await signin.start(self.deps, request)

    @dependency_errors
    async def VerifySignIn(self, request, context):
        return await signin.verify(self.deps, request)

    @dependency_errors
    async def JoinClub(self, request, context):
        return await signin.join(self.deps, request)

    @dependency_errors
    async def GetMemberHome(self, request, context):
        return await member360.home(self.deps, request.member_id)
