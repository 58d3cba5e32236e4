import { describe, expect, it } from "vitest";
import type { APIEmbed } from "discord.js";
import { codeBlock, LIMITS, renderCard } from "../../adapters/discord/render.ts";
import { decodeButton, type Button } from "../../src/kernel/cards.ts";

/** Characters Discord counts towards an embed's 6000 (title, description, field names and values, footer, author). */
function embedLength(e: APIEmbed): number {
  return (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
    + (e.footer?.text.length ?? 0) + (e.author?.name.length ?? 0);
}

describe("Discord rendering within limits", () => {
  it("keeps a long log tail's last lines, marks the cut, and keeps the fence closed", () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i} ${"x".repeat(30)}`);
    const { embeds } = renderCard({ title: "✗ Installing Kubernetes failed", text: "kubeadm init exited 1", code: lines.join("\n"), tone: "error" });
    const d = embeds[0]!.description!;
    expect(d.length).toBeLessThanOrEqual(LIMITS.description);
    expect(d).toMatch(/… [0-9]+ earlier lines cut/);
    expect(d).toContain("line 399");
    expect(d).not.toContain("line 0 ");
    expect(d.endsWith("```")).toBe(true);
    expect(d.match(/```/g)).toHaveLength(2);
  });

  it("cannot be broken out of its code block by a fence in the code", () => {
    const block = codeBlock("before\n```\n**not bold**\n```", 200);
    expect(block.match(/```/g)).toHaveLength(2);
    expect(codeBlock("x".repeat(50), 20).length).toBeLessThanOrEqual(20);
  });

  it("stays within 25 fields, 1024 per value, 256 per title and 6000 in total", () => {
    const fields = Array.from({ length: 40 }, (_, i) => ({ label: `Field ${i}`, value: "v".repeat(2000) }));
    const { embeds } = renderCard({ title: "T".repeat(300), text: "t".repeat(5000), fields, code: "c".repeat(5000) });
    const e = embeds[0]!;
    expect(e.title!.length).toBe(LIMITS.title);
    expect(e.fields!.length).toBeLessThanOrEqual(LIMITS.fields);
    for (const f of e.fields!) expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
    expect(e.description!.length).toBeLessThanOrEqual(LIMITS.description);
    expect(embedLength(e)).toBeLessThanOrEqual(LIMITS.embedTotal);
  });

  it("puts buttons five to a row with custom ids the core can decode, dropping one that would not survive", () => {
    const buttons: Button[] = Array.from({ length: 12 }, (_, i) => ({ label: `B${i}`, action: "approve", value: String(i + 1), style: i % 2 ? "danger" : "primary" }));
    buttons.push({ label: "bad", action: "retry", value: "has space" });
    const { components } = renderCard({ title: "t", buttons });
    expect(components.map((r) => r.components.length)).toEqual([5, 5, 2]);
    const ids = components.flatMap((r) => r.components.map((c) => ("custom_id" in c ? c.custom_id : "")));
    for (const id of ids) { expect(id.length).toBeLessThanOrEqual(LIMITS.customId); expect(decodeButton(id)).toBeDefined(); }
    expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => `lf:approve:${i + 1}`));
    expect(renderCard({ title: "no buttons" }).components).toEqual([]);
  });

  it("shows card text as plain text: markdown, masked links and mentions do nothing", () => {
    const { embeds } = renderCard({ title: "Rejected", text: "**bold** [click](https://evil.example) @everyone", progress: { done: 2, total: 6, label: "Cloning VMs" } });
    const d = embeds[0]!.description!;
    expect(d).toContain("\\*\\*bold\\*\\*");
    expect(d).toContain("\\[click](https://evil.example)"); // an escaped bracket: shown as typed, never a hidden link
    expect(d).toContain("▰▰▱▱▱▱ 2/6 Cloning VMs");
  });
});
