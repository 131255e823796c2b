"""The message layout: pyiso8583's `default` spec (ISO 8583:1987, binary bitmaps, fields 52, 64,
96 and 128 binary, everything else ASCII), plus the content rules pyiso8583 does not check.
"""

from __future__ import annotations

from iso8583.specs import default as DEFAULT_SPEC

from services.shared.limits import PAN_MAX_LENGTH, STAN_LENGTH, TERMINAL_ID_LENGTH

SPEC = DEFAULT_SPEC
# The shared limits (services/shared/limits.py) as the wire has them: PAN (2), STAN (11), terminal (41).
assert SPEC["2"]["max_len"] == PAN_MAX_LENGTH and SPEC["2"]["len_type"] == 2
assert SPEC["11"]["max_len"] == STAN_LENGTH and SPEC["11"]["len_type"] == 0
assert SPEC["41"]["max_len"] == TERMINAL_ID_LENGTH and SPEC["41"]["len_type"] == 0

# Content class of each field we read or write: n = digits, an = letters and digits,
# ans = printable ASCII, b = binary (given to pyiso8583 as hex). Lengths come from SPEC.
FIELD_CONTENT: dict[str, str] = {
    "2": "n", "3": "n", "4": "n", "7": "n", "11": "n", "12": "n", "13": "n", "14": "n",
    "22": "n", "25": "n", "37": "an", "38": "an", "39": "an", "41": "ans", "42": "ans",
    "48": "ans", "49": "n", "52": "b", "53": "n", "54": "ans", "64": "b", "70": "n", "90": "n",
    "95": "an", "96": "b", "128": "b",
    "74": "n", "75": "n", "76": "n", "77": "n", "86": "n", "87": "n", "88": "n", "89": "n",
}

# Request MTI -> the fields it must carry.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "0100": ("2", "3", "4", "7", "11", "41"),
    "0200": ("2", "3", "4", "7", "11", "41"),
    "0220": ("3", "4", "7", "11", "41", "90"),
    "0400": ("4", "7", "11", "41", "90"),
    "0420": ("4", "7", "11", "41", "90"),
    "0500": ("7", "11", "41"),
    "0800": ("7", "11", "70"),
}
REQUEST_MTIS = frozenset(REQUIRED_FIELDS)
# Never held back under load (services/switch/dispatch.py): network management keeps a link up,
# and a reversal gives back what a member had reserved; neither asks much of the switch.
NEVER_HELD_MTIS = frozenset({"0800", "0400", "0420"})


def response_mti(request_mti: str) -> str:
    """0200 -> 0210, 0420 -> 0430: the third digit moves from request to response."""
    return request_mti[:2] + str(int(request_mti[2]) + 1) + request_mti[3]


# Fields a response echoes from its request (when the request carried them and they were valid).
ECHOED_FIELDS = ("3", "4", "7", "11", "12", "13", "25", "41", "42", "49", "70", "90", "95",
                 "74", "75", "76", "77", "86", "87", "88", "89")

# 0500 terminal reconciliation: the terminal's totals since its last reconciliation. Purchases
# debit the cardholder (76 count, 88 amount), refunds credit them (74, 86), reversals of
# purchases are debit reversals (77, 89).
RECONCILIATION_FIELDS = {"purchase_count": "76", "purchase_amount": "88", "refund_count": "74",
                         "refund_amount": "86", "reversal_count": "77", "reversal_amount": "89"}

# Field 3, positions 1-2: the transaction type; positions 3-4: the account it draws on.
PURCHASE = "00"
REFUND = "20"
BALANCE_INQUIRY = "31"
POINTS_ACCOUNT = "90"  # 009000: a purchase paid with points

# Field 70 network management codes.
SIGN_ON = "001"
SIGN_OFF = "002"
ECHO_TEST = "301"
NETWORK_CODES = frozenset({SIGN_ON, SIGN_OFF, ECHO_TEST})

CURRENCY_IRR = "364"
POINTS_CURRENCY = "000"  # field 54 blocks in points carry no ISO 4217 currency
