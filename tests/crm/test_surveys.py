"""Surveys: questions of four kinds, sent to an audience (interests included) or asked after a
check-in, answered once and only as oneself, results per question with NPS in integers; and
interests, which choose event audiences too."""

from __future__ import annotations

import uuid

import grpc

from services.crm.surveys import nps
from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.crm.v1 import crm_pb2_grpc
from tests.crm.helpers import a_member, an_event, invite, rpc_error, rsvp

HOSTILE = "<b>عالی</b> & '\"; DROP TABLE x; --"


def a_survey(crm, **overrides) -> pb.Survey:
    values = dict(title="نظر شما درباره باشگاه", questions=[
        pb.Question(kind=pb.QUESTION_KIND_SCALE, prompt="رضایت از خدمات", scale_max=5),
        pb.Question(kind=pb.QUESTION_KIND_CHOICE, prompt="کدام بیشتر؟", choices=["تخفیف", "امتیاز", "رویداد"]),
        pb.Question(kind=pb.QUESTION_KIND_TEXT, prompt="پیشنهاد شما"),
        pb.Question(kind=pb.QUESTION_KIND_NPS, prompt="چقدر ما را پیشنهاد می‌کنید؟"),
    ])
    values.update(overrides)
    return crm.CreateSurvey(pb.CreateSurveyRequest(survey=pb.Survey(**values)))


def answers(scale=5, choice=0, text="خوب", score=10) -> list[pb.Answer]:
    return [pb.Answer(position=1, score=scale), pb.Answer(position=2, choice=choice), pb.Answer(position=3, text=text),
            pb.Answer(position=4, score=score)]


def test_nps_is_integer_percent_promoters_minus_detractors():
    assert nps(0, 0, 0) == 0
    assert nps(2, 1, 3) == 33  # 66.7 - 33.3
    assert nps(1, 2, 3) == -33  # toward zero, not down
    assert nps(5, 0, 5) == 100 and nps(0, 5, 5) == -100


def test_sent_answered_and_counted(stack, crm, cards, wallet):
    survey = a_survey(crm)
    members = [a_member(cards, wallet) for _ in range(5)]
    sent = crm.SendSurvey(pb.SendSurveyRequest(survey_id=survey.survey_id, member_ids=members))
    assert (sent.total, sent.requested) == (5, 5)
    assert crm.SendSurvey(pb.SendSurveyRequest(survey_id=survey.survey_id, member_ids=members[:2])).requested == 0
    pending = crm.ListPendingSurveys(pb.ListPendingSurveysRequest(member_id=members[0])).surveys
    assert [s.survey_id for s in pending] == [survey.survey_id] and len(pending[0].questions) == 4
    given = [(5, 0, HOSTILE, 10), (4, 1, "متوسط", 9), (3, 0, "بد", 6), (5, 2, "", 8), (1, 0, "x", 0)]
    for member, (scale, choice, text, score) in zip(members, given, strict=True):
        if text:
            crm.AnswerSurvey(pb.AnswerSurveyRequest(survey_id=survey.survey_id, member_id=member,
                                                    answers=answers(scale, choice, text, score)))
    # The member with no text left an empty answer: refused, naming the field.
    empty = rpc_error(crm.AnswerSurvey, pb.AnswerSurveyRequest(survey_id=survey.survey_id, member_id=members[3],
                                                               answers=answers(5, 2, "  ", 8)))
    assert empty.code() == grpc.StatusCode.INVALID_ARGUMENT and empty.details().startswith("answers[2].text")
    again = rpc_error(crm.AnswerSurvey, pb.AnswerSurveyRequest(survey_id=survey.survey_id, member_id=members[0],
                                                               answers=answers()))
    assert again.code() == grpc.StatusCode.FAILED_PRECONDITION and "member_id" in again.details()

    results = crm.GetSurveyResults(pb.GetSurveyResultsRequest(survey_id=survey.survey_id))
    assert (results.survey.requested, results.survey.answered) == (5, 4)
    scale, choice, text, net = results.questions
    assert list(scale.counts) == [1, 0, 1, 1, 1] and scale.answers == 4 and scale.score_sum == 13
    assert list(choice.counts) == [3, 1, 0]
    assert text.answers == 4 and set(text.texts) == {HOSTILE, "متوسط", "بد", "x"}  # as given
    assert (net.promoters, net.passives, net.detractors, net.answers) == (2, 0, 2, 4) and net.nps == 0
    assert net.counts[10] == 1 and net.counts[0] == 1 and len(net.counts) == 11


