/**
 * The durable inbox: every command and press an adapter acknowledges is stored first (arrivals in the same turn of
 * the event loop share one transaction, so a burst costs one fsync-free WAL commit, not one per request), run after
 * the acknowledgement, and answered once. On start, entries a dead process left unanswered run before new ones and
 * are answered through their response channel while it is still valid, or else by DM, saying they were delayed.
 */
import type BetterSqlite3 from "better-sqlite3";
import PQueue from "p-queue";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Db } from "../db/open.ts";
import type { InboxTable } from "../db/schema.ts";
import type { Card, Reply } from "../kernel/cards.ts";
import type { ActionInput, CommandInput, InboxEntry } from "../kernel/ports.ts";
import type { ChatRouter } from "../chat/router.ts";
import type { Outbox } from "../chat/outbox.ts";
import type { Clock } from "../util/clock.ts";
import type { Logger } from "../log.ts";
import type { Dispatcher } from "./dispatcher.ts";
import type { AckGate } from "../kernel/ack-gate.ts";

/** Delivery ids as adapters make them: the platform, then its own id. */
const INBOX_ID_RE = /^(slack|discord|console|web):[A-Za-z0-9:._-]{1,160}$/;

interface Pending {
  entry: InboxEntry;
  resolve(isNew: boolean): void;
  reject(err: unknown): void;
}

export class Inbox {
  private batch: Pending[] = [];
  private readonly running = new Map<string, Promise<Reply>>();
  /** Entries accepted here and not answered yet (an adapter runs each right after its ack). */
  private readonly open = new Set<string>();
  /** Every entry this process accepted: recovery is for what a dead process left, never for these. */
  private readonly mine = new Set<string>();
  private recovery: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly insert: BetterSqlite3.Statement;
  /**
   * Commands run a few at a time, each after a turn of the event loop and once no acknowledgement is pending: SQLite
   * calls finish synchronously, so work started in the middle of a burst would hold back the acks of what arrives next.
   */
  private readonly lane = new PQueue({ concurrency: 4 });

  constructor(private readonly db: Db, private readonly dispatcher: Dispatcher, private readonly router: ChatRouter,
    private readonly outbox: Outbox, private readonly clock: Clock, private readonly log: Logger, private readonly acks: AckGate) {
    this.insert = db.sqlite.prepare(`INSERT INTO inbox (id, kind, input, respond_ref, respond_until, state, received_at)
      VALUES (?, ?, ?, ?, ?, 'received', ?) ON CONFLICT (id) DO NOTHING`);
  }

  /** Refuses every later accept (a stopping process must not acknowledge what it will not run). */
  close(): void {
    this.closed = true;
  }

