/** Prometheus metrics (prom-client), one registry per process, exposed at GET /metrics. */
import { Registry, Counter, Gauge, Histogram, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  registry: Registry;
  jobs: Gauge<"state">;
  queueDepth: Gauge;
  stepDuration: Histogram<"step" | "driver" | "outcome">;
  commands: Counter<"command" | "outcome">;
  chatCalls: Counter<"platform" | "method">;
  rateLimitWaits: Counter<"platform" | "method">;
  chatConnected: Gauge<"platform">;
}

/** Creates the registry and every metric labforge reports. */
export function createMetrics(withDefaults = true): Metrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: "labforge_" });
  return {
    registry,
    jobs: new Gauge({ name: "labforge_jobs", help: "Jobs by state", labelNames: ["state"], registers: [registry] }),
    queueDepth: new Gauge({ name: "labforge_queue_depth", help: "Jobs waiting to run", registers: [registry] }),
    stepDuration: new Histogram({
      name: "labforge_step_duration_seconds", help: "Provisioning step durations", labelNames: ["step", "driver", "outcome"],
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200], registers: [registry],
    }),
    commands: new Counter({ name: "labforge_commands_total", help: "Commands and button presses by outcome (ok, failure = refused, error = fault)", labelNames: ["command", "outcome"], registers: [registry] }),
    chatCalls: new Counter({ name: "labforge_chat_api_calls_total", help: "Chat platform API calls", labelNames: ["platform", "method"], registers: [registry] }),
    rateLimitWaits: new Counter({ name: "labforge_chat_rate_limit_waits_total", help: "Chat API calls that waited for a rate limit (ours or a 429)", labelNames: ["platform", "method"], registers: [registry] }),
    chatConnected: new Gauge({ name: "labforge_chat_connected", help: "1 while the platform's connection is up (Socket Mode or gateway; Slack HTTP mode: 1 once auth.test passed)", labelNames: ["platform"], registers: [registry] }),
  };
}
