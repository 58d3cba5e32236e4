/**
 * Ready by the start, on virtual time: the real queue, lifecycle and SQLite, with a driver whose steps take
 * minutes of a ManualClock. Durations are measured from real provisions first; the session planned from them
 * holds its jobs until the planned start and has every cluster ready by the lab's start.
 */
import { afterEach, describe, expect, it } from "vitest";
import { makeCore, baseConfig, type TestCore } from "../helpers/harness.ts";
import { ManualClock } from "../../src/util/clock.ts";
import { TimedDriver, VirtualTime, runVirtual } from "../helpers/virtual-time.ts";
import { planSession, marginOf } from "../../src/clusters/class-schedule.ts";

const MIN = 60_000;
const STEPS = { prepare: 10_000, apply: 3 * MIN, wait_ssh: MIN, configure: 5 * MIN, kubeconfig: 10_000 };
const PER_CLUSTER = 9 * MIN + 20_000;

/** dsg (no approvals) in Berlin time, with Dan as instructor and eight students: Eve, then s1 … s7. */
function config(): Record<string, unknown> {
  const c = baseConfig() as { tenants: Record<string, Record<string, unknown>>; members: unknown[] };
  c.tenants.dsg = { ...c.tenants.dsg, timezone: "Europe/Berlin" };
  const students = Array.from({ length: 7 }, (_, i) => ({ name: `Student ${i + 1}`, identities: [`console:s${i + 1}`], roles: { dsg: "student" } }));
  return { ...c, members: [...c.members, ...students], queue: { max_parallel_jobs: 3, max_parallel_clones: 3 } };
}

let t: TestCore;
afterEach(async () => { await t?.close(); });

async function start(at: number) {
  const clock = new ManualClock(at);
  const vt = new VirtualTime(clock);
  t = await makeCore({ clock, config: config(), driver: (_c, dataDir) => new TimedDriver(dataDir, vt, STEPS) });
  return { clock, vt };
}

const readyCount = async (names: string[]) => (await t.core.app.db.k.selectFrom("clusters").select("name")
  .where("name", "in", names).where("state", "=", "ready").execute()).length;

