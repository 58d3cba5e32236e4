/** Picks the provisioning driver from the configuration (LABFORGE_INFRA overrides infra.driver). */
import type { Config } from "../config/schema.ts";
import type { InfraDriver } from "./driver.ts";
import { SimulatedDriver } from "./simulated.ts";

/** Creates the configured driver; the proxmox driver is not part of this build yet. */
export function createDriver(config: Config, dataDir: string): InfraDriver {
  if (config.infra.driver === "proxmox") {
    throw new Error("infra.driver is proxmox, but this build of labforge has only the simulated driver; set LABFORGE_INFRA=simulated");
  }
  return new SimulatedDriver({ dataDir, stepMs: config.infra.simulated.step_ms, fail: config.infra.simulated.fail });
}
