/** What a web button or API call does: the same core commands and buttons as chat, with the web as the channel. */
import type { Reply } from "../../src/kernel/cards.ts";
import type { InboundPort } from "../../src/kernel/ports.ts";
import type { WebPort } from "../../src/kernel/web-port.ts";

/** The channel ref of the web page: the audit log records `web` as the source of what it does. */
export const WEB_CHANNEL = "web";

export const CLUSTER_ACTIONS = ["extend", "delete", "retry", "kubeconfig", "stop", "start", "rebuild", "scale"] as const;
export type ClusterAction = (typeof CLUSTER_ACTIONS)[number];
export const REQUEST_ACTIONS = ["approve", "reject"] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const NONCE_RE = /^[A-Za-z0-9-]{8,64}$/;

/**
 * A delivery id from a form's nonce or an Idempotency-Key, so a repeat is one action; none for anything malformed.
 * It includes the identity: a key someone else chose can never replay another person's stored answer.
 */
export function deliveryIdOf(identity: string, nonce: string | undefined): string | undefined {
  const id = nonce && NONCE_RE.test(nonce) ? `web:${identity}:${nonce}` : undefined;
  return id && /^[A-Za-z0-9:._-]{1,128}$/.test(id) ? id : undefined;
}

function notFound(): Reply {
  return { visibility: "private", code: "cluster.not_found", card: { title: "Can't do that", text: "That cluster does not exist, or it is not yours to see.", tone: "error" } };
}

/**
 * Runs a cluster button: Extend (by the tenant's step), Delete and Rebuild (their confirm pages were the
 * confirmation), Retry, Stop, Start, Scale (to `workers`), or the kubeconfig by DM.
 */
export async function clusterAction(core: InboundPort, web: WebPort, identity: string, id: string, action: ClusterAction, deliveryId?: string, workers?: string): Promise<Reply> {
  if (!ID_RE.test(id)) return notFound();
  const actor = { identity };
  const where = { channel: WEB_CHANNEL };
  switch (action) {
    case "extend": return core.handleAction({ actor, where, action: "extend", value: id, deliveryId });
    case "delete": return core.handleAction({ actor, where, action: "delete.confirm", value: id, deliveryId });
    case "retry": return core.handleAction({ actor, where, action: "retry", value: id, deliveryId });
    case "stop": return core.handleAction({ actor, where, action: "stop", value: id, deliveryId });
    case "start": return core.handleAction({ actor, where, action: "start", value: id, deliveryId });
    // The web's confirm page was the confirmation, as for delete.
    case "rebuild": return core.handleAction({ actor, where, action: "rebuild.confirm", value: id, deliveryId });
    case "scale": {
      const v = await web.cluster(identity, id);
      if (!v) return notFound();
      // Only digits reach the command text; the parser checks the range and names it.
      const n = /^[0-9]{1,2}$/.test(workers ?? "") ? workers : undefined;
      if (!n) return { visibility: "private", code: "usage", card: { title: "That needs a fix", text: "workers must be a whole number from 0 to 50", tone: "error" } };
      return core.handleCommand({ actor, where, text: `scale ${v.name} workers=${n} tenant=${v.tenant}`, deliveryId });
    }
    case "kubeconfig": {
      // The command takes a name; only a cluster the caller may see is looked up, and its name is a checked DNS label.
      const v = await web.cluster(identity, id);
      if (!v) return notFound();
      return core.handleCommand({ actor, where, text: `kubeconfig ${v.name} tenant=${v.tenant}`, deliveryId });
    }
  }
}

/** Approves or rejects a request (with an optional reason, as `/cluster reject <id> <reason>`). */
export function requestAction(core: InboundPort, identity: string, id: string, action: RequestAction, reason?: string, deliveryId?: string): Promise<Reply> {
  const actor = { identity };
  const where = { channel: WEB_CHANNEL };
  if (!/^[0-9]{1,10}$/.test(id)) return Promise.resolve({ visibility: "private", code: "approval.not_found", card: { title: "Can't do that", text: "That request does not exist.", tone: "error" } });
  const why = (reason ?? "").replace(/\s+/g, " ").trim().slice(0, 300);
  if (action === "reject" && why) return core.handleCommand({ actor, where, text: `reject ${id} ${why}`, deliveryId });
  return core.handleAction({ actor, where, action, value: id, deliveryId });
}

/** An HTTP status for a core reply: refusals by their code's family. */
export function statusOf(reply: Reply): number {
  const code = reply.code;
  if (!code) return 200;
  if (code === "internal") return 500;
  if (code.startsWith("rbac.")) return 403;
  if (code.endsWith("not_found")) return 404;
  if (code === "usage") return 400;
  return 409;
}
