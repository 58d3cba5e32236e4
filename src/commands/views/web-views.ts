/** The core's side of the web port: sign-in and the read models, each with roles read at the time of the call. */
import type { App } from "../../clusters/app.ts";
import type { AuditFilter, CapacityView, ClusterView, TenantView, WebPort, WebRead, WebViewer } from "../../kernel/web-port.ts";
import type { Principal } from "../../tenants/directory.ts";
import { IDENTITY_RE } from "../../config/schema.ts";
import { hasRole, isRegistered, requireOwnerOr } from "../../tenants/rbac.ts";
import { getCluster, LIVE_STATES } from "../../clusters/repo.ts";
import { apiTokenIdentity, endSession, redeemSignInLink, sessionIdentity } from "../../tenants/web-credentials.ts";
import { audit } from "../../audit.ts";
import { clusterViews } from "./web-clusters.ts";
import { tenantView } from "./web-tenant.ts";
import { capacityView } from "./web-capacity.ts";

export class WebViews implements WebPort {
  constructor(private readonly app: App) {}

  /** Uses a sign-in link once and opens a 12-hour session; audited, never with the token. */
  async signIn(linkToken: string): Promise<{ identity: string; session: string } | undefined> {
    const r = await redeemSignInLink(this.app.db.k, linkToken, this.app.clock.now());
    if (r) await audit(this.app.db.k, this.app.clock.now(), { actor: r.identity, action: "web.sign_in", source: "web" });
    return r;
  }

  /** Ends a session. */
  signOut(session: string): Promise<void> {
    return endSession(this.app.db.k, session);
  }

  /** The person behind a session, with roles read now. */
  async viewerForSession(session: string): Promise<WebViewer | undefined> {
    return this.viewer(await sessionIdentity(this.app.db.k, session, this.app.clock.now()));
  }

  /** The person behind an API token, with roles read now. */
  async viewerForToken(token: string): Promise<WebViewer | undefined> {
    return this.viewer(await apiTokenIdentity(this.app.db.k, token));
  }

  /** The caller's own live clusters (every identity of the person). */
  async myClusters(identity: string): Promise<ClusterView[]> {
    const p = await this.principal(identity);
    return p ? clusterViews(this.app, p, { owners: p.identities }) : [];
  }

  /** One live cluster the caller may see (owner, or TA and up of its tenant). */
  async cluster(identity: string, id: string): Promise<ClusterView | undefined> {
    const p = await this.principal(identity);
    if (!p || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) return undefined;
    const c = await getCluster(this.app.db.k, id);
    if (!c || !LIVE_STATES.includes(c.state) || !requireOwnerOr(p, c, "ta", "see it").ok) return undefined;
    return (await clusterViews(this.app, p, { id }))[0];
  }

  /** A tenant's staff page. */
  async tenantView(identity: string, tenant: string, filter?: AuditFilter): Promise<WebRead<TenantView>> {
    const p = await this.principal(identity);
    return p ? tenantView(this.app, p, tenant, filter) : unregistered;
  }

  /** Capacity across tenants. */
  async capacity(identity: string): Promise<WebRead<CapacityView>> {
    const p = await this.principal(identity);
    return p ? capacityView(this.app, p) : unregistered;
  }

  private async principal(identity: string): Promise<Principal | undefined> {
    if (!IDENTITY_RE.test(identity)) return undefined;
    const p = await this.app.directory.principal(identity);
    return isRegistered(p) ? p : undefined;
  }

  private async viewer(identity: string | undefined): Promise<WebViewer | undefined> {
    const p = identity && (await this.principal(identity));
    if (!p) return undefined;
    const tenants = Object.entries(this.app.config.tenants);
    return {
      identity: p.identity, label: this.app.directory.label(p.identity), admin: p.admin,
      roles: [...p.roles].map(([tenant, role]) => ({ tenant, name: this.app.config.tenants[tenant]?.name ?? tenant, role })),
      staffed: tenants.filter(([id]) => hasRole(p, id, "ta")).map(([id]) => id),
    };
  }
}

const unregistered = { ok: false as const, code: "rbac.unregistered", message: "you are not in any tenant" };
