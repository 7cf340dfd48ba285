-- Model classes (示范班) and the lump-sum grants paid to their operators. A grant is paid from a
-- fund through the same guarded updates as subsidies, so funds_never_overspent holds for it too.
CREATE TABLE model_classes (
    class_id       uuid PRIMARY KEY,
    provider_id    uuid   NOT NULL,
    union_path     uuid[] NOT NULL,
    union_id       uuid   NOT NULL,  -- the union whose staff designated it
    designated_by  text   NOT NULL,
    designated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE model_class_grants (
    grant_id    uuid PRIMARY KEY,
    class_id    uuid   NOT NULL REFERENCES model_classes,
    fund_id     uuid   NOT NULL REFERENCES funds,
    provider_id uuid   NOT NULL,
    amount_fen  bigint NOT NULL CHECK (amount_fen > 0),
    granted_by  text   NOT NULL,
    granted_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_class_grants_class ON model_class_grants (class_id);
