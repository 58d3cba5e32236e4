/**
 * Discord benchmark as users run it: the bot started like `npm start` in its own process (Discord only, simulated
 * infrastructure), a bare discord.js client that only defers in another, each against its own fake Discord in this
 * process (gateway and REST). Both are warmed up, then get the same bursts of simultaneous `/cluster create`
 * interactions from different students: BENCH_ROUNDS (5) rounds of 100, then of 200 (BENCH_SIZES), each round the
 * bare client first, then the bot, then a pause until the bot has filled every answer in. The figure is each
 * interaction's first response (the callback Discord needs within 3 s), from its dispatch on the gateway to the
 * callback's arrival at the fake REST. Prints the medians over the rounds side by side with the ratio, and the
 * bot's peak RSS.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { FakeDiscord } from "../test/fakes/discord/fake-discord.ts";
import type { FakeUser } from "../test/fakes/discord/payloads.ts";
import { botCommand, peakRssMb, runRounds, spawnNode, stats, stopBot, STUDENTS, until } from "./process-tools.ts";

const CHANNEL = "1100000000000000001";
const user = (i: number): FakeUser => ({ id: `13${String(i).padStart(16, "0")}`, username: `s${i}` });

/**
 * Dispatches `/cluster <sub>` from each user at once; resolves with each one's time to its first callback, in ms,
 * once every answer was filled in too (`answered: false` for the bare client, which only defers).
 */
async function burst(fake: FakeDiscord, users: number[], sub: string, options: (i: number) => Record<string, string | number>, answered = true): Promise<number[]> {
  const ids = users.map((i) => fake.interactions.slash(user(i), { id: CHANNEL }, sub, options(i)));
  const records = ids.map((id) => fake.interactions.record(id));
  if (!(await until(() => records.every((r) => r.callbacks.length > 0), 30_000))) throw new Error(`${records.filter((r) => r.callbacks.length === 0).length} interactions got no first response`);
  if (answered && !(await until(() => records.every((r) => r.original && !r.original.deferred), 120_000))) throw new Error("the bot did not fill in every answer within 2 minutes");
  return records.map((r) => r.callbacks[0]!.at - r.sentAt);
}

async function main(): Promise<void> {
  const forBot = await new FakeDiscord({ channels: [CHANNEL] }).start();
  const forBare = await new FakeDiscord({ channels: [CHANNEL] }).start();
  const dir = mkdtempSync(join(tmpdir(), "labforge-bench-discord-"));
  const configFile = join(dir, "labforge.yaml");
  writeFileSync(configFile, JSON.stringify({
    tenants: { bench: { name: "Bench", channels: [`discord:${CHANNEL}`], approvals: "none", limits: { max_workers: 1, per_user_clusters: 1 } } },
    members: Array.from({ length: STUDENTS }, (_, i) => ({ identities: [`discord:${user(i).id}`], roles: { bench: "student" } })),
    network: { pool: "10.40.16.1-10.40.31.250", prefix: 20, gateway: "10.40.31.254", dns: ["10.40.2.1"] },
    queue: { max_parallel_jobs: 8, max_parallel_clones: 8 },
    infra: { driver: "simulated", simulated: { step_ms: 20 } },
  }));
  const discordEnv = (f: FakeDiscord) => ({ DISCORD_TOKEN: f.token, DISCORD_APPLICATION_ID: f.applicationId, DISCORD_GUILD_ID: f.guildId, DISCORD_API_URL: f.apiUrl });
  const bot = spawnNode(botCommand(), { ...discordEnv(forBot), PORT: "0", LOG_LEVEL: "info", LABFORGE_DATA_DIR: join(dir, "data"), LABFORGE_CONFIG: configFile },
    (l) => l.includes('"labforge started"'));
  const bare = spawnNode(["--import", "tsx", "bench/bare-discord.ts"], discordEnv(forBare), (l) => l.startsWith('{"ready"'));
  await Promise.all([bot.ready, bare.ready]);
  // The bare client registers nothing: it is shown the bot's /cluster, so both get the very same interactions.
  forBare.state.commands = forBot.state.commands;

  const warm = Array.from({ length: 20 }, (_, i) => STUDENTS - 1 - i);
  await burst(forBare, warm, "help", () => ({}), false);
  await burst(forBot, warm, "help", () => ({}));

  const create = (i: number) => ({ name: `b-${i}`, workers: 0 });
  const rows = await runRounds("≥ 1 s", async (users) => ({
    bare: stats(await burst(forBare, users, "create", create, false)),
    ours: stats(await burst(forBot, users, "create", create)),
  }));
  const rss = peakRssMb(bot.child.pid!);
  await stopBot(bot.child);
  bare.child.kill("SIGTERM");
  await Promise.all([forBot.stop(), forBare.stop()]);
  rmSync(dir, { recursive: true, force: true });

  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`);
  console.log("Discord first response (dispatch on the gateway → interaction callback):");
  console.table(rows);
  console.log(`labforge peak RSS through the run: ${rss} MB`);
  console.log(JSON.stringify({ rows, peakRssMb: rss }));
}

main().catch((err) => { console.error(err); process.exit(1); });
