/** The HTML of each page, from the core's read models. Pages work without JavaScript; the script only adds live updates. */
import { html } from "hono/html";
import type { CapacityView, ClusterView, TenantView, WebViewer } from "../../src/kernel/web-port.ts";
import { nonce, postButton, when, type Html } from "./html.ts";

/** One cluster: state, progress with the current step, nodes and IPs, expiry, and the buttons the caller may press. */
export function clusterBlock(v: ClusterView, csrf: string, showOwner = false): Html {
  const base = `/clusters/${v.id}`;
  return html`<div class="card cluster" data-cluster="${v.name}" data-state="${v.state}">
<div class="row"><strong>${v.name}</strong><span class="muted">${v.tenant}</span><span class="state ${v.state}">${v.stateText}</span>
${showOwner ? html`<span class="muted">owner ${v.ownerLabel}</span>` : ""}
${v.queuePosition ? html`<span class="muted">queue position ${v.queuePosition}</span>` : ""}</div>
${v.progress ? html`<div class="row"><progress max="${v.progress.total}" value="${v.progress.done}">${v.progress.done}/${v.progress.total}</progress><span>step ${Math.min(v.progress.done + 1, v.progress.total)} of ${v.progress.total}: ${v.progress.label}</span></div>` : ""}
<div class="muted">${v.shape} · created ${when(v.createdAt)} · expires ${when(v.expiresAt)}</div>
${v.nodes.length ? html`<table><tr><th>node</th><th>role</th><th>IP</th></tr>${v.nodes.map((n) => html`<tr><td>${n.name}</td><td>${n.role.replace("_", " ")}</td><td>${n.ip}</td></tr>`)}</table>` : ""}
${v.failure ? html`<pre>${v.failure}</pre>` : ""}
<div class="row" style="margin-top:.4rem">
${v.can.kubeconfig ? postButton(`${base}/kubeconfig`, "Send me the kubeconfig by DM", csrf, "primary") : ""}
${v.can.extend ? postButton(`${base}/extend`, "Extend", csrf) : ""}
${v.can.retry ? postButton(`${base}/retry`, "Retry", csrf, "primary") : ""}
${v.can.stop ? postButton(`${base}/stop`, "Stop", csrf) : ""}
${v.can.start ? postButton(`${base}/start`, "Start", csrf, "primary") : ""}
${v.can.scale ? html`<form class="inline" method="post" action="${base}/scale"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="nonce" value="${nonce()}"><label>workers <input name="workers" type="number" min="0" max="50" value="${v.workers}" style="width:4em"></label> <button type="submit">Scale</button></form>` : ""}
${v.can.rebuild ? html`<a href="${base}/rebuild"><button type="button">Rebuild…</button></a>` : ""}
${v.can.delete ? html`<a href="${base}/delete"><button type="button" class="danger">Delete…</button></a>` : ""}
</div></div>`;
}

/** The list of the caller's clusters (also what the live updates replace). */
export function myClustersFragment(views: ClusterView[], csrf: string): Html {
  if (views.length === 0) return html`<p class="muted">You have no clusters. Type <code>/cluster create lab1</code> in your course channel.</p>`;
  return html`${views.map((v) => clusterBlock(v, csrf))}`;
}

/** The home page: the caller's clusters, live. */
export function homeBody(viewer: WebViewer, views: ClusterView[], csrf: string): Html {
  return html`<h1>My clusters</h1>
<p class="muted">Signed in as ${viewer.label}${viewer.roles.length ? ` · ${viewer.roles.map((r) => `${r.role} of ${r.tenant}`).join(", ")}` : ""}${viewer.admin ? " · admin" : ""}. The kubeconfig is never shown here: it comes by direct message.</p>
<div id="clusters">${myClustersFragment(views, csrf)}</div>
<p class="muted" id="live">This page updates itself while a cluster is being built; without JavaScript, reload it.</p>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">Sign out</button></form>`;
}

/** The script that swaps the cluster list when the server sends a new one (server-sent events). */
export const LIVE_SCRIPT = `(function(){if(!window.EventSource)return;var es=new EventSource('/events');var live=document.getElementById('live');
es.addEventListener('clusters',function(e){document.getElementById('clusters').innerHTML=e.data;if(live)live.textContent='Live: updated '+new Date().toLocaleTimeString();});})();`;

