/** Renders neutral cards as Discord embeds and action rows, within Discord's limits. */
import { ButtonStyle, ComponentType, escapeMarkdown, type APIActionRowComponent, type APIButtonComponent, type APIEmbed, type APIEmbedField } from "discord.js";
import { decodeButton, encodeButton, type Button, type Card } from "../../src/kernel/cards.ts";

/** Discord's documented limits for one message. */
export const LIMITS = {
  title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, embedTotal: 6000,
  buttonsPerRow: 5, rows: 5, customId: 100, buttonLabel: 80,
} as const;

export const CUT_MARKER = "… (cut)";

export interface RenderedMessage {
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
}

const COLOUR: Record<NonNullable<Card["tone"]>, number> = { info: 0x5865f2, success: 0x57f287, warning: 0xfee75c, error: 0xed4245 };
const STYLE: Record<NonNullable<Button["style"]>, ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Danger> = { primary: ButtonStyle.Primary, danger: ButtonStyle.Danger, default: ButtonStyle.Secondary };

/** A card as one embed plus rows of buttons; `components` is always set so an update also removes old buttons. */
export function renderCard(card: Card): RenderedMessage {
  const title = cut(card.title, LIMITS.title) || "labforge";
  // Fields share the 6000-character total with the title and description: keep ~1000 for the description.
  let budget = LIMITS.embedTotal - title.length - 1000;
  const fields: APIEmbedField[] = [];
  for (const f of (card.fields ?? []).slice(0, LIMITS.fields)) {
    const name = cut(f.label, LIMITS.fieldName) || "·";
    const value = cut(escape(f.value), Math.min(LIMITS.fieldValue, budget - name.length)) || "·";
    if (name.length + value.length > budget) break;
    budget -= name.length + value.length;
    fields.push({ name, value, inline: f.value.length <= 40 });
  }
  const fieldChars = fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  const room = Math.min(LIMITS.description, LIMITS.embedTotal - title.length - fieldChars);
  const embed: APIEmbed = { title, color: COLOUR[card.tone ?? "info"], fields };
  const description = describe(card, room);
  if (description) embed.description = description;
  return { embeds: [embed], components: rows(card.buttons ?? []) };
}

/** The description: text, a progress bar and a code block, the code keeping its last lines when it must be cut. */
function describe(card: Card, room: number): string {
  const parts: string[] = [];
  const progress = card.progress ? progressBar(card.progress) : "";
  // Text gets at most half the room when a code block follows, so a long reason cannot push the log tail out.
  const textRoom = Math.max(0, (card.code ? Math.floor(room / 2) : room) - progress.length - 2);
  if (card.text) parts.push(cut(escape(card.text), textRoom));
  if (progress) parts.push(progress);
  const used = parts.reduce((n, p) => n + p.length + 1, 0);
  if (card.code) {
    const block = codeBlock(card.code, room - used - 1);
    if (block) parts.push(block);
  }
  return parts.join("\n");
}

/** A text progress bar: `▰▰▱▱▱▱ 2/6 Cloning VMs`. */
export function progressBar(p: NonNullable<Card["progress"]>): string {
  const done = Math.max(0, Math.min(p.done, p.total));
  return `${"▰".repeat(done)}${"▱".repeat(Math.max(0, p.total - done))} ${p.done}/${p.total} ${escape(p.label)}`;
}

/** A fenced code block of at most `max` characters; when cut, the first line says how many lines were left out. */
export function codeBlock(code: string, max: number): string {
  const fence = (body: string) => `\`\`\`\n${body}\n\`\`\``;
  // A fence inside the code would end the block early: break it with a zero-width space.
  const lines = code.replaceAll("```", "`\u200b``").split("\n");
  if (fence(lines.join("\n")).length <= max) return fence(lines.join("\n"));
  const kept: string[] = [];
  for (let i = lines.length - 1; i >= 0; i--) {
    const marker = `… ${i + 1} earlier line${i === 0 ? "" : "s"} cut`;
    if (fence([marker, lines[i]!, ...kept].join("\n")).length > max) break;
    kept.unshift(lines[i]!);
  }
  if (kept.length === 0) {
    const room = max - fence(CUT_MARKER).length - 1;
    return room > 0 ? fence(`${CUT_MARKER}\n${lines.at(-1)!.slice(-room)}`) : "";
  }
  const cutCount = lines.length - kept.length;
  return fence([`… ${cutCount} earlier line${cutCount === 1 ? "" : "s"} cut`, ...kept].join("\n"));
}

/** Buttons in rows of five; a button whose custom id would not survive the round trip is left out. */
function rows(buttons: Button[]): APIActionRowComponent<APIButtonComponent>[] {
  const usable = buttons.filter((b) => {
    const id = encodeButton(b);
    return id.length <= LIMITS.customId && decodeButton(id) !== undefined;
  }).slice(0, LIMITS.buttonsPerRow * LIMITS.rows);
  const out: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let i = 0; i < usable.length; i += LIMITS.buttonsPerRow) {
    out.push({
      type: ComponentType.ActionRow,
      components: usable.slice(i, i + LIMITS.buttonsPerRow).map((b) => ({
        type: ComponentType.Button, style: STYLE[b.style ?? "default"], label: cut(b.label, LIMITS.buttonLabel), custom_id: encodeButton(b),
      })),
    });
  }
  return out;
}

/** Card text is plain: neutralise Discord markdown, masked links, headings and lists. */
function escape(text: string): string {
  return escapeMarkdown(text, { maskedLink: true, heading: true, bulletedList: true, numberedList: true });
}

/** Shortens to `max` characters, ending with an ellipsis when anything was cut. */
export function cut(text: string, max: number): string {
  if (max <= 0) return "";
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
