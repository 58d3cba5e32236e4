/** `audit [name] [tenant=…]`: the latest audited actions (who, what, when, outcome), and where the config file overrides chat grants. */
import type { CommandHandler } from "./context.ts";
import { tenantOf } from "./context.ts";
import { done, refused } from "../kernel/outcome.ts";
import { requireRole } from "../tenants/rbac.ts";
import { recentAudit } from "../audit.ts";
import { fileWins } from "../clusters/grants.ts";
import { formatTime } from "../util/time.ts";

const SHOWN = 20;

export const auditLog: CommandHandler = async (ctx) => {
  const { app, principal, cmd } = ctx;
  const t = tenantOf(ctx);
  if (!t.ok) return t.outcome;
  const role = requireRole(principal, t.tenant, "instructor", `read the audit log of ${t.tenant}`);
  if (!role.ok) return refused(role);
  const name = cmd.args.name;
  const rows = await recentAudit(app.db.k, t.tenant, name, SHOWN);
  const lines = rows.map((r) => [
    formatTime(r.at), r.actor, r.action, r.target ?? "-", r.outcome, r.detail ?? "",
  ].join("  ").trimEnd());
  // SPEC §4: the file wins over chat grants, and audit says so.
  const overridden = name ? [] : await app.directory.overriddenGrants(t.tenant);
  const notes = overridden.map((o) => `${o.identity} was granted ${o.granted} in chat, but ${fileWins(o.identity, t.tenant, o.file)}.`);
  const title = `Audit log of ${t.tenant}${name ? ` for ${name}` : ""}: the latest ${rows.length}`;
  return done({
    title,
    code: rows.length ? app.redactor.redact(lines.join("\n")) : undefined,
    text: [rows.length ? undefined : "Nothing recorded yet.", ...notes].filter(Boolean).join("\n") || undefined,
  });
};
