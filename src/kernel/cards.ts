/** Platform-neutral message content; adapters render it (Block Kit, embeds, console text). */

export type ButtonStyle = "primary" | "danger" | "default";

/** A button: `action` names the core handler, `value` its argument (an id, never user text). */
export interface Button {
  label: string;
  action: ActionName;
  value: string;
  style?: ButtonStyle;
}

export type ActionName =
  | "approve" | "reject" | "delete.confirm" | "delete.cancel" | "retry" | "extend" | "delete.now"
  | "stop" | "start" | "rebuild.confirm" | "rebuild.cancel" | "keep_running"

  /** Confirm or cancel `class delete` (the value is the session's id). */
  | "class.delete" | "class.keep";

export interface Field {
  label: string;
  value: string;
}

export interface Card {
  title: string;
  /** Plain text; adapters escape it for their markup. */
  text?: string;
  fields?: Field[];
  /** Pipeline progress: steps done of total, with the current step's label. */
  progress?: { done: number; total: number; label: string };
  /** Preformatted text such as a redacted log tail or usage. */
  code?: string;
  buttons?: Button[];
  /** Tone for colour or emoji at the edge. */
  tone?: "info" | "success" | "warning" | "error";
}

/** A file attachment; only ever sent by DM. */
export interface Attachment {
  filename: string;
  content: string;
}

/** The answer to a command or button press, shown to the caller. */
export interface Reply {
  card: Card;
  /** `private` replies are ephemeral: only the caller sees them. */
  visibility: "private" | "channel";
  /** For refusals: a stable code such as `rbac.denied` (logged and tested, not shown). */
  code?: string;
}

/** Encodes a button as one string, for platforms that carry a single custom id. */
export function encodeButton(b: Pick<Button, "action" | "value">): string {
  return `lf:${b.action}:${b.value}`;
}

const ACTIONS: readonly ActionName[] = ["approve", "reject", "delete.confirm", "delete.cancel", "retry", "extend", "delete.now",
  "stop", "start", "rebuild.confirm", "rebuild.cancel", "keep_running", "class.delete", "class.keep"];

/** Decodes a custom id made by encodeButton; undefined for anything else. */
export function decodeButton(id: string): { action: ActionName; value: string } | undefined {
  const m = /^lf:([a-z._]+):([A-Za-z0-9_-]{1,64})$/.exec(id);
  if (!m || !ACTIONS.includes(m[1] as ActionName)) return undefined;
  return { action: m[1] as ActionName, value: m[2]! };
}
