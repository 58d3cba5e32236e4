/**
 * Suggestions while a user types a cluster, request or tenant name. They follow the same visibility as
 * `list` and `status`: students see their own clusters, TAs and up the tenant's; tenants are the caller's own.
 */
import { tenantConfig } from "../../config/lookup.ts";
import type { App } from "../../clusters/app.ts";
import type { AutocompleteInput, Suggestion } from "../../kernel/ports.ts";
import type { Principal } from "../../tenants/directory.ts";
import { hasRole } from "../../tenants/rbac.ts";
import { LIVE_STATES } from "../../clusters/repo.ts";
import { STATE_TEXT } from "../../clusters/render.ts";
import { cleanText } from "../values.ts";

/** A suggestion with the words a typed prefix may match (a request matches its id and its cluster's name). */
type Candidate = Suggestion & { keys: string[] };

/** Platforms show at most 25 suggestions (Discord's limit; Slack's external select shows fewer in practice). */
export const MAX_SUGGESTIONS = 25;

/** The suggestions `p` may see for what they typed, best first; never more than MAX_SUGGESTIONS. */
export async function suggest(app: App, p: Principal, input: AutocompleteInput): Promise<Suggestion[]> {
  // The prefix is untrusted: it only ever filters in memory (never a LIKE pattern or a query parameter).
  const prefix = cleanText(input.prefix, 100).toLowerCase().replace(/^#/, "");
  const tenants = tenantsToSearch(app, p, input);
  let out: Candidate[];
  if (input.kind === "tenant") {
    out = memberTenants(app, p).map((t) => ({ value: t, label: `${t} · ${tenantConfig(app.config, t)!.name}`, keys: [t] }));
  } else if (input.kind === "cluster") {
    out = await clusters(app, p, tenants);
  } else {
    out = await requests(app, p, tenants);
  }
  return out.filter((c) => c.keys.some((k) => k.startsWith(prefix))).slice(0, MAX_SUGGESTIONS).map(({ value, label }) => ({ value, label }));
}

/** Tenants the principal belongs to (every tenant for an admin). */
function memberTenants(app: App, p: Principal): string[] {
  return (p.admin ? Object.keys(app.config.tenants) : [...p.roles.keys()].filter((t) => app.directory.hasTenant(t))).sort();
}

/** The tenant the command will use if it is clear (tenant=, then the channel's), else every tenant of the caller. */
function tenantsToSearch(app: App, p: Principal, input: AutocompleteInput): string[] {
  const mine = memberTenants(app, p);
  const chosen = input.tenant || app.directory.tenantForChannel(input.where.channel);
  if (chosen) return mine.includes(chosen) ? [chosen] : [];
  return mine;
}

async function clusters(app: App, p: Principal, tenants: string[]): Promise<Candidate[]> {
  const staff = tenants.filter((t) => hasRole(p, t, "ta"));
  const own = tenants.filter((t) => !staff.includes(t));
  const out: Candidate[] = [];
  for (const [list, onlyOwn] of [[staff, false], [own, true]] as const) {
    if (list.length === 0) continue;
    let q = app.db.k.selectFrom("clusters").select(["name", "tenant", "state", "owner"]).where("tenant", "in", list).where("state", "in", LIVE_STATES);
    if (onlyOwn) q = q.where("owner", "in", p.identities);
    for (const c of await q.orderBy("name").limit(500).execute()) {
      const owner = p.identities.includes(c.owner) ? "yours" : app.directory.label(c.owner);
      out.push({ value: c.name, label: `${c.name} · ${c.tenant} · ${STATE_TEXT[c.state]} · ${owner}`, keys: [c.name] });
    }
  }
  return out.sort((a, b) => a.value.localeCompare(b.value));
}

/** Pending requests the caller could decide: TA and up in the tenant, and not their own. */
async function requests(app: App, p: Principal, tenants: string[]): Promise<Candidate[]> {
  const staff = tenants.filter((t) => hasRole(p, t, "ta"));
  if (staff.length === 0) return [];
  const rows = await app.db.k.selectFrom("requests").innerJoin("clusters", "clusters.id", "requests.cluster_id")
    .select(["requests.id", "requests.requester", "clusters.name", "clusters.tenant"])
    .where("requests.state", "=", "pending").where("requests.tenant", "in", staff).where("requests.requester", "!=", p.identity)
    .orderBy("requests.id").limit(500).execute();
  return rows.map((r) => ({ value: String(r.id), label: `#${r.id} ${r.name} · ${r.tenant} · by ${app.directory.label(r.requester)}`, keys: [String(r.id), r.name] }));
}