  /** Stores an entry; resolves once it is committed (true), or at once for an id seen before (false). */
  accept(entry: InboxEntry): Promise<boolean> {
    if (this.closed) return Promise.reject(new Error("labforge is stopping; not accepting new commands"));
    if (!INBOX_ID_RE.test(entry.id)) return Promise.reject(new Error(`not an inbox delivery id: ${JSON.stringify(entry.id).slice(0, 80)}`));
    return new Promise((resolve, reject) => {
      this.batch.push({ entry, resolve, reject });
      if (this.batch.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    // The raw handle shares kysely's one connection: a batch written while a kysely transaction is open would join it
    // (as a savepoint) and vanish with its rollback, after the acknowledgement. Wait for it to end.
    if (this.db.sqlite.inTransaction) { setImmediate(() => this.flush()); return; }
    const batch = this.batch;
    this.batch = [];
    const now = this.clock.now();
    try {
      const inserted = this.db.sqlite.transaction(() => batch.map(({ entry: e }) =>
        this.insert.run(e.id, e.kind, JSON.stringify(e.input), e.respondRef ?? null, e.respondUntil ?? null, now).changes > 0))();
      batch.forEach((p, i) => {
        if (inserted[i]) { this.open.add(p.entry.id); this.mine.add(p.entry.id); }
        p.resolve(inserted[i]!);
      });
    } catch (err) {
      batch.forEach((p) => p.reject(err));
    }
  }

  /** Runs a stored entry once (a concurrent or later call gets the same reply and answers nothing), then answers it. */
  run(id: string, answer: (reply: Reply) => Promise<void>): Promise<Reply> {
    const running = this.running.get(id);
    if (running) return running;
    const p = (async () => {
      await this.recovery; // what a dead process left goes first
      const { row, reply } = await this.lane.add(async () => {
        await nextTurn();
        await this.acks.clear();
        const row = await this.row(id);
        if (!row) throw new Error(`no inbox entry ${id}`);
        return { row, reply: await this.replyOf(row) };
      });
      if (row.state === "answered") return reply;
      await answer(reply).catch((err: unknown) => this.log.warn({ err, id }, "could not answer an inbox entry"));
      await this.answered(id);
      return reply;
    })().finally(() => {
      this.running.delete(id);
      this.open.delete(id);
    });
    this.running.set(id, p);
    return p;
  }

  /** On start: runs every entry a dead process left unanswered, oldest first, and answers it late. Returns how many. */
  recover(): Promise<number> {
    const work = (async () => {
      // Adapters may accept while the core is still starting: those entries are run by their own adapter.
      const rows = (await this.db.k.selectFrom("inbox").selectAll().where("state", "!=", "answered").orderBy("received_at").orderBy("id").execute())
        .filter((r) => !this.mine.has(r.id));
      for (const row of rows) {
        try {
          const reply = await this.replyOf(row);
          if (!(await this.answerLate(row, reply))) await this.outbox.dm(actorOf(row), delayed(row, reply.card));
          await this.answered(row.id);
        } catch (err) {
          this.log.error({ err, id: row.id }, "could not recover an inbox entry");
        }
      }
      if (rows.length > 0) this.log.info({ entries: rows.length }, "ran the commands a previous process acknowledged but did not answer");
      return rows.length;
    })();
    this.recovery = work.catch(() => 0);
    return work;
  }

  /**
   * Resolves when every entry accepted here has been run and answered, or after `maxMs`: an entry no adapter runs
   * by then stays stored and runs on the next start (a graceful stop waits this way).
   */
  async idle(maxMs = Infinity): Promise<void> {
    const deadline = performance.now() + maxMs;
    await this.recovery;
    while ((this.running.size > 0 || this.batch.length > 0 || this.open.size > 0) && performance.now() < deadline) {
      // Always through a timer: with nothing running yet, allSettled([]) would resolve at once and this loop would
      // spin on microtasks, starving the very handlers it waits for.
      const tick = new Promise((r) => setTimeout(r, 5));
      await (this.running.size > 0 ? Promise.race([Promise.allSettled([...this.running.values()]), tick]) : tick);
    }
  }

  /** Forgets entries answered more than `ageMs` ago. */
  async prune(ageMs: number): Promise<void> {
    await this.db.k.deleteFrom("inbox").where("state", "=", "answered").where("answered_at", "<", this.clock.now() - ageMs).execute();
  }

  private row(id: string): Promise<InboxTable | undefined> {
    return this.db.k.selectFrom("inbox").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** The stored reply, or the core's answer now (stored before anyone is shown it). */
  private async replyOf(row: InboxTable): Promise<Reply> {
    if (row.reply) return JSON.parse(row.reply) as Reply;
    const input = JSON.parse(row.input) as CommandInput | ActionInput;
    const reply = row.kind === "command" ? await this.dispatcher.handleCommand(input as CommandInput) : await this.dispatcher.handleAction(input as ActionInput);
    await this.db.k.updateTable("inbox").set({ state: "replied", reply: JSON.stringify(reply) }).where("id", "=", row.id).where("state", "=", "received").execute();
    return reply;
  }

  private async answerLate(row: InboxTable, reply: Reply): Promise<boolean> {
    if (!row.respond_ref || !row.respond_until || row.respond_until <= this.clock.now()) return false;
    try {
      return await this.router.answerLate(row.respond_ref, withNote(reply));
    } catch (err) {
      this.log.warn({ err, id: row.id }, "the response channel of a delayed answer failed; sending it by DM");
      return false;
    }
  }

  private async answered(id: string): Promise<void> {
    await this.db.k.updateTable("inbox").set({ state: "answered", answered_at: this.clock.now() }).where("id", "=", id).execute();
  }
}

const NOTE = "Delayed by a restart of labforge: this answers what you sent just before it.";

function actorOf(row: InboxTable): string {
  return (JSON.parse(row.input) as CommandInput | ActionInput).actor.identity;
}

function withNote(reply: Reply): Reply {
  return { ...reply, card: { ...reply.card, text: reply.card.text ? `${reply.card.text}\n${NOTE}` : NOTE } };
}

/** The reply as a DM that says which command it answers and why it comes late. */
function delayed(row: InboxTable, card: Card): Card {
  const input = JSON.parse(row.input) as CommandInput | ActionInput;
  const what = "text" in input ? `/cluster ${input.text.slice(0, 200)}` : `your press of ${input.action}`;
  return { ...card, text: `${card.text ? `${card.text}\n` : ""}This answers ${what}; the answer was delayed by a restart of labforge.` };
}
