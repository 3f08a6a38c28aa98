-- +goose Up
-- Region profiles as the bureau keeps them: one row per region and the day
-- its figures take effect, so a pre-check can use the standard in force on
-- the day asked (standards change every year). The document is the whole
-- profile JSON — parameters and, for each, its source document and section
-- — validated by the Go code before it is written. The bundled profiles are
-- seeded by `safetynet migrate` / `serve` (eligibility.Store.Seed).
CREATE TABLE eligibility_regions (
    region_id      text NOT NULL,
    effective_from date NOT NULL,
    name           text NOT NULL,
    profile        jsonb NOT NULL,
    updated_by     text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (region_id, effective_from)
);

-- +goose Down
DROP TABLE eligibility_regions;
