-- Sites as enrollment opens them (site.opened), so that their hours can be set before any child is
-- booked there. Sites opened before this event existed are still known from their roster entries.
CREATE TABLE sites (
    site_id     uuid PRIMARY KEY,
    network_id  uuid   NOT NULL,
    provider_id uuid   NOT NULL,
    union_path  uuid[] NOT NULL
);
