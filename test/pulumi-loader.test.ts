// The program as `pulumi up` loads it: through Pulumi's own ts-node registration (type-checked), not tsx.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { DEV_OUTPUTS } from "./support.ts";

test("infra/index.ts loads and runs the dev stack under Pulumi's TypeScript loader", () => {
    const out = execFileSync(process.execPath, [path.join(__dirname, "pulumi-loader.cjs"), "dev", JSON.stringify({ connectorPat: "x", appRepoPat: "y" })], {
        encoding: "utf8",
        env: { ...process.env, PULUMI_NODEJS_TRANSPILE_ONLY: "" },
        timeout: 120_000,
    });
    const result = JSON.parse(out);
    assert.deepEqual(result.outputs, Object.keys(DEV_OUTPUTS).sort());
    assert.equal(result.registrations.length, 45, "the same 45 registrations stack-dev.test.ts lists");
    assert.ok(result.registrations.includes("azure-native:kubernetesconfiguration:FluxConfiguration::arc-cicd-cluster-flux-cluster-config"));
    assert.ok(result.registrations.includes("github:index/actionsSecret:ActionsSecret::arc-cicd-demo-src-secrets-azure-credentials"));
});
