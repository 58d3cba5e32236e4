/** The floor for the Slack benchmark, in its own process: a bare Bolt app in HTTP mode whose only listener acknowledges. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { App, HTTPReceiver } from "@slack/bolt";

const secret = process.env.SLACK_SIGNING_SECRET!;
const receiver = new HTTPReceiver({ signingSecret: secret, endpoints: "/slack/events" });
// Bot ids given, as labforge gives its own: otherwise Bolt calls auth.test on the first requests of a burst.
const app = new App({
  token: process.env.SLACK_BOT_TOKEN!, botId: "B0BARE", botUserId: "U0BARE", receiver, clientOptions: { slackApiUrl: process.env.SLACK_API_URL }, tokenVerificationEnabled: false,
});
app.command("/cluster", async ({ ack }) => { await ack(); });
const server = createServer((req, res) => receiver.requestListener(req, res));
server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
process.once("SIGTERM", () => server.close(() => process.exit(0)));
