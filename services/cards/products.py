"""Card products: a BIN range, a kind, limits and the processing codes they permit.

Products are immutable once created (a change is a new product), which is what lets the card
auth profile copy their limits and lets the service cache their CVKs in memory. Products with
the same BIN and PAN length share one PAN sequence, so their PANs never collide; a BIN that is
a prefix of another product's BIN (same PAN length) is refused, since their PANs could.
"""

from __future__ import annotations

import uuid

from services.gen.club.cards.v1 import cards_pb2 as pb
from services.shared.errors import AlreadyExists, FieldError, NotFound

from . import keys, validate
from .context import Deps

DEFAULT_PAN_LENGTH = 16
PAN_LENGTHS = range(16, 20)
BIN_LENGTHS = (6, 8)
MIN_SEQUENCE_DIGITS = 6  # room for a million cards per range at least
MAX_VALIDITY_MONTHS = 120
DEFAULT_ALLOWED_PROCESSING = ("00", "20", "31")  # purchase, refund, balance inquiry
MAX_NAME_LENGTH = 100

KIND_NAMES = {pb.CARD_KIND_GIFT: "gift", pb.CARD_KIND_PREPAID: "prepaid", pb.CARD_KIND_CREDIT: "credit",
              pb.CARD_KIND_LOYALTY: "loyalty"}
KIND_VALUES = {name: value for value, name in KIND_NAMES.items()}


def _digits(value: str, field: str, lengths: tuple[int, ...]) -> str:
    if not value:
        raise FieldError(field, "is required")
    if not validate.DIGITS_RE.match(value) or len(value) not in lengths:
        raise FieldError(field, f"must be {' or '.join(map(str, lengths))} digits")
    return value


def product_values(request) -> dict:
    name = request.name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise FieldError("name", f"is required, at most {MAX_NAME_LENGTH} characters")
    bin_ = _digits(request.bin, "bin", BIN_LENGTHS)
    pan_length = request.pan_length or DEFAULT_PAN_LENGTH
    if pan_length not in PAN_LENGTHS:
        raise FieldError("pan_length", f"must be {PAN_LENGTHS.start}-{PAN_LENGTHS.stop - 1} (0 = {DEFAULT_PAN_LENGTH})")
    if pan_length - len(bin_) - 1 < MIN_SEQUENCE_DIGITS:
        raise FieldError("pan_length", f"leaves fewer than {MIN_SEQUENCE_DIGITS} digits for the card sequence")
    if request.kind not in KIND_NAMES:
        raise FieldError("kind", f"must be one of {', '.join(pb.CardKind.Name(k) for k in KIND_NAMES)}")
    currency = _digits(request.currency, "currency", (3,))
    if not 1 <= request.validity_months <= MAX_VALIDITY_MONTHS:
        raise FieldError("validity_months", f"must be 1-{MAX_VALIDITY_MONTHS}")
    service_code = _digits(request.service_code, "service_code", (3,))
    limits = request.limits
    for field in ("per_transaction_amount", "daily_amount", "daily_count"):
        if getattr(limits, field) < 0:
            raise FieldError(f"limits.{field}", "must not be negative (0 = no limit)")
    if limits.daily_amount and limits.per_transaction_amount > limits.daily_amount:
        raise FieldError("limits.per_transaction_amount", "exceeds limits.daily_amount")
    allowed = list(request.allowed_processing) or list(DEFAULT_ALLOWED_PROCESSING)
    for code in allowed:
        if len(code) != 2 or not code.isdigit():
            raise FieldError("allowed_processing", "each entry must be 2 digits (field 3 transaction type)")
    if len(set(allowed)) != len(allowed):
        raise FieldError("allowed_processing", "has duplicates")
    return {"name": name, "bin": bin_, "pan_length": pan_length, "kind": KIND_NAMES[request.kind],
            "currency": currency, "validity_months": request.validity_months, "service_code": service_code,
            "pin_required": request.pin_required, "per_transaction_amount": limits.per_transaction_amount,
            "daily_amount": limits.daily_amount, "daily_count": limits.daily_count, "allowed_processing": allowed}


async def create(deps: Deps, request) -> dict:
    values = product_values(request)
    product_id = str(uuid.uuid4())
    cvk = keys.new_tdes_key()
    async with deps.pool.connection() as conn, conn.transaction():
        # Serialize range creation so two overlapping BINs cannot both pass the check.
        await conn.execute("LOCK TABLE bin_ranges IN SHARE ROW EXCLUSIVE MODE")
        cur = await conn.execute(
            "SELECT bin FROM bin_ranges WHERE pan_length = %(pan_length)s AND bin <> %(bin)s"
            " AND (starts_with(bin, %(bin)s) OR starts_with(%(bin)s, bin)) LIMIT 1", values)
        overlap = await cur.fetchone()
        if overlap:
            raise AlreadyExists(f"bin: overlaps the range of BIN {overlap['bin']} with the same pan_length")
        await conn.execute("INSERT INTO bin_ranges (bin, pan_length) VALUES (%(bin)s, %(pan_length)s)"
                           " ON CONFLICT DO NOTHING", values)
        cur = await conn.execute(
            "INSERT INTO products (product_id, name, bin, pan_length, kind, currency, validity_months, service_code,"
            " pin_required, per_transaction_amount, daily_amount, daily_count, allowed_processing, cvk_ciphertext)"
            " VALUES (%(product_id)s, %(name)s, %(bin)s, %(pan_length)s, %(kind)s, %(currency)s, %(validity_months)s,"
            " %(service_code)s, %(pin_required)s, %(per_transaction_amount)s, %(daily_amount)s, %(daily_count)s,"
            " %(allowed_processing)s, %(cvk)s) RETURNING *",
            {**values, "product_id": product_id, "cvk": deps.vault.encrypt(cvk, product_id.encode())})
        row = await cur.fetchone()
    deps.cvks[product_id] = cvk
    deps.log.info("product created", extra={"product_id": product_id, "bin": values["bin"], "kind": values["kind"]})
    return row


async def get(deps: Deps, product_id: str, field: str = "product_id") -> dict:
    product_id = validate.uuid_text(product_id, field)
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM products WHERE product_id = %s", (product_id,))
        row = await cur.fetchone()
    if row is None:
        raise NotFound(f"{field}: no such product")
    return row


async def list_products(deps: Deps, request) -> tuple[list[dict], str]:
    size = validate.page_size(request.page_size)
    after = validate.page_after(request.page_token)
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM products WHERE seq > %s ORDER BY seq LIMIT %s", (after, size + 1))
        rows = await cur.fetchall()
    return rows[:size], validate.page_token(rows, size)


def cvk_of(deps: Deps, product: dict) -> bytes:
    product_id = str(product["product_id"])
    cvk = deps.cvks.get(product_id)
    if cvk is None:
        cvk = deps.vault.decrypt(bytes(product["cvk_ciphertext"]), product_id.encode())
        deps.cvks[product_id] = cvk
    return cvk


async def cvk_by_id(deps: Deps, product_id: str) -> bytes:
    cvk = deps.cvks.get(product_id)
    if cvk is None:
        cvk = cvk_of(deps, await get(deps, product_id))
    return cvk
