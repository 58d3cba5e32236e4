/** The floor for the Discord benchmark, in its own process: a bare discord.js client whose only work is to defer each interaction, ephemerally. */
import { Client, Events, GatewayIntentBits, MessageFlags } from "discord.js";

const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: process.env.DISCORD_API_URL!.replace(/\/v10$/, "") } });
client.on(Events.InteractionCreate, (i) => {
  if (i.isRepliable()) void i.deferReply({ flags: MessageFlags.Ephemeral }).catch(() => {});
});
client.once(Events.ClientReady, () => process.stdout.write(`${JSON.stringify({ ready: true })}\n`));
await client.login(process.env.DISCORD_TOKEN!);
process.once("SIGTERM", () => { void client.destroy().then(() => process.exit(0)); });
