"""Issuing cards: PAN = BIN + sequence + Luhn digit, an expiry, a CVV2 for printing only.

The PAN is stored only as a Vault ciphertext (AAD = card token) plus its keyed lookup hash;
the per-card sequence number is never stored, since BIN + sequence would give the PAN back.
The CVV2 is computed under the product's CVK, returned once, and never stored.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import os
import pathlib
import uuid
from dataclasses import dataclass

from services.shared.errors import FailedPrecondition, FieldError, NotFound
from services.shared.pan import luhn_check_digit, mask

from . import lifecycle, pins, products, profiles, validate
from .context import Deps

CARD_TOKEN_PREFIX = "ct_"
CARD_TOKEN_RANDOM_BYTES = 16
BULK_MAX_CARDS = 100_000
BULK_BATCH_SIZE = 1_000  # cards per COPY batch, and per progress message
PRINTING_DIR = "printing"
PRINTING_FILE_MODE = 0o600
PRINTING_DIR_MODE = 0o700
PRINTING_HEADER = "# card_token|pan|expiry_yymm|cvv2|service_code|member_id\n"

CARD_COLUMNS = ("card_token", "pan_ciphertext", "pan_key_version", "pan_hash", "masked_pan", "member_id",
                "product_id", "status", "expiry", "campaign", "batch_id", "replaces", "virtual")


def new_card_token() -> str:
    random_part = base64.b32encode(os.urandom(CARD_TOKEN_RANDOM_BYTES)).decode().rstrip("=").lower()
    return CARD_TOKEN_PREFIX + random_part


def expiry_after(months: int, today: dt.date | None = None) -> str:
    """YYMM of the month `months` after this one (the card is valid through its end)."""
    today = today or dt.date.today()
    index = today.year * 12 + today.month - 1 + months
    return f"{index // 12 % 100:02d}{index % 12 + 1:02d}"


def pan_for(bin_: str, sequence: int, pan_length: int) -> str:
    digits = pan_length - len(bin_) - 1
    assert 0 < sequence < 10 ** digits, "sequence outside the BIN range"
    partial = f"{bin_}{sequence:0{digits}d}"
    return partial + luhn_check_digit(partial)


@dataclass
class NewCard:
    row: dict  # the cards columns (CARD_COLUMNS)
    pan: str
    cvv2: str


def make_card(deps: Deps, product: dict, cvk: bytes, member_id: str, sequence: int, campaign: str,
              batch_id: str | None = None, replaces: str | None = None, virtual: bool = False) -> NewCard:
    pan = pan_for(product["bin"], sequence, product["pan_length"])
    token = new_card_token()
    expiry = expiry_after(product["validity_months"])
    ciphertext = deps.vault.encrypt(pan.encode(), token.encode())
    row = {"card_token": token, "pan_ciphertext": ciphertext, "pan_key_version": deps.vault.key_version(ciphertext),
           "pan_hash": deps.vault.lookup_hash(pan), "masked_pan": mask(pan), "member_id": member_id,
           "product_id": str(product["product_id"]), "status": lifecycle.ISSUED, "expiry": expiry,
           "campaign": campaign, "batch_id": batch_id, "replaces": replaces, "virtual": virtual}
    return NewCard(row, pan, pins.cvv2(cvk, pan, expiry))


async def reserve_sequences(conn, product: dict, count: int) -> int:
    """The first of `count` consecutive sequence numbers of the product's BIN range."""
    cur = await conn.execute(
        "UPDATE bin_ranges SET next_sequence = next_sequence + %s WHERE bin = %s AND pan_length = %s"
        " RETURNING next_sequence - %s AS first", (count, product["bin"], product["pan_length"], count))
    first = (await cur.fetchone())["first"]
    capacity = 10 ** (product["pan_length"] - len(product["bin"]) - 1)
    if first + count > capacity:
        raise FailedPrecondition(f"product_id: the BIN range {product['bin']} has no room for {count} more cards")
    return first


async def insert_card(conn, card: NewCard) -> dict:
    cur = await conn.execute(
        f"INSERT INTO cards ({', '.join(CARD_COLUMNS)}) VALUES ({', '.join(['%s'] * len(CARD_COLUMNS))}) RETURNING *",
        [card.row[column] for column in CARD_COLUMNS])
    return await cur.fetchone()


