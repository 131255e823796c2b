"""The card auth profile and terminal profile: Redis read models of Postgres rows.

The cards service writes a profile (write-through) after each change commits and before the
RPC returns; every write carries the row's version and put_profile keeps the highest, so a
late fallback or rebuild never overwrites a newer change. A missing profile (Redis restarted
empty) is read back from Postgres and written again; at start, when the epoch key is missing,
every profile is rebuilt.

    cards:profile:{<lookup hash, base32>}   hash: the card auth profile
    cards:token:{<card token>}              the lookup hash of the token's PAN
    cards:terminal:{<terminal id>}          hash: the terminal profile
    cards:profiles:epoch                    set once a full rebuild has finished
"""

from __future__ import annotations

import base64
import time
from dataclasses import asdict, dataclass

from .context import Deps

EPOCH_KEY = "cards:profiles:epoch"
REBUILD_BATCH = 2_000  # rows per Postgres fetch and Redis pipeline during a rebuild
WRITE_BATCH = 1_000  # profiles per Redis pipeline in bulk writes

CARD_PROFILE_SQL = """
SELECT c.card_token, c.pan_ciphertext, c.pan_hash, c.masked_pan, c.member_id::text AS member_id,
       c.product_id::text AS product_id, c.status, c.expiry, coalesce(c.pvv, '') AS pvv,
       coalesce(c.pvki, '') AS pvki, c.pin_tries, c.version, m.tier, m.segment, p.kind, p.pin_required,
       p.per_transaction_amount, p.daily_amount, p.daily_count, p.allowed_processing
  FROM cards c JOIN members m USING (member_id) JOIN products p USING (product_id)
"""

TERMINAL_PROFILE_SQL = """
SELECT terminal_id, merchant_id, status, pin_key_ciphertext, mac_key_ciphertext, key_version, version
  FROM terminals
"""


def b32(digest: bytes) -> str:
    return base64.b32encode(digest).decode().rstrip("=").lower()


PROFILE_PREFIX = "cards:profile:"


def profile_key(pan_hash: bytes) -> str:
    return f"{PROFILE_PREFIX}{{{b32(pan_hash)}}}"


def profile_key_pattern() -> str:
    """Every card profile's key, for SCAN."""
    return PROFILE_PREFIX + "*"


def pan_hash_of_profile_key(key: str) -> bytes | None:
    """The PAN lookup hash a profile key was made from (`profile_key`'s inverse), or None."""
    if not (key.startswith(PROFILE_PREFIX + "{") and key.endswith("}")):
        return None
    encoded = key[len(PROFILE_PREFIX) + 1:-1].upper()
    try:
        return base64.b32decode(encoded + "=" * (-len(encoded) % 8))
    except ValueError:  # binascii.Error included
        return None


def token_key(card_token: str) -> str:
    return f"cards:token:{{{card_token}}}"


def terminal_key(terminal_id: str) -> str:
    return f"cards:terminal:{{{terminal_id}}}"


@dataclass
class CardProfile:
    card_token: str
    pan_ciphertext: bytes
    pan_hash: bytes
    masked_pan: str
    member_id: str
    product_id: str
    status: str
    expiry: str
    pvv: str
    pvki: str
    pin_tries: int
    version: int
    tier: str
    segment: str
    kind: str
    pin_required: bool
    per_transaction_amount: int
    daily_amount: int
    daily_count: int
    allowed_processing: tuple[str, ...]

    @classmethod
    def from_row(cls, row: dict) -> CardProfile:
        values = {name: row[name] for name in cls.__dataclass_fields__}
        values["pan_ciphertext"] = bytes(values["pan_ciphertext"])
        values["pan_hash"] = bytes(values["pan_hash"])
        values["allowed_processing"] = tuple(values["allowed_processing"])
        return cls(**values)

    @classmethod
    def from_redis(cls, stored: dict[bytes, bytes]) -> CardProfile:
        text = {key.decode(): value for key, value in stored.items()}
        return cls(
            card_token=text["card_token"].decode(), pan_ciphertext=text["pan_ciphertext"],
            pan_hash=text["pan_hash"], masked_pan=text["masked_pan"].decode(), member_id=text["member_id"].decode(),
            product_id=text["product_id"].decode(), status=text["status"].decode(), expiry=text["expiry"].decode(),
            pvv=text["pvv"].decode(), pvki=text["pvki"].decode(), pin_tries=int(text["pin_tries"]),
            version=int(text["version"]), tier=text["tier"].decode(), segment=text["segment"].decode(),
            kind=text["kind"].decode(), pin_required=text["pin_required"] == b"1",
            per_transaction_amount=int(text["per_transaction_amount"]), daily_amount=int(text["daily_amount"]),
            daily_count=int(text["daily_count"]),
            allowed_processing=tuple(filter(None, text["allowed_processing"].decode().split(","))),
        )

    def fields(self) -> list:
        flat: list = []
        for name, value in asdict(self).items():
            if name == "version":
                continue
            if isinstance(value, bool):
                value = int(value)
            elif isinstance(value, tuple):
                value = ",".join(value)
            flat += [name, value]
        return flat


