/**
 * Child process for the one-HTTP-stack guard: imports every module under `adapters/` (each platform's in the order
 * `ADAPTER_ORDER` names), starts Slack (Socket Mode) and Discord against the fakes the parent runs, and sends one
 * kubeconfig-like file by DM through each platform's real client library. Prints one JSON line with the results.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = join(import.meta.dirname, "..", "..");
const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* tsFiles(path);
    else if (path.endsWith(".ts")) yield path;
  }
}

/** Every adapter module, the platforms in the order asked and any other adapter after them. */
function adapterModules(order: string[]): string[] {
  const all = [...tsFiles(join(ROOT, "adapters"))];
  const rank = (f: string) => {
    const platform = relative(join(ROOT, "adapters"), f).split("/")[0]!;
    const i = order.indexOf(platform);
    return i === -1 ? order.length : i;
  };
  return all.sort((a, b) => rank(a) - rank(b));
}

/** The undici versions this process has loaded, to show in the report which stacks were in play. */
function loadedUndici(): string[] {
  const cache = createRequire(import.meta.url).cache;
  const roots = new Set<string>();
  for (const key of Object.keys(cache)) {
    const m = /^(.*\/node_modules\/undici)\//.exec(key);
    if (m) roots.add(m[1]!);
  }
  return [...roots].map((r) => `${(JSON.parse(readFileSync(join(r, "package.json"), "utf8")) as { version: string }).version} (${relative(ROOT, dirname(r))})`).sort();
}

const order = env("ADAPTER_ORDER").split(",");
const modules = adapterModules(order);
for (const file of modules) await import(pathToFileURL(file).href);

const { startSlack } = await import("../../adapters/slack/start.ts");
const { startDiscord } = await import("../../adapters/discord/start.ts");
const { makeCore } = await import("../helpers/harness.ts");
const { createMetrics } = await import("../../src/metrics.ts");

const slackUser = env("SLACK_USER");
const discordUser = env("DISCORD_USER");
const t = await makeCore({
  config: {
    tenants: { cs401: { name: "CS401", channels: ["slack:C0CS401", `discord:${env("DISCORD_CHANNEL")}`] } },
    members: [{ name: "Bob", identities: [`slack:${slackUser}`, `discord:${discordUser}`], roles: { cs401: "student" } }],
    network: { pool: "10.40.19.201-10.40.19.250", prefix: 24, gateway: "10.40.19.254" },
  },
});
const log = t.core.app.log;
const metrics = createMetrics(false);
const slack = await startSlack({
  core: t.core, settings: { mode: "socket", botToken: env("SLACK_BOT_TOKEN"), appToken: env("SLACK_APP_TOKEN"), apiUrl: env("SLACK_API_URL") }, log, metrics,
});
const discord = await startDiscord({
  core: t.core, token: env("DISCORD_TOKEN"), applicationId: env("DISCORD_APPLICATION_ID"), guildId: env("DISCORD_GUILD_ID"), apiUrl: env("DISCORD_API_URL"), log, metrics,
});

const card = { title: "Your cluster is ready", text: "guard", code: "kubectl get nodes" };
const result: Record<string, unknown> = { modules: modules.length, undici: loadedUndici() };
for (const [platform, identity] of [["slack", `slack:${slackUser}`], ["discord", `discord:${discordUser}`]] as const) {
  try {
    result[platform] = { ref: await t.core.router.dm(identity, card, { filename: `cs401-${platform}.kubeconfig`, content: `apiVersion: v1\n# sent via ${platform}\n` }) };
  } catch (err) {
    result[platform] = { error: String(err) };
  }
}
process.stdout.write(`${JSON.stringify(result)}\n`);
await discord.stop();
await slack.stop();
await t.close();
process.exit(0);
