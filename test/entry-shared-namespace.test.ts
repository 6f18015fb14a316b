// The real entry point for a stack that shares dev's cluster, asking for a namespace dev's stack file
// doesn't serve: infra/index.ts reads the owner's file and stops before anything registers, GitHub side
// included. (The deploy-time check against the owner's outputs only covers owners in other projects.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ownerNamespacesFrom } from "../infra/stack-files.ts";
import { installMocks, PROJECT, REPO_ROOT, stackFileConfig } from "./support.ts";

test("ownerNamespacesFrom reads a cluster owner's appNamespaces from this project's stack files only", () => {
    const owner = ownerNamespacesFrom(path.join(REPO_ROOT, "stacks"));
    assert.deepEqual(owner("organization/gitops-platform/dev"), ["dev", "stage"]);
    assert.deepEqual(owner("dev"), ["dev", "stage"]);
    assert.equal(owner("organization/other-project/dev"), undefined, "another project's stack");
    assert.equal(owner("organization/gitops-platform/nope"), undefined, "no stack file");
    assert.equal(owner("stage"), undefined, "a stack without a cluster of its own");
    // A section stored as JSON text, as `pulumi new` stores its answers, reads the same.
    const dir = mkdtempSync(path.join(tmpdir(), "owner-json-"));
    writeFileSync(path.join(dir, "Pulumi.qa.yaml"), `config:\n  gitops-platform:cluster: '{"mode":"aks","name":"qa","appNamespaces":["qa","uat"]}'\n`);
    assert.deepEqual(ownerNamespacesFrom(dir)("qa"), ["qa", "uat"]);
    rmSync(dir, { recursive: true, force: true });
});

test("stage asking for a namespace dev doesn't serve stops infra/index.ts before any resource is registered", async () => {
    const config = stackFileConfig("stage");
    const gh = config[`${PROJECT}:github`] as Record<string, any>;
    config[`${PROJECT}:github`] = { ...gh, environment: { ...gh.environment, namespace: "qa" } };
    const rec = installMocks({ stack: "stage", config });
    await assert.rejects(import("../infra/index.ts"), (e: Error) => {
        assert.equal(e.name, "ConfigError");
        assert.equal(
            e.message,
            [
                "Invalid stack configuration in stacks/Pulumi.stage.yaml:",
                "  - gitops-platform:github.environment.namespace: 'qa' is not one of the appNamespaces of the cluster this stack shares (dev, stage, in stack dev)",
            ].join("\n"),
        );
        return true;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(rec.registrations, []);
});
