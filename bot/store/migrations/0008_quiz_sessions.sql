-- A quiz being answered: which question is on screen, whether it has been
-- answered, the score so far. The buttons under the quiz carry only this row's
-- id, so a quiz goes on after a restart of the bot and for as long as the
-- student likes. One row per student and topic: starting a topic's quiz again
-- replaces the row (the old message then says so). The finished quiz goes to
-- quiz_attempts and its row here is deleted.
CREATE TABLE quiz_sessions (
    -- AUTOINCREMENT: an id is never given out twice, so the buttons of a
    -- replaced quiz can never act on its successor.
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    topic      TEXT    NOT NULL,
    question   INTEGER NOT NULL DEFAULT 0,   -- index of the question on screen
    answer     INTEGER,                      -- the choice given to it, NULL until answered
    score      INTEGER NOT NULL DEFAULT 0,   -- right answers so far, this question's included
    started_at TEXT    NOT NULL,
    UNIQUE (guild_id, user_id, topic)
);
