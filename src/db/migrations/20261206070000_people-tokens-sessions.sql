-- Up Migration
-- People who use the console and the CLI's decisions, the tokens of scripts and integrations,
-- and console sign-in sessions (issue 12). Nothing secret is stored in the clear: passwords as
-- scrypt hashes, tokens and session ids as SHA-256 digests of random values.

CREATE TABLE people (
  -- the sign-in name, kept lower-case so that "Jana" and "jana" are one person
  name text PRIMARY KEY CHECK (name = lower(name) AND name ~ '^[a-z0-9][a-z0-9._@-]{0,63}$'),
  display_name text NOT NULL DEFAULT '',
  role text NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
  -- scrypt$N$r$p$salt$hash (base64url); null until a password is set: such a person cannot sign in
  password_hash text,
  disabled boolean NOT NULL DEFAULT false,
  last_sign_in_at timestamptz,
  -- consecutive failed sign-ins; reaching console.lockoutAfterFailures sets locked_until
  failed_sign_ins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A token acts either as a person (person set, the person's current role applies) or as an
-- integration that belongs to nobody (role set, never above operator: it can never approve).
CREATE TABLE api_tokens (
  id uuid PRIMARY KEY,
  label text NOT NULL CHECK (btrim(label) <> ''),
  token_sha256 text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  person text REFERENCES people (name),
  role text CHECK (role IN ('viewer', 'operator')),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  CHECK ((person IS NULL) <> (role IS NULL))
);
-- Labels name live tokens (`tokens revoke LABEL`); a revoked token keeps its row for the record.
CREATE UNIQUE INDEX api_tokens_live_label ON api_tokens (lower(label)) WHERE revoked_at IS NULL;

-- Console sessions live here, not in a process's memory: a restart keeps them, and several
-- daemons sharing the database accept the same cookie.
CREATE TABLE console_sessions (
  id_sha256 text PRIMARY KEY CHECK (id_sha256 ~ '^[0-9a-f]{64}$'),
  person text NOT NULL REFERENCES people (name) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_sessions_person ON console_sessions (person);
CREATE INDEX console_sessions_last_seen ON console_sessions (last_seen_at);

-- Down Migration
DROP TABLE console_sessions;
DROP TABLE api_tokens;
DROP TABLE people;
