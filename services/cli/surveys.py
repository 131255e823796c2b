"""clubctl surveys create|get|send|pending|answer|results

Surveys with questions of four kinds: scale (1..N), choice, free text and NPS (0..10, how likely
a member is to recommend the club). Sent to an audience (pending requests; delivery is not done
here) or asked of each member checked in at an event; answered once, by the member only as
itself; results per question, NPS as %promoters - %detractors.
"""

from __future__ import annotations

from services.gen.club.crm.v1 import crm_pb2 as pb

from .core import CliError, to_dict
from .crm import safe

KINDS = {"scale": pb.QUESTION_KIND_SCALE, "choice": pb.QUESTION_KIND_CHOICE, "text": pb.QUESTION_KIND_TEXT,
         "nps": pb.QUESTION_KIND_NPS}


def register(groups, common) -> None:
    group = groups.add_parser("surveys", help="surveys: questions, sending, answers, results with NPS")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("create", parents=[common], help="create a survey")
    p.add_argument("--title", required=True)
    p.add_argument("--question", action="append", default=[], required=True, metavar="SPEC",
                   help="in order (repeatable): scale:N:PROMPT, choice:A|B|C:PROMPT, text:PROMPT or nps:PROMPT")
    p.add_argument("--after-event", default="", help="asked of each member checked in at this event")
    p.add_argument("--after-purchase", action="store_true",
                   help="asked of each member after an approved purchase (once each)")
    p.add_argument("--id", default="", help="survey id (default: generated)")
    p.set_defaults(func=run_create)

    p = commands.add_parser("get", parents=[common], help="a survey's questions and counts")
    p.add_argument("survey_id")
    p.set_defaults(func=run_get)

    p = commands.add_parser("send", parents=[common], help="ask an audience (pending requests)")
    p.add_argument("survey_id")
    p.add_argument("--tier", action="append", default=[])
    p.add_argument("--segment", action="append", default=[])
    p.add_argument("--interest", action="append", default=[])
    p.add_argument("--member", action="append", default=[])
    p.set_defaults(func=run_send)

    p = commands.add_parser("pending", parents=[common], help="the surveys a member has not answered")
    p.add_argument("member_id")
    p.set_defaults(func=run_pending)

    p = commands.add_parser("answer", parents=[common], help="answer for a member: one POSITION=VALUE per question")
    p.add_argument("survey_id")
    p.add_argument("member_id")
    p.add_argument("answers", nargs="+", metavar="POSITION=VALUE",
                   help="scale and nps: a number; choice: the option's number (1..) or its text; text: the text")
    p.set_defaults(func=run_answer)

    p = commands.add_parser("results", parents=[common], help="results per question, NPS")
    p.add_argument("survey_id")
    p.set_defaults(func=run_results)


def parse_question(spec: str) -> pb.Question:
    kind, _, rest = spec.partition(":")
    if kind not in KINDS:
        raise CliError(f"--question {spec!r}: start with one of {', '.join(KINDS)}")
    if kind == "scale":
        top, _, prompt = rest.partition(":")
        if not top.isdigit():
            raise CliError(f"--question {spec!r}: scale:N:PROMPT, N the top of the scale")
        return pb.Question(kind=KINDS[kind], prompt=prompt, scale_max=int(top))
    if kind == "choice":
        options, _, prompt = rest.partition(":")
        return pb.Question(kind=KINDS[kind], prompt=prompt, choices=options.split("|"))
    return pb.Question(kind=KINDS[kind], prompt=rest)


def run_create(ctx, args) -> None:
    survey = pb.Survey(survey_id=args.id, title=args.title, after_event_id=args.after_event,
                       after_purchase=args.after_purchase, questions=[parse_question(spec) for spec in args.question])
    made = ctx.stub("crm").CreateSurvey(pb.CreateSurveyRequest(survey=survey))
    ctx.emit(made, lambda: print(f"created {made.survey_id} ({len(made.questions)} questions)"))


def _print_survey(survey: pb.Survey) -> None:
    print(f"{survey.survey_id}: {safe(survey.title)}")
    for question in survey.questions:
        kind = pb.QuestionKind.Name(question.kind).removeprefix("QUESTION_KIND_").lower()
        extra = f" 1..{question.scale_max}" if question.scale_max else ""
        if question.choices:
            extra = " " + " | ".join(f"{i + 1}) {safe(c)}" for i, c in enumerate(question.choices))
        print(f"  {question.position}. [{kind}{extra}] {safe(question.prompt)}")