/** The delete confirmation: what deleting destroys, and the button. */
export function deleteBody(v: ClusterView, csrf: string): Html {
  return html`<h1>Delete ${v.name}?</h1><div class="card"><p>This destroys the VMs of <strong>${v.name}</strong> (${v.tenant}) and frees their IPs. Its kubeconfig stops working. This cannot be undone.</p>
${postButton(`/clusters/${v.id}/delete`, `Delete ${v.name}`, csrf, "danger")} <a href="/">Keep it</a></div>`;
}

/** The confirmation page of Rebuild: what it destroys and what it keeps. */
export function rebuildBody(v: ClusterView, csrf: string): Html {
  return html`<h1>Rebuild ${v.name}?</h1><div class="card"><p>This destroys the VMs of <strong>${v.name}</strong> (${v.tenant}) and everything on them, then creates them again on the same IP addresses. The name and the expiry stay; a new kubeconfig comes by direct message.</p>
${postButton(`/clusters/${v.id}/rebuild`, `Rebuild ${v.name}`, csrf, "danger")} <a href="/">Keep it</a></div>`;
}

function bar(used: number, limit: number | undefined): Html {
  const pct = limit ? Math.min(100, Math.round((used / limit) * 100)) : 0;
  return html`${limit ? html`<span class="track"><span class="bar" style="width:${pct}%"></span></span> ` : ""}${used} of ${limit ?? "unlimited"}`;
}

/** A tenant's staff page: requests with Approve / Reject, clusters, the queue, quota usage, and the audit log with filters. */
export function tenantBody(t: TenantView, csrf: string, filter: Record<string, string>): Html {
  return html`<h1>${t.name} (${t.tenant})</h1>
<h2>Pending requests (${t.requests.length})</h2>
${t.requests.length === 0 ? html`<p class="muted">Nothing to approve.</p>` : html`<table id="requests"><tr><th>#</th><th>cluster</th><th>requested by</th><th>shape</th><th>asked</th><th>lapses</th><th></th></tr>
${t.requests.map((r) => html`<tr data-request="${r.id}"><td>${r.id}</td><td>${r.cluster}</td><td>${r.requesterLabel}</td><td class="muted">${r.shape}</td><td>${when(r.createdAt)}</td><td>${when(r.lapsesAt)}</td>
<td>${postButton(`/requests/${r.id}/approve`, "Approve", csrf, "primary")}
<form class="inline" method="post" action="/requests/${r.id}/reject"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="nonce" value="${crypto.randomUUID()}"><input name="reason" placeholder="reason (optional)" maxlength="300"><button type="submit">Reject</button></form></td></tr>`)}</table>`}
<h2>Queue</h2>
${t.queue.length === 0 ? html`<p class="muted">Nothing of ${t.tenant} is queued or running.</p>` : html`<table><tr><th>position</th><th>job</th><th>cluster</th><th>owner</th><th>step</th></tr>
${t.queue.map((q) => html`<tr><td>${q.position ?? "running"}</td><td>${q.kind}</td><td>${q.cluster}</td><td>${q.owner}</td><td>${q.step ?? ""}</td></tr>`)}</table>`}
<h2>Quota</h2><table>${t.quota.map((q) => html`<tr><td>${q.key}</td><td>${bar(q.used, q.limit)}</td></tr>`)}</table>
${t.sessions.length === 0 ? "" : html`<h2>Class sessions (${t.sessions.length})</h2>${t.sessions.map((s) => html`<div class="card session" data-session="${s.name}">
<div class="row"><strong>${s.name}</strong><span class="muted">lab starts ${s.startsAtText}</span><span>${s.ready} of ${s.total} ready</span><span class="muted">${s.summary}</span></div>
<table><tr><th>cluster</th><th>student</th><th>state</th></tr>${s.clusters.map((c) => html`<tr><td>${c.name}</td><td>${c.ownerLabel}</td><td><span class="state ${c.state}">${c.stateText}</span></td></tr>`)}</table></div>`)}`}
<h2>Clusters (${t.clusters.length})</h2>${t.clusters.map((v) => clusterBlock(v, csrf, true))}
<h2>Audit log</h2>
${t.audit === undefined ? html`<p class="muted">The audit log is for instructors, as with <code>/cluster audit</code>.</p>` : html`
<form method="get" class="row"><input name="actor" placeholder="actor" value="${filter.actor ?? ""}"><input name="action" placeholder="action" value="${filter.action ?? ""}">
<input name="target" placeholder="cluster" value="${filter.target ?? ""}"><select name="source">${["", "slack", "discord", "console", "web"].map((s) => html`<option value="${s}" ${filter.source === s ? "selected" : ""}>${s || "any source"}</option>`)}</select><button type="submit">Filter</button></form>
<table id="audit"><tr><th>when</th><th>who</th><th>action</th><th>target</th><th>outcome</th><th>source</th><th>detail</th></tr>
${t.audit.map((a) => html`<tr><td>${when(a.at)}</td><td>${a.actor}</td><td>${a.action}</td><td>${a.target ?? ""}</td><td>${a.outcome}</td><td>${a.source ?? "bot"}</td><td class="muted">${a.detail ?? ""}</td></tr>`)}</table>`}`;
}

