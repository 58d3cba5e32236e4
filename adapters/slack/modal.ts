/** The create modal: opened by `/cluster` alone or `create` without a name; it submits the same command text. */
import type { CreateForm } from "../../src/kernel/ports.ts";

export const CREATE_CALLBACK = "lf_create";
const FIELDS = ["name", "workers", "size", "ttl", "tenant"] as const;
type FieldName = (typeof FIELDS)[number];

const option = (value: string, text = value) => ({ text: { type: "plain_text", text }, value });

/** The modal view for a user's form choices; `channel` rides along so the reply lands where they typed. */
export function createModal(form: CreateForm, channel: string) {
  const maxWorkers = Math.max(0, ...form.tenants.map((t) => t.maxWorkers));
  const tenantOptions = form.tenants.map((t) => option(t.id, `${t.id} — ${t.name}`.slice(0, 75)));
  const initialTenant = tenantOptions.find((o) => o.value === form.defaultTenant);
  const ttlHint = form.tenants.map((t) => `${t.id}: ${t.defaultTtl} (up to ${t.maxTtl})`).join(", ");
  return {
    type: "modal" as const,
    callback_id: CREATE_CALLBACK,
    private_metadata: JSON.stringify({ channel }),
    title: { type: "plain_text" as const, text: "New cluster" },
    submit: { type: "plain_text" as const, text: "Request" },
    close: { type: "plain_text" as const, text: "Cancel" },
    blocks: [
      input("name", "Name", { type: "plain_text_input", action_id: "value", placeholder: { type: "plain_text", text: "lab3" }, max_length: 24 },
        "Lowercase letters, digits and -, 3–24 characters, starting with a letter."),
      input("workers", "Workers", { type: "static_select", action_id: "value", options: Array.from({ length: maxWorkers + 1 }, (_, i) => option(String(i))), initial_option: option(String(Math.min(1, maxWorkers))) }),
      input("size", "Node size", { type: "static_select", action_id: "value", options: form.sizes.map((s) => option(s)), ...(form.sizes.includes("small") ? { initial_option: option("small") } : {}) }),
      { ...input("ttl", "Lifetime", { type: "plain_text_input", action_id: "value", placeholder: { type: "plain_text", text: "e.g. 7d (30m, 12h, 7d, 2w)" } }, `Default ${ttlHint}.`), optional: true },
      input("tenant", "Course or group", { type: "static_select", action_id: "value", options: tenantOptions, ...(initialTenant ? { initial_option: initialTenant } : {}) }),
    ],
  };
}

function input(block_id: FieldName, label: string, element: Record<string, unknown>, hint?: string) {
  return { type: "input", block_id, label: { type: "plain_text", text: label }, element, ...(hint ? { hint: { type: "plain_text", text: hint } } : {}) };
}

type ViewState = Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null }>>;

/** Turns a submitted modal into `create …` text, or per-field errors for values that cannot be one word. */
export function submissionText(values: ViewState): { text: string } | { errors: Partial<Record<FieldName, string>> } {
  const read = (f: FieldName) => {
    const v = values[f]?.value;
    return (v?.value ?? v?.selected_option?.value ?? "").trim();
  };
  const errors: Partial<Record<FieldName, string>> = {};
  for (const f of FIELDS) if (/[\s=]/.test(read(f))) errors[f] = "Use a single word without spaces or =.";
  if (Object.keys(errors).length) return { errors };
  const parts = [`create ${read("name")}`];
  for (const f of ["workers", "size", "ttl", "tenant"] as const) if (read(f)) parts.push(`${f}=${read(f)}`);
  return { text: parts.join(" ") };
}

/** Which modal field a core error is about (its message starts with the key); else the name field. */
export function fieldOfError(message: string): FieldName {
  const first = message.toLowerCase().split(/[\s="]/)[0] ?? "";
  return (FIELDS as readonly string[]).includes(first) ? (first as FieldName) : "name";
}
