"""The categories a member is interested in (chosen by the member, or recorded by an operator).

Consents (may the club message the member, and how) stay in cards; interests only say what the
member cares for, and choose audiences (events' InviteAudience, surveys' SendSurvey).
"""

from __future__ import annotations

from services.gen.club.crm.v1 import crm_pb2 as pb
from services.shared import auth
from services.shared.errors import FieldError
from services.shared.validate import check_id

from .context import Deps

CATEGORY_LENGTH = 64
MAX_CATEGORIES = 50


def check_categories(values, field: str) -> list[str]:
    if len(values) > MAX_CATEGORIES:
        raise FieldError(field, f"at most {MAX_CATEGORIES}")
    for index, value in enumerate(values):
        check_id(value, f"{field}[{index}]", CATEGORY_LENGTH)
    return sorted(set(values))


async def set_interests(deps: Deps, request: pb.SetInterestsRequest) -> pb.Interests:
    member_id = check_id(request.member_id, "member_id")
    categories = check_categories(request.categories, "categories")
    caller = auth.current_caller()
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            await conn.execute("DELETE FROM member_interests WHERE member_id = %s AND NOT category = ANY(%s)",
                               (member_id, categories))
            await conn.execute("INSERT INTO member_interests (member_id, category, recorded_by)"
                               " SELECT %s, c, %s FROM unnest(%s::text[]) AS c ON CONFLICT DO NOTHING",
                               (member_id, caller.subject if caller else "", categories))
    return pb.Interests(member_id=member_id, categories=categories)


async def of_member(deps: Deps, member_id: str) -> list[str]:
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT category FROM member_interests WHERE member_id = %s ORDER BY category",
                                 (member_id,))
        return [row["category"] for row in await cur.fetchall()]


async def get_interests(deps: Deps, member_id: str) -> pb.Interests:
    check_id(member_id, "member_id")
    return pb.Interests(member_id=member_id, categories=await of_member(deps, member_id))


async def members_with(deps: Deps, categories: list[str]) -> set[str]:
    """Members interested in any of `categories`."""
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT DISTINCT member_id FROM member_interests WHERE category = ANY(%s)",
                                 (list(categories),))
        return {row["member_id"] for row in await cur.fetchall()}
