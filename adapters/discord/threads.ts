/**
 * Starts one thread per root message and remembers it. After a restart the memory is empty, but Discord gives a
 * thread started from a message that message's id and refuses a second one (160004), so the thread is found again.
 */
import { Routes, type REST } from "discord.js";
import { call, discordCode, THREAD_EXISTS } from "./rest-errors.ts";
import { parseMessageRef } from "./refs.ts";
import { cut } from "./render.ts";

const MAX_REMEMBERED = 5000;
/** Threads archive after a week of silence; a reply reopens them. */
const AUTO_ARCHIVE_MINUTES = 10080;
/** Codes meaning "no thread can be started here": wrong channel type (DM, thread), missing access or permission. */
const NO_THREAD_HERE = new Set<number | string>([50024, 50001, 50013]);

/** One thread per root message, started on first reply. */
export class ThreadStarter {
  private readonly titles = new Map<string, string>();
  private readonly threads = new Map<string, Promise<string | undefined>>();

  constructor(private readonly rest: REST) {}

  /** Remembers a root message's title, to name its thread. */
  remember(rootRef: string, title: string): void {
    bounded(this.titles, rootRef, title);
  }

  /** The thread under a root message, started on first use; undefined when no thread can exist there. */
  threadFor(rootRef: string): Promise<string | undefined> {
    const known = this.threads.get(rootRef);
    if (known) return known;
    const started = this.start(rootRef);
    bounded(this.threads, rootRef, started);
    // A transient failure must not stick: forget it so the next reply tries again.
    started.catch(() => { if (this.threads.get(rootRef) === started) this.threads.delete(rootRef); });
    return started;
  }

  private async start(rootRef: string): Promise<string | undefined> {
    const { channelId, messageId } = parseMessageRef(rootRef);
    const name = cut(this.titles.get(rootRef) ?? "Progress", 100);
    try {
      const thread = await call("start thread", () => this.rest.post(Routes.threads(channelId, messageId), {
        body: { name, auto_archive_duration: AUTO_ARCHIVE_MINUTES },
      })) as { id: string };
      return thread.id;
    } catch (err) {
      const code = discordCode(err);
      if (code === THREAD_EXISTS) return messageId;
      if (code !== undefined && NO_THREAD_HERE.has(code)) return undefined;
      throw err;
    }
  }
}

/** Sets a key, dropping the oldest entries beyond MAX_REMEMBERED so a long-running bot does not grow without end. */
function bounded<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value!);
}
