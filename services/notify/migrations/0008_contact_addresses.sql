-- Every outside address notify may write to (e-mail, SMS, WeChat, webhook), per guardian, with its
-- state. A new address gets only a one-time confirmation code (stored hashed; the code itself
-- travels sealed in the confirmation notification) until the guardian confirms it; only confirmed
-- addresses get notifications. In-app needs no address.
CREATE TABLE contact_addresses (
    address_id      uuid PRIMARY KEY,
    guardian_id     uuid        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('email', 'sms', 'wechat', 'webhook')),
    address         text        NOT NULL,
    state           text        NOT NULL DEFAULT 'unconfirmed' CHECK (state IN ('unconfirmed', 'confirmed')),
    code_wanted     boolean     NOT NULL DEFAULT true,   -- a code is to be sent (the timer sends it)
    code_hash       text,
    code_expires_at timestamptz,
    wrong_codes     integer     NOT NULL DEFAULT 0,       -- against the current code
    codes_sent      integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    confirmed_at    timestamptz,
    UNIQUE (guardian_id, kind, address)
);
CREATE INDEX contact_addresses_code_wanted ON contact_addresses (created_at) WHERE code_wanted;

-- A confirmation code is about an address, not a child.
ALTER TABLE notifications ALTER COLUMN child_id DROP NOT NULL;

-- Addresses known before confirmation existed start unconfirmed and get a code; until confirmed,
-- their guardians are told in-app only, and what was still due on them is not sent.
INSERT INTO contact_addresses (address_id, guardian_id, kind, address)
SELECT gen_random_uuid(), guardian_id, kind, address FROM (
    SELECT DISTINCT r.guardian_id, c->>'kind' AS kind, c->>'address' AS address
    FROM recipients r, jsonb_array_elements(r.channels) c WHERE c->>'kind' IN ('email', 'sms', 'wechat')
    UNION
    SELECT guardian_id, 'webhook', url FROM webhook_endpoints) known
ON CONFLICT DO NOTHING;
UPDATE notifications SET status = 'failed', lease_until = NULL, last_error = 'the address is not confirmed'
WHERE status IN ('pending', 'sending') AND channel <> 'inapp';
