/** createDriver: which driver a configuration gets, and the start-up errors that say the fix. */
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { createDriver } from "../../src/provisioning/select-driver.ts";
import { Redactor } from "../../src/util/redact.ts";
import { baseConfig } from "../helpers/harness.ts";
import { proxmoxConfig, tempDir, tokenSecret } from "./support.ts";

describe("createDriver", () => {
  const tmp = tempDir("select");
  afterAll(() => tmp.remove());
  const config = (proxmox: boolean) => {
    const c = baseConfig();
    c.infra = { driver: "proxmox", ...(proxmox ? { proxmox: proxmoxConfig() } : {}) };
    return c;
  };

  it("makes the proxmox driver for infra.driver: proxmox and teaches the redactor its token", () => {
    const redactor = new Redactor();
    const secret = tokenSecret();
    const d = createDriver(parseConfig(config(true), "test"), tmp.dir, { proxmoxTokenSecret: secret }, redactor);
    expect(d.name).toBe("proxmox");
    expect(redactor.redact(`api_token=labforge@pve!bot=${secret} and ${secret}`)).not.toContain(secret);
  });

  it("refuses to start without PROXMOX_TOKEN_SECRET", () => {
    expect(() => createDriver(parseConfig(config(true), "test"), tmp.dir, {})).toThrow(/^PROXMOX_TOKEN_SECRET is required for infra.driver: proxmox/);
  });

  it("refuses to start without infra.proxmox (LABFORGE_INFRA=proxmox over a simulated config)", () => {
    const c = parseConfig(baseConfig(), "test");
    c.infra.driver = "proxmox"; // what main.ts does for LABFORGE_INFRA=proxmox
    expect(() => createDriver(c, tmp.dir, { proxmoxTokenSecret: tokenSecret() })).toThrow(/^infra\.proxmox is required for infra\.driver: proxmox/);
  });

  it("still makes the simulated driver by default", () => {
    expect(createDriver(parseConfig(baseConfig(), "test"), tmp.dir, {}).name).toBe("simulated");
  });
});
