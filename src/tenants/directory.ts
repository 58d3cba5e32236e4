/** Who is who: identities → members → roles per tenant, from the config file merged with grants stored in the database. */
import type { Config, Role } from "../config/schema.ts";
import type { Db } from "../db/open.ts";

export interface Principal {
  identity: string;
  /** The member's name from the config file, if any. */
  name?: string;
  admin: boolean;
  /** Role per tenant id. */
  roles: ReadonlyMap<string, Role>;
}

export class Directory {
  private readonly fileRoles = new Map<string, { name?: string; roles: Map<string, Role> }>();

  constructor(private readonly config: Config, private readonly db: Db) {
    for (const m of config.members) {
      const roles = new Map(Object.entries(m.roles) as [string, Role][]);
      for (const id of m.identities) this.fileRoles.set(id, { name: m.name, roles });
    }
  }

  /** Resolves an identity to its roles; the config file wins over database grants. */
  async principal(identity: string): Promise<Principal> {
    const fromFile = this.fileRoles.get(identity);
    const roles = new Map<string, Role>();
    const grants = await this.db.k.selectFrom("grants").select(["tenant", "role"]).where("identity", "=", identity).execute();
    for (const g of grants) if (g.tenant in this.config.tenants) roles.set(g.tenant, g.role as Role);
    for (const [t, r] of fromFile?.roles ?? []) roles.set(t, r);
    return { identity, name: fromFile?.name, admin: this.config.admins.includes(identity), roles };
  }

  /** The tenant bound to a chat channel, if any. */
  tenantForChannel(channel: string): string | undefined {
    return Object.entries(this.config.tenants).find(([, t]) => t.channels.includes(channel))?.[0];
  }

  /** Identities with at least the TA role in a tenant (approvers), file and grants merged. */
  async staffOf(tenant: string): Promise<string[]> {
    const staff = new Set<string>();
    for (const [id, m] of this.fileRoles) {
      const r = m.roles.get(tenant);
      if (r === "ta" || r === "instructor") staff.add(id);
    }
    const grants = await this.db.k.selectFrom("grants").select(["identity", "role"]).where("tenant", "=", tenant).execute();
    for (const g of grants) {
      const fileRole = this.fileRoles.get(g.identity)?.roles.get(tenant);
      const role = fileRole ?? g.role;
      if (role === "ta" || role === "instructor") staff.add(g.identity);
    }
    return [...staff].sort();
  }

  /** The role the config file gives an identity in a tenant (it wins over any grant made in chat). */
  fileRole(identity: string, tenant: string): Role | undefined {
    return this.fileRoles.get(identity)?.roles.get(tenant);
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
    const name = this.fileRoles.get(identity)?.name;
    return name ? `${name} (${identity})` : identity;
  }
}
