/** Gauges read from the database when Prometheus scrapes: the IP pool, finished jobs, and the oldest wait in the queue. */
import { Gauge, type Registry } from "prom-client";
import type { Db } from "../db/open.ts";
import type { Clock } from "../util/clock.ts";
import { parseRange } from "../ippool/ipv4.ts";

/**
 * Registers the gauges on `registry`. They are computed from the database at
 * each scrape, so they are right after a restart and whichever process wrote
 * the rows; a scrape during shutdown (database closed) reports nothing new.
 */
export function registerStateMetrics(registry: Registry, db: Db, pool: string, clock: Clock): void {
  const range = parseRange(pool);
  const size = range ? range.last - range.first + 1 : 0;
  const safely = (f: () => void) => { try { f(); } catch { /* the database is closing */ } };

  new Gauge({ name: "labforge_ip_pool_size", help: "Addresses in network.pool", registers: [registry] }).set(size);
  new Gauge({
    name: "labforge_ip_pool_free", help: "Addresses in network.pool not allocated to a cluster", registers: [registry],
    collect() {
      safely(() => this.set(size - (db.sqlite.prepare("SELECT count(*) AS n FROM ip_allocations").get() as { n: number }).n));
    },
  });
  new Gauge({
    name: "labforge_jobs_finished", help: "Finished jobs in the database by kind and outcome (succeeded, failed, cancelled); only grows",
    labelNames: ["kind", "state"], registers: [registry],
    collect() {
      safely(() => {
        const rows = db.sqlite.prepare("SELECT kind, state, count(*) AS n FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled') GROUP BY kind, state").all() as { kind: string; state: string; n: number }[];
        this.reset();
        for (const r of rows) this.set({ kind: r.kind, state: r.state }, r.n);
      });
    },
  });
  new Gauge({
    name: "labforge_queue_oldest_wait_seconds", help: "How long the oldest runnable queued job has waited (0 when none waits)", registers: [registry],
    collect() {
      safely(() => {
        const now = clock.now();
        const row = db.sqlite.prepare("SELECT min(run_at) AS t FROM jobs WHERE state = 'queued' AND run_at <= ?").get(now) as { t: number | null };
        this.set(row.t === null ? 0 : (now - row.t) / 1000);
      });
    },
  });
}
