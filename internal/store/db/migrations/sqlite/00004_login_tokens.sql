-- +goose Up
-- Tokens issued by POST /api/v1/login are marked, so a new sign-in replaces the earlier one with
-- the same label and their number per account stays bounded.
ALTER TABLE tokens ADD COLUMN from_login INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE tokens DROP COLUMN from_login;
