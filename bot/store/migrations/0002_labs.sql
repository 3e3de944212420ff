-- Each student's lab container per course server, and when it was last used:
-- the idle policy (stop, then remove) survives a restart through this table.
CREATE TABLE labs (
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    container_id  TEXT    NOT NULL,
    image         TEXT    NOT NULL,
    display_name  TEXT    NOT NULL DEFAULT '',
    created_at    TEXT    NOT NULL,
    last_used_at  TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
