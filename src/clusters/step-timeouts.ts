/** How long each step may take before its process tree is killed and the job fails. */
import type { ProvisionStep } from "../provisioning/driver.ts";

export const STEP_TIMEOUT_MS: Record<ProvisionStep | "destroy", number> = {
  prepare: 2 * 60_000,
  apply: 20 * 60_000,
  wait_ssh: 10 * 60_000,
  configure: 30 * 60_000,
  kubeconfig: 2 * 60_000,
  destroy: 20 * 60_000,
};
