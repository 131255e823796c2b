"""What a person reads when a call fails: a short Persian sentence, never the service's English
detail or a stack trace. A detail the service already wrote in Persian (crm's sign-in: a wrong
code, a locked phone, too many requests) is shown as it is; anything else is said by its status,
naming the field when the service named one we know."""

from __future__ import annotations

import re

import grpc

from services.shared import persian

# Persian (Arabic-script) letters: a detail written for people, not for programs.
_PERSIAN_LETTERS = re.compile(r"[\u0600-\u06FF]")
_FIELD = re.compile(r"^([a-z_][a-z0-9_.]*): ")

BY_STATUS = {
    grpc.StatusCode.INVALID_ARGUMENT: "آنچه وارد کردید درست نیست.",
    grpc.StatusCode.NOT_FOUND: "پیدا نشد.",
    grpc.StatusCode.ALREADY_EXISTS: "این کار پیش‌تر انجام شده است.",
    grpc.StatusCode.FAILED_PRECONDITION: "این کار اکنون شدنی نیست.",
    grpc.StatusCode.PERMISSION_DENIED: "اجازهٔ این کار را ندارید.",
    grpc.StatusCode.UNAUTHENTICATED: "ورود شما به پایان رسیده است؛ دوباره وارد شوید.",
    grpc.StatusCode.RESOURCE_EXHAUSTED: "درخواست‌ها بیش از اندازه بود؛ کمی بعد دوباره بکوشید.",
    grpc.StatusCode.UNAVAILABLE: "سامانه اکنون در دسترس نیست؛ کمی بعد دوباره بکوشید.",
    grpc.StatusCode.DEADLINE_EXCEEDED: "پاسخ سامانه دیر شد؛ کمی بعد دوباره بکوشید.",
    grpc.StatusCode.ABORTED: "کار همزمان دیگری در میان بود؛ دوباره بکوشید.",
}
FALLBACK = "خطایی پیش آمد؛ کمی بعد دوباره بکوشید."

# Fields the services name in INVALID_ARGUMENT, as a member reads them.
FIELD_MESSAGES = {
    "phone": "شمارهٔ تلفن همراه درست نیست.",
    "code": "کد درست نیست.",
    "national_id": "کد ملی درست نیست.",
    "first_name": "نام درست نیست.",
    "last_name": "نام خانوادگی درست نیست.",
    "email": "نشانی ایمیل درست نیست.",
    "subject": "موضوع درست نیست.",
    "body": "متن درست نیست.",
    "join_ticket": "زمان عضویت گذشته است؛ دوباره از نخست وارد شوید.",
}



def _minutes(seconds: str) -> str:
    return persian.number(max(1, -(-int(seconds) // 60)))


# What crm's sign-in says (services/crm/signin.py), said in Persian with its numbers: the first
# pattern found in the detail gives the sentence.
PATTERNS = (
    (re.compile(r"^phone: locked after (\d+) wrong codes; try again in (\d+) s"),
     lambda m: f"پس از {persian.number(int(m[1]))} کد نادرست، این شماره قفل است؛ "
               f"{_minutes(m[2])} دقیقهٔ دیگر دوباره بکوشید."),
    (re.compile(r"^phone: a code was sent just now; ask again in (\d+) s"),
     lambda m: f"کد همین حالا فرستاده شد؛ {persian.number(int(m[1]))} ثانیهٔ دیگر می‌توانید کد تازه بخواهید."),
    (re.compile(r"^phone: at most (\d+) codes an hour"),
     lambda m: f"برای یک شماره در هر ساعت بیش از {persian.number(int(m[1]))} کد فرستاده نمی‌شود؛ بعداً بکوشید."),
    (re.compile(r"^client_address: at most \d+ codes an hour"),
     lambda m: "از این دستگاه بیش از اندازه کد خواسته شد؛ بعداً دوباره بکوشید."),
    (re.compile(r"^client_address: at most \d+ codes tried"),
     lambda m: "از این دستگاه بیش از اندازه کد وارد شد؛ بعداً دوباره بکوشید."),
    (re.compile(r"^code: wrong; the phone is locked for (\d+) minutes"),
     lambda m: f"کد نادرست بود و این شماره {persian.number(int(m[1]))} دقیقه قفل شد."),
    (re.compile(r"^code: expired or never sent"),
     lambda m: "این کد دیگر اعتبار ندارد؛ کد تازه بخواهید."),
    (re.compile(r"^code: wrong; (\d+) tries left"),
     lambda m: f"کد نادرست است؛ {persian.number(int(m[1]))} بار دیگر می‌توانید بکوشید."),
    (re.compile(r"^code: must be (\d+) digits"),
     lambda m: f"کد {persian.number(int(m[1]))} رقمی پیامک‌شده را وارد کنید."),
    (re.compile(r"^join_ticket: "),
     lambda m: "زمان عضویت گذشت؛ دوباره شمارهٔ خود را وارد کنید."),
)

# HTTP status of the page that shows a failed call.
HTTP_STATUS = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}


def message_for(error: grpc.aio.AioRpcError) -> str:
    """The Persian sentence for a failed call."""
    detail = error.details() or ""
    if _PERSIAN_LETTERS.search(detail):
        return detail
    for pattern, say in PATTERNS:
        found = pattern.search(detail)
        if found:
            return say(found)
    if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
        field = _FIELD.match(detail)
        if field and field.group(1) in FIELD_MESSAGES:
            return FIELD_MESSAGES[field.group(1)]
    return BY_STATUS.get(error.code(), FALLBACK)


def http_status_for(error: grpc.aio.AioRpcError) -> int:
    return HTTP_STATUS.get(error.code(), 502)
