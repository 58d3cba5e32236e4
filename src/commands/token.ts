/** `token create|revoke`: a personal API token for /api/v1, shown once by direct message (issue 15). */
import type { CommandHandler } from "./context.ts";
import { done, refuse } from "../kernel/outcome.ts";
import { createApiToken, revokeApiTokens } from "../tenants/web-credentials.ts";
import { audit } from "../audit.ts";

export const token: CommandHandler = async ({ app, principal, cmd }) => {
  const now = app.clock.now();
  if (cmd.args.action === "revoke") {
    const n = await revokeApiTokens(app.db.k, principal.identities, now);
    await audit(app.db.k, now, { actor: principal, action: "token.revoke", detail: `revoked=${n}` });
    return done({ title: n ? "Revoked" : "Nothing to revoke", text: n ? "Your API token no longer works." : "You have no API token." });
  }
  const made = await createApiToken(app.db.k, principal.identities, principal.identity, now);
  const base = app.publicUrl ?? "http://localhost:3000";
  // Shown once: only a hash is kept, so a lost token is replaced, never recovered.
  const sent = await app.notifier.dmChecked(principal.identity, {
    title: "Your labforge API token",
    text: `This is the only time it is shown; labforge keeps only a hash. It acts as you, with your roles.${made.replaced ? " Your older token no longer works." : ""} /cluster token revoke ends it.`,
    code: `curl -H "Authorization: Bearer ${made.token}" ${base}/api/v1/clusters`,
    tone: "info",
  });
  if (sent !== "sent") {
    // A token nobody received must not stay valid.
    await revokeApiTokens(app.db.k, principal.identities, now);
    await audit(app.db.k, now, { actor: principal, action: "token.create", outcome: "failure", detail: `dm=${sent}` });
    return refuse(sent === "closed" ? "dm.closed" : "dm.failed", "could not send the token by direct message, so none was made (it is never posted in a channel). Allow direct messages from the bot, then run /cluster token create again");
  }
  await audit(app.db.k, now, { actor: principal, action: "token.create", detail: made.replaced ? `replaced=${made.replaced}` : null });
  return done({ title: "Sent", text: "Your API token is in your direct messages. It is shown only there, once." });
};
