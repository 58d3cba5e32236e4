// Sends pre-built, signed Slack requests all at once from its own thread (its own event loop), so the
// time to each HTTP answer is the server's ack latency, not time spent waiting for the server's thread.
import { parentPort, workerData } from "node:worker_threads";
import { createHmac } from "node:crypto";

const { url, secret, bodies } = workerData;
const timestamp = Math.floor(Date.now() / 1000);
const signed = bodies.map((body) => ({
  body,
  headers: {
    "content-type": "application/x-www-form-urlencoded",
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`,
  },
}));
const latencies = await Promise.all(signed.map(async ({ body, headers }) => {
  const start = performance.now();
  const res = await fetch(url, { method: "POST", body, headers });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return performance.now() - start;
}));
parentPort.postMessage(latencies);
