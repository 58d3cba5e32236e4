/** Picks the provisioning driver from the configuration (LABFORGE_INFRA overrides infra.driver before this runs). */
import { parseVmidRange, type Config } from "../config/schema.ts";
import type { Db } from "../db/open.ts";
import type { Logger } from "../log.ts";
import type { Redactor } from "../util/redact.ts";
import type { InfraDriver } from "./driver.ts";
import { SimulatedDriver } from "./simulated.ts";
import { ProxmoxDriver } from "./proxmox/proxmox-driver.ts";
import { databaseVmids } from "./proxmox/vmid-pool.ts";

export interface DriverSecrets {
  /** The secret half of the Proxmox API token (PROXMOX_TOKEN_SECRET). */
  proxmoxTokenSecret?: string;
}

/** What the proxmox driver may use of the bot: the database (VM ids from infra.proxmox.vmid_range) and the log. */
export interface DriverDeps {
  db?: Db;
  log?: Logger;
}

/** Creates the configured driver; throws a message that says the fix when the proxmox driver lacks its settings. */
export function createDriver(config: Config, dataDir: string, secrets: DriverSecrets, redactor?: Redactor, deps: DriverDeps = {}): InfraDriver {
  if (config.infra.driver === "proxmox") {
    if (!config.infra.proxmox) throw new Error("infra.proxmox is required for infra.driver: proxmox (endpoint, token_id, nodes, template_vmid, datastore, bridge)");
    if (!secrets.proxmoxTokenSecret) throw new Error("PROXMOX_TOKEN_SECRET is required for infra.driver: proxmox (the secret half of the API token infra.proxmox.token_id)");
    const px = config.infra.proxmox;
    const range = px.vmid_range === undefined ? undefined : parseVmidRange(px.vmid_range);
    if (range && !deps.db) throw new Error("infra.proxmox.vmid_range needs the database; createDriver was called without one");
    const driver = new ProxmoxDriver({
      dataDir, proxmox: px, tokenSecret: secrets.proxmoxTokenSecret, redactor, log: deps.log,
      maxParallelClones: config.queue.max_parallel_clones,
      vmids: range && deps.db ? databaseVmids(deps.db, px.vmid_range!, range) : undefined,
    });
    // The start-up report of workspaces made with an older module (issue 14.1); a failure to read them is not fatal.
    try { driver.reportWorkspaces(); } catch (e) { deps.log?.warn({ err: e }, "could not check the cluster workspaces' modules"); }
    return driver;
  }
  return new SimulatedDriver({ dataDir, stepMs: config.infra.simulated.step_ms, fail: config.infra.simulated.fail });
}