@dataclass
class TerminalProfile:
    terminal_id: str
    merchant_id: str
    status: str
    pin_key_ciphertext: bytes
    mac_key_ciphertext: bytes
    key_version: int
    version: int

    @classmethod
    def from_row(cls, row: dict) -> TerminalProfile:
        values = {name: row[name] for name in cls.__dataclass_fields__}
        values["pin_key_ciphertext"] = bytes(values["pin_key_ciphertext"])
        values["mac_key_ciphertext"] = bytes(values["mac_key_ciphertext"])
        return cls(**values)

    @classmethod
    def from_redis(cls, stored: dict[bytes, bytes]) -> TerminalProfile:
        text = {key.decode(): value for key, value in stored.items()}
        return cls(text["terminal_id"].decode(), text["merchant_id"].decode(), text["status"].decode(),
                   text["pin_key_ciphertext"], text["mac_key_ciphertext"], int(text["key_version"]),
                   int(text["version"]))

    def fields(self) -> list:
        return [item for name, value in asdict(self).items() if name != "version" for item in (name, value)]


# ---------- writes ----------


async def put_cards(deps: Deps, profiles: list[CardProfile], client=None) -> None:
    """Write profiles (and their token index) in pipelines of WRITE_BATCH."""
    for start in range(0, len(profiles), WRITE_BATCH):
        pipe = (client or deps.redis).pipeline(transaction=False)
        for profile in profiles[start:start + WRITE_BATCH]:
            await deps.scripts.put_profile(keys=[profile_key(profile.pan_hash)],
                                           args=[profile.version, *profile.fields()], client=pipe)
            pipe.set(token_key(profile.card_token), profile.pan_hash)
        await pipe.execute()


async def put_terminal(deps: Deps, profile: TerminalProfile) -> None:
    await deps.scripts.put_profile(keys=[terminal_key(profile.terminal_id)], args=[profile.version, *profile.fields()])


async def card_profiles_where(conn, condition: str, params) -> list[CardProfile]:
    cur = await conn.execute(f"{CARD_PROFILE_SQL} WHERE {condition}", params)
    return [CardProfile.from_row(row) for row in await cur.fetchall()]


async def refresh_cards(deps: Deps, conn, condition: str, params) -> None:
    """Write-through for the cards matching `condition` (call after the change committed)."""
    await put_cards(deps, await card_profiles_where(conn, condition, params))


# ---------- reads with Postgres fallback ----------


async def card_by_hash(deps: Deps, pan_hash: bytes) -> CardProfile | None:
    stored = await deps.hot.hgetall(profile_key(pan_hash))
    if stored:
        return CardProfile.from_redis(stored)
    return await _card_from_postgres(deps, "c.pan_hash = %s", (pan_hash,))


async def card_by_token(deps: Deps, card_token: str) -> CardProfile | None:
    pan_hash = await deps.hot.get(token_key(card_token))
    if pan_hash:
        stored = await deps.hot.hgetall(profile_key(pan_hash))
        if stored:
            return CardProfile.from_redis(stored)
    return await _card_from_postgres(deps, "c.card_token = %s", (card_token,))


async def _card_from_postgres(deps: Deps, condition: str, params) -> CardProfile | None:
    async with deps.pool.connection() as conn:
        found = await card_profiles_where(conn, condition, params)
    if not found:
        return None
    await put_cards(deps, found)
    deps.log.info("card profile restored from Postgres", extra={"card_token": found[0].card_token})
    return found[0]


async def terminal(deps: Deps, terminal_id: str) -> TerminalProfile | None:
    stored = await deps.hot.hgetall(terminal_key(terminal_id))
    if stored:
        return TerminalProfile.from_redis(stored)
    async with deps.pool.connection() as conn:
        cur = await conn.execute(f"{TERMINAL_PROFILE_SQL} WHERE terminal_id = %s", (terminal_id,))
        row = await cur.fetchone()
    if row is None:
        return None
    profile = TerminalProfile.from_row(row)
    await put_terminal(deps, profile)
    return profile


# ---------- rebuild ----------


async def rebuild_if_needed(deps: Deps) -> bool:
    """Rebuild every profile from Postgres when the epoch key is missing (a fresh or emptied Redis)."""
    if await deps.redis.exists(EPOCH_KEY):
        return False
    started = time.monotonic()
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM cards")
        total = (await cur.fetchone())["n"]
        deps.log.info("rebuilding card auth profiles", extra={"cards": total})
        done = 0
        async with conn.transaction(), conn.cursor(name="rebuild_cards") as rows:
            await rows.execute(f"{CARD_PROFILE_SQL} ORDER BY c.seq")
            while batch := await rows.fetchmany(REBUILD_BATCH):
                await put_cards(deps, [CardProfile.from_row(row) for row in batch])
                done += len(batch)
                deps.log.info("rebuilding card auth profiles", extra={"done": done, "cards": total})
        cur = await conn.execute(TERMINAL_PROFILE_SQL)
        terminals = [TerminalProfile.from_row(row) for row in await cur.fetchall()]
    for profile in terminals:
        await put_terminal(deps, profile)
    await deps.redis.set(EPOCH_KEY, str(int(time.time())))
    deps.log.info("card auth profiles rebuilt", extra={"cards": done, "terminals": len(terminals),
                                                       "seconds": round(time.monotonic() - started, 3)})
    return True
