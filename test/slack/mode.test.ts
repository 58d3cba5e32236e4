import { describe, expect, it } from "vitest";
import { slackMode } from "../../adapters/slack/mode.ts";
import { loadSettings } from "../../src/config/settings.ts";

const mode = (env: Record<string, string>) => slackMode(loadSettings(env));

describe("Slack settings", () => {
  it("is off without Slack variables", () => {
    expect(mode({})).toBeUndefined();
  });

  it("defaults to Socket Mode with an app token, HTTP mode with only a signing secret", () => {
    expect(mode({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" })).toMatchObject({ mode: "socket" });
    expect(mode({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" })).toMatchObject({ mode: "http" });
    expect(mode({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_MODE: "http", SLACK_SIGNING_SECRET: "s", SLACK_APP_TOKEN: "xapp-1" })).toMatchObject({ mode: "http" });
    expect(mode({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1", SLACK_API_URL: "http://127.0.0.1:1/api" })).toMatchObject({ apiUrl: "http://127.0.0.1:1/api/" });
  });

  it("says the fix for missing or contradictory settings", () => {
    expect(() => mode({ SLACK_APP_TOKEN: "xapp-1" })).toThrow(/SLACK_BOT_TOKEN is required/);
    expect(() => mode({ SLACK_BOT_TOKEN: "xoxb-1" })).toThrow("SLACK_APP_TOKEN is required for Socket Mode (or set SLACK_MODE=http with SLACK_SIGNING_SECRET)");
    expect(() => mode({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_MODE: "http" })).toThrow(/SLACK_SIGNING_SECRET is required for HTTP mode/);
    expect(() => mode({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_MODE: "socket", SLACK_SIGNING_SECRET: "s" })).toThrow(/SLACK_APP_TOKEN is required/);
    expect(() => mode({ SLACK_BOT_TOKEN: "xoxp-user", SLACK_APP_TOKEN: "xapp-1" })).toThrow(/xoxb-/);
    expect(() => mode({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xoxb-2" })).toThrow(/xapp-/);
  });
});
