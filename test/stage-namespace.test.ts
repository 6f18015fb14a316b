// A stack on a shared cluster can only check its TARGET_NAMESPACE against the owner's outputs, at
// deploy time: the environment secret then fails with a message naming the stack file and the key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEV_OUTPUTS, runStack } from "./support.ts";

test("stage fails its TARGET_NAMESPACE secret when dev's cluster doesn't serve the stage namespace", async () => {
    // The failure surfaces the way the engine would see it: the secret's input rejects. Catch it here
    // instead of letting the test runner report it as an unhandled rejection.
    const rejections: Error[] = [];
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", (e) => rejections.push(e as Error));
    const { rec } = await runStack("stage", {}, {
        state: ({ type }) => (type === "pulumi:pulumi:StackReference" ? { outputs: { ...DEV_OUTPUTS, appNamespaces: ["dev"] }, secretOutputNames: [] } : undefined),
    });
    await new Promise((r) => setTimeout(r, 200));
    const names = rec.registrations.filter((r) => r.type === "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret").map((r) => r.inputs.secretName);
    assert.deepEqual(names, ["ENVIRONMENT_NAME"], "TARGET_NAMESPACE is not created");
    // The one failure reaches every promise chained on it; each carries the message.
    assert.ok(rejections.length > 0);
    for (const e of rejections) assert.match(e.message, /stacks\/Pulumi\.stage\.yaml: github\.environment\.namespace 'stage' is not served by the cluster \(dev\)/);
});
