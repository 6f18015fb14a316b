// The real entry point in a project renamed in Pulumi.yaml: every config key would be read under the
// wrong namespace, so it stops with a config error that says why, and registers nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { installMocks, PROJECT, REPO_ROOT, stackFileConfig } from "./support.ts";

test("a project renamed in Pulumi.yaml stops infra/index.ts with a config error before anything registers", async () => {
    const rec = installMocks({ project: "my-platform", stack: "dev", config: stackFileConfig("dev") });
    await assert.rejects(import("../infra/index.ts"), (e: Error) => {
        assert.equal(e.name, "ConfigError");
        assert.equal(
            e.message,
            `Invalid stack configuration in stacks/Pulumi.dev.yaml:\n  - Pulumi.yaml: the project is named 'my-platform'; this program's config keys live under '${PROJECT}:'`,
        );
        return true;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(rec.registrations, []);
});

test("the program's PROJECT is the name in Pulumi.yaml", () => {
    const name = /^name:\s*(\S+)\s*$/m.exec(readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"))?.[1];
    assert.equal(name, PROJECT);
});
