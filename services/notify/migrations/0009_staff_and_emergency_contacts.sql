-- Recipients who are not guardians. They have no app account: they are told on their own channel
-- only, and only what is meant for them (see docs/architecture.md, "Who is told besides guardians").

-- A child's emergency contact, as the child's last registration names it (step 2 of a late pick-up).
CREATE TABLE emergency_contacts (
    child_id     uuid PRIMARY KEY,
    display_name text NOT NULL,
    phone        text NOT NULL
);

-- Sites as enrollment opens them (site.opened): whose staff may name a site's lead.
CREATE TABLE sites (
    site_id     uuid PRIMARY KEY,
    provider_id uuid   NOT NULL,
    union_path  uuid[] NOT NULL
);

-- Staff contacts union staff (or a site's provider) register: for a union (its funds running low
-- or dry) or for a site (its lead: a late pick-up at step 3, a staffing ratio exceeded).
CREATE TABLE staff_contacts (
    contact_id    uuid PRIMARY KEY,
    scope         text        NOT NULL CHECK (scope IN ('union', 'site')),
    scope_id      uuid        NOT NULL,                  -- the union's id, or the site's
    display_name  text        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('email', 'sms', 'wechat')),
    address       text        NOT NULL,
    language      text        NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
    registered_by text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (scope, scope_id, kind, address)
);

-- Whom a notification is for: a guardian (guardian_id is theirs), a child's emergency contact or a
-- staff contact (guardian_id then holds the recipient's own id). Only guardians' notifications are
-- announced as notification.delivered / notification.failed, and only theirs show in an inbox.
ALTER TABLE notifications
    ADD COLUMN recipient text NOT NULL DEFAULT 'guardian'
        CHECK (recipient IN ('guardian', 'emergency_contact', 'staff'));
