/** Picks the provisioning driver from the configuration (LABFORGE_INFRA overrides infra.driver before this runs). */
import type { Config } from "../config/schema.ts";
import type { Redactor } from "../util/redact.ts";
import type { InfraDriver } from "./driver.ts";
import { SimulatedDriver } from "./simulated.ts";
import { ProxmoxDriver } from "./proxmox/proxmox-driver.ts";

export interface DriverSecrets {
  /** The secret half of the Proxmox API token (PROXMOX_TOKEN_SECRET). */
  proxmoxTokenSecret?: string;
}

/** Creates the configured driver; throws a message that says the fix when the proxmox driver lacks its settings. */
export function createDriver(config: Config, dataDir: string, secrets: DriverSecrets, redactor?: Redactor): InfraDriver {
  if (config.infra.driver === "proxmox") {
    if (!config.infra.proxmox) throw new Error("infra.proxmox is required for infra.driver: proxmox (endpoint, token_id, nodes, template_vmid, datastore, bridge)");
    if (!secrets.proxmoxTokenSecret) throw new Error("PROXMOX_TOKEN_SECRET is required for infra.driver: proxmox (the secret half of the API token infra.proxmox.token_id)");
    return new ProxmoxDriver({ dataDir, proxmox: config.infra.proxmox, tokenSecret: secrets.proxmoxTokenSecret, redactor });
  }
  return new SimulatedDriver({ dataDir, stepMs: config.infra.simulated.step_ms, fail: config.infra.simulated.fail });
}
