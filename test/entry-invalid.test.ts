// The real entry point with a broken stack file: it must fail with the config error and register
// nothing at all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { installMocks, PROJECT, stackFileConfig } from "./support.ts";

test("an invalid dev stack file stops infra/index.ts before any resource is registered", async () => {
    const config = stackFileConfig("dev");
    const registry = config[`${PROJECT}:registry`] as Record<string, unknown>;
    config[`${PROJECT}:registry`] = { ...registry, name: "arc-demo-acr" };
    // The connector PAT is deliberately not set either.
    const rec = installMocks({ stack: "dev", config });

    await assert.rejects(import("../infra/index.ts"), (e: Error) => {
        assert.equal(e.name, "ConfigError");
        assert.equal(
            e.message,
            [
                "Invalid stack configuration in stacks/Pulumi.dev.yaml:",
                "  - gitops-platform:registry.name: expected 5-50 letters or digits (ACR names allow no '-')",
            ].join("\n"),
        );
        return true;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(rec.registrations, []);
    assert.deepEqual(rec.invocations, []);
});
