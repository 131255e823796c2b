"""Surveys: questions (scale 1..N, choice, free text, NPS 0..10), requests to an audience (rows
waiting for delivery, which is not done here) or to each member checked in at an event, answers
(a member answers only as itself, once, every question) and results per question.

NPS is %promoters (9-10) - %detractors (0-6) in integer arithmetic, rounded toward zero.
"""

from __future__ import annotations

import datetime as dt
import uuid

from services.gen.club.crm.v1 import crm_pb2 as pb
from services.shared import auth
from services.shared.errors import FailedPrecondition, FieldError, NotFound
from services.shared.validate import check_free_text, check_id

from . import invitations
from .context import Deps
from .times import now, stamp

TITLE_LENGTH = 200
PROMPT_LENGTH = 500
CHOICE_LENGTH = 200
ANSWER_LENGTH = 2000
MAX_QUESTIONS = 50
MAX_CHOICES = 20
SCALE_MAX = 10
NPS_MAX = 10
RESULT_TEXTS = 100
KINDS = {"scale": pb.QUESTION_KIND_SCALE, "choice": pb.QUESTION_KIND_CHOICE, "text": pb.QUESTION_KIND_TEXT,
         "nps": pb.QUESTION_KIND_NPS}
KIND_NAMES = {value: key for key, value in KINDS.items()}


def _question(question: pb.Question, field: str, position: int) -> dict:
    kind = KIND_NAMES.get(question.kind)
    if kind is None:
        raise FieldError(f"{field}.kind", f"must be one of {', '.join(KINDS)}")
    values = {"position": position, "kind": kind, "prompt": check_free_text(question.prompt, f"{field}.prompt", PROMPT_LENGTH),
              "scale_max": 0, "choices": []}
    if kind == "scale":
        if not 2 <= question.scale_max <= SCALE_MAX:
            raise FieldError(f"{field}.scale_max", f"must be 2..{SCALE_MAX}")
        values["scale_max"] = question.scale_max
    elif question.scale_max:
        raise FieldError(f"{field}.scale_max", "is for scale questions only")
    if kind == "choice":
        if not 2 <= len(question.choices) <= MAX_CHOICES:
            raise FieldError(f"{field}.choices", f"must be 2..{MAX_CHOICES} options")
        for index, choice in enumerate(question.choices):
            check_free_text(choice, f"{field}.choices[{index}]", CHOICE_LENGTH)
        values["choices"] = list(question.choices)
    elif question.choices:
        raise FieldError(f"{field}.choices", "are for choice questions only")
    return values


def _survey(row: dict, questions: list[dict], counts: dict | None = None) -> pb.Survey:
    counts = counts or {}
    return pb.Survey(
        survey_id=row["survey_id"], title=row["title"], after_event_id=row["after_event_id"],
        after_purchase=row["after_purchase"],
        created_at=stamp(row["created_at"]), requested=counts.get("requested", 0), answered=counts.get("answered", 0),
        questions=[pb.Question(position=q["position"], kind=KINDS[q["kind"]], prompt=q["prompt"],
                               scale_max=q["scale_max"], choices=q["choices"]) for q in questions])


async def _load(conn, survey_id: str) -> tuple[dict, list[dict]]:
    cur = await conn.execute("SELECT * FROM surveys WHERE survey_id = %s", (survey_id,))
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"survey {survey_id} not found")
    cur = await conn.execute("SELECT * FROM survey_questions WHERE survey_id = %s ORDER BY position", (survey_id,))
    return row, await cur.fetchall()


async def _counts(conn, survey_id: str) -> dict:
    cur = await conn.execute("SELECT count(*) AS requested, count(answered_at) AS answered FROM survey_requests"
                             " WHERE survey_id = %s", (survey_id,))
    return await cur.fetchone()


async def create(deps: Deps, survey: pb.Survey) -> pb.Survey:
    survey_id = check_id(survey.survey_id, "survey.survey_id", required=False) or f"sv-{uuid.uuid4().hex[:12]}"
    title = check_free_text(survey.title, "survey.title", TITLE_LENGTH)
    if not 1 <= len(survey.questions) <= MAX_QUESTIONS:
        raise FieldError("survey.questions", f"must be 1..{MAX_QUESTIONS} questions")
    questions = [_question(q, f"survey.questions[{i}]", i + 1) for i, q in enumerate(survey.questions)]
    after_event_id = check_id(survey.after_event_id, "survey.after_event_id", required=False)
    caller = auth.current_caller()
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            if after_event_id:
                cur = await conn.execute("SELECT 1 FROM events WHERE event_id = %s", (after_event_id,))
                if await cur.fetchone() is None:
                    raise FieldError("survey.after_event_id", "no such event")
            cur = await conn.execute(
                "INSERT INTO surveys (survey_id, title, after_event_id, after_purchase, created_by)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (survey_id) DO NOTHING RETURNING survey_id",
                (survey_id, title, after_event_id, survey.after_purchase, caller.subject if caller else ""))
            if await cur.fetchone() is None:
                raise FieldError("survey.survey_id", "a survey with this id exists")
            for q in questions:
                await conn.execute("INSERT INTO survey_questions (survey_id, position, kind, prompt, scale_max, choices)"
                                   " VALUES (%s, %s, %s, %s, %s, %s)",
                                   (survey_id, q["position"], q["kind"], q["prompt"], q["scale_max"], q["choices"]))
        row, rows = await _load(conn, survey_id)
    return _survey(row, rows)


