import { it } from "vitest";
import { makeCore } from "../helpers/harness.ts";
it("scratch", async () => {
  const t = await makeCore();
  const show = (r: unknown) => console.log(JSON.stringify(r, null, 1));
  show(await t.cmd("console:ada", "class create lab5 workers=1"));
  show(await t.cmd("console:ada", "class create lab5 workers=0 at=+3h"));
  show(await t.cmd("console:ada", "class status lab5"));
  await t.close();
});
