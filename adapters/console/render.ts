/** Renders neutral cards as terminal text. */
import type { Card } from "../../src/kernel/cards.ts";

const TONE_MARK: Record<NonNullable<Card["tone"]>, string> = { info: "•", success: "✓", warning: "!", error: "✗" };

/** A text progress bar: `▰▰▱▱▱▱ 2/6 Cloning VMs`. */
export function progressBar(p: NonNullable<Card["progress"]>): string {
  return `${"▰".repeat(p.done)}${"▱".repeat(Math.max(0, p.total - p.done))} ${p.done}/${p.total} ${p.label}`;
}

/** Renders a card as indented lines; `numberOf` gives each button its /press number. */
export function renderCard(card: Card, numberOf: (index: number) => number): string[] {
  const lines = [`${TONE_MARK[card.tone ?? "info"]} ${card.title}`];
  if (card.text) lines.push(...card.text.split("\n").map((l) => `  ${l}`));
  for (const f of card.fields ?? []) lines.push(`  ${f.label}: ${f.value}`);
  if (card.progress) lines.push(`  ${progressBar(card.progress)}`);
  if (card.code) lines.push(...card.code.split("\n").map((l) => `    ${l}`));
  if (card.buttons?.length) lines.push(`  ${card.buttons.map((b, i) => `[${numberOf(i)}] ${b.label}`).join("   ")}   (/press <n>)`);
  return lines;
}

/** One line for an updated message: title, state and progress. */
export function renderUpdate(card: Card): string {
  const state = card.fields?.find((f) => f.label === "State")?.value;
  const parts = [card.title, state, card.progress ? progressBar(card.progress) : undefined, card.progress ? undefined : card.text];
  return parts.filter(Boolean).join(" — ");
}
