"""A short fuzz run of the ISO 8583 front (the long one is `make fuzz`)."""

from __future__ import annotations

import pytest

from services.gen.club.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from tests import harness
from tests.security.conftest import load_script

fuzz_iso = load_script("fuzz_iso")


@pytest.fixture
def iso_stack(stack):
    if "switch" not in harness.available_services():
        pytest.skip("switch service not present in this tree yet")
    stack.start(*harness.available_services())
    return stack


def ledger_sequence(stack) -> int:
    """The wallet's latest committed ledger sequence: it moves only when money moves."""
    wallet = wallet_pb2_grpc.WalletServiceStub(stack.channel("wallet"))
    return wallet.MerchantActivity(wallet_pb2.MerchantActivityRequest(), timeout=30).up_to_sequence


def test_random_and_mutated_frames_never_crash_the_front_and_every_answer_is_well_formed(iso_stack):
    before = ledger_sequence(iso_stack)
    stats = fuzz_iso.run_hypothesis("127.0.0.1", iso_stack.iso_port, fuzz_iso.SHORT_EXAMPLES)
    assert ledger_sequence(iso_stack) == before  # no money posted
    assert stats.frames >= fuzz_iso.SHORT_EXAMPLES
    # Every probe ended with the sentinel echo answered, so the front survived each frame.
    assert stats.responses >= stats.frames
    assert iso_stack.services["switch"].running()


def test_response_checker_rejects_what_a_terminal_could_not_parse():
    with pytest.raises(fuzz_iso.Malformed):
        fuzz_iso.check_response(b"\x00\x01garbage")
    with pytest.raises(fuzz_iso.Malformed):  # a request MTI is not an answer
        fuzz_iso.check_response(fuzz_iso.encode({"t": "0200", "39": "00"}))
    with pytest.raises(fuzz_iso.Malformed):
        fuzz_iso.check_response(fuzz_iso.encode({"t": "0210", "39": "ZZ"}))
    assert fuzz_iso.check_response(fuzz_iso.encode({"t": "0210", "39": "30"}))["39"] == "30"