async def record_event(conn, card_token: str, event: str, source: str, target: str, reason_code: str, channel: str,
                       actor: str) -> None:
    await conn.execute(
        "INSERT INTO card_events (card_token, event, from_status, to_status, reason_code, channel, actor)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)", (card_token, event, source, target, reason_code, channel, actor))


async def issue(deps: Deps, request, actor: str) -> tuple[dict, str, str]:
    member_id = validate.uuid_text(request.member_id, "member_id")
    product_id = validate.uuid_text(request.product_id, "product_id")
    campaign = _campaign(request.campaign, required=False)
    channel = validate.channel(request.channel)
    product = await products.get(deps, product_id)
    cvk = products.cvk_of(deps, product)
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            cur = await conn.execute("SELECT 1 FROM members WHERE member_id = %s", (member_id,))
            if await cur.fetchone() is None:
                raise NotFound("member_id: no such member")
            card = make_card(deps, product, cvk, member_id, await reserve_sequences(conn, product, 1), campaign,
                             virtual=request.virtual)
            row = await insert_card(conn, card)
            await record_event(conn, row["card_token"], lifecycle.ISSUED_EVENT, "", lifecycle.ISSUED, "new_card",
                               channel, actor or channel)
        await profiles.refresh_cards(deps, conn, "c.card_token = %s", (row["card_token"],))
    deps.log.info("card issued", extra={"card_token": row["card_token"], "masked_pan": row["masked_pan"],
                                        "product_id": product_id, "channel": channel})
    return row, card.pan, card.cvv2


async def replace(deps: Deps, request, actor: str) -> tuple[dict, str, str]:
    token = validate.card_token(request.card_token)
    reason = validate.code(request.reason_code, "reason_code")
    channel = validate.channel(request.channel)
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            cur = await conn.execute("SELECT * FROM cards WHERE card_token = %s FOR UPDATE", (token,))
            old = await cur.fetchone()
            if old is None:
                raise NotFound("card_token: no such card")
            if old["replaced_by"]:
                raise FailedPrecondition(f"the card was already replaced by {old['replaced_by']}")
            if old["status"] not in lifecycle.REPLACEABLE:
                raise FailedPrecondition(f"a {old['status']} card cannot be replaced")
            product = await products.get(deps, str(old["product_id"]))
            card = make_card(deps, product, products.cvk_of(deps, product), str(old["member_id"]),
                             await reserve_sequences(conn, product, 1), old["campaign"], replaces=token,
                             virtual=old["virtual"])
            new = await insert_card(conn, card)
            target = lifecycle.CLOSED if old["status"] in lifecycle.CLOSED_ON_REPLACE else old["status"]
            await conn.execute("UPDATE cards SET status = %s, replaced_by = %s, version = version + 1,"
                               " updated_at = now() WHERE card_token = %s", (target, new["card_token"], token))
            await record_event(conn, new["card_token"], lifecycle.ISSUED_EVENT, "", lifecycle.ISSUED, reason, channel,
                               actor or channel)
            await record_event(conn, token, lifecycle.REPLACED, old["status"], target, reason, channel, actor or channel)
        await profiles.refresh_cards(deps, conn, "c.card_token = ANY(%s)", ([token, new["card_token"]],))
    deps.log.info("card replaced", extra={"card_token": token, "replaced_by": new["card_token"], "reason_code": reason})
    return new, card.pan, card.cvv2


def _campaign(value: str, required: bool) -> str:
    if not value:
        if required:
            raise FieldError("campaign", "is required")
        return ""
    if not validate.CAMPAIGN_RE.match(value):
        raise FieldError("campaign", "must be 1-64 letters, digits, '_', '-' or '.'")
    return value


# ---------- bulk issuance ----------


@dataclass
class BulkProgress:
    issued: int
    total: int
    batch_id: str
    done: bool = False
    printing_file: str = ""


def _bulk_request(request) -> tuple[str, str, list[str], int, str]:
    product_id = validate.uuid_text(request.product_id, "product_id")
    campaign = _campaign(request.campaign, required=True)
    channel = validate.channel(request.channel)
    if bool(request.member_ids) == bool(request.count):
        raise FieldError("count", "give either member_ids or count (new anonymous members), not both")
    if request.count < 0 or request.count > BULK_MAX_CARDS:
        raise FieldError("count", f"must be 1-{BULK_MAX_CARDS}")
    if len(request.member_ids) > BULK_MAX_CARDS:
        raise FieldError("member_ids", f"at most {BULK_MAX_CARDS}")
    member_ids = [validate.uuid_text(value, "member_ids") for value in request.member_ids]
    if len(set(member_ids)) != len(member_ids):
        raise FieldError("member_ids", "has duplicates")
    return product_id, campaign, member_ids, request.count or len(member_ids), channel


