/** Maps command names to handlers; the grammar lives in grammar.ts so adapters can read it without the handlers. */
import type { CommandHandler } from "./context.ts";
import { create } from "./create.ts";
import { list } from "./list.ts";
import { status } from "./status.ts";
import { del } from "./delete.ts";
import { kubeconfig } from "./kubeconfig.ts";
import { approve, reject } from "./approve.ts";
import { queue } from "./queue.ts";
import { help } from "./help.ts";
import { extend } from "./extend.ts";
import { ns } from "./ns.ts";
import { quota } from "./quota.ts";
import { grant, revoke } from "./grant.ts";
import { auditLog } from "./audit.ts";
import { web } from "./web.ts";
import { token } from "./token.ts";
import { rebuild, scale, start, stop } from "./day2.ts";
import { classCmd } from "./class.ts";

export const HANDLERS: Readonly<Record<string, CommandHandler>> = {
  create, list, status, delete: del, kubeconfig, extend, ns, approve, reject, queue, quota, grant, revoke, audit: auditLog, web, token, class: classCmd, help,
  stop, start, scale, rebuild,
};
