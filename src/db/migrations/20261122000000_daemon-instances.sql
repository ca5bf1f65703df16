-- Up Migration
-- Every daemon process that used this database: who runs against it now (last_seen_at is
-- refreshed by the database watcher), and whether earlier runs stopped cleanly.
CREATE TABLE daemon_instances (
  id uuid PRIMARY KEY,
  hostname text NOT NULL,
  pid integer NOT NULL,
  version text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  stopped_at timestamptz
);
CREATE INDEX daemon_instances_last_seen_at ON daemon_instances (last_seen_at DESC);

-- Down Migration
DROP TABLE daemon_instances;
