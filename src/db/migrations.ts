/** Numbered schema migrations, applied in order inside one transaction each. */
import type BetterSqlite3 from "better-sqlite3";

/** Each entry is one migration; never edit a released one, append a new one. */
export const MIGRATIONS: readonly string[] = [
  /* 1: initial schema */ `
  CREATE TABLE clusters (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    owner TEXT NOT NULL,
    state TEXT NOT NULL,
    workers INTEGER NOT NULL,
    size TEXT NOT NULL,
    vcpus INTEGER NOT NULL,
    memory_mb INTEGER NOT NULL,
    disk_gb INTEGER NOT NULL,
    ttl_ms INTEGER NOT NULL,
    channel TEXT NOT NULL,
    root_ref TEXT,
    nodes TEXT,
    expires_at INTEGER,
    ready_at INTEGER,
    failure TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  -- A name is unique among the tenant's live clusters.
  CREATE UNIQUE INDEX clusters_live_name ON clusters(tenant, name) WHERE state NOT IN ('deleted', 'rejected');
  CREATE INDEX clusters_owner ON clusters(owner, state);

  CREATE TABLE requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_id TEXT NOT NULL UNIQUE REFERENCES clusters(id),
    tenant TEXT NOT NULL,
    requester TEXT NOT NULL,
    state TEXT NOT NULL,
    decided_by TEXT,
    decided_at INTEGER,
    reason TEXT,
    lapses_at INTEGER NOT NULL,
    card_refs TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX requests_pending ON requests(state, lapses_at);

  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    cluster_id TEXT NOT NULL REFERENCES clusters(id),
    tenant TEXT NOT NULL,
    owner TEXT NOT NULL,
    state TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 1,
    run_at INTEGER NOT NULL,
    locked_at INTEGER,
    locked_by TEXT,
    last_step TEXT,
    current_step TEXT,
    last_error TEXT,
    log_tail TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX jobs_state ON jobs(state, run_at);
  CREATE INDEX jobs_cluster ON jobs(cluster_id);

  CREATE TABLE ip_allocations (
    ip TEXT PRIMARY KEY,
    cluster_id TEXT NOT NULL REFERENCES clusters(id),
    position INTEGER NOT NULL,
    allocated_at INTEGER NOT NULL
  );
  CREATE INDEX ip_allocations_cluster ON ip_allocations(cluster_id);

  CREATE TABLE kubeconfigs (
    cluster_id TEXT PRIMARY KEY REFERENCES clusters(id),
    ciphertext BLOB NOT NULL,
    iv BLOB NOT NULL,
    tag BLOB NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identity TEXT NOT NULL,
    tenant TEXT NOT NULL,
    role TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (identity, tenant)
  );

  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    tenant TEXT,
    action TEXT NOT NULL,
    target TEXT,
    outcome TEXT NOT NULL,
    detail TEXT
  );
  CREATE INDEX audit_tenant ON audit(tenant, at);

  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    at INTEGER NOT NULL,
    reply TEXT NOT NULL
  );
  `,
  /* 2: expiry reminders (issue 7): when the owner was reminded of the current expires_at; NULL = not yet */ `
  ALTER TABLE clusters ADD COLUMN reminded_at INTEGER;
  CREATE INDEX clusters_expiry ON clusters(state, expires_at);
  `,
  /* 3: lifecycle (issue 11): job arguments, and the namespace access made per person so a revoke can remove it */ `
  ALTER TABLE jobs ADD COLUMN payload TEXT;
  CREATE TABLE namespace_access (
    cluster_id TEXT NOT NULL REFERENCES clusters(id),
    namespace TEXT NOT NULL,
    service_account TEXT NOT NULL,
    identity TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, namespace, service_account)
  );
  CREATE INDEX namespace_access_identity ON namespace_access(identity);
  `,
  /* 4: the durable inbox (issue 12): every acknowledged command and press, and the DM channels platforms opened */ `
  CREATE TABLE inbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    input TEXT NOT NULL,
    respond_ref TEXT,
    respond_until INTEGER,
    state TEXT NOT NULL,
    reply TEXT,
    received_at INTEGER NOT NULL,
    answered_at INTEGER
  );
  CREATE INDEX inbox_state ON inbox(state, received_at);
  CREATE TABLE dm_channels (
    identity TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    opened_at INTEGER NOT NULL
  );
  `,
  /* 5: proxmox VM ids from infra.proxmox.vmid_range (issue 14 "iac"): one row per VM id a cluster holds */ `
  CREATE TABLE vmid_allocations (
    vmid INTEGER PRIMARY KEY,
    cluster_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    allocated_at INTEGER NOT NULL
  );
  CREATE INDEX vmid_allocations_cluster ON vmid_allocations(cluster_id);
  `,
  /* 6: web (issue 15): one-time sign-in links, browser sessions and personal API tokens, each stored only as a SHA-256
     hash of its secret; where an audited action came from (slack, discord, console, web; NULL = the bot itself);
     when each job step started and finished, for the web page's step-duration chart */ `
  CREATE TABLE web_links (
    token_hash TEXT PRIMARY KEY,
    identity TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    identity TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    identity TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX api_tokens_identity ON api_tokens(identity);
  ALTER TABLE audit ADD COLUMN source TEXT;
  CREATE TABLE job_steps (
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    step TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    PRIMARY KEY (job_id, step, started_at)
  );
  `,
  /* 7: day-2 operations (issue 17): when the cluster last started, and auto-stop's deadline and warning */ `
  ALTER TABLE clusters ADD COLUMN started_at INTEGER;
  ALTER TABLE clusters ADD COLUMN auto_stop_at INTEGER;
  ALTER TABLE clusters ADD COLUMN auto_stop_warned_at INTEGER;
  `,
  /* 8: class sessions (issue 16): one record per session, its id on each cluster and job, measured provision step durations */ `
  CREATE TABLE class_sessions (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    instructor TEXT NOT NULL,
    channel TEXT NOT NULL,
    workers INTEGER NOT NULL,
    size TEXT NOT NULL,
    ttl_ms INTEGER NOT NULL,
    starts_at INTEGER NOT NULL,
    provision_at INTEGER NOT NULL,
    estimate_ms INTEGER NOT NULL,
    root_ref TEXT,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX class_sessions_live_name ON class_sessions(tenant, name) WHERE state = 'active';
  ALTER TABLE clusters ADD COLUMN session_id TEXT REFERENCES class_sessions(id);
  CREATE INDEX clusters_session ON clusters(session_id);
  ALTER TABLE jobs ADD COLUMN session_id TEXT;
  CREATE TABLE step_durations (
    job_id INTEGER NOT NULL,
    step TEXT NOT NULL,
    size TEXT NOT NULL,
    workers INTEGER NOT NULL,
    ms INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (job_id, step)
  );
  CREATE INDEX step_durations_size ON step_durations(size, workers, at);
  `,
  /* 9: chat after a crash: a digest of the card each root message and approval request last showed (NULL: posted by
     an older labforge), so a start re-renders only the ones a crash left stale; thread replies and DM notices not yet
     handed to the platform */ `
  ALTER TABLE clusters ADD COLUMN root_shown TEXT;
  ALTER TABLE class_sessions ADD COLUMN root_shown TEXT;
  ALTER TABLE requests ADD COLUMN cards_shown TEXT;
  CREATE TABLE pending_chat (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    card TEXT NOT NULL,
    routine INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
];

/** Applies every migration newer than the database's `user_version`; returns how many ran. */
export function migrate(sqlite: BetterSqlite3.Database): number {
  const current = sqlite.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this labforge (${MIGRATIONS.length}); upgrade labforge`);
  }
  const pending = MIGRATIONS.slice(current);
  pending.forEach((sql, i) => {
    sqlite.transaction(() => {
      sqlite.exec(sql);
      sqlite.pragma(`user_version = ${current + i + 1}`);
    })();
  });
  return pending.length;
}
