/** The context every command, job and sweeper receives: configuration, state and the outbound ports. */
import type { Config } from "../config/schema.ts";
import type { Db } from "../db/open.ts";
import type { Directory } from "../tenants/directory.ts";
import type { Clock } from "../util/clock.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Redactor } from "../util/redact.ts";
import type { KubeconfigStore } from "../secrets/kubeconfig-store.ts";
import type { Notifier } from "./notifier.ts";
import type { JobQueue } from "../jobs/queue.ts";
import type { InfraDriver } from "../provisioning/driver.ts";
import type { Locks } from "../util/locks.ts";

export interface App {
  config: Config;
  db: Db;
  dataDir: string;
  directory: Directory;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  redactor: Redactor;
  kubeconfigs: KubeconfigStore;
  notifier: Notifier;
  jobs: JobQueue;
  driver: InfraDriver;
  locks: Locks;
  /** LABFORGE_PUBLIC_URL without a trailing slash: where browsers reach the web page (sign-in links); unset = no web page. */
  publicUrl?: string;
}
