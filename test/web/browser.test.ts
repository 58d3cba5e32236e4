/**
 * The web page in a real browser (issue 15): Debian's chromium driven by playwright-core, against the REAL bot process
 * (console mode, `node dist/src/main.js`, built as `npm start` builds it). Sign in from a link, watch a cluster progress to Ready live (server-sent
 * events, no reload), approve a request from the list. Screenshots go to test-artifacts/web/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT, startBot, type BotProcess } from "../helpers/bot-process.ts";
import { DEMO_CONFIG } from "../../src/config/demo.ts";
import { freePort } from "./rig.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const ARTIFACTS = join(ROOT, "test-artifacts", "web");
if (!CHROMIUM) console.warn("\n*** test/web/browser.test.ts SKIPPED: Debian's chromium is missing (scripts/install-test-tools.sh installs it; CI always runs this) ***\n");

describe.skipIf(!CHROMIUM)("the web page in chromium, against the real bot", () => {
  let bot: BotProcess;
  let browser: Browser;
  let base: string;
  let dataDir: string;

  /** Types a console line into the running bot. */
  const type = (line: string) => bot.child.stdin.write(`${line}\n`);

  /** Waits for the next sign-in link DMed to `identity` on the console. */
  async function linkFor(identity: string, after: number): Promise<string> {
    const re = new RegExp(`\\[DM to ${identity}\\]\\n• Sign in[^\\n]*\\n[^\\n]*\\n\\s+(http://\\S+/login/\\S+)`, "g");
    for (let i = 0; i < 200; i++) {
      const found = [...bot.stdout().slice(after).matchAll(re)];
      if (found.length) return found[0]![1]!;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no sign-in link for ${identity}:\n${bot.stdout()}\n${bot.stderr()}`);
  }

  async function signIn(identity: string): Promise<Page> {
    const mark = bot.stdout().length;
    type(`/as ${identity}`);
    type("/cluster web");
    const link = await linkFor(identity, mark);
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    const page = await context.newPage();
    const r = await page.goto(link);
    expect(r?.url()).toBe(`${base}/`);
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), "labforge-web-"));
    const config = structuredClone(DEMO_CONFIG) as Record<string, any>;
    // Slow enough to watch each step; one drill failure for the admins' page.
    config.infra.simulated = { step_ms: 900, fail: { broken1: "configure" } };
    writeFileSync(join(dataDir, "labforge.yaml"), JSON.stringify(config));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    bot = startBot({ LABFORGE_DATA_DIR: join(dataDir, "state"), LABFORGE_CONFIG: join(dataDir, "labforge.yaml"), PORT: String(port), LABFORGE_PUBLIC_URL: base });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    bot?.child.stdin.end();
    if (bot) {
      const timer = setTimeout(() => bot.child.kill("SIGTERM"), 20_000);
      await bot.exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it("a student signs in from a link; a reused link is refused", async () => {
    const mark = bot.stdout().length;
    type("/as console:carol");
    type("/cluster web");
    const link = await linkFor("console:carol", mark);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(link);
    await expect.poll(() => page.locator("h1").textContent()).toBe("My clusters");
    expect(await page.locator("header .who").textContent()).toContain("Carol Student");
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "lf_session")).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    const other = await (await browser.newContext()).newPage();
    const again = await other.goto(link);
    expect(again?.status()).toBe(401);
    expect(await other.textContent("body")).toContain("/cluster web");
    await shot(other, "sign-in-refused");
  }, 30_000);

  it("a TA approves from the list, and the student watches the cluster progress to Ready live", async () => {
    const bob = await signIn("console:bob");
    type("/cluster create lab1 workers=2");
    const tim = await signIn("console:tim");
    await tim.goto(`${base}/tenant/cs401`);
    const row = tim.locator("#requests tr", { hasText: "lab1" });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await shot(tim, "tenant-requests");

    // The student's page is open before the approval; it must change without a reload.
    await bob.reload();
    await bob.evaluate(() => { (window as unknown as { marker: number }).marker = 42; });
    expect(await bob.locator('[data-cluster="lab1"]').getAttribute("data-state")).toBe("pending_approval");

    await row.getByRole("button", { name: "Approve" }).click();
    await tim.waitForURL(`${base}/tenant/cs401`);
    expect(await tim.locator('[role="status"]').textContent()).toMatch(/Approved/i);
    await shot(tim, "tenant-approved");

    const card = bob.locator('[data-cluster="lab1"]');
    await expect.poll(() => card.getAttribute("data-state"), { timeout: 15_000 }).toBe("provisioning");
    await expect.poll(() => card.locator("progress").count(), { timeout: 5_000 }).toBe(1);
    const steps = new Set<string>();
    let shotTaken = false;
    // Five steps of 0.9 s; generous room for a loaded machine.
    for (let i = 0; i < 400 && (await card.getAttribute("data-state")) !== "ready"; i++) {
      const label = await card.locator("progress + span").textContent({ timeout: 1000 }).catch(() => null);
      if (label) steps.add(label);
      if (steps.size === 2 && !shotTaken) { shotTaken = true; await shot(bob, "my-clusters-progress"); }
      await bob.waitForTimeout(100);
    }
    expect(await card.getAttribute("data-state")).toBe("ready");
    // Several steps were seen go by, and it was the same page all along (no reload, no navigation).
    expect(steps.size).toBeGreaterThanOrEqual(2);
    expect(await bob.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await expect.poll(() => card.locator("td", { hasText: "10.40.19." }).count()).toBe(3);
    expect(await bob.locator("#live").textContent()).toContain("Live");
    await shot(bob, "my-clusters-ready");

    // Send me the kubeconfig: it arrives by DM (on the console), never on the page.
    const mark = bot.stdout().length;
    await card.getByRole("button", { name: /kubeconfig/ }).click();
    await bob.waitForURL(`${base}/`);
    expect(await bob.locator('[role="status"]').textContent()).toContain("direct messages");
    await expect.poll(() => bot.stdout().slice(mark)).toMatch(/\[DM to console:bob\][\s\S]*cs401-lab1\.kubeconfig/);
    expect(await bob.content()).not.toContain("client-key-data");
  }, 90_000);

  it("an instructor's audit log shows the web as the source; an admin sees capacity, job steps and failures", async () => {
    type("/as console:grace");
    type("/cluster create broken1 tenant=dsg-lab");
    const ada = await signIn("console:ada");
    await ada.goto(`${base}/tenant/cs401?source=web`);
    const audit = ada.locator("#audit");
    await expect.poll(() => audit.locator("tr", { hasText: "request.approve" }).count()).toBeGreaterThan(0);
    expect(await audit.locator("tr", { hasText: "request.approve" }).first().textContent()).toContain("web");
    await shot(ada, "tenant-audit");

    const root = await signIn("console:root");
    await root.goto(`${base}/admin`);
    for (let i = 0; i < 100; i++) {
      if (await root.locator("text=Recent failures").count() && await root.locator(".card", { hasText: "dsg-lab/broken1" }).count()) break;
      await root.waitForTimeout(200);
      await root.reload();
    }
    expect(await root.locator(".card", { hasText: "dsg-lab/broken1" }).count()).toBeGreaterThan(0);
    expect(await root.locator("#jobs").textContent()).toMatch(/apply \d+\.\ds/);
    expect(await root.textContent("body")).toMatch(/IP pool.*used/);
    await shot(root, "admin-capacity");
  }, 60_000);
});
