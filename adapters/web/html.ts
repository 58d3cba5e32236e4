/** The page frame and small pieces every page uses; `hono/html` escapes every interpolated value. */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { WebViewer } from "../../src/kernel/web-port.ts";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** A notice shown once after an action (the core's reply). */
export interface Flash {
  title: string;
  text?: string;
  tone?: string;
}

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{background:#1d2b4f;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center}
header a{color:#fff;text-decoration:none}header .who{margin-left:auto;font-size:.9em;opacity:.85}
main{max-width:1100px;margin:0 auto;padding:1rem 1.2rem}
h1{font-size:1.4rem;margin:.6rem 0}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
.card{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:.8rem 1rem;margin:.6rem 0}
.row{display:flex;gap:.6rem;flex-wrap:wrap;align-items:center}
.state{font-weight:600;padding:.1rem .5rem;border-radius:4px;background:#e8ecf3}
.state.ready{background:#d8f3df;color:#145c2a}.state.failed{background:#fbdcdc;color:#8a1c1c}
.state.provisioning,.state.queued{background:#fff1cc;color:#6b4d00}
progress{width:16rem;height:1rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e5e8ee;font-size:.92em}
form.inline{display:inline}button{font:inherit;padding:.2rem .7rem;border-radius:4px;border:1px solid #98a2b3;background:#fff;cursor:pointer}
button.primary{background:#1d4ed8;color:#fff;border-color:#1d4ed8}button.danger{background:#b42318;color:#fff;border-color:#b42318}
pre{background:#101828;color:#e4e7ec;padding:.6rem;border-radius:4px;overflow:auto;font-size:.85em}
.flash{border-left:4px solid #1d4ed8}.flash.error{border-color:#b42318}.flash.success{border-color:#16a34a}
.muted{color:#667085;font-size:.9em}.bar{display:inline-block;height:.8rem;background:#6172f3;vertical-align:middle}
.track{display:inline-block;width:140px;height:.8rem;background:#e4e7ec;vertical-align:middle}.track .bar{display:block;height:100%}
`;

/** The whole page: header with the person's pages, an optional flash, the content. */
export function page(title: string, viewer: WebViewer | undefined, body: Html, flash?: Flash, script = ""): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · labforge</title><style>${raw(STYLE)}</style></head>
<body><header><strong><a href="/">labforge</a></strong>
${viewer ? html`<a href="/">My clusters</a>${viewer.staffed.map((t) => html`<a href="/tenant/${t}">${t}</a>`)}${viewer.admin ? html`<a href="/admin">Capacity</a>` : ""}
<span class="who">${viewer.label}</span>` : ""}</header>
<main>${flash ? html`<div class="card flash ${flash.tone ?? ""}" role="status"><strong>${flash.title}</strong>${flash.text ? html`<div>${flash.text}</div>` : ""}</div>` : ""}
${body}</main>${script ? raw(`<script>${script}</script>`) : ""}</body></html>`;
}

/** A button that POSTs with the CSRF token and a one-time nonce (a double click is one action). */
export function postButton(action: string, label: string, csrf: string, style = "", fields: Record<string, string> = {}): Html {
  return html`<form class="inline" method="post" action="${action}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="nonce" value="${nonce()}">${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button class="${style}" type="submit">${label}</button></form>`;
}

/** A formatted UTC time like `2026-12-08 10:00 UTC`. */
export function when(ms: number | undefined): string {
  if (ms === undefined) return "—";
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A fresh form nonce: a resubmitted form is one action (its delivery id). */
export function nonce(): string {
  return crypto.randomUUID();
}
