-- Webhook endpoints a guardian registered with notify: the checked https URL and the signing key
-- notify generated (Standard Webhooks, shown to the guardian once). Webhook notifications go to
-- these; webhook addresses arriving with child.registered are not used. The key is stored as it
-- is: encrypting it at rest is a follow-up.
CREATE TABLE webhook_endpoints (
    webhook_id  uuid PRIMARY KEY,
    guardian_id uuid        NOT NULL,
    url         text        NOT NULL,
    secret      text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (guardian_id, url)
);

-- Guardians are shown a general reason for a failed delivery; the raw error stays in delivery_log.
UPDATE notifications SET last_error = 'the message could not be delivered' WHERE last_error IS NOT NULL;
