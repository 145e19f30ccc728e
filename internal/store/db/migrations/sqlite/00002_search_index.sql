-- +goose Up
-- A full-text index over resources.search_text (words and word prefixes), kept in step by
-- triggers, so search does not scan every resource.
CREATE VIRTUAL TABLE resources_fts USING fts5(search_text, content='resources', content_rowid='id', prefix='2 3');
INSERT INTO resources_fts(rowid, search_text) SELECT id, search_text FROM resources;
-- +goose StatementBegin
CREATE TRIGGER resources_fts_insert AFTER INSERT ON resources BEGIN
    INSERT INTO resources_fts(rowid, search_text) VALUES (new.id, new.search_text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER resources_fts_delete AFTER DELETE ON resources BEGIN
    INSERT INTO resources_fts(resources_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER resources_fts_update AFTER UPDATE OF search_text ON resources BEGIN
    INSERT INTO resources_fts(resources_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO resources_fts(rowid, search_text) VALUES (new.id, new.search_text);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER resources_fts_update;
DROP TRIGGER resources_fts_delete;
DROP TRIGGER resources_fts_insert;
DROP TABLE resources_fts;
