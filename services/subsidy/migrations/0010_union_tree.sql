-- The union tree as subsidy learns it from enrollment's site.opened (a site's union and those
-- above it): an ancestor union's staff read the funds of the unions below it.
CREATE TABLE union_paths (
    union_id   uuid PRIMARY KEY,
    union_path uuid[] NOT NULL CHECK (cardinality(union_path) >= 1 AND union_path[cardinality(union_path)] = union_id)
);
CREATE INDEX union_paths_path ON union_paths USING gin (union_path);