def test_a_member_answers_only_as_itself_and_only_what_it_was_asked(stack, crm, cards, wallet):
    survey = a_survey(crm)
    mine, theirs, unasked = (a_member(cards, wallet) for _ in range(3))
    crm.SendSurvey(pb.SendSurveyRequest(survey_id=survey.survey_id, member_ids=[mine, theirs]))
    with stack.channel("crm", token=stack.token("member", subject=mine)) as channel:
        member = crm_pb2_grpc.CrmServiceStub(channel)
        as_other = rpc_error(member.AnswerSurvey, pb.AnswerSurveyRequest(survey_id=survey.survey_id,
                                                                         member_id=theirs, answers=answers()))
        assert as_other.code() == grpc.StatusCode.PERMISSION_DENIED
        assert rpc_error(member.ListPendingSurveys, pb.ListPendingSurveysRequest(member_id=theirs)).code() == \
            grpc.StatusCode.PERMISSION_DENIED
        for call, request in [(member.CreateSurvey, pb.CreateSurveyRequest(survey=pb.Survey(title="x"))),
                              (member.SendSurvey, pb.SendSurveyRequest(survey_id=survey.survey_id, member_ids=[mine])),
                              (member.GetSurveyResults, pb.GetSurveyResultsRequest(survey_id=survey.survey_id))]:
            assert rpc_error(call, request).code() == grpc.StatusCode.PERMISSION_DENIED
        member.AnswerSurvey(pb.AnswerSurveyRequest(survey_id=survey.survey_id, member_id=mine, answers=answers()))
    unasked_error = rpc_error(crm.AnswerSurvey, pb.AnswerSurveyRequest(survey_id=survey.survey_id, member_id=unasked,
                                                                       answers=answers()))
    assert unasked_error.code() == grpc.StatusCode.FAILED_PRECONDITION and "member_id" in unasked_error.details()
    results = crm.GetSurveyResults(pb.GetSurveyResultsRequest(survey_id=survey.survey_id))
    assert results.survey.answered == 1  # the other member's survey is still theirs to answer


def test_bad_surveys_and_answers_name_their_field(crm, cards, wallet):
    scale = pb.Question(kind=pb.QUESTION_KIND_SCALE, prompt="?", scale_max=5)
    for survey, field in [
        (pb.Survey(title="", questions=[scale]), "survey.title"),
        (pb.Survey(title="t"), "survey.questions"),
        (pb.Survey(title="t", questions=[pb.Question(prompt="?")]), "survey.questions[0].kind"),
        (pb.Survey(title="t", questions=[pb.Question(kind=pb.QUESTION_KIND_SCALE, prompt="?", scale_max=11)]),
         "survey.questions[0].scale_max"),
        (pb.Survey(title="t", questions=[scale, pb.Question(kind=pb.QUESTION_KIND_CHOICE, prompt="?",
                                                            choices=["one"])]), "survey.questions[1].choices"),
        (pb.Survey(title="t", questions=[scale], after_event_id="ev-none"), "survey.after_event_id"),
    ]:
        error = rpc_error(crm.CreateSurvey, pb.CreateSurveyRequest(survey=survey))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith(field), field
    survey = a_survey(crm)
    member = a_member(cards, wallet)
    crm.SendSurvey(pb.SendSurveyRequest(survey_id=survey.survey_id, member_ids=[member]))
    for given, field in [
        (answers(scale=6), "answers[0].score"),
        (answers(scale=0), "answers[0].score"),
        (answers(choice=3), "answers[1].choice"),
        (answers(score=11), "answers[3].score"),
        (answers()[:3], "answers"),
        ([*answers(), pb.Answer(position=1, score=2)], "answers[4].position"),
        ([*answers()[:3], pb.Answer(position=9, score=2)], "answers[3].position"),
        ([pb.Answer(position=1, score=2, text="x"), *answers()[1:]], "answers[0].text"),
    ]:
        error = rpc_error(crm.AnswerSurvey, pb.AnswerSurveyRequest(survey_id=survey.survey_id, member_id=member,
                                                                   answers=given))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith(field), \
            (field, error.details())


