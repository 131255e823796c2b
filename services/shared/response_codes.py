"""Response codes (field 39) the switch answers with, and what each means to a terminal. The cards
service answers its card checks (AuthorizeCard) with the same codes."""

APPROVED = "00"
DO_NOT_HONOUR = "05"
INVALID_TRANSACTION = "12"
INVALID_AMOUNT = "13"
UNKNOWN_CARD = "14"
FORMAT_ERROR = "30"
INSUFFICIENT_FUNDS = "51"
EXPIRED_CARD = "54"
WRONG_PIN = "55"
NOT_PERMITTED_TO_CARDHOLDER = "57"
NOT_PERMITTED_TO_TERMINAL = "58"
OVER_AMOUNT_LIMIT = "61"
RESTRICTED_CARD = "62"
SECURITY_VIOLATION = "63"
OVER_COUNT_LIMIT = "65"
PIN_TRIES_EXCEEDED = "75"
ISSUER_UNAVAILABLE = "91"
DUPLICATE_TRANSMISSION = "94"
RECONCILE_ERROR = "95"
SYSTEM_MALFUNCTION = "96"

MEANINGS = {
    APPROVED: "approved",
    DO_NOT_HONOUR: "do not honour",
    INVALID_TRANSACTION: "invalid transaction",
    INVALID_AMOUNT: "invalid amount",
    UNKNOWN_CARD: "invalid card number",
    FORMAT_ERROR: "format error",
    INSUFFICIENT_FUNDS: "not sufficient funds",
    EXPIRED_CARD: "expired card",
    WRONG_PIN: "incorrect PIN",
    NOT_PERMITTED_TO_CARDHOLDER: "transaction not permitted to cardholder",
    NOT_PERMITTED_TO_TERMINAL: "transaction not permitted to terminal",
    OVER_AMOUNT_LIMIT: "exceeds withdrawal amount limit",
    RESTRICTED_CARD: "restricted card",
    SECURITY_VIOLATION: "security violation",
    OVER_COUNT_LIMIT: "exceeds withdrawal frequency limit",
    PIN_TRIES_EXCEEDED: "allowable number of PIN tries exceeded",
    ISSUER_UNAVAILABLE: "issuer or switch inoperative",
    DUPLICATE_TRANSMISSION: "duplicate transmission",
    RECONCILE_ERROR: "reconcile error",
    SYSTEM_MALFUNCTION: "system malfunction",
}


def meaning(code: str) -> str:
    return MEANINGS.get(code, "unknown response code")