describe("class schedule", () => {
  it("plans from measured durations, holds the jobs until the planned start, and has all ready by the lab's start", async () => {
    // Monday 2026-12-07 09:00 UTC = 10:00 in Berlin; "tue 14:00" Berlin is Tuesday 13:00 UTC.
    const { clock, vt } = await start(Date.UTC(2026, 11, 7, 9, 0));
    // Two ordinary provisions first: their step durations are what the session is planned from.
    expect((await t.cmd("console:dan", "create warm1", "console:#dsg")).card.title).toBe("warm1 is queued");
    expect((await t.cmd("console:dan", "create warm2", "console:#dsg")).card.title).toBe("warm2 is queued");
    await runVirtual(t, vt, async () => (await readyCount(["warm1", "warm2"])) === 2);
    expect(clock.now() - Date.UTC(2026, 11, 7, 9, 0)).toBe(PER_CLUSTER);

    const created = clock.now();
    const reply = await t.cmd("console:dan", "class create lab workers=1 at=tue 14:00", "console:#dsg");
    expect(reply.code).toBeUndefined();
    expect(reply.card.tone).toBe("success");
    const startsAt = Date.UTC(2026, 11, 8, 13, 0);
    // 8 clusters, 2 at a time (one slot left for others): 4 rounds of the slowest measured run, plus the margin.
    const estimate = 4 * PER_CLUSTER + marginOf(4 * PER_CLUSTER);
    const fields = Object.fromEntries(reply.card.fields!.map((f) => [f.label, f.value]));
    expect(fields["Lab starts"]).toBe("Tue 2026-12-08 14:00 Europe/Berlin");
    expect(fields["Provisioning starts"]).toBe(`Tue 2026-12-08 ${berlin(startsAt - estimate)} Europe/Berlin`);
    expect(reply.card.text).toContain("4 rounds of up to 2 at once, each about 9 minutes (from the slowest of 2 recent small provisions with 1 worker)");

    const session = await t.core.app.db.k.selectFrom("class_sessions").selectAll().executeTakeFirstOrThrow();
    expect(session).toMatchObject({ starts_at: startsAt, provision_at: startsAt - estimate, estimate_ms: estimate, state: "active" });
    const clusters = await t.core.app.db.k.selectFrom("clusters").select(["name", "owner", "state"]).where("session_id", "=", session.id).orderBy("name").execute();
    const owners = ["console:eve", ...Array.from({ length: 7 }, (_, i) => `console:s${i + 1}`)];
    expect(clusters.map((c) => `${c.name}:${c.owner}:${c.state}`)).toEqual(owners.map((o, i) => `lab-0${i + 1}:${o}:queued`));
    const jobs = await t.core.app.db.k.selectFrom("jobs").select(["run_at", "session_id"]).where("kind", "=", "provision").where("session_id", "=", session.id).execute();
    expect(jobs.map((j) => j.run_at)).toEqual(Array(8).fill(startsAt - estimate));

    // Nothing starts before the planned start, however long we wait in real time.
    await new Promise((r) => setTimeout(r, 50));
    expect(await readyCount(clusters.map((c) => c.name))).toBe(0);
    expect(await t.core.app.db.k.selectFrom("jobs").select("id").where("state", "=", "running").execute()).toEqual([]);

    await runVirtual(t, vt, async () => (await readyCount(clusters.map((c) => c.name))) === 8);
    const ready = await t.core.app.db.k.selectFrom("clusters").select(["name", "ready_at"]).where("session_id", "=", session.id).execute();
    for (const c of ready) {
      expect(c.ready_at!).toBeGreaterThan(startsAt - estimate);
      expect(c.ready_at!, c.name).toBeLessThanOrEqual(startsAt);
    }
    expect(created).toBeLessThan(startsAt - estimate);
    // Every student got their kubeconfig by DM, and the session's one root message counts 8 / 8.
    await t.idle();
    owners.forEach((o, i) => expect(t.port.dmsTo(o).some((d) => d.file?.filename === `dsg-lab-0${i + 1}.kubeconfig`), o).toBe(true));
    const roots = t.port.sent.filter((p) => p.kind === "post" && p.card.title.startsWith("Class session lab"));
    expect(roots).toHaveLength(1);
    const updates = t.port.sent.filter((p) => p.kind === "update" && p.target === roots[0]!.ref);
    expect(updates.at(-1)?.card.title).toBe("Class session lab · dsg: 8 / 8 ready");
    // No cluster of the session posted a root message of its own.
    expect(t.port.sent.filter((p) => p.kind === "post" && /^lab-0/.test(p.card.title))).toEqual([]);
  });

  it("flags a lab that starts too soon: provisioning starts now and the reply says how late the last cluster will be", async () => {
    const { clock } = await start(Date.UTC(2026, 11, 7, 9, 0));
    const reply = await t.cmd("console:dan", "class create lab workers=0 at=+20m", "console:#dsg");
    // Nothing measured yet: the simulated driver's configured step time (0 here) is the estimate, which fits.
    expect(reply.card.tone).toBe("success");
    await t.core.app.db.k.insertInto("step_durations").values(
      Object.entries(STEPS).map(([step, ms]) => ({ job_id: 999, step, size: "small", workers: 0, ms, at: clock.now() }))).execute();
    const late = await t.cmd("console:dan", "class create lab2 workers=0 at=+20m", "console:#dsg");
    expect(late.code).toBeUndefined();
    expect(late.card.tone).toBe("warning");
    expect(late.card.title).toBe("Class session lab2: 8 clusters, not all ready by the start");
    // 8 clusters, 4 rounds of 9m20s = 37m20s: the last about 17 minutes after the start.
    expect(late.card.text).toMatch(/^Too little time: provisioning starts now, and the last cluster is expected about 17 minutes after the lab starts/);
    const s = await t.core.app.db.k.selectFrom("class_sessions").selectAll().where("name", "=", "lab2").executeTakeFirstOrThrow();
    expect(s.provision_at).toBe(clock.now());
  });

  it("refuses a start that has passed or lies more than 30 days ahead", async () => {
    await start(Date.UTC(2026, 11, 7, 9, 0));
    const past = await t.cmd("console:dan", "class create lab at=2026-12-01T10:00", "console:#dsg");
    expect(past.code).toBe("class.at_past");
    expect(past.card.text).toContain("Tue 2026-12-01 10:00 Europe/Berlin, which has passed");
    expect((await t.cmd("console:dan", "class create lab at=2027-03-01T10:00", "console:#dsg")).code).toBe("class.at_far");
  });
});

describe("planSession", () => {
  it("starts early enough for all rounds and the margin, never before now, and says when it cannot make it", () => {
    const now = 1_000_000_000;
    const plan = planSession(30, 10 * MIN, 3, now + 6 * 3_600_000, now);
    // 30 clusters, 2 at a time: 15 rounds of 10 minutes = 150 minutes, plus 15 minutes of margin.
    expect(plan).toEqual({ slots: 2, estimateMs: 165 * MIN, provisionAt: now + 6 * 3_600_000 - 165 * MIN, readyBy: now + 6 * 3_600_000 - 15 * MIN, inTime: true });
    const tight = planSession(30, 10 * MIN, 3, now + 60 * MIN, now);
    expect(tight).toMatchObject({ provisionAt: now, readyBy: now + 150 * MIN, inTime: false });
    // One slot: the session never waits for a slot it would leave free.
    expect(planSession(3, MIN, 1, now + 10 * MIN, now)).toMatchObject({ slots: 1, estimateMs: 4 * MIN });
  });
});

function berlin(ms: number): string {
  return new Date(ms + 3_600_000).toISOString().slice(11, 16);
}
