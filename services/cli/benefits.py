"""clubctl benefits MEMBER: everything the member can use now, each in one plain Persian
sentence, and what the next tier would add."""

from __future__ import annotations

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb

from .core import to_dict


def register(groups, common) -> None:
    p = groups.add_parser("benefits", parents=[common], help="what a member can use now, in plain Persian")
    p.add_argument("member_id")
    p.set_defaults(func=run)


def run(ctx, args) -> None:
    found = ctx.tasheem.ListBenefits(pb.ListBenefitsRequest(member_id=args.member_id))

    def text() -> None:
        print(f"tier: {found.tier or '-'}")
        for benefit in found.benefits:
            print(f"- {benefit.sentence}")
        if not found.benefits:
            print("(no benefits now)")
        if found.next_tier and found.next_tier_adds:
            print(f"the next tier, {found.next_tier}, adds:")
            for benefit in found.next_tier_adds:
                print(f"+ {benefit.sentence}")
        elif found.next_tier:
            print(f"the next tier, {found.next_tier}, adds nothing yet")

    ctx.emit(to_dict(found), text)
