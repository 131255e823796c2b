-- Virtual cards: issued with no plastic (a member joining through the portal gets one at once).
-- Never written to a printing file; a replacement of a virtual card is virtual too.
ALTER TABLE cards ADD COLUMN virtual boolean NOT NULL DEFAULT false;
