-- Verified priority: a guardian's employment category is what the family declares; it gives a
-- child priority (reserved quotas, waitlist order) and money (subsidy reads the group from
-- child.enrolled) only once union staff verify a claim for it, made with evidence. Until then the
-- child books as a regular member. ``verified_group`` is the most favoured verified category.
-- Children registered before this migration have no verified claim: they book as regular members
-- until a claim of theirs is verified.
ALTER TABLE children ADD COLUMN verified_group text NOT NULL DEFAULT 'regular';

CREATE TABLE priority_claims (
    claim_id   uuid PRIMARY KEY,
    child_id   uuid        NOT NULL REFERENCES children,
    category   text        NOT NULL,
    evidence   text        NOT NULL,              -- what the document is and its reference, not the document
    claimed_by text        NOT NULL,              -- the claiming principal's subject
    claimed_at timestamptz NOT NULL DEFAULT now(),
    state      text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'verified', 'rejected')),
    decided_by text,
    decided_at timestamptz,
    reason     text,
    CHECK ((state = 'pending') = (decided_at IS NULL))
);
-- One open (pending) or standing (verified) claim per child and category; a rejected one may be made again.
CREATE UNIQUE INDEX priority_claims_one_standing ON priority_claims (child_id, category) WHERE state <> 'rejected';
