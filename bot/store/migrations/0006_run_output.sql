-- The start of a run's output and its docker diff, for questions that attach the run.
ALTER TABLE runs ADD COLUMN output_head TEXT;
ALTER TABLE runs ADD COLUMN diff TEXT;
