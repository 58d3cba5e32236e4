/** Settings from the environment (SPEC §5): where things live, which adapters run, and secrets. */
import { z } from "zod";
import { ConfigError, formatIssues } from "./load.ts";

const settingsSchema = z.object({
  LABFORGE_CONFIG: z.string().min(1).optional(),
  LABFORGE_DATA_DIR: z.string().min(1).default("./data"),
  LABFORGE_INFRA: z.enum(["simulated", "proxmox"]).optional(),
  LABFORGE_SECRET_KEY: z.string().regex(/^[0-9a-fA-F]{64}$/, "expected 64 hex characters (32 bytes); generate one with `openssl rand -hex 32`").optional(),
  // For tests and drills: how often lapses, expiry reminders and expiries are checked (the core's default is 30 s).
  LABFORGE_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  METRICS_HOST: z.union([z.ipv4(), z.ipv6()], "expected an IP address like 127.0.0.1").default("127.0.0.1"),
  METRICS_TOKEN: z.string().min(16, "expected at least 16 characters; generate one with `openssl rand -hex 32`").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PROXMOX_TOKEN_SECRET: z.string().min(1).optional(),
  SLACK_BOT_TOKEN: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().min(1).optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_MODE: z.enum(["socket", "http"]).optional(),
  SLACK_API_URL: z.url().optional(),
  DISCORD_TOKEN: z.string().min(1).optional(),
  DISCORD_APPLICATION_ID: z.string().regex(/^[0-9]{5,25}$/, "expected a numeric id").optional(),
  DISCORD_GUILD_ID: z.string().regex(/^[0-9]{5,25}$/, "expected a numeric id").optional(),
  DISCORD_API_URL: z.url().optional(),
  LABFORGE_PUBLIC_URL: z.url({ protocol: /^https?$/, error: "expected the http(s) address browsers reach the bot at, like https://labforge.dept.example" }).optional(),
});

export type Settings = z.infer<typeof settingsSchema> & { configPath: string; configExplicit: boolean };

/** Reads and checks the environment; throws ConfigError listing every bad variable. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  // Empty variables count as unset, the way shells and .env files usually mean them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = settingsSchema.safeParse(present);
  if (!result.success) throw new ConfigError("the environment", formatIssues(result.error));
  const s = result.data;
  return { ...s, configPath: s.LABFORGE_CONFIG ?? "./labforge.yaml", configExplicit: s.LABFORGE_CONFIG !== undefined };
}

/** Every secret value in the settings, for log and chat redaction. */
export function secretValues(s: Settings): string[] {
  return [s.LABFORGE_SECRET_KEY, s.METRICS_TOKEN, s.PROXMOX_TOKEN_SECRET, s.SLACK_BOT_TOKEN, s.SLACK_APP_TOKEN, s.SLACK_SIGNING_SECRET, s.DISCORD_TOKEN]
    .filter((v): v is string => typeof v === "string" && v.length >= 6);
}
