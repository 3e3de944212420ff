-- Every answer a student gave to a course question, in a quiz or in a class
-- prediction: what /class misconceptions counts. A question is named by its
-- topic and stable id (not by its place in the quiz), so a moved or reworded
-- question keeps its answers; the concept is stored as it was when answered.
CREATE TABLE answers (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    topic      TEXT    NOT NULL,
    question   TEXT    NOT NULL,              -- the question's id within the topic
    concept    TEXT    NOT NULL,
    choice     INTEGER NOT NULL,
    correct    INTEGER NOT NULL CHECK (correct IN (0, 1)),
    source     TEXT    NOT NULL CHECK (source IN ('quiz', 'class')),
    created_at TEXT    NOT NULL
);
CREATE INDEX answers_by_concept ON answers (guild_id, concept);
CREATE INDEX answers_by_user ON answers (guild_id, user_id);

-- A prediction question a teacher posted in a channel (/class predict). Who
-- posted it is not kept: nothing here is about the teacher.
CREATE TABLE predictions (
    -- AUTOINCREMENT: the buttons carry this id, which is never given out twice.
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    message_id  INTEGER,                      -- set once the message is posted
    topic       TEXT    NOT NULL,
    question    TEXT    NOT NULL,
    lang        TEXT    NOT NULL,             -- the language it was posted in
    created_at  TEXT    NOT NULL,
    revealed_at TEXT                          -- NULL while answers may change
);
CREATE INDEX predictions_open ON predictions (guild_id, channel_id, revealed_at);

-- Each student's locked-in answer to a posted prediction, changeable until the
-- reveal; the reveal copies them into answers (source 'class').
CREATE TABLE prediction_answers (
    prediction_id INTEGER NOT NULL REFERENCES predictions (id) ON DELETE CASCADE,
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    choice        INTEGER NOT NULL,
    updated_at    TEXT    NOT NULL,
    PRIMARY KEY (prediction_id, user_id)
);
