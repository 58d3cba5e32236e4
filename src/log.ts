/** pino JSON logs; secrets are redacted by key and by value before anything is written. */
import pino, { type Logger, type DestinationStream } from "pino";
import type { Redactor } from "./util/redact.ts";

export type { Logger };

/** Field names whose values are never logged, at the top level or one level down. */
const SECRET_KEYS = ["token", "password", "secret", "kubeconfig", "privateKey"];

/** Creates the logger; every string that passes through is run through the redactor. */
export function createLogger(level: string, redactor: Redactor, destination?: DestinationStream): Logger {
  return pino({
    level,
    base: { app: "labforge" },
    redact: { paths: SECRET_KEYS.flatMap((k) => [k, `*.${k}`]).concat("*.headers.authorization"), censor: "[redacted]" },
    hooks: {
      streamWrite: (line) => redactor.redact(line),
    },
  }, destination ?? pino.destination(2));
}
