"""Bad input on the wire: a format error gets 30 where an answer can be built, garbage is dropped
with a log line, and the server keeps serving every other connection."""

from __future__ import annotations

import socket

import pytest

from services.switch.iso import codec, framing
from tests.switch.helpers import Terminal


def purchase_ok(club, card) -> bool:
    return club.terminal().purchase(card, 1_000)["39"] == "00"


def test_a_non_numeric_amount_gets_30(club):
    terminal = club.terminal(mac_key=None)
    message = terminal.base("0200", 1_000)
    message["4"] = "00000000100A"
    answer = terminal.exchange(message)
    assert (answer["t"], answer["39"], answer["11"]) == ("0210", "30", message["11"])
    assert "4" not in answer  # what was wrong is not echoed


def test_a_missing_required_field_gets_30(club):
    terminal = club.terminal()
    message = terminal.base("0200", 1_000)
    del message["3"]
    answer = terminal.exchange({k: v for k, v in message.items()})
    assert answer["39"] == "30"


def test_a_bad_transmission_time_gets_30(club):
    terminal = club.terminal()
    message = terminal.base("0200", 1_000, **{"2": "6037990000000006"})
    message["7"] = "1399999999"
    assert terminal.exchange(message)["39"] == "30"


def test_an_unknown_message_type_gets_no_money_and_the_connection_lives(club):
    card = club.card()
    terminal = club.terminal()
    terminal.send_raw(framing.frame(codec.encode({"t": "0300", "11": "000001", "41": club.terminal_id})))
    assert terminal.purchase(card, 1_000)["39"] == "00"  # the same connection still serves


@pytest.mark.parametrize("garbage", [b"\x00\x05hello", b"\x00\x10" + bytes(range(16)), b"\x00\x040200"])
def test_garbage_frames_are_dropped_and_the_connection_keeps_serving(club, garbage):
    card = club.card()
    terminal = club.terminal()
    terminal.send_raw(garbage)
    assert terminal.purchase(card, 1_000)["39"] == "00"


def test_an_oversized_length_closes_only_that_connection(club):
    card = club.card()
    bad = socket.create_connection(("127.0.0.1", club.iso_port), timeout=5)
    bad.sendall(b"\xff\xff" + b"x" * 100)
    assert bad.recv(10) == b""  # closed by the switch
    bad.close()
    assert purchase_ok(club, card)


def test_a_half_sent_frame_then_disconnect_harms_nothing(club):
    card = club.card()
    half = socket.create_connection(("127.0.0.1", club.iso_port), timeout=5)
    half.sendall(b"\x01\x00" + b"0200")
    half.close()
    assert purchase_ok(club, card)


def test_keep_alive_zero_length_frames_are_ignored(club):
    card = club.card()
    terminal = club.terminal()
    terminal.send_raw(b"\x00\x00" * 3)
    assert terminal.purchase(card, 1_000)["39"] == "00"


def test_ascii_length_headers_parse_and_refuse_non_digits():
    assert framing.parse_header(b"0123", framing.ASCII_HEADER) == 123
    with pytest.raises(framing.FrameError):
        framing.parse_header(b"12a4", framing.ASCII_HEADER)


def test_a_secondary_bitmap_without_secondary_fields_is_accepted(club):
    card = club.card()
    terminal = club.terminal()
    message = terminal.purchase_message(card, 1_000)
    raw = bytearray(codec.encode(message, terminal.mac_key))
    # Set bit 1 and append an all-zero secondary bitmap right after the primary one, then re-MAC.
    from services.switch.iso import mac
    from tests.switch.helpers import MAC_KEY
    raw[4] |= 0x80
    body = bytes(raw[:12]) + bytes(8) + bytes(raw[12:-8])
    frame = body + mac.compute(MAC_KEY, body)
    terminal.send_raw(framing.frame(frame))
    assert terminal.receive()["39"] == "00"


def test_other_connections_are_served_while_one_sends_garbage(club):
    card = club.card()
    noisy = Terminal(club.iso_port)
    for _ in range(20):
        noisy.send_raw(b"\x00\x08" + b"\xde\xad\xbe\xef" * 2)
    assert purchase_ok(club, card)
    noisy.close()
