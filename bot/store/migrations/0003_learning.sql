-- What a student did in the lessons: pages read and demos run, each counted once.
CREATE TABLE progress (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    topic      TEXT    NOT NULL,
    kind       TEXT    NOT NULL,   -- "page" or "demo"
    item       TEXT    NOT NULL,   -- page number, or demo id
    created_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id, topic, kind, item)
);

-- Every finished quiz: best and latest score come from here.
CREATE TABLE quiz_attempts (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    topic      TEXT    NOT NULL,
    score      INTEGER NOT NULL,
    total      INTEGER NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX quiz_by_user ON quiz_attempts (guild_id, user_id, topic, id);

-- A student's own choices; language wins over the Discord locale.
CREATE TABLE user_settings (
    user_id  INTEGER PRIMARY KEY,
    language TEXT
);
