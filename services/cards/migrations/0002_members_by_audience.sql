-- Members listed by tier or segment, a page at a time: coupon assignments and invitations go to
-- an audience without reading every member.
CREATE INDEX members_tier ON members (tier, seq) WHERE tier <> '';
CREATE INDEX members_segment ON members (segment, seq) WHERE segment <> '';
