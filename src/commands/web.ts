/** `web`: a one-time sign-in link to the web page, by direct message (issue 15). */
import type { CommandHandler } from "./context.ts";
import { done, refuse } from "../kernel/outcome.ts";
import { createSignInLink, LINK_TTL_MS } from "../tenants/web-credentials.ts";
import { audit } from "../audit.ts";

/** What the command says when LABFORGE_PUBLIC_URL is unset: which variable, and what it holds. */
export const NO_PUBLIC_URL = "the web page is not set up here: the bot's operator must set LABFORGE_PUBLIC_URL to the address browsers reach the bot at (for example https://labforge.dept.example or http://localhost:3000)";

export const web: CommandHandler = async ({ app, principal }) => {
  if (!app.publicUrl) return refuse("web.unconfigured", NO_PUBLIC_URL);
  const token = await createSignInLink(app.db.k, principal.identity, app.clock.now());
  const minutes = LINK_TTL_MS / 60_000;
  // The link is a credential: it goes by DM only, and only the DM's text holds it (never the reply, a log or the audit).
  const sent = await app.notifier.dmChecked(principal.identity, {
    title: "Sign in to the labforge web page",
    text: `Open this link within ${minutes} minutes; it works once. Do not share it: it signs in as you.`,
    code: `${app.publicUrl}/login/${token}`,
    tone: "info",
  });
  await audit(app.db.k, app.clock.now(), { actor: principal, action: "web.link", outcome: sent === "sent" ? "ok" : "failure" });
  if (sent === "closed") return refuse("dm.closed", "your direct messages are closed to the bot, so no sign-in link was sent (it is never posted in a channel). Allow direct messages from the bot, then run /cluster web again");
  if (sent !== "sent") return refuse("dm.failed", "could not send the sign-in link; try /cluster web again in a minute");
  return done({ title: "Sent", text: `A sign-in link is in your direct messages. It works once, for ${minutes} minutes.` });
};
