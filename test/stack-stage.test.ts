// The stage stack through the real entry point: it shares dev's cluster and must manage nothing there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEV_OUTPUTS, duplicates, runStack, unwrap } from "./support.ts";

const run = runStack("stage", {}, {
    state: ({ type, inputs }) =>
        type === "pulumi:pulumi:StackReference" && inputs.name === "organization/gitops-platform/dev"
            ? { outputs: DEV_OUTPUTS, secretOutputNames: [] }
            : undefined,
});

test("stage registers only a StackReference to dev: no cloud object is managed twice", async () => {
    const { rec } = await run;
    assert.deepEqual(duplicates(rec), []);
    assert.deepEqual(
        rec.registrations.map((r) => `${r.type}::${r.name}`),
        ["pulumi:pulumi:StackReference::organization/gitops-platform/dev"],
    );
    assert.deepEqual(rec.invocations, [], "stage looks nothing up in Azure");
});

test("stage exports dev's cluster contract unchanged", async () => {
    const { outputs } = await run;
    assert.deepEqual(unwrap(outputs), DEV_OUTPUTS);
    assert.ok(unwrap(outputs).appNamespaces.includes("stage"), "dev's cluster serves the stage namespace");
});
