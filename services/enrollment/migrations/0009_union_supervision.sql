-- Union supervision of contracted providers: provider contracts (a class runs only at a site under a
-- current contract), the custody agreement (托管协议) a guardian accepts before a child's booking,
-- and inspections of sites whose findings are tracked until closed.

CREATE TABLE provider_contracts (
    contract_id     uuid PRIMARY KEY,
    union_id        uuid        NOT NULL REFERENCES unions,      -- the contracting union
    provider_id     uuid        NOT NULL REFERENCES providers,
    starts_on       date        NOT NULL,
    ends_on         date        NOT NULL CHECK (ends_on >= starts_on),
    places          integer     NOT NULL CHECK (places > 0),     -- children per day across its classes
    fee_per_day_fen bigint      NOT NULL CHECK (fee_per_day_fen >= 0),
    fee_rules       text,                                        -- a reference to the fee schedule
    reference       text        NOT NULL,                        -- the contract's own number
    signed_by       text        NOT NULL,
    signed_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX provider_contracts_union ON provider_contracts (union_id);

CREATE TABLE contract_sites (
    contract_id uuid NOT NULL REFERENCES provider_contracts,
    site_id     uuid NOT NULL REFERENCES sites,
    PRIMARY KEY (contract_id, site_id)
);
CREATE INDEX contract_sites_site ON contract_sites (site_id);

-- The contract a class was created under (classes created before contracts have none).
ALTER TABLE classes ADD COLUMN contract_id uuid REFERENCES provider_contracts;
CREATE INDEX classes_contract ON classes (contract_id) WHERE contract_id IS NOT NULL;

CREATE TABLE custody_agreements (
    programme_id uuid        NOT NULL REFERENCES programmes,
    version      integer     NOT NULL CHECK (version > 0),
    title        text        NOT NULL,
    body         text,                                           -- the text itself, or
    document_ref text,                                           -- where the signed document is kept
    published_by text        NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (programme_id, version),
    CHECK ((body IS NULL) <> (document_ref IS NULL))
);

CREATE TABLE agreement_acceptances (
    programme_id uuid        NOT NULL,
    version      integer     NOT NULL,
    child_id     uuid        NOT NULL REFERENCES children,
    guardian_id  uuid        NOT NULL,                           -- the accepting guardian's member id
    accepted_by  text        NOT NULL,                           -- the principal's subject
    accepted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (programme_id, version, child_id),
    FOREIGN KEY (programme_id, version) REFERENCES custody_agreements
);

CREATE TABLE inspections (
    inspection_id uuid        PRIMARY KEY,
    site_id       uuid        NOT NULL REFERENCES sites,
    union_id      uuid        NOT NULL REFERENCES unions,        -- the site's union
    inspected_on  date        NOT NULL,
    inspector     text        NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    items         jsonb       NOT NULL                           -- the checklist as answered
);
CREATE INDEX inspections_site ON inspections (site_id, inspected_on);

CREATE TABLE inspection_findings (
    finding_id    uuid        PRIMARY KEY,
    inspection_id uuid        NOT NULL REFERENCES inspections,
    site_id       uuid        NOT NULL REFERENCES sites,
    union_id      uuid        NOT NULL REFERENCES unions,
    area          text        NOT NULL,
    item          text        NOT NULL,
    note          text        NOT NULL,
    fix_by        date        NOT NULL,
    closed_at     timestamptz,
    closed_by     text,
    fixed_note    text,
    CHECK ((closed_at IS NULL) = (fixed_note IS NULL))
);
CREATE INDEX inspection_findings_open ON inspection_findings (union_id, fix_by) WHERE closed_at IS NULL;
