/** The exact kubectl argv labforge sends for namespaces, and the checks that keep bad words off the command line. */
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  applyStdinArgv, createStdinArgv, createTokenArgv, deleteNamespaceArgv, getNamespaceArgv, listNamespacesArgv, namespaceAccessManifest,
} from "../../src/namespaces/kubectl-argv.ts";
import { namespaceGuardManifest } from "../../src/namespaces/guard-manifest.ts";
import { namespaceDefaults } from "../../src/config/namespace-defaults.ts";
import { isSystemNamespace, serviceAccountFor, SERVICE_ACCOUNT_RE } from "../../src/namespaces/names.ts";
import { tokenSeconds } from "../../src/namespaces/kubeconfig-send.ts";
import { parsePersonRef, resolvePerson } from "../../src/commands/values.ts";

const DEFAULTS = namespaceDefaults.parse(undefined);

describe("kubectl argv builders", () => {
  it("builds each namespace call word for word", () => {
    expect(listNamespacesArgv()).toEqual(["get", "namespaces", "-o", "name"]);
    expect(getNamespaceArgv("team-a")).toEqual(["get", "namespace", "team-a", "-o", "name"]);
    expect(createStdinArgv()).toEqual(["create", "-f", "-"]);
    expect(deleteNamespaceArgv("team-a")).toEqual(["delete", "namespace", "team-a", "--wait=false"]);
    expect(applyStdinArgv()).toEqual(["apply", "-f", "-"]);
    const sa = serviceAccountFor("slack:U0BOB");
    expect(createTokenArgv(sa, "team-a", 86_400)).toEqual(["create", "token", sa, "-n", "team-a", "--duration=86400s"]);
  });

  it.each(["default", "kube-system", "kube-public", "kube-node-lease", "kube-flannel", "Team-A", "a;b", "-rf", "a b", "x".repeat(64), ""])(
    "refuses %j as a namespace (system, or not a DNS label)", (ns) => {
      expect(() => namespaceGuardManifest(ns, "restricted", DEFAULTS)).toThrow();
      expect(() => deleteNamespaceArgv(ns)).toThrow();
      expect(() => createTokenArgv(serviceAccountFor("console:bob"), ns, 600)).toThrow();
    });

  it("refuses a service account that is not one labforge made, and a bad token duration", () => {
    expect(() => createTokenArgv("default", "team-a", 600)).toThrow();
    expect(() => createTokenArgv("lf-x;rm-12345678", "team-a", 600)).toThrow();
    expect(() => createTokenArgv(serviceAccountFor("console:bob"), "team-a", 0)).toThrow();
    expect(() => createTokenArgv(serviceAccountFor("console:bob"), "team-a", 1.5)).toThrow();
  });

  it("writes a ServiceAccount and a RoleBinding to the edit ClusterRole, both in the namespace", () => {
    const sa = serviceAccountFor("discord:1200000000000000001");
    const docs = parseAllDocuments(namespaceAccessManifest(sa, "team-a", "discord:1200000000000000001")).map((d) => d.toJS());
    expect(docs).toHaveLength(2);
    expect(docs[0]).toMatchObject({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: sa, namespace: "team-a", annotations: { "labforge/identity": "discord:1200000000000000001" } } });
    expect(docs[1]).toMatchObject({
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: `${sa}-edit`, namespace: "team-a" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
      subjects: [{ kind: "ServiceAccount", name: sa, namespace: "team-a" }],
    });
    expect(() => namespaceAccessManifest(sa, "kube-system", "console:bob")).toThrow();
    expect(() => namespaceAccessManifest(sa, "team-a", "not an identity")).toThrow();
  });
});

describe("names", () => {
  it("gives each identity its own DNS-safe service account, case kept apart by a hash", () => {
    const a = serviceAccountFor("console:Bob");
    const b = serviceAccountFor("console:bob");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^lf-console-bob-[0-9a-f]{8}$/);
    expect(serviceAccountFor("slack:U0BOB")).toMatch(SERVICE_ACCOUNT_RE);
    expect(serviceAccountFor(`discord:${"9".repeat(64)}`).length).toBeLessThanOrEqual(63);
  });

  it("marks default and kube-* as system namespaces", () => {
    expect(["default", "kube-system", "kube-anything"].map(isSystemNamespace)).toEqual([true, true, true]);
    expect(["team-a", "kubeflow", "defaults"].map(isSystemNamespace)).toEqual([false, false, false]);
  });

  it("mints tokens that last until the cluster expires, and at least the API server's 10 minutes", () => {
    expect(tokenSeconds(1_000_000 + 86_400_000, 1_000_000)).toBe(86_400);
    expect(tokenSeconds(1_000_000 + 60_000, 1_000_000)).toBe(600);
    expect(tokenSeconds(1_000_000 + 86_400_500, 1_000_000)).toBe(86_401);
  });
});

describe("people: identities and mentions", () => {
  it("reads identities and Slack and Discord mentions, on the caller's platform", () => {
    expect(resolvePerson("slack:U0BOB", "discord:1")).toBe("slack:U0BOB");
    expect(resolvePerson("<@U0BOB>", "slack:U0ADA")).toBe("slack:U0BOB");
    expect(resolvePerson("<@U0BOB|bob>", "slack:U0ADA")).toBe("slack:U0BOB");
    expect(resolvePerson("<@1200000000000000001>", "discord:1")).toBe("discord:1200000000000000001");
    expect(resolvePerson("<@!1200000000000000001>", "discord:1")).toBe("discord:1200000000000000001");
    expect(resolvePerson("<@bob>", "console:ada")).toBe("console:bob");
    for (const bad of ["bob", "@bob", "<@>", "<@U0B;OB>", "<#C123>", "irc:bob", "slack:U0 BOB"]) expect(parsePersonRef(bad)).toBeUndefined();
  });
});
