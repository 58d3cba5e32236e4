/** The App Home tab: the core's home cards as a Block Kit home view (at most 100 blocks). */
import type { Card } from "../../src/kernel/cards.ts";
import { cardBlocks, type Block } from "./render.ts";

/** A home view from the core's cards. */
export function homeView(cards: Card[]): { type: "home"; blocks: Block[] } {
  const blocks = cards.flatMap((c, i) => (i === 0 ? cardBlocks(c) : [{ type: "divider" }, ...cardBlocks(c)]));
  return { type: "home", blocks: blocks.slice(0, 100) };
}
