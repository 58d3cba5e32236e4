/** Signs requests the way Slack does, for driving an app in HTTP mode. */
import { createHmac } from "node:crypto";

/** The two headers Slack sends with a request body signed by `secret` at `timestamp` (seconds). */
export function slackSignature(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return { "x-slack-signature": signature, "x-slack-request-timestamp": String(timestamp) };
}

/** Form-encodes a slash command the way Slack posts it. */
export function slashCommandBody(fields: { user_id: string; channel_id: string; text: string; trigger_id: string; response_url: string; team_id?: string }): string {
  return new URLSearchParams({
    token: "legacy-verification-token", team_id: fields.team_id ?? "T0LABFORGE", team_domain: "dept", channel_name: "course",
    user_name: fields.user_id.toLowerCase(), command: "/cluster", api_app_id: "A0LABFORGE", ...fields,
  }).toString();
}

/** Form-encodes an interactivity payload (`payload=<JSON>`). */
export function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
