-- +goose Up
-- A full-text index over resources.search_text (the 'simple' configuration: no stemming, so
-- names and tags match as written); search queries use exactly this expression.
CREATE INDEX resources_search_fts ON resources USING gin (to_tsvector('simple', search_text));

-- +goose Down
DROP INDEX resources_search_fts;
