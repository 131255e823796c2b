"""The limits every service shares, defined once and checked against each other at import.

What one service sends another must be within what the receiver accepts: the switch makes a
transaction id from a channel and a request id (the gRPC API) or from fields 41, 7 and 11 (ISO
8583), appends suffixes to it for the requests it derives, and sends it to wallet and tasheem.
The asserts at the bottom say so for the longest id of each kind, so a change that breaks one of
these relations fails at import, in every service and test, not on a long request in production.

Constants only, no imports: anything may import this module (the ISO codec, services/shared/pan.py)
without pulling in gRPC. The checks that use the limits are in services/shared/validate.py.
"""

# ---- amounts ----------------------------------------------------------------------------------

AMOUNT_MAX = 10**15  # minor units (rials); far above any purchase, far below int64

# ---- ids --------------------------------------------------------------------------------------

# A transaction id every service accepts (wallet: transaction, hold, reversal, refund and original
# transaction ids; tasheem: a quote's transaction id), and the switch when it is named as an original.
TRANSACTION_ID_LENGTH = 128
# Any other id one service takes from another: members, merchants, terminals, accounts, parties.
ID_LENGTH = 128
# Codes: segment, tier, channel, reason codes, consent purposes (cards' code format).
CODE_LENGTH = 32

# The switch's gRPC API: the transaction id is f"{channel}{CHANNEL_SEPARATOR}{request_id}".
CHANNEL_LENGTH = CODE_LENGTH
REQUEST_ID_LENGTH = 64
CHANNEL_SEPARATOR = "."
API_TRANSACTION_ID_LENGTH = CHANNEL_LENGTH + len(CHANNEL_SEPARATOR) + REQUEST_ID_LENGTH

# ISO 8583: terminal (field 41) . transmission instant with its year . STAN (field 11), as
# services/switch/flows.py iso_transaction_id makes it.
TERMINAL_ID_LENGTH = 8
STAN_LENGTH = 6
ISO_INSTANT_LENGTH = len("YYYYMMDD.HHMMSS")
ISO_TRANSACTION_ID_LENGTH = TERMINAL_ID_LENGTH + 1 + ISO_INSTANT_LENGTH + 1 + STAN_LENGTH

# What the switch appends to a transaction id for a request it derives from it.
COMPENSATION_SUFFIX = ".void"  # the reversal that undoes a purchase whose answer was lost
SWITCH_SUFFIXES = (COMPENSATION_SUFFIX,)
LONGEST_SUFFIX = max(len(suffix) for suffix in SWITCH_SUFFIXES)

# ---- cards ------------------------------------------------------------------------------------

PAN_MIN_LENGTH = 12
PAN_MAX_LENGTH = 19  # ISO 8583 field 2 (LLVAR n..19)

# ---- text -------------------------------------------------------------------------------------

REASON_LENGTH = 500  # free text a person reads later: why points were adjusted, an account closed

CLIENT_ADDRESS_LENGTH = 64  # an IPv6 address with a zone, or a proxy's client id (both sign-ins)

# ---- merchant portal sign-in (services/tasheem/merchant_users.py) -----------------------------

MERCHANT_USERNAME_MIN, MERCHANT_USERNAME_MAX = 3, 64  # a-z 0-9 . _ -
MERCHANT_PASSWORD_MIN, MERCHANT_PASSWORD_MAX = 10, 256  # characters; the maximum bounds hashing work
MERCHANT_USER_MERCHANTS_MAX = 100  # merchants one user may hold
MERCHANT_SIGN_IN_FAILURES_TO_LOCK = 5  # wrong passwords or codes in a row lock the user...
MERCHANT_SIGN_IN_LOCK_SECONDS = 900  # ...this long
MERCHANT_SIGN_IN_FAILURES_PER_CLIENT = 20  # failed sign-ins from one client address...
MERCHANT_SIGN_IN_CLIENT_WINDOW_SECONDS = 900  # ...within this window, then refused until it ends
TOTP_CODE_DIGITS = 6

# ---- member sign-in (crm: services/crm/signin.py) ------------------------------------------

