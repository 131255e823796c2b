"""Coupons, rewards and benefits through clubctl, checked through the gRPC API: a campaign made,
assigned to a segment with progress and idempotently, codes written to a private CSV and one
claimed, a reward redeemed for a voucher and cancelled."""

from __future__ import annotations

import csv
import os
import stat
import uuid

from services.gen.club.cards.v1 import cards_pb2 as cpb
from services.gen.club.cards.v1 import cards_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2 as tpb
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from tests.cli.test_operator import phone

MEMBERS = 3


def a_merchant(cli_stack) -> str:
    tasheem = tasheem_pb2_grpc.TasheemServiceStub(cli_stack.channel("tasheem"))
    merchant_id = "C" + uuid.uuid4().hex[:8].upper()
    tasheem.CreateMerchant(tpb.CreateMerchantRequest(merchant_id=merchant_id, name="کافه نادری", mcc="5814"))
    for party_id in ("club",):
        if party_id not in {p.party_id for p in tasheem.ListParties(tpb.ListPartiesRequest()).parties}:
            tasheem.CreateParty(tpb.CreatePartyRequest(party_id=party_id, name="باشگاه"))
    return merchant_id


def test_a_coupon_campaign_assigned_to_a_segment_and_claimed_by_code(clubctl, cli_stack, tmp_path):
    cards = cards_pb2_grpc.CardServiceStub(cli_stack.channel("cards"))
    segment = "cli" + uuid.uuid4().hex[:8]
    members = [cards.RegisterMember(cpb.RegisterMemberRequest(phone=phone(), first_name="نگار", segment=segment))
               .member_id for _ in range(MEMBERS)]
    merchant = a_merchant(cli_stack)
    made = clubctl("--json", "coupons", "create", "--name", "کوپن ۲۰٪", "--percent", "20%", "--merchant", merchant,
                   "--fund", "club=100%:remainder", "--per-member", "2")
    assert made.code == 0, made.err
    offer_id = made.json()["offer_id"]
    assert made.json()["coupon_required"] is True and made.json()["coupons_per_member"] == 2

    assignment = uuid.uuid4().hex
    assigned = clubctl("--json", "coupons", "assign", offer_id, "--segment", segment, "--assignment-id", assignment)
    assert assigned.code == 0, assigned.err
    assert (assigned.json()["assigned"], assigned.json()["already_assigned"]) == (MEMBERS, 0)
    again = clubctl("--json", "coupons", "assign", offer_id, "--segment", segment, "--assignment-id", assignment)
    assert (again.json()["assigned"], again.json()["already_assigned"]) == (0, MEMBERS)  # nobody gets two

    output = tmp_path / "codes.csv"
    codes = clubctl("--json", "coupons", "codes", offer_id, "--count", "5", "--output", str(output))
    assert codes.code == 0, codes.err
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600
    rows = list(csv.DictReader(output.open(encoding="utf-8")))
    assert len(rows) == 5 and len({row["code"] for row in rows}) == 5
    assert all(row["code"] not in codes.out for row in rows)  # shown in the file only

    claimed = clubctl("--json", "coupons", "claim", members[0], rows[0]["code"])
    assert claimed.code == 0, claimed.err
    held = clubctl("--json", "coupons", "list", members[0], "--available").json()["coupons"]
    assert len(held) == 2 and {c["source"] for c in held} == {"COUPON_SOURCE_ASSIGNED", "COUPON_SOURCE_CODE"}
    used_twice = clubctl("coupons", "claim", members[1], rows[0]["code"])
    assert used_twice.code == 1 and "code" in used_twice.err and "Traceback" not in used_twice.err
    neither = clubctl("coupons", "assign", offer_id)
    assert neither.code == 2 and "--member" in neither.err


def test_a_reward_redeemed_for_a_voucher_then_cancelled_gives_the_points_back(clubctl, cli_stack):
    cards = cards_pb2_grpc.CardServiceStub(cli_stack.channel("cards"))
    wallet = wallet_pb2_grpc.WalletServiceStub(cli_stack.channel("wallet"))
    member = cards.RegisterMember(cpb.RegisterMemberRequest(phone=phone(), first_name="کاوه")).member_id
    wallet.OpenMemberAccounts(wpb.OpenMemberAccountsRequest(member_id=member))
    wallet.AdjustPoints(wpb.AdjustPointsRequest(transfer_id=uuid.uuid4().hex, member_id=member, points=2_000,
                                                reason="test"))
    merchant = a_merchant(cli_stack)
    reward = clubctl("--json", "rewards", "create", "--name", "یک قهوه", "--points", "500", "--stock", "3",
                     "--merchant", merchant, "--value", "150000", "--funded-by", "club")
    assert reward.code == 0, reward.err
    reward_id = reward.json()["reward_id"]
    assert reward_id in clubctl("rewards", "list", "--member", member).out

    redemption = uuid.uuid4().hex
    voucher = clubctl("--json", "rewards", "redeem", member, reward_id, "--redemption-id", redemption)
    assert voucher.code == 0, voucher.err
    again = clubctl("--json", "rewards", "redeem", member, reward_id, "--redemption-id", redemption)
    assert again.json()["coupon_id"] == voucher.json()["coupon_id"]  # the same redemption, once
    balance = wallet.GetMemberBalances(wpb.GetMemberBalancesRequest(member_id=member)).points_available
    assert balance == 1_500

    cancelled = clubctl("--json", "rewards", "cancel-voucher", voucher.json()["coupon_id"], "--member", member)
    assert cancelled.code == 0 and cancelled.json()["state"] == "COUPON_STATE_CANCELLED"
    assert wallet.GetMemberBalances(wpb.GetMemberBalancesRequest(member_id=member)).points_available == 2_000
    benefits = clubctl("benefits", member)
    assert benefits.code == 0 and "tier:" in benefits.out
