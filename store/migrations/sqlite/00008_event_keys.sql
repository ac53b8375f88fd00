-- +goose Up
-- Notices recorded once per key (an Art. 14 deadline of a case and stage):
-- the unique index makes "once" hold across replicas.
ALTER TABLE events ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX events_dedupe ON events(kind, dedupe_key) WHERE dedupe_key IS NOT NULL;

-- +goose Down
DROP INDEX events_dedupe;
ALTER TABLE events DROP COLUMN dedupe_key;
