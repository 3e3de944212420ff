-- Every demo a student ran: the start of per-user progress.
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    command     TEXT    NOT NULL,   -- the slash command: "diff", "commit", ...
    image       TEXT,               -- as the student named it
    input       TEXT,               -- the shell command run in the container, if any
    exit_code   INTEGER,
    duration_ms INTEGER NOT NULL,
    outcome     TEXT    NOT NULL,   -- "ok", "timeout", "refused", "error", ...
    created_at  TEXT    NOT NULL    -- ISO 8601, UTC
);
CREATE INDEX runs_by_user ON runs (guild_id, user_id, created_at);
