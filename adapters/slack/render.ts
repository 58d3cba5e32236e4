/** Renders neutral cards as Block Kit, within Slack's limits (50 blocks, 3000-character text, 10 fields). */
import type { Card } from "../../src/kernel/cards.ts";
import { encodeButton } from "../../src/kernel/cards.ts";

export type Block = Record<string, unknown>;

const MAX_BLOCKS = 50;
const MAX_TEXT = 3000;
const MAX_FIELD = 2000;
const MAX_HEADER = 150;
const TRUNCATED = "\n… (truncated)";
const EMOJI: Record<NonNullable<Card["tone"]>, string> = { info: "", success: ":white_check_mark: ", warning: ":warning: ", error: ":x: " };

/** Escapes the three characters Slack's mrkdwn treats as markup. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Cuts text to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - TRUNCATED.length)}${TRUNCATED}`;
}

/** A Block Kit progress line: `▰▰▱▱▱▱ 2/6 · Cloning VMs`. */
function progressText(p: NonNullable<Card["progress"]>): string {
  return `${"▰".repeat(p.done)}${"▱".repeat(Math.max(0, p.total - p.done))}  ${p.done}/${p.total} · ${escapeMrkdwn(p.label)}`;
}

/** The blocks for one card. */
export function cardBlocks(card: Card): Block[] {
  const blocks: Block[] = [{ type: "header", text: { type: "plain_text", text: truncate(card.title, MAX_HEADER), emoji: true } }];
  if (card.text) blocks.push(section(`${EMOJI[card.tone ?? "info"]}${escapeMrkdwn(card.text)}`));
  if (card.fields?.length) {
    blocks.push({ type: "section", fields: card.fields.slice(0, 10).map((f) => ({ type: "mrkdwn", text: truncate(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, MAX_FIELD) })) });
  }
  if (card.progress) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: progressText(card.progress) }] });
  if (card.code) blocks.push(section(`\`\`\`${truncate(escapeMrkdwn(card.code), MAX_TEXT - 6)}\`\`\``));
  if (card.buttons?.length) {
    blocks.push({
      type: "actions",
      elements: card.buttons.slice(0, 25).map((b) => ({
        type: "button", text: { type: "plain_text", text: truncate(b.label, 75) }, action_id: encodeButton(b), value: b.value.slice(0, 2000),
        ...(b.style && b.style !== "default" ? { style: b.style } : {}),
      })),
    });
  }
  return blocks;
}

/** A message payload: blocks plus the plain `text` Slack shows in notifications. */
export function renderMessage(card: Card): { text: string; blocks: Block[] } {
  return { text: truncate(card.text ? `${card.title}: ${card.text}` : card.title, MAX_TEXT), blocks: cardBlocks(card).slice(0, MAX_BLOCKS) };
}

/** Several cards in one message (merged thread replies), separated by dividers, capped at 50 blocks. */
export function renderMany(cards: Card[]): { text: string; blocks: Block[] } {
  if (cards.length === 1) return renderMessage(cards[0]!);
  const blocks = cards.flatMap((c, i) => (i === 0 ? cardBlocks(c) : [{ type: "divider" }, ...cardBlocks(c)]));
  const capped = blocks.length > MAX_BLOCKS ? [...blocks.slice(0, MAX_BLOCKS - 1), section("… more updates were folded into this message")] : blocks;
  return { text: truncate(cards.map((c) => c.title).join(" · "), MAX_TEXT), blocks: capped };
}

function section(text: string): Block {
  return { type: "section", text: { type: "mrkdwn", text: truncate(text, MAX_TEXT) } };
}
