/**
 * ssh2, loaded on first use: loading it instantiates a WebAssembly module (Poly1305) with 16 MB of memory, which a bot
 * on the simulated driver, or one that has not provisioned yet, does not need.
 */
import { createRequire } from "node:module";
import type Ssh2 from "ssh2";

const require = createRequire(import.meta.url);
let loaded: typeof Ssh2 | undefined;

/** The ssh2 module. */
export function ssh2(): typeof Ssh2 {
  return (loaded ??= require("ssh2") as typeof Ssh2);
}
