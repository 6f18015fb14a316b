// The policy pack's wiring: the Pulumi job runs it on every preview and up (with the stack's policy
// config when there is one), the pull-request workflow runs it offline for every stack (forks
// included), and the pack is the local TypeScript pack the CLI loads from a clone after `npm ci`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { resolvePolicies } from "../policy/policies.ts";
import { REPO_ROOT, shippedStacks } from "./support.ts";

const workflow = (f: string) => YAML.parse(readFileSync(path.join(REPO_ROOT, ".github", "workflows", f), "utf8"));

test("pulumi/actions runs the pack in policy/ with the stack's policy config, if it has one", () => {
    const step = workflow("pulumi.yml").jobs.pulumi.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    assert.equal(step.with.policyPacks, "policy");
    assert.equal(
        step.with.policyPackConfigs,
        "${{ hashFiles(format('policy/config/{0}.json', inputs.stack)) != '' && format('policy/config/{0}.json', inputs.stack) || '' }}",
    );
});

test("the offline-plan job runs every stack's policies, keeps the exit status and writes the report to the summary", () => {
    const steps = workflow("pull-request.yml").jobs["offline-plan"].steps;
    const policy = steps.find((s: any) => typeof s.run === "string" && s.run.includes("--policy"));
    assert.ok(policy, "a policy step in offline-plan, which runs without credentials");
    assert.match(policy.run, /^npm run --silent plan -- --all --policy > "\$RUNNER_TEMP\/policy-report\.txt" \|\| status=\$\?$/m);
    assert.match(policy.run, />> "\$GITHUB_STEP_SUMMARY"/);
    assert.match(policy.run, /exit "\$status"\n?$/);
    assert.equal(policy.env, undefined, "no secrets, no environment: fork PRs run it too");
});

test("the pack is a local TypeScript pack whose dependencies resolve from the root's node_modules", () => {
    const pack = YAML.parse(readFileSync(path.join(REPO_ROOT, "policy", "PulumiPolicy.yaml"), "utf8"));
    assert.deepEqual(pack.runtime, { name: "nodejs", options: { typescript: true } });
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "policy", "package.json"), "utf8"));
    // PolicyPack reads its version from the package.json in the folder the CLI runs it in.
    assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
    assert.equal(pkg.main, "index.ts");
    assert.equal(pkg.dependencies, undefined, "nothing to install in policy/: a second @pulumi/pulumi there would differ from the program's");
    const root = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    assert.equal(root.dependencies["@pulumi/policy"], "1.21.0");
    assert.ok(existsSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack")), "the runner the CLI's analyzer shim resolves from policy/");
    // Pulumi's runner reads policy/tsconfig.json without following `extends`: it states what the
    // sources need (.ts import extensions, nodenext) itself.
    const ts = JSON.parse(readFileSync(path.join(REPO_ROOT, "policy", "tsconfig.json"), "utf8")).compilerOptions;
    assert.equal(ts.extends, undefined);
    assert.equal(ts.allowImportingTsExtensions, true);
    assert.equal(ts.module, "nodenext");
});

test("every policy config file is for a shipped stack and valid", () => {
    const files = readdirSync(path.join(REPO_ROOT, "policy", "config"));
    assert.deepEqual(files, ["prod.json"]);
    for (const f of files) {
        assert.ok(shippedStacks().includes(f.replace(/\.json$/, "")), f);
        const resolved = resolvePolicies(JSON.parse(readFileSync(path.join(REPO_ROOT, "policy", "config", f), "utf8")), `policy/config/${f}`);
        assert.deepEqual(resolved.filter((r) => r.settings.production).map((r) => [r.policy.name, r.level]), [
            ["aks-production-local-accounts-off-entra-on", "mandatory"],
            ["aks-production-protected", "mandatory"],
        ]);
    }
});