def run_get(ctx, args) -> None:
    survey = ctx.stub("crm").GetSurvey(pb.GetSurveyRequest(survey_id=args.survey_id))

    def text():
        _print_survey(survey)
        print(f"requested {survey.requested}, answered {survey.answered}")

    ctx.emit(survey, text)


def run_send(ctx, args) -> None:
    if not (args.tier or args.segment or args.interest or args.member):
        raise CliError("surveys send: give --tier, --segment, --interest or --member (each repeatable)")
    sent = ctx.stub("crm").SendSurvey(pb.SendSurveyRequest(survey_id=args.survey_id, tiers=args.tier,
                                                           segments=args.segment, interests=args.interest,
                                                           member_ids=args.member), timeout=max(ctx.timeout, 600))
    ctx.emit(sent, lambda: print(f"asked {sent.requested} of {sent.total} members"
                                 f" ({sent.already_requested} were already asked)"))


def run_pending(ctx, args) -> None:
    found = ctx.stub("crm").ListPendingSurveys(pb.ListPendingSurveysRequest(member_id=args.member_id)).surveys
    if ctx.json:
        ctx.emit({"surveys": [to_dict(s) for s in found]})
        return
    for survey in found:
        _print_survey(survey)
    if not found:
        print("(none)")


def run_answer(ctx, args) -> None:
    stub = ctx.stub("crm")
    asked = {s.survey_id: s for s in stub.ListPendingSurveys(
        pb.ListPendingSurveysRequest(member_id=args.member_id)).surveys}
    survey = asked.get(args.survey_id)
    if survey is None:
        raise CliError(f"member {args.member_id} has no pending survey {args.survey_id}")
    questions = {q.position: q for q in survey.questions}
    answers = []
    for item in args.answers:
        position, sep, value = item.partition("=")
        if not sep or not position.isdigit() or int(position) not in questions:
            raise CliError(f"{item!r}: POSITION=VALUE, POSITION one of {', '.join(map(str, questions))}")
        question = questions[int(position)]
        answer = pb.Answer(position=question.position)
        if question.kind == pb.QUESTION_KIND_TEXT:
            answer.text = value
        elif question.kind == pb.QUESTION_KIND_CHOICE:
            if value in question.choices:
                answer.choice = list(question.choices).index(value)
            elif value.isdigit() and 1 <= int(value) <= len(question.choices):
                answer.choice = int(value) - 1
            else:
                raise CliError(f"{item!r}: an option's number 1..{len(question.choices)} or its text")
        else:
            if not value.lstrip("-").isdigit():
                raise CliError(f"{item!r}: a number")
            answer.score = int(value)
        answers.append(answer)
    done = stub.AnswerSurvey(pb.AnswerSurveyRequest(survey_id=args.survey_id, member_id=args.member_id,
                                                    answers=answers))
    ctx.emit(done, lambda: print(f"answered at {to_dict(done)['answered_at']}"))


def run_results(ctx, args) -> None:
    results = ctx.stub("crm").GetSurveyResults(pb.GetSurveyResultsRequest(survey_id=args.survey_id))
    if ctx.json:
        ctx.emit(results)
        return
    survey = results.survey
    print(f"{survey.survey_id}: {safe(survey.title)} (asked {survey.requested}, answered {survey.answered})")
    for result in results.questions:
        question = result.question
        print(f"\n{question.position}. {safe(question.prompt)} — {result.answers} answers")
        if question.kind == pb.QUESTION_KIND_SCALE:
            for score, count in enumerate(result.counts, start=1):
                print(f"  {score}: {count}")
            if result.answers:
                print(f"  mean {result.score_sum / result.answers:.2f}")
        elif question.kind == pb.QUESTION_KIND_CHOICE:
            for choice, count in zip(question.choices, result.counts, strict=True):
                print(f"  {safe(choice)}: {count}")
        elif question.kind == pb.QUESTION_KIND_NPS:
            print("  " + "  ".join(f"{score}:{count}" for score, count in enumerate(result.counts)))
            print(f"  promoters {result.promoters}, passives {result.passives}, detractors {result.detractors}")
            print(f"  NPS {result.nps:+d}")
        else:
            for text in result.texts:
                print(f"  - {safe(text)}")
