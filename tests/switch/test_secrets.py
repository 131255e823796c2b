"""Nothing sensitive leaves the switch: no full PAN, PIN block or key in its logs, its journal
or its Redis answers, even when requests are refused."""

from __future__ import annotations

from tests.switch.helpers import MAC_KEY, PIN_KEY, pin_block


def test_no_pan_pin_block_or_key_in_logs_journal_or_redis(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    approved = terminal.purchase_message(card, 10_000)
    assert terminal.exchange(approved)["39"] == "00"
    assert terminal.purchase(card, 10_000, pin="0000")["39"] == "55"  # a refusal is logged too
    malformed = terminal.purchase_message(card, 10_000)
    malformed["4"] = "0000000X0000"
    assert terminal.exchange(malformed)["39"] == "30"
    secrets = [card.pan, pin_block(card.pin, card.pan), pin_block("0000", card.pan), PIN_KEY.hex().upper(),
               MAC_KEY.hex().upper(), PIN_KEY.hex(), MAC_KEY.hex()]

    log = club.stack.services["switch"].log_text()
    assert [s for s in secrets if s in log] == []

    with club.stack.pg() as conn:
        rows = conn.execute("SELECT t::text FROM switch.transactions t").fetchall()
    journal = "\n".join(row[0] for row in rows)
    assert card.pan[:6] in journal and card.pan[-4:] in journal  # masked PANs are there
    assert [s for s in secrets if s in journal] == []

    redis = club.stack.redis()
    stored = b"\n".join(redis.get(key) or b"" for key in redis.scan_iter("sw:*") if redis.type(key) == b"string")
    assert [s for s in secrets if s.encode() in stored] == []