SIGNIN_CODE_DIGITS = 6
SIGNIN_CODE_TTL_SECONDS = 120  # a code is good this long after it is sent
SIGNIN_MAX_WRONG_CODES = 5  # wrong codes for one phone, then it is locked
SIGNIN_LOCK_SECONDS = 15 * 60
SIGNIN_RESEND_SECONDS = 60  # one code per phone this often
SIGNIN_CODES_PER_PHONE_PER_HOUR = 5
SIGNIN_CODES_PER_ADDRESS_PER_HOUR = 20  # one browser address asking codes for many phones
SIGNIN_VERIFIES_PER_ADDRESS_PER_HOUR = 60  # codes tried from one address, across phones
JOIN_TICKET_TTL_SECONDS = 10 * 60  # a verified phone without a member may join this long after

# ---- monthly partitions (services/shared/partitions.py) -------------------------------------

PARTITION_MONTHS_AHEAD = 3  # months made ahead of the current one: a quarter of failed jobs before DEFAULT fills
PARTITION_CHECK_SECONDS = 6 * 3600  # how often each service makes what is missing
PARTITION_LOCK_TIMEOUT_MS = 5_000  # making a partition gives up (and retries later) rather than queue inserts
# Clocks are stepped by NTP, never by hours: a transfer's committed_at is within this of the
# order of its sequence, so a sequence range is searched in its time range widened by this.
SEQUENCE_CLOCK_SLACK_SECONDS = 3600
# A quote's transaction lasts seconds (group commits of one statement, 5 s statement timeout):
# every quote created this long before a settlement cut-off was committed by the next close.
QUOTE_COMMIT_SLACK_SECONDS = 86_400

# ---- the relations ----------------------------------------------------------------------------

assert 0 < AMOUNT_MAX < 2**63, "an amount fits a signed 64-bit integer (proto int64, Postgres bigint)"

# Every id the switch sends wallet and tasheem, with every suffix, fits what they accept.
assert API_TRANSACTION_ID_LENGTH + LONGEST_SUFFIX <= TRANSACTION_ID_LENGTH, "API transaction id + suffix"
assert ISO_TRANSACTION_ID_LENGTH + LONGEST_SUFFIX <= TRANSACTION_ID_LENGTH, "ISO transaction id + suffix"
assert all(suffix and " " not in suffix and suffix.isascii() and suffix.isprintable() for suffix in SWITCH_SUFFIXES)
assert len(set(SWITCH_SUFFIXES)) == len(SWITCH_SUFFIXES)

# The tier and segment a card carries (codes) reach tasheem's quote as ids; a terminal id too.
assert CODE_LENGTH <= ID_LENGTH and TERMINAL_ID_LENGTH <= ID_LENGTH

assert 0 < PAN_MIN_LENGTH <= PAN_MAX_LENGTH
assert 0 < MERCHANT_USERNAME_MIN <= MERCHANT_USERNAME_MAX and 0 < MERCHANT_PASSWORD_MIN <= MERCHANT_PASSWORD_MAX
# A client address shares its limit with many users: it must allow at least one user's lock to be reached.
assert 0 < MERCHANT_SIGN_IN_FAILURES_TO_LOCK <= MERCHANT_SIGN_IN_FAILURES_PER_CLIENT
assert 0 < CODE_LENGTH <= REASON_LENGTH

# A phone is locked longer than a code lives, so a lock outlasts every code sent before it; a code
# may be asked again before the old one dies, and the hourly caps allow at least one resend.
assert SIGNIN_CODE_TTL_SECONDS < SIGNIN_LOCK_SECONDS and SIGNIN_RESEND_SECONDS <= SIGNIN_CODE_TTL_SECONDS
assert 1 < SIGNIN_CODES_PER_PHONE_PER_HOUR <= SIGNIN_CODES_PER_ADDRESS_PER_HOUR
assert 0 < SIGNIN_MAX_WRONG_CODES and 4 <= SIGNIN_CODE_DIGITS <= 10
assert SIGNIN_CODE_TTL_SECONDS < JOIN_TICKET_TTL_SECONDS

assert PARTITION_MONTHS_AHEAD >= 1 and 0 < PARTITION_CHECK_SECONDS < 28 * 86_400, "a partition is made a month ahead"
