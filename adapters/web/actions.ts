/** What a web button or API call does: the same core commands and buttons as chat, with the web as the channel. */
import type { Reply } from "../../src/kernel/cards.ts";
import type { InboundPort } from "../../src/kernel/ports.ts";
import type { WebPort } from "../../src/kernel/web-port.ts";

/** The channel ref of the web page: the audit log records `web` as the source of what it does. */
export const WEB_CHANNEL = "web";

export const CLUSTER_ACTIONS = ["extend", "delete", "retry", "kubeconfig"] as const;
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

/** Runs a cluster button: Extend (by the tenant's step), Delete (the web's confirm page was the confirmation), Retry, or the kubeconfig by DM. */
export async function clusterAction(core: InboundPort, web: WebPort, identity: string, id: string, action: ClusterAction, deliveryId?: string): Promise<Reply> {
  if (!ID_RE.test(id)) return notFound();
  const actor = { identity };
  const where = { channel: WEB_CHANNEL };
  switch (action) {
    case "extend": return core.handleAction({ actor, where, action: "extend", value: id, deliveryId });
    case "delete": return core.handleAction({ actor, where, action: "delete.confirm", value: id, deliveryId });
    case "retry": return core.handleAction({ actor, where, action: "retry", value: id, deliveryId });
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