async def get(deps: Deps, survey_id: str) -> pb.Survey:
    check_id(survey_id, "survey_id")
    async with deps.pool.connection() as conn:
        row, questions = await _load(conn, survey_id)
        return _survey(row, questions, await _counts(conn, survey_id))


async def send(deps: Deps, request: pb.SendSurveyRequest) -> pb.SendSurveyResponse:
    survey_id = check_id(request.survey_id, "survey_id")
    if not (request.tiers or request.segments or request.member_ids or request.interests):
        raise FieldError("audience", "name tiers, segments, interests or member_ids")
    async with deps.pool.connection() as conn:
        await _load(conn, survey_id)
    members = sorted(await invitations.audience(deps, request))
    made = 0
    async with deps.pool.connection() as conn:
        for start in range(0, len(members), invitations.INVITE_BATCH):
            cur = await conn.execute(
                "INSERT INTO survey_requests (survey_id, member_id) SELECT %s, m FROM unnest(%s::text[]) AS m"
                " ON CONFLICT DO NOTHING RETURNING member_id",
                (survey_id, members[start:start + invitations.INVITE_BATCH]))
            made += len(await cur.fetchall())
        await conn.commit()
    return pb.SendSurveyResponse(total=len(members), requested=made, already_requested=len(members) - made)


async def after_check_in(deps: Deps, event_id: str, member_id: str) -> None:
    """Asks the member checked in every survey set to follow this event (once each)."""
    try:
        async with deps.pool.connection() as conn:
            await conn.execute("INSERT INTO survey_requests (survey_id, member_id, source)"
                               " SELECT survey_id, %s, 'check_in' FROM surveys WHERE after_event_id = %s"
                               " ON CONFLICT DO NOTHING", (member_id, event_id))
            await conn.commit()
    except Exception as exc:  # noqa: BLE001 - the check-in stands; the survey request is what is lost
        deps.log.warning("survey request after check-in failed", extra={"event_id": event_id,
                                                                         "error": type(exc).__name__})


async def after_purchase(deps: Deps, purchases: list[tuple[str, dt.datetime]]) -> None:
    """Asks each buyer every survey set to follow a purchase (once each), of those that existed at
    the purchase; `purchases` are (member_id, approved at). Called by the journal reader a page at
    a time, off the authorization's path."""
    if not purchases:
        return
    async with deps.pool.connection() as conn:
        await conn.execute("INSERT INTO survey_requests (survey_id, member_id, source)"
                           " SELECT DISTINCT s.survey_id, p.member_id, 'purchase'"
                           " FROM unnest(%s::text[], %s::timestamptz[]) AS p(member_id, at)"
                           " JOIN surveys s ON s.after_purchase AND s.created_at <= p.at"
                           " ON CONFLICT DO NOTHING",
                           ([member_id for member_id, _ in purchases], [at for _, at in purchases]))
        await conn.commit()


async def pending(deps: Deps, member_id: str) -> list[pb.Survey]:
    check_id(member_id, "member_id")
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT survey_id FROM survey_requests WHERE member_id = %s AND answered_at IS NULL"
                                 " ORDER BY created_at, survey_id LIMIT 100", (member_id,))
        answer = []
        for item in await cur.fetchall():
            row, questions = await _load(conn, item["survey_id"])
            answer.append(_survey(row, questions))
    return answer


def _answer(question: dict, given: pb.Answer, field: str) -> tuple[int | None, int | None, str | None]:
    kind = question["kind"]
    extra = [name for name, value in (("score", given.score), ("choice", given.choice), ("text", given.text))
             if value and name != {"scale": "score", "nps": "score", "choice": "choice", "text": "text"}[kind]]
    if extra:
        raise FieldError(f"{field}.{extra[0]}", f"does not apply to a {kind} question")
    if kind == "scale":
        if not 1 <= given.score <= question["scale_max"]:
            raise FieldError(f"{field}.score", f"must be 1..{question['scale_max']}")
        return given.score, None, None
    if kind == "nps":
        if not 0 <= given.score <= NPS_MAX:
            raise FieldError(f"{field}.score", f"must be 0..{NPS_MAX}")
        return given.score, None, None
    if kind == "choice":
        if not 0 <= given.choice < len(question["choices"]):
            raise FieldError(f"{field}.choice", f"must be 0..{len(question['choices']) - 1}")
        return None, given.choice, None
    return None, None, check_free_text(given.text, f"{field}.text", ANSWER_LENGTH)


