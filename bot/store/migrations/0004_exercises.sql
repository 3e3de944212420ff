-- Exercises teachers add (the seed's ship with the bot as data files).
CREATE TABLE exercises (
    guild_id     INTEGER NOT NULL,
    id           TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    instructions TEXT    NOT NULL,
    hints        TEXT    NOT NULL DEFAULT '',   -- one hint per line
    checks       TEXT    NOT NULL,              -- the check language, see bot/exercises
    created_by   INTEGER NOT NULL,
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (guild_id, id)
);

-- Per course server: deadline, closed, and where it was posted (built-in ones too).
CREATE TABLE exercise_state (
    guild_id   INTEGER NOT NULL,
    id         TEXT    NOT NULL,
    deadline   TEXT,
    closed     INTEGER NOT NULL DEFAULT 0,
    channel_id INTEGER,
    message_id INTEGER,
    PRIMARY KEY (guild_id, id)
);

-- Every /exercise check.
CREATE TABLE exercise_attempts (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    display_name TEXT    NOT NULL DEFAULT '',
    exercise_id  TEXT    NOT NULL,
    passed       INTEGER NOT NULL,
    failed       TEXT    NOT NULL DEFAULT '',   -- the failed checks' lines, one per line
    late         INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT    NOT NULL
);
CREATE INDEX attempts_by_exercise ON exercise_attempts (guild_id, exercise_id, user_id);