def _open_printing_file(deps: Deps, campaign: str, batch_id: str) -> tuple[pathlib.Path, pathlib.Path, int]:
    directory = deps.data_dir / PRINTING_DIR
    directory.mkdir(mode=PRINTING_DIR_MODE, parents=True, exist_ok=True)
    final = directory / f"{campaign}-{batch_id}.txt"
    partial = final.with_suffix(".part")
    # Created 0600 from the first byte: the file holds PANs and CVV2s for the card bureau.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRINTING_FILE_MODE)
    return final, partial, fd


def _make_batch(deps: Deps, product: dict, cvk: bytes, member_ids: list[str], first_sequence: int, campaign: str,
                batch_id: str) -> tuple[list[NewCard], bytes]:
    cards = [make_card(deps, product, cvk, member_id, first_sequence + index, campaign, batch_id)
             for index, member_id in enumerate(member_ids)]
    lines = "".join(f"{c.row['card_token']}|{c.pan}|{c.row['expiry']}|{c.cvv2}|{product['service_code']}|"
                    f"{c.row['member_id']}\n" for c in cards)
    return cards, lines.encode()


async def bulk_issue(deps: Deps, request, actor: str):
    """Async generator of BulkProgress: one per BULK_BATCH_SIZE cards, then the final one.

    All or nothing: every card goes into one transaction (COPY per batch); the printing file is
    written alongside under a .part name and renamed only after the commit.
    """
    product_id, campaign, member_ids, total, channel = _bulk_request(request)
    product = await products.get(deps, product_id)
    cvk = products.cvk_of(deps, product)
    batch_id = str(uuid.uuid4())
    async with deps.pool.connection() as conn:
        if member_ids:
            cur = await conn.execute("SELECT count(*) AS n FROM members WHERE member_id = ANY(%s)", (member_ids,))
            if (await cur.fetchone())["n"] != len(member_ids):
                raise NotFound("member_ids: some members do not exist")
        async with conn.transaction():  # committed at once, so a failed run only leaves a gap
            first_sequence = await reserve_sequences(conn, product, total)
        final, partial, fd = _open_printing_file(deps, campaign, batch_id)
        try:
            with os.fdopen(fd, "wb") as printing:
                printing.write(PRINTING_HEADER.encode())
                async with conn.transaction():
                    await conn.execute(
                        "INSERT INTO bulk_batches (batch_id, product_id, campaign, total, printing_file, channel, actor)"
                        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        (batch_id, product_id, campaign, total, str(final), channel, actor or channel))
                    for start in range(0, total, BULK_BATCH_SIZE):
                        size = min(BULK_BATCH_SIZE, total - start)
                        holders = member_ids[start:start + size] or [str(uuid.uuid4()) for _ in range(size)]
                        if not member_ids:
                            await _copy_rows(conn, "members", ("member_id", "anonymous"),
                                             [(member_id, True) for member_id in holders])
                        cards, lines = await asyncio.to_thread(_make_batch, deps, product, cvk, holders,
                                                               first_sequence + start, campaign, batch_id)
                        await _copy_rows(conn, "cards", CARD_COLUMNS,
                                         [[card.row[column] for column in CARD_COLUMNS] for card in cards])
                        await _copy_rows(conn, "card_events", ("card_token", "event", "to_status", "reason_code",
                                                               "channel", "actor"),
                                         [(card.row["card_token"], lifecycle.ISSUED_EVENT, lifecycle.ISSUED,
                                           "bulk_issue", channel, actor or channel) for card in cards])
                        printing.write(lines)
                        yield BulkProgress(start + size, total, batch_id)
                printing.flush()
                os.fsync(printing.fileno())
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
        await profiles.refresh_cards(deps, conn, "c.batch_id = %s", (batch_id,))
    deps.log.info("bulk issuance done", extra={"batch_id": batch_id, "cards": total, "campaign": campaign,
                                               "printing_file": str(final)})
    yield BulkProgress(total, total, batch_id, done=True, printing_file=str(final))


async def _copy_rows(conn, table: str, columns: tuple[str, ...], rows) -> None:
    async with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            await copy.write_row(row)
