// The one list of invokes (scripts/lib/invokes.ts) and its two answerers: the tests' fixed values
// (test/support.ts) and the offline plan's unknowns. Both answer exactly the listed tokens with exactly
// the listed fields, so the plan and the tests can't drift apart.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { INVOKES, unknownResult, type InvokeToken } from "../scripts/lib/invokes.ts";
import { defaultCalls, installMocks } from "./support.ts";

const rec = installMocks();
const tokens = Object.keys(INVOKES) as InvokeToken[];

/** Inputs for any handler: every field is a string shaped like "owner/name". */
const anyInputs = new Proxy({}, { get: (_, key) => (typeof key === "string" ? "owner/name" : undefined) }) as Record<string, any>;

test("the tests answer every listed invoke, and only those, with exactly its fields", () => {
    assert.deepEqual(Object.keys(defaultCalls).sort(), [...tokens].sort());
    for (const token of tokens) {
        const result = (defaultCalls[token] as (i: Record<string, any>) => Record<string, unknown>)(anyInputs);
        assert.deepEqual(Object.keys(result).sort(), [...INVOKES[token]].sort(), token);
    }
});

test("the offline plan answers every listed invoke with each field unknown, and refuses any other", () => {
    for (const token of tokens) {
        const result = unknownResult(token);
        assert.deepEqual(Object.keys(result), [...INVOKES[token]], token);
        for (const v of Object.values(result)) assert.equal(v, pulumi.runtime.unknownValue, token);
    }
    assert.throws(() => unknownResult("azure-native:storage:listStorageAccountKeys"), {
        message: "invoke azure-native:storage:listStorageAccountKeys is not in scripts/lib/invokes.ts: add it there with the fields the program reads",
    });
});

test("under the test mocks, an invoke that isn't listed fails; a listed one gets its fields", async () => {
    // The SDK's mock monitor drops the error's message on the way back, so only the failure shows.
    await assert.rejects(pulumi.runtime.invoke("azure-native:storage:listStorageAccountKeys", {}));
    const config = await pulumi.runtime.invoke("azure-native:authorization:getClientConfig", {});
    assert.deepEqual(Object.keys(config).sort(), [...INVOKES["azure-native:authorization:getClientConfig"]].sort());
    assert.deepEqual(rec.invocations.map((i) => i.token), ["azure-native:storage:listStorageAccountKeys", "azure-native:authorization:getClientConfig"]);
});
