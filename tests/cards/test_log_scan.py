"""Nothing secret reaches the service log: drive issuance, activation, PIN changes and
authorizations (approved and refused), then read every line the process wrote."""

from __future__ import annotations

import json

from services.gen.club.cards.v1 import cards_pb2 as pb
from tests.cards.helpers import OTHER_PIN, PIN, terminal_block_0, terminal_block_4, zone_block_0, zone_block_4


def test_no_pan_pin_block_or_cvv2_in_the_log(club, stack, product, terminal):
    secrets_pans, blocks, cvvs = [], [], []
    for _ in range(3):
        issued = club.issue(product)
        activation = zone_block_4(PIN, issued.pan)
        club.stub.ActivateCard(pb.ActivateCardRequest(card_token=issued.card.card_token, pin=activation))
        change = zone_block_0(OTHER_PIN, issued.pan)
        club.stub.ChangePin(pb.ChangePinRequest(card_token=issued.card.card_token, old_pin=zone_block_0(PIN, issued.pan),
                                                new_pin=change))
        for pin_value, encode, block_format in ((OTHER_PIN, terminal_block_0, pb.PIN_BLOCK_FORMAT_ISO_0),
                                                (PIN, terminal_block_4, pb.PIN_BLOCK_FORMAT_ISO_4)):
            block = encode(pin_value, issued.pan)
            blocks.append(block)
            club.authorize(pan=issued.pan, terminal_id=terminal.terminal_id, pin_block=block, pin_block_format=block_format,
                           cvv2=issued.cvv2)
            club.authorize(track2=f"{issued.pan}={issued.card.expiry}101", terminal_id=terminal.terminal_id,
                           pin_block=block, pin_block_format=block_format, expiry="0101")
        replaced = club.stub.ReplaceCard(pb.ReplaceCardRequest(card_token=issued.card.card_token, reason_code="lost"))
        secrets_pans += [issued.pan, replaced.pan]
        blocks += [activation.block, change.block]
        cvvs += [issued.cvv2, replaced.cvv2]
    progress = list(club.stub.BulkIssueCards(pb.BulkIssueCardsRequest(product_id=product.product_id, campaign="scan",
                                                                      count=5)))
    printed = [line.split("|") for line in open(progress[-1].printing_file) if not line.startswith("#")]
    secrets_pans += [row[1] for row in printed]
    cvvs += [row[3] for row in printed]

    log = stack.services["cards"].log_text()
    assert "card issued" in log and "authorization refused" in log  # the scan reads a real log
    for pan in secrets_pans:
        assert pan not in log and pan[:-1] not in log and pan[6:] not in log
    for block in blocks:
        assert block.hex() not in log.lower() and block.hex().upper() not in log
    for line in log.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            assert not {"pan", "cvv2", "pin", "pin_block", "track2"} & set(record)
            assert not any(isinstance(value, str) and value in cvvs for value in record.values()), record
