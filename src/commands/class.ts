/** `class create|status|extend|delete|add <session> …`: one cluster per student, managed as a whole (instructors). */
import type { CommandHandler, CommandContext } from "./context.ts";
import { tenantOf } from "./context.ts";
import { tenantConfig } from "../config/lookup.ts";
import { done, refuse, refused, type Outcome } from "../kernel/outcome.ts";
import { requireRole } from "../tenants/rbac.ts";
import { specOf, usageOf } from "./grammar.ts";
import { resolvePerson } from "./values.ts";
import { rosterItems } from "./class-values.ts";
import { formatDuration, parseDuration, DURATION_HINT } from "../config/duration.ts";
import { parseStartSpec, resolveStart } from "../config/start-time.ts";
import { createSession, addToSession } from "../clusters/class-session.ts";
import { findActiveSession, sessionClusters } from "../clusters/class-repo.ts";
import { countedClusters } from "../clusters/class-card.ts";
import { confirmSessionDeleteCard, extendSession, sessionStatus } from "../clusters/class-manage.ts";
import { namedRoster, studentsOf } from "../clusters/class-roster.ts";

const CREATE_ONLY = ["workers", "size", "ttl", "at", "for"] as const;

export const classCmd: CommandHandler = async (ctx) => {
  const { app, principal, cmd } = ctx;
  const action = cmd.args.action as "create" | "status" | "extend" | "delete" | "add";
  const usage = usageOf(specOf("class")!, Object.keys(app.config.sizes));
  // Per-subcommand shape, checked before anything is looked up.
  const misplaced = action === "create" ? undefined : CREATE_ONLY.find((k) => cmd.options[k] !== undefined);
  if (misplaced) return refuse("usage", `${misplaced}= goes only with class create`, usage);
  const value = cmd.args.value;
  if ((action === "extend" || action === "add") && value === undefined) {
    return refuse("usage", action === "extend" ? "duration is missing: /cluster class extend <session> <duration>" : "student is missing: /cluster class add <session> <identity|@mention>", usage);
  }
  if ((action === "create" || action === "status" || action === "delete") && value !== undefined) return refuse("usage", `unexpected "${value.slice(0, 40)}" after the session name`, usage);

  const t = tenantOf(ctx);
  if (!t.ok) return t.outcome;
  const role = requireRole(principal, t.tenant, "instructor", `manage class sessions in ${t.tenant}`);
  if (!role.ok) return refused(role);
  if (action === "create") return create(ctx, t.tenant);

  const session = await findActiveSession(app.db.k, t.tenant, cmd.args.session!);
  if (!session) return refuse("class.not_found", `there is no class session named ${cmd.args.session} in ${t.tenant}`);
  switch (action) {
    case "status": return sessionStatus(app, session);
    case "extend": {
      const byMs = parseDuration(value!);
      if (byMs === undefined) return refuse("usage", `duration must be ${DURATION_HINT}, not "${value!.slice(0, 40)}"`, usage);
      return extendSession(app, principal, session, byMs);
    }
    case "delete": {
      const live = countedClusters(await sessionClusters(app.db.k, session.id)).filter((c) => c.state !== "deleting" && c.state !== "expired");
      return done(confirmSessionDeleteCard(session, live.length));
    }
    case "add": {
      const student = resolvePerson(value!, principal.identity);
      if (!student) return refuse("usage", `"${value!.slice(0, 40)}" is not a person: write an identity like slack:U0BOB, or an @mention`, usage);
      const roster = await namedRoster(app, t.tenant, [student], platformOf(principal.identity));
      if (!roster.ok) return refuse(roster.code, roster.message);
      return addToSession(app, principal, session, roster.identities[0]!);
    }
  }
};

async function create(ctx: CommandContext, tenantId: string): Promise<Outcome> {
  const { app, principal, cmd } = ctx;
  const tenant = tenantConfig(app.config, tenantId)!; // tenantOf resolved a configured tenant
  const workers = (cmd.options.workers as number | undefined) ?? Math.min(1, tenant.limits.max_workers);
  if (workers > tenant.limits.max_workers) {
    return refuse("limits.max_workers", `workers=${workers} is out of range: ${tenantId} allows 0 to ${tenant.limits.max_workers} workers`);
  }
  const ttlMs = cmd.options.ttl ? parseDuration(cmd.options.ttl as string)! : tenant.limits.default_ttl;
  if (ttlMs > tenant.limits.max_ttl) {
    return refuse("limits.max_ttl", `ttl=${cmd.options.ttl} is out of range: ${tenantId} allows lifetimes up to ${formatDuration(tenant.limits.max_ttl)}`);
  }
  const now = app.clock.now();
  const at = cmd.options.at as string | undefined;
  const startsAt = at === undefined ? undefined : resolveStart(parseStartSpec(at)!, now, tenant.timezone); // the parser checked the syntax
  const platform = platformOf(principal.identity);
  const forList = cmd.options.for as string | undefined;
  let students: string[];
  if (forList === undefined || forList === "students") {
    students = await studentsOf(app, tenantId, platform);
  } else {
    const ids: string[] = [];
    for (const item of rosterItems(forList)) {
      const id = resolvePerson(item, principal.identity);
      if (!id) return refuse("usage", `for= "${item.slice(0, 40)}" is not a person`);
      ids.push(id);
    }
    const roster = await namedRoster(app, tenantId, ids, platform);
    if (!roster.ok) return refuse(roster.code, roster.message);
    students = roster.identities;
  }
  return createSession(app, principal, {
    tenantId, tenant, name: cmd.args.session!, workers, size: (cmd.options.size as string | undefined) ?? "small", ttlMs,
    startsAt, students, channel: ctx.where.channel,
  });
}

function platformOf(identity: string): string {
  return identity.slice(0, identity.indexOf(":"));
}
