"""The benchmark's reference keeping the wire contract (bench/reference.py --contract) does the
work it is said to do: a real process over TCP verifies the MAC (63), checks fields (30),
answers a retransmission 94 and posts nothing for it, signs its answers, and journals what it
approved with the ledger row. The benchmark reports its throughput as the most a design keeping
the contract could reach; these tests hold it to doing that work."""

from __future__ import annotations

import subprocess
import sys

import iso8583
import pytest

from services.switch.iso import mac, spec
from tests import harness
from tests.switch.helpers import MAC_KEY, Terminal

PAN = "6037991234567890"


@pytest.fixture
def reference(stack):
    port = harness.free_port()
    process = subprocess.Popen([sys.executable, "-m", "bench.reference", "--port", str(port), "--redis",
                                stack.redis_url, "--database", stack.database_url, "--contract", MAC_KEY.hex()],
                               cwd=harness.ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        yield port
    finally:
        process.terminate()
        process.wait(10)


def _terminal(port: int, mac_key: bytes = MAC_KEY) -> Terminal:
    return Terminal(port, "REFTERM1", "REFMERCHANT", mac_key)


def _purchase(terminal: Terminal, **overrides) -> dict:
    message = terminal.base("0200", 1_000, **{"2": PAN, "14": "3012", "22": "021"})
    return message | overrides


def test_an_approval_is_signed_journaled_and_posted_once(reference, stack):
    terminal = _terminal(reference)
    message = _purchase(terminal)
    terminal.send(message)
    frame = terminal.receive_frame()
    answer = iso8583.decode(frame, spec.SPEC)[0]
    assert answer["39"] == "00" and len(answer["38"]) == 6
    assert mac.verify(MAC_KEY, frame)
    assert terminal.exchange(message)["39"] == "94"  # the same 41 + 7 + 11 again
    terminal.close()
    txn = f"{message['41']}.{message['7']}.{message['11']}"
    with stack.pg() as conn:
        assert conn.execute("SELECT count(*) FROM ref_ledger WHERE txn = %s", (txn,)).fetchone()[0] == 1
        journaled = conn.execute("SELECT code, pan_last4 FROM ref_journal WHERE txn = %s", (txn,)).fetchall()
    assert journaled == [("00", PAN[-4:])]


def test_a_wrong_mac_and_a_bad_field_post_nothing(reference, stack):
    forged, terminal = _terminal(reference, mac_key=bytes(16)), _terminal(reference)
    wrong_mac = _purchase(forged)
    forged.send(wrong_mac)
    refused = forged.receive_frame()
    assert iso8583.decode(refused, spec.SPEC)[0]["39"] == "63"
    assert not mac.verify(MAC_KEY, refused) and not mac.verify(bytes(16), refused)  # unsigned
    bad_expiry = _purchase(terminal, **{"14": "3013"})
    assert terminal.exchange(bad_expiry)["39"] == "30"
    forged.close()
    terminal.close()
    with stack.pg() as conn:
        for message in (wrong_mac, bad_expiry):
            txn = f"{message['41']}.{message['7']}.{message['11']}"
            assert conn.execute("SELECT count(*) FROM ref_ledger WHERE txn = %s", (txn,)).fetchone()[0] == 0
