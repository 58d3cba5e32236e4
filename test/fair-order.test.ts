import { describe, expect, it } from "vitest";
import { fairOrder } from "../src/jobs/fair-order.ts";

const job = (id: number, owner: string, tenant = "cs401", kind: "provision" | "destroy" = "provision") => ({ id, owner, tenant, kind, created_at: id });

describe("fairOrder", () => {
  it("runs a classmate's single request before a student's second to fifth", () => {
    const queued = [1, 2, 3, 4, 5].map((i) => job(i, "bob")).concat(job(6, "carol"));
    expect(fairOrder(queued, []).map((j) => j.id)).toEqual([1, 6, 2, 3, 4, 5]);
  });

  it("counts jobs already running for the same owner", () => {
    const queued = [job(2, "bob"), job(3, "carol")];
    expect(fairOrder(queued, [{ owner: "bob", tenant: "cs401" }]).map((j) => j.id)).toEqual([3, 2]);
  });

  it("alternates tenants among equally ranked jobs and puts destroys first", () => {
    const queued = [job(1, "a"), job(2, "b"), job(3, "c"), job(4, "d", "dsg"), job(5, "e", "cs401", "destroy")];
    expect(fairOrder(queued, []).map((j) => j.id)).toEqual([5, 1, 4, 2, 3]);
  });
});