def test_asked_after_check_in(crm, cards, wallet):
    member = a_member(cards, wallet)
    event = crm.CreateEvent(pb.CreateEventRequest(event=an_event()))
    survey = a_survey(crm, after_event_id=event.event_id)
    invite(crm, event.event_id, member_ids=[member])
    rsvp(crm, event.event_id, member)
    assert crm.ListPendingSurveys(pb.ListPendingSurveysRequest(member_id=member)).surveys == []
    code = crm.GetCheckInCode(pb.GetCheckInCodeRequest(event_id=event.event_id, member_id=member)).code
    crm.CheckIn(pb.CheckInRequest(event_id=event.event_id, code=code))
    pending = crm.ListPendingSurveys(pb.ListPendingSurveysRequest(member_id=member)).surveys
    assert [s.survey_id for s in pending] == [survey.survey_id]


def test_interests_chosen_by_the_member_choose_audiences(stack, crm, cards, wallet):
    category = f"jazz-{uuid.uuid4().hex[:6]}"
    fan, operator_recorded, other = (a_member(cards, wallet, tier="gold") for _ in range(3))
    with stack.channel("crm", token=stack.token("member", subject=fan)) as channel:
        member = crm_pb2_grpc.CrmServiceStub(channel)
        chosen = member.SetInterests(pb.SetInterestsRequest(member_id=fan, categories=[category, "books", category]))
        assert list(chosen.categories) == sorted(["books", category])
        assert rpc_error(member.SetInterests, pb.SetInterestsRequest(member_id=other, categories=["x"])).code() == \
            grpc.StatusCode.PERMISSION_DENIED
    crm.SetInterests(pb.SetInterestsRequest(member_id=operator_recorded, categories=[category]))
    assert list(crm.GetInterests(pb.GetInterestsRequest(member_id=fan)).categories) == sorted(["books", category])
    bad = rpc_error(crm.SetInterests, pb.SetInterestsRequest(member_id=fan, categories=["has space"]))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT and bad.details().startswith("categories[0]")

    event = crm.CreateEvent(pb.CreateEventRequest(event=an_event()))
    progress = list(crm.InviteAudience(pb.InviteAudienceRequest(event_id=event.event_id, interests=[category])))
    assert progress[-1].done and progress[-1].invited == 2
    attendees = crm.ListAttendees(pb.ListAttendeesRequest(event_id=event.event_id)).invitations
    assert {i.member_id for i in attendees} == {fan, operator_recorded}
    # With a tier: a member must match both.
    narrow = crm.CreateEvent(pb.CreateEventRequest(event=an_event()))
    progress = list(crm.InviteAudience(pb.InviteAudienceRequest(event_id=narrow.event_id, interests=[category],
                                                                tiers=["gold"])))
    assert progress[-1].invited == 2
    none = crm.CreateEvent(pb.CreateEventRequest(event=an_event()))
    progress = list(crm.InviteAudience(pb.InviteAudienceRequest(event_id=none.event_id, interests=[category],
                                                                tiers=["platinum"])))
    assert progress[-1].invited == 0
    survey = a_survey(crm)
    assert crm.SendSurvey(pb.SendSurveyRequest(survey_id=survey.survey_id, interests=[category])).requested == 2
    # Giving up an interest takes the member out of it.
    crm.SetInterests(pb.SetInterestsRequest(member_id=operator_recorded, categories=[]))
    assert list(crm.GetInterests(pb.GetInterestsRequest(member_id=operator_recorded)).categories) == []
