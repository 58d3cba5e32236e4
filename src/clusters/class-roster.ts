/** Who a class session is for: the tenant's students in member order, or the people `for=` names, one identity per person. */
import type { App } from "./app.ts";
import { hasRole } from "../tenants/rbac.ts";

export type Roster = { ok: true; identities: string[] } | { ok: false; code: string; message: string };

/** One identity for a person: the one on `platform` (where the instructor works) if they have one, else their first. */
function identityFor(app: App, identity: string, platform: string): string {
  const all = app.directory.identitiesOf(identity);
  return all.find((id) => id.startsWith(`${platform}:`)) ?? all[0] ?? identity;
}

/**
 * Every person whose role in the tenant is student: members of the config file in file order, then people
 * granted the role in chat in the order of their grants (a file role wins over a grant, as everywhere).
 */
export async function studentsOf(app: App, tenant: string, platform: string): Promise<string[]> {
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (identity: string) => {
    const person = app.directory.identitiesOf(identity)[0] ?? identity;
    if (seen.has(person)) return;
    seen.add(person);
    out.push(identityFor(app, identity, platform));
  };
  for (const m of app.config.members) if (Object.hasOwn(m.roles, tenant) && m.roles[tenant] === "student") add(m.identities[0]!);
  const grants = await app.db.k.selectFrom("grants").select(["identity", "role"]).where("tenant", "=", tenant).orderBy("id").execute();
  for (const g of grants) {
    const file = app.directory.identitiesOf(g.identity).map((id) => app.directory.fileRole(id, tenant)).find((r) => r !== undefined);
    if ((file ?? g.role) === "student") add(g.identity);
  }
  return out;
}

/** The people named in `for=` (identities already resolved), each checked to be a member of the tenant; refused naming who is not. */
export async function namedRoster(app: App, tenant: string, identities: readonly string[], platform: string): Promise<Roster> {
  const out: string[] = [];
  const persons = new Map<string, string>();
  const strangers: string[] = [];
  for (const identity of identities) {
    const person = app.directory.identitiesOf(identity)[0] ?? identity;
    const twice = persons.get(person);
    if (twice !== undefined) return { ok: false, code: "class.duplicate", message: `${identity} is listed twice (${twice === identity ? "the same identity" : `${twice} is the same person`}); give each student once` };
    persons.set(person, identity);
    if (!hasRole(await app.directory.principal(identity), tenant, "student")) { strangers.push(identity); continue; }
    out.push(identityFor(app, identity, platform));
  }
  if (strangers.length > 0) {
    return { ok: false, code: "class.not_members", message: `${strangers.join(", ")} ${strangers.length === 1 ? "is not a student" : "are not students"} of ${tenant}; grant them the student role first (/cluster grant <identity> student)` };
  }
  return { ok: true, identities: out };
}
