-- +goose Up
-- Listings filter on public and sort by one of these columns; the composite indexes let the
-- database count and page through public resources without reading whole rows.
CREATE INDEX resources_public_downloads ON resources(public, downloads);
CREATE INDEX resources_public_created ON resources(public, created_at);
CREATE INDEX resources_public_updated ON resources(public, updated_at);

-- +goose Down
DROP INDEX resources_public_updated;
DROP INDEX resources_public_created;
DROP INDEX resources_public_downloads;