async def answer(deps: Deps, request: pb.AnswerSurveyRequest) -> pb.AnswerSurveyResponse:
    survey_id = check_id(request.survey_id, "survey_id")
    member_id = check_id(request.member_id, "member_id")
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            _, questions = await _load(conn, survey_id)
            by_position = {q["position"]: q for q in questions}
            values = {}
            for index, given in enumerate(request.answers):
                field = f"answers[{index}]"
                question = by_position.get(given.position)
                if question is None:
                    raise FieldError(f"{field}.position", f"must be 1..{len(questions)}")
                if given.position in values:
                    raise FieldError(f"{field}.position", "is answered twice")
                values[given.position] = _answer(question, given, field)
            missing = [position for position in by_position if position not in values]
            if missing:
                raise FieldError("answers", f"question {missing[0]} is not answered")
            cur = await conn.execute("SELECT answered_at FROM survey_requests WHERE survey_id = %s AND member_id = %s"
                                     " FOR UPDATE", (survey_id, member_id))
            asked = await cur.fetchone()
            if asked is None:
                raise FailedPrecondition(f"member_id: member {member_id} was not asked survey {survey_id}")
            if asked["answered_at"] is not None:
                raise FailedPrecondition(f"member_id: member {member_id} has answered survey {survey_id}")
            for position, (score, choice, body) in sorted(values.items()):
                await conn.execute("INSERT INTO survey_answers (survey_id, member_id, position, score, choice, body)"
                                   " VALUES (%s, %s, %s, %s, %s, %s)",
                                   (survey_id, member_id, position, score, choice, body))
            answered_at = now()
            await conn.execute("UPDATE survey_requests SET answered_at = %s WHERE survey_id = %s AND member_id = %s",
                               (answered_at, survey_id, member_id))
    return pb.AnswerSurveyResponse(answered_at=stamp(answered_at))


def nps(promoters: int, detractors: int, answers: int) -> int:
    """%promoters - %detractors, integer arithmetic, rounded toward zero (0 without answers)."""
    if not answers:
        return 0
    difference = (promoters - detractors) * 100
    magnitude = abs(difference) // answers
    return magnitude if difference >= 0 else -magnitude


async def results(deps: Deps, survey_id: str) -> pb.SurveyResults:
    check_id(survey_id, "survey_id")
    async with deps.pool.connection() as conn:
        row, questions = await _load(conn, survey_id)
        survey = _survey(row, questions, await _counts(conn, survey_id))
        cur = await conn.execute(
            "SELECT position, coalesce(score, choice) AS value, count(*) AS n"
            " FROM survey_answers WHERE survey_id = %s AND body IS NULL GROUP BY position, coalesce(score, choice)",
            (survey_id,))
        counted: dict[int, dict[int, int]] = {}
        for item in await cur.fetchall():
            counted.setdefault(item["position"], {})[item["value"]] = item["n"]
        cur = await conn.execute(
            "SELECT a.position, a.body FROM survey_answers a JOIN survey_requests r USING (survey_id, member_id)"
            " WHERE a.survey_id = %s AND a.body IS NOT NULL ORDER BY r.answered_at DESC, a.member_id", (survey_id,))
        texts: dict[int, list[str]] = {}
        text_counts: dict[int, int] = {}
        for item in await cur.fetchall():
            text_counts[item["position"]] = text_counts.get(item["position"], 0) + 1
            if len(texts.setdefault(item["position"], [])) < RESULT_TEXTS:
                texts[item["position"]].append(item["body"])
    answer = pb.SurveyResults(survey=survey)
    for question, message in zip(questions, survey.questions, strict=True):
        position, kind = question["position"], question["kind"]
        values = counted.get(position, {})
        result = answer.questions.add(question=message)
        if kind == "text":
            result.answers = text_counts.get(position, 0)
            result.texts.extend(texts.get(position, []))
            continue
        if kind == "scale":
            result.counts.extend(values.get(score, 0) for score in range(1, question["scale_max"] + 1))
            result.score_sum = sum(score * n for score, n in values.items())
        elif kind == "nps":
            result.counts.extend(values.get(score, 0) for score in range(0, NPS_MAX + 1))
            result.promoters = sum(n for score, n in values.items() if score >= 9)
            result.passives = sum(n for score, n in values.items() if 7 <= score <= 8)
            result.detractors = sum(n for score, n in values.items() if score <= 6)
        else:
            result.counts.extend(values.get(index, 0) for index in range(len(question["choices"])))
        result.answers = sum(values.values())
        if kind == "nps":
            result.nps = nps(result.promoters, result.detractors, result.answers)
    return answer
