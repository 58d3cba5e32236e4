/** Which Slack mode to run, from the environment; contradictions stop the bot with the fix. */
import type { Settings } from "../../src/config/settings.ts";

export type SlackMode =
  | { mode: "socket"; botToken: string; appToken: string; apiUrl?: string }
  | { mode: "http"; botToken: string; signingSecret: string; apiUrl?: string };

/** Returns the Slack settings, undefined when Slack is not configured, or throws with what to set. */
export function slackMode(s: Settings): SlackMode | undefined {
  const any = s.SLACK_BOT_TOKEN || s.SLACK_APP_TOKEN || s.SLACK_SIGNING_SECRET || s.SLACK_MODE;
  if (!any) return undefined;
  const apiUrl = s.SLACK_API_URL ? (s.SLACK_API_URL.endsWith("/") ? s.SLACK_API_URL : `${s.SLACK_API_URL}/`) : undefined;
  if (!s.SLACK_BOT_TOKEN) throw new Error("SLACK_BOT_TOKEN is required for the Slack adapter (the xoxb- token under OAuth & Permissions)");
  if (!s.SLACK_BOT_TOKEN.startsWith("xoxb-")) throw new Error("SLACK_BOT_TOKEN must be a bot token starting with xoxb-");
  const mode = s.SLACK_MODE ?? (s.SLACK_APP_TOKEN ? "socket" : s.SLACK_SIGNING_SECRET ? "http" : "socket");
  if (mode === "socket") {
    if (!s.SLACK_APP_TOKEN) throw new Error("SLACK_APP_TOKEN is required for Socket Mode (or set SLACK_MODE=http with SLACK_SIGNING_SECRET)");
    if (!s.SLACK_APP_TOKEN.startsWith("xapp-")) throw new Error("SLACK_APP_TOKEN must be an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)");
    return { mode, botToken: s.SLACK_BOT_TOKEN, appToken: s.SLACK_APP_TOKEN, apiUrl };
  }
  if (!s.SLACK_SIGNING_SECRET) throw new Error("SLACK_SIGNING_SECRET is required for HTTP mode (SLACK_MODE=http); find it under Basic Information → App Credentials");
  return { mode, botToken: s.SLACK_BOT_TOKEN, signingSecret: s.SLACK_SIGNING_SECRET, apiUrl };
}
