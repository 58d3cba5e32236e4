/**
 * The guard every labforge namespace gets (issue 13.1): Pod Security labels from the tenant's namespace_policy, a
 * ResourceQuota and a LimitRange from its namespace_defaults. Checked as data, through a real core, and with the real
 * kubectl 1.31 client (offline: `label --local`, `create quota --dry-run=client`, `config view`).
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { namespaceGuardManifest, podSecurityLabels } from "../../src/namespaces/guard-manifest.ts";
import { namespaceDefaults, type NamespaceDefaults } from "../../src/config/namespace-defaults.ts";
import { ConfigError, parseConfig } from "../../src/config/load.ts";
import { namespaceKubeconfig } from "../../src/namespaces/kubeconfig.ts";
import { namespaceAccessManifest } from "../../src/namespaces/kubectl-argv.ts";
import { serviceAccountFor } from "../../src/namespaces/names.ts";
import { SimulatedDriver } from "../../src/provisioning/simulated.ts";
import { baseConfig, makeCore, type TestCore } from "../helpers/harness.ts";
import { kubectlClient, kubectlClientUnavailable } from "../helpers/kubectl-client.ts";
import { readyCluster } from "./helpers.ts";

const DEFAULTS: NamespaceDefaults = namespaceDefaults.parse(undefined);
const docsOf = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS());

function problemsOf(raw: unknown): string[] {
  try { parseConfig(raw, "labforge.yaml"); } catch (e) { if (e instanceof ConfigError) return e.problems; throw e; }
  throw new Error("expected a ConfigError");
}

describe("the guard manifest", () => {
  it("enforces restricted by default, with warn and audit at restricted", () => {
    const [ns, quota, limits] = docsOf(namespaceGuardManifest("team-a", "restricted", DEFAULTS));
    expect(ns).toEqual({
      apiVersion: "v1", kind: "Namespace",
      metadata: {
        name: "team-a",
        labels: {
          "app.kubernetes.io/managed-by": "labforge",
          "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest",
          "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/warn-version": "latest",
          "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/audit-version": "latest",
        },
      },
    });
    expect(quota.spec.hard).toEqual({
      "requests.cpu": "2", "requests.memory": "4Gi", "limits.cpu": "4", "limits.memory": "8Gi", pods: "20", services: "10",
      "services.nodeports": "2", "services.loadbalancers": "0", persistentvolumeclaims: "5", "requests.storage": "20Gi",
    });
    expect(limits.spec.limits).toEqual([{
      type: "Container", defaultRequest: { cpu: "100m", memory: "128Mi" }, default: { cpu: "500m", memory: "512Mi" }, max: { cpu: "2", memory: "4Gi" },
    }]);
  });

  it("enforces baseline when the tenant asks, still warning and auditing at restricted", () => {
    expect(podSecurityLabels("baseline")).toMatchObject({
      "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "restricted",
    });
  });

  it("never writes privileged, and refuses system namespaces", () => {
    expect(() => podSecurityLabels("privileged" as never)).toThrow(/privileged/);
    expect(() => namespaceGuardManifest("kube-system", "restricted", DEFAULTS)).toThrow();
    expect(() => namespaceGuardManifest("team-a", "restricted", { ...DEFAULTS, quota: { ...DEFAULTS.quota, requests_cpu: "2; rm -rf /" } })).toThrow(/CPU quantity/);
  });
});

describe("tenant settings: namespace_policy and namespace_defaults", () => {
  it("refuses privileged and anything else, naming the path", () => {
    const raw: any = baseConfig();
    raw.tenants.cs401.namespace_policy = "privileged";
    expect(problemsOf(raw)).toEqual(["tenants.cs401.namespace_policy: expected restricted or baseline (privileged is never allowed)"]);
  });

  it("takes partial defaults, numbers as quantities, and refuses bad quantities and impossible limits by path", () => {
    const raw: any = baseConfig();
    raw.tenants.cs401.namespace_defaults = { quota: { requests_cpu: 8, pods: 50 }, limit_range: { default_limit_memory: "1Gi" } };
    const t = parseConfig(raw, "t").tenants.cs401!;
    expect(t.namespace_policy).toBe("restricted");
    expect(t.namespace_defaults.quota).toMatchObject({ requests_cpu: "8", pods: 50, requests_memory: "4Gi" });
    expect(t.namespace_defaults.limit_range).toMatchObject({ default_limit_memory: "1Gi", default_limit_cpu: "500m" });

    raw.tenants.cs401.namespace_defaults = { quota: { requests_memory: "4 GB", colour: 1 } };
    expect(problemsOf(raw)).toEqual(expect.arrayContaining([
      "tenants.cs401.namespace_defaults.quota.requests_memory: expected a quantity like 512Mi or 20Gi",
      expect.stringMatching(/^tenants\.cs401\.namespace_defaults\.quota: .*colour/),
    ]));
    raw.tenants.cs401.namespace_defaults = { limit_range: { default_request_cpu: "1", default_limit_cpu: "500m", max_memory: "256Mi" } };
    expect(problemsOf(raw)).toEqual([
      "tenants.cs401.namespace_defaults.limit_range.default_request_cpu: must not exceed default_limit_cpu (500m)",
      "tenants.cs401.namespace_defaults.limit_range.default_limit_memory: must not exceed max_memory (256Mi)",
    ]);
  });
});

describe("through a real core", () => {
  let t: TestCore | undefined;
  afterEach(async () => { await t?.close(); t = undefined; });

  it("ns create and ns kubeconfig use the cluster's tenant settings", async () => {
    const stdins: { argv: string[]; stdin?: string }[] = [];
    const config: any = baseConfig();
    config.tenants.cs401.namespace_policy = "baseline";
    config.tenants.cs401.namespace_defaults = { quota: { pods: 7, requests_cpu: "3" } };
    t = await makeCore({
      config,
      driver: (c, dataDir) => {
        const d = new SimulatedDriver({ dataDir, stepMs: 0, fail: c.infra.simulated.fail });
        const kubectl = d.kubectl.bind(d);
        d.kubectl = async (spec, nodes, argv, stdin) => { stdins.push({ argv, stdin }); return kubectl(spec, nodes, argv, stdin); };
        return d;
      },
    });
    await readyCluster(t, "console:bob", "lab3");
    const created = await t.cmd("console:bob", "ns create lab3 team-a");
    expect(created.card.text).toContain("Pod Security: baseline (enforced). Quota: 3 CPU and 4Gi memory requested, 7 pods.");
    expect((await t.cmd("console:bob", "ns kubeconfig lab3 team-a")).code).toBeUndefined();
    expect(t.port.dmsTo("console:bob").find((d) => d.file?.filename === "cs401-lab3-team-a.kubeconfig")!.card.text).toContain("Edit rights in team-a only (Pod Security: baseline).");
    const [create, , apply] = stdins;
    for (const call of [create!, apply!]) {
      const [ns, quota] = docsOf(call.stdin!);
      expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("baseline");
      expect(quota.spec.hard).toMatchObject({ pods: "7", "requests.cpu": "3" });
    }
    expect(create!.argv).toEqual(["create", "-f", "-"]);
    expect(apply!.argv).toEqual(["apply", "-f", "-"]);
  });
});

const unavailable = kubectlClientUnavailable();
if (unavailable) console.warn(`\n!!! SKIPPING the checks with the real kubectl 1.31 client: ${unavailable}\n`);

describe.skipIf(unavailable)("with the real kubectl 1.31 client", () => {
  it("reads every manifest labforge sends as valid objects with the labels meant", () => {
    const sa = serviceAccountFor("slack:U0BOB");
    const stdin = `${namespaceGuardManifest("team-a", "restricted", DEFAULTS)}---\n${namespaceAccessManifest(sa, "team-a", "slack:U0BOB")}`;
    // `label --local` decodes each object and validates label syntax without a server.
    const r = kubectlClient(["label", "--local", "-f", "-", "-o", "json", "checked=yes"], { stdin });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    // kubectl prints one JSON object after another, with no list around them.
    const items = JSON.parse(`[${r.stdout.trim().replace(/\n\}\n\{/g, "\n},\n{")}]`) as { kind: string; metadata: { name: string; namespace?: string; labels: Record<string, string> } }[];
    for (const i of items) expect(i.metadata.labels.checked).toBe("yes");
    expect(items.map((i) => `${i.kind}/${i.metadata.name}@${i.metadata.namespace ?? ""}`)).toEqual([
      "Namespace/team-a@", "ResourceQuota/labforge-quota@team-a", "LimitRange/labforge-limits@team-a", `ServiceAccount/${sa}@team-a`, `RoleBinding/${sa}-edit@team-a`,
    ]);
    expect(items[0]!.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("parses every quota and limit quantity the way labforge wrote it (kubectl create quota --dry-run=client)", () => {
    const custom = namespaceDefaults.parse({ quota: { requests_cpu: "1500m", limits_memory: "12Gi", requests_storage: "100G" }, limit_range: { max_cpu: 3 } });
    for (const d of [DEFAULTS, custom]) {
      const [, quota, limits] = docsOf(namespaceGuardManifest("team-a", "restricted", d));
      const hard = quota.spec.hard as Record<string, string>;
      const r = kubectlClient(["create", "quota", "labforge-quota", "-n", "team-a", `--hard=${Object.entries(hard).map(([k, v]) => `${k}=${v}`).join(",")}`, "--dry-run=client", "-o", "json"]);
      expect(r.stderr).toBe("");
      // kubectl prints quantities in canonical form: equal means labforge's are canonical (and apply stays idempotent).
      expect((JSON.parse(r.stdout) as { spec: { hard: unknown } }).spec.hard).toEqual(hard);
      const l = limits.spec.limits[0];
      const quantities = { "limits.cpu": l.default.cpu, "limits.memory": l.default.memory, "requests.cpu": l.defaultRequest.cpu, "requests.memory": l.defaultRequest.memory, cpu: l.max.cpu, memory: l.max.memory };
      const q = kubectlClient(["create", "quota", "probe", `--hard=${Object.entries(quantities).map(([k, v]) => `${k}=${v}`).join(",")}`, "--dry-run=client", "-o", "json"]);
      expect(q.stderr).toBe("");
      expect((JSON.parse(q.stdout) as { spec: { hard: unknown } }).spec.hard).toEqual(quantities);
    }
    // And the check has teeth: kubectl refuses what is not a quantity.
    expect(kubectlClient(["create", "quota", "probe", "--hard=requests.cpu=2 cores", "--dry-run=client", "-o", "json"]).status).not.toBe(0);
  });

  it("accepts the namespace kubeconfig: one context, in the namespace, with only a token", () => {
    const admin = [
      "apiVersion: v1", "kind: Config",
      "clusters: [{ name: k, cluster: { server: 'https://10.40.19.201:6443', certificate-authority-data: Q0E= } }]",
      "users: [{ name: admin, user: { client-key-data: S0VZ, client-certificate-data: Q0VSVA== } }]",
      "contexts: [{ name: k, context: { cluster: k, user: admin } }]", "current-context: k", "",
    ].join("\n");
    const sa = serviceAccountFor("slack:U0BOB");
    const file = join(mkdtempSync(join(tmpdir(), "labforge-nskc-")), "cs401-lab3-team-a.kubeconfig");
    writeFileSync(file, namespaceKubeconfig(admin, { tenant: "cs401", cluster: "lab3", namespace: "team-a", serviceAccount: sa, token: "aaa.bbb.ccc" }), { mode: 0o600 });
    const r = kubectlClient(["config", "view", "--minify", "--raw", "-o", "json"], { kubeconfig: file });
    expect(r.stderr).toBe("");
    const view = JSON.parse(r.stdout);
    expect(view["current-context"]).toBe("cs401-lab3-team-a");
    expect(view.contexts).toEqual([{ name: "cs401-lab3-team-a", context: { cluster: "cs401-lab3", user: `${sa}@cs401-lab3`, namespace: "team-a" } }]);
    expect(view.users).toEqual([{ name: `${sa}@cs401-lab3`, user: { token: "aaa.bbb.ccc" } }]);
    expect(view.clusters[0].cluster).toEqual({ server: "https://10.40.19.201:6443", "certificate-authority-data": "Q0E=" });
    expect(kubectlClient(["config", "get-contexts", "-o", "name"], { kubeconfig: file }).stdout.trim()).toBe("cs401-lab3-team-a");
  });
});
