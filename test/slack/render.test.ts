import { describe, expect, it } from "vitest";
import { cardBlocks, escapeMrkdwn, renderMany, renderMessage } from "../../adapters/slack/render.ts";

describe("Block Kit rendering", () => {
  it("keeps text within 3000 characters with a visible truncation marker, and escapes markup", () => {
    const blocks = cardBlocks({ title: "t".repeat(400), text: "<@U1> & <!channel>", code: "x\n".repeat(4000) });
    const header = blocks[0] as any;
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    expect(JSON.stringify(blocks)).toContain("&lt;@U1&gt; &amp; &lt;!channel&gt;");
    const code = blocks.at(-1) as any;
    expect(code.text.text.length).toBeLessThanOrEqual(3000);
    expect(code.text.text).toContain("… (truncated)");
    expect(escapeMrkdwn("a<b>c&d")).toBe("a&lt;b&gt;c&amp;d");
  });

  it("caps fields at 10, buttons carry the encoded action, and merged replies stay under 50 blocks", () => {
    const card = {
      title: "lab3", fields: Array.from({ length: 14 }, (_, i) => ({ label: `f${i}`, value: "v" })),
      buttons: [{ label: "Approve", action: "approve" as const, value: "12", style: "primary" as const }, { label: "Keep it", action: "delete.cancel" as const, value: "c-1" }],
    };
    const blocks = cardBlocks(card) as any[];
    expect(blocks.find((b) => b.fields).fields).toHaveLength(10);
    const actions = blocks.find((b) => b.type === "actions").elements;
    expect(actions.map((e: any) => [e.action_id, e.value, e.style])).toEqual([["lf:approve:12", "12", "primary"], ["lf:delete.cancel:c-1", "c-1", undefined]]);
    const many = renderMany(Array.from({ length: 30 }, (_, i) => ({ title: `step ${i}`, text: "done", code: "log" })));
    expect(many.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(many.blocks.at(-1))).toContain("folded");
    expect(renderMessage({ title: "Ready", text: "ok" }).text).toBe("Ready: ok");
  });
});
