-- Questions students ask (/ask) and the teachers' answers.
CREATE TABLE questions (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    display_name  TEXT    NOT NULL DEFAULT '',
    text          TEXT    NOT NULL,
    anonymous     INTEGER NOT NULL DEFAULT 0,
    status        TEXT    NOT NULL DEFAULT 'open',   -- open | answered | closed
    run_id        INTEGER,                           -- the student's last run, when attached
    thread_id     INTEGER,
    message_id    INTEGER,
    answer        TEXT,
    answered_by   INTEGER,
    answered_at   TEXT,
    close_reason  TEXT,
    created_at    TEXT    NOT NULL
);
CREATE INDEX questions_by_status ON questions (guild_id, status, id);
CREATE INDEX questions_by_user ON questions (guild_id, user_id, created_at);

-- Full-text search over lesson pages and answered questions, Dutch and English.
-- ref: "lesson:<topic>:<page>" or "question:<id>"; guild_id 0 for lessons.
CREATE VIRTUAL TABLE passages USING fts5(
    ref UNINDEXED,
    guild_id UNINDEXED,
    lang UNINDEXED,
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
