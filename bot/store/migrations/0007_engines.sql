-- Several lab engines: each student's lab container and images live on one of
-- them (sticky), named by the engine's URL as configured in LAYERLAB_DOCKER_HOSTS.
CREATE TABLE placements (
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    engine    TEXT    NOT NULL,
    placed_at TEXT    NOT NULL,   -- ISO 8601, UTC
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX placements_by_engine ON placements (engine);

-- The engine each run went to: /admin status reports run times per engine.
ALTER TABLE runs ADD COLUMN engine TEXT;
CREATE INDEX runs_by_engine ON runs (engine, created_at);