const STEP_COLOURS: Record<string, string> = { prepare: "#98a2b3", apply: "#6172f3", wait_ssh: "#f79009", configure: "#12b76a", kubeconfig: "#7a5af8", cleanup: "#f04438", destroy: "#b42318" };

/** The admins' page: the IP pool, usage per tenant, job history with a bar per step (width = duration), failures with log tails. */
export function capacityBody(c: CapacityView): Html {
  const longest = Math.max(1, ...c.jobs.map((j) => j.steps.reduce((s, x) => s + (x.ms ?? 0), 0)));
  return html`<h1>Capacity</h1>
<div class="card"><strong>IP pool</strong>: ${c.pool.used} used, ${c.pool.free} free of ${c.pool.total} ${bar(c.pool.used, c.pool.total)}</div>
<h2>Tenants</h2><table><tr><th>tenant</th><th>clusters</th><th>nodes</th><th>vCPUs</th><th>memory (GB)</th></tr>
${c.tenants.map((t) => html`<tr><td>${t.tenant} <span class="muted">${t.name}</span></td>${t.usage.map((q) => html`<td>${bar(q.used, q.limit)}</td>`)}</tr>`)}</table>
<h2>Job history</h2><p class="muted">Each bar is one step; its width is how long it took (the longest job spans 300 px).</p>
<table id="jobs"><tr><th>job</th><th>cluster</th><th>state</th><th>started</th><th>steps</th></tr>
${c.jobs.map((j) => html`<tr><td>#${j.id} ${j.kind}</td><td>${j.tenant}/${j.cluster}</td><td>${j.state}</td><td>${when(j.createdAt)}</td>
<td>${j.steps.map((s) => html`<span class="bar" title="${s.step}: ${s.ms === undefined ? "running" : `${(s.ms / 1000).toFixed(1)} s`}" style="width:${Math.max(2, Math.round(((s.ms ?? 0) / longest) * 300))}px;background:${STEP_COLOURS[s.step] ?? "#667085"}"></span>`)}
<span class="muted">${j.steps.map((s) => `${s.step} ${s.ms !== undefined ? `${(s.ms / 1000).toFixed(1)}s` : j.state === "running" ? "…" : "✗"}`).join(" · ")}</span></td></tr>`)}</table>
<h2>Recent failures</h2>
${c.failures.length === 0 ? html`<p class="muted">No failed jobs.</p>` : c.failures.map((f) => html`<div class="card"><strong>${f.tenant}/${f.cluster}</strong> <span class="muted">${f.kind} · ${when(f.at)}${f.step ? ` · at ${f.step}` : ""}</span><div>${f.error}</div>${f.logTail ? html`<pre>${f.logTail}</pre>` : ""}</div>`)}`;
}

/** The answer without a session: how to get one. */
export function signInBody(reason: string): Html {
  return html`<h1>Sign in from chat</h1><div class="card"><p>${reason}</p><p>Type <code>/cluster web</code> in Slack, Discord or the console: the bot sends you a one-time link by direct message.</p></div>`;
}
