/** Button presses: each action checks permissions itself, exactly as its text command would. */
import { tenantConfig } from "../config/lookup.ts";
import type { App } from "../clusters/app.ts";
import type { ActionName } from "../kernel/cards.ts";
import type { Principal } from "../tenants/directory.ts";
import { done, refuse, type Outcome } from "../kernel/outcome.ts";
import { decide } from "../clusters/approvals/decide.ts";
import { confirmDelete } from "../clusters/delete.ts";
import { retryCluster } from "../clusters/retry.ts";
import { getCluster } from "../clusters/repo.ts";
import { extendCluster, extendStepOf } from "../clusters/extend.ts";
import { requireOwnerOr } from "../tenants/rbac.ts";
import { startCluster, stopCluster } from "../clusters/power.ts";
import { confirmRebuild } from "../clusters/rebuild.ts";
import { keepRunning } from "../clusters/auto-stop.ts";
import { confirmSessionDelete, keepSession } from "../clusters/class-manage.ts";

/** Runs the handler for a pressed button. */
export async function runAction(app: App, p: Principal, action: ActionName, value: string): Promise<Outcome> {
  switch (action) {
    case "approve":
    case "reject": {
      const r = /^[0-9]{1,10}$/.test(value)
        ? await app.db.k.selectFrom("requests").selectAll().where("id", "=", Number(value)).executeTakeFirst()
        : undefined;
      if (!r) return refuse("approval.not_found", "that request no longer exists");
      return decide(app, p, r, action);
    }
    case "delete.confirm":
      return confirmDelete(app, p, value);
    case "delete.cancel": {
      const c = await getCluster(app.db.k, value);
      // Only someone who may delete the cluster learns its name from the id on the button.
      if (!c || !requireOwnerOr(p, c, "ta", "keep it").ok) return refuse("cluster.not_found", "that cluster does not exist, or it is not yours to keep");
      return done({ title: "Kept", text: `${c.name} was not deleted.` });
    }
    case "retry":
      return retryCluster(app, p, value);
    case "extend": {
      const c = await getCluster(app.db.k, value);
      const tenant = c && tenantConfig(app.config, c.tenant);
      if (!c || !tenant) return refuse("cluster.not_found", "that cluster no longer exists");
      // The button always moves by the tenant's step; an owner at the cap is stopped there rather than refused.
      return extendCluster(app, p, c, extendStepOf(tenant), true);
    }
    case "delete.now":
      // The reminder DM is the confirmation: it says what deleting destroys.
      return confirmDelete(app, p, value, "delete now, from the expiry reminder");
    case "stop":
    case "start": {
      const c = await getCluster(app.db.k, value);
      if (!c || c.state === "deleted" || c.state === "rejected") return refuse("cluster.not_found", "that cluster no longer exists");
      return action === "stop" ? stopCluster(app, p, c) : startCluster(app, p, c);
    }
    case "rebuild.confirm":
      return confirmRebuild(app, p, value);
    case "rebuild.cancel": {
      const c = await getCluster(app.db.k, value);
      if (!c || !requireOwnerOr(p, c, "ta", "keep it").ok) return refuse("cluster.not_found", "that cluster does not exist, or it is not yours to keep");
      return done({ title: "Kept", text: `${c.name} was not rebuilt.` });
    }
    case "keep_running":
      return keepRunning(app, p, value);
    case "class.delete":
      return confirmSessionDelete(app, p, value);
    case "class.keep":
      return keepSession(app, p, value);
  }
}
