/**
 * Who is who: identities → persons → roles per tenant. A person is one member of the config file (with all the
 * identities listed under it) or, for an identity the file does not list, that identity alone. Roles come from the
 * file merged with grants stored in the database (the file wins); a grant to any of a person's identities counts.
 */
import type { Config, Role } from "../config/schema.ts";
import type { Db } from "../db/open.ts";

export interface Principal {
  /** The identity acting now (where replies and DMs go). */
  identity: string;
  /** Every identity of the same person, this one included. */
  identities: readonly string[];
  /** The member's name from the config file, if any. */
  name?: string;
  admin: boolean;
  /** Role per tenant id. */
  roles: ReadonlyMap<string, Role>;
  /** The platform the command being handled came from (slack, discord, console, web): its audit entries say so. */
  source?: string;
}

interface Member {
  name?: string;
  identities: readonly string[];
  roles: ReadonlyMap<string, Role>;
}

const RANK: Record<Role, number> = { viewer: 1, student: 2, ta: 3, instructor: 4 };

export class Directory {
  private readonly members = new Map<string, Member>();
  private readonly tenantIds: ReadonlySet<string>;
  private readonly admins: ReadonlySet<string>;

  constructor(private readonly config: Config, private readonly db: Db) {
    for (const m of config.members) {
      const member: Member = { name: m.name, identities: m.identities, roles: new Map(Object.entries(m.roles) as [string, Role][]) };
      for (const id of m.identities) this.members.set(id, member);
    }
    this.tenantIds = new Set(Object.keys(config.tenants));
    this.admins = new Set(config.admins);
  }

  /** Every identity of the person `identity` belongs to (just `identity` when the file does not list it). */
  identitiesOf(identity: string): readonly string[] {
    return this.members.get(identity)?.identities ?? [identity];
  }

  /** True when both identities belong to one person. */
  samePerson(a: string, b: string): boolean {
    return a === b || this.identitiesOf(a).includes(b);
  }

  /** Resolves an identity to its person's roles; the config file wins over database grants. */
  async principal(identity: string): Promise<Principal> {
    const member = this.members.get(identity);
    const identities = this.identitiesOf(identity);
    const roles = new Map<string, Role>();
    const grants = await this.db.k.selectFrom("grants").select(["tenant", "role"]).where("identity", "in", identities).execute();
    for (const g of grants) {
      const role = g.role as Role;
      const had = roles.get(g.tenant);
      if (this.tenantIds.has(g.tenant) && (!had || RANK[role] > RANK[had])) roles.set(g.tenant, role);
    }
    for (const [t, r] of member?.roles ?? []) roles.set(t, r);
    return { identity, identities, name: member?.name, admin: identities.some((id) => this.admins.has(id)), roles };
  }

  /** The tenant bound to a chat channel, if any. */
  tenantForChannel(channel: string): string | undefined {
    return Object.entries(this.config.tenants).find(([, t]) => t.channels.includes(channel))?.[0];
  }

  /** True when a tenant of that id is configured (never a property of Object.prototype). */
  hasTenant(id: string): boolean {
    return this.tenantIds.has(id);
  }

  /** Identities with at least the TA role in a tenant (approvers), file and grants merged. */
  async staffOf(tenant: string): Promise<string[]> {
    const staff = new Set<string>();
    for (const [id, m] of this.members) {
      const r = m.roles.get(tenant);
      if (r === "ta" || r === "instructor") staff.add(id);
    }
    const grants = await this.db.k.selectFrom("grants").select(["identity", "role"]).where("tenant", "=", tenant).execute();
    for (const g of grants) {
      const fileRole = this.fileRole(g.identity, tenant);
      const role = fileRole ?? g.role;
      if (role === "ta" || role === "instructor") staff.add(g.identity);
    }
    return [...staff].sort();
  }

  /** The role the config file gives an identity's person in a tenant (it wins over any grant made in chat). */
  fileRole(identity: string, tenant: string): Role | undefined {
    return this.members.get(identity)?.roles.get(tenant);
  }

  /** Chat grants in a tenant that the config file overrides, with both roles (for `audit` and `grant`). */
  async overriddenGrants(tenant: string): Promise<{ identity: string; granted: string; file: Role }[]> {
    const grants = await this.db.k.selectFrom("grants").select(["identity", "role"]).where("tenant", "=", tenant).orderBy("identity").execute();
    return grants.flatMap((g) => {
      const file = this.fileRole(g.identity, tenant);
      return file && file !== g.role ? [{ identity: g.identity, granted: g.role, file }] : [];
    });
  }

  /** A display label for an identity: the member's name with the identity, or the identity alone. */
  label(identity: string): string {
    const name = this.members.get(identity)?.name;
    return name ? `${name} (${identity})` : identity;
  }
}
