-- Points spent on something bought with them (SpendPoints): how much each lot gave, so that
-- ReturnPoints puts them back into the lots they came from, with the expiry they had.
CREATE TABLE points_spends (
    spend_id  text NOT NULL,
    lot_id    text NOT NULL REFERENCES points_lots,
    member_id text NOT NULL,
    points    bigint NOT NULL CHECK (points > 0),
    PRIMARY KEY (spend_id, lot_id)
);
