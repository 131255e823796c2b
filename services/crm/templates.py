"""Persian message templates: `{name}` placeholders filled with variables, amounts and dates
written with services/shared/persian.py. A template naming a variable nobody gives is refused,
naming it; a template with nothing but text is fine."""

from __future__ import annotations

import datetime as dt
import string

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.crm.v1 import crm_pb2 as pb
from services.shared import persian
from services.shared.errors import FieldError

MAX_TEMPLATE_CHARS = 2000
# The member's own variables, filled for each member of an audience.
MEMBER_VARIABLES = ("name", "first_name", "last_name", "tier")
SMS_SINGLE_PART = 70  # Persian (UCS-2) characters in one SMS
SMS_PART = 67  # per part of a longer one


def fields(template: str) -> list[str]:
    """The variables a template names, in order, each once; FieldError for a malformed one."""
    if not template.strip():
        raise FieldError("template", "must not be empty")
    if len(template) > MAX_TEMPLATE_CHARS:
        raise FieldError("template", f"at most {MAX_TEMPLATE_CHARS} characters")
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise FieldError("template", f"malformed: {exc} (write {{{{ and }}}} for braces)") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise FieldError("template", f"{{{name}}} is not a variable: write {{name}}, letters, digits and _")
        if name not in names:
            names.append(name)
    return names


def value_text(variable: pb.Variable, now: dt.datetime, time_zone: str) -> str:
    kind = variable.WhichOneof("value")
    if kind == "rials":
        return persian.rials(variable.rials)
    if kind == "number":
        return persian.number(variable.number)
    if kind == "date":
        return persian.date(variable.date.ToDatetime(dt.UTC), now, time_zone)
    return variable.text


def given(variables, now: dt.datetime, time_zone: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for index, variable in enumerate(variables):
        if not variable.name.isidentifier():
            raise FieldError(f"variables[{index}].name", "letters, digits and _")
        if variable.name in MEMBER_VARIABLES:
            raise FieldError(f"variables[{index}].name", f"{variable.name} is the member's own")
        values[variable.name] = value_text(variable, now, time_zone)
    return values


def member_values(member: cards_pb2.Member | None) -> dict[str, str]:
    if member is None:
        return {}
    full = " ".join(part for part in (member.first_name, member.last_name) if part)
    return {"name": member.first_name or full, "first_name": member.first_name, "last_name": member.last_name,
            "tier": persian.tier_name(member.tier)}


def check(template: str, available: set[str]) -> list[str]:
    """The template's variables; FieldError naming every one not in `available`."""
    names = fields(template)
    unknown = [name for name in names if name not in available]
    if unknown:
        raise FieldError("template", "unknown variables: " + ", ".join(unknown))
    return names


def render(template: str, values: dict[str, str]) -> str:
    check(template, set(values))
    return template.format_map(values)


def sms_parts(text: str) -> int:
    if len(text) <= SMS_SINGLE_PART:
        return 1
    return -(-len(text) // SMS_PART)


# The sign-in code, transactional: short, one SMS part. The code stays in ASCII digits so a phone
# offers it for autofill; the portal accepts it in either.
SIGNIN_CODE_SMS = "کد ورود شما به باشگاه: {code}\nاین کد تا {minutes} دقیقه معتبر است."


def signin_code_sms(code: str, valid_seconds: int) -> str:
    return render(SIGNIN_CODE_SMS, {"code": code, "minutes": persian.number(valid_seconds // 60)})


assert sms_parts(signin_code_sms("0" * 10, 600)) == 1, "a sign-in code SMS is one part"
