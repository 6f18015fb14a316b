// `npm run plan -- --all --policy` on the command line, in one run (each stack is a child process, so a
// run of every stack is the expensive part): in a copy of the repository whose prod stack file no
// longer protects the cluster, it exits 1 naming the policy, the resource and the reason, while the
// shipped dev, edge and stage files report no mandatory violation (stage's advisory one is a warning).
// Shipped prod passes under its policy config in policy-prod.test.ts, in-process; the pull-request
// workflow runs the same command on the shipped stacks and fails on a mandatory violation. The same run
// checks `--all`'s rules across stacks: stage's environment renamed to dev's is claimed twice (one run of
// every stack costs as much as the rest of the plan tests' runs together).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { runPlan, scratchRepo } from "./support.ts";

test("--all --policy: a prod stack file without cluster.protect breaks a mandatory policy and exits 1; the other stacks pass; --all fails when two stacks claim the same GitHub environment", () => {
    const dir = scratchRepo();
    const file = path.join(dir, "stacks", "Pulumi.prod.yaml");
    const prod = YAML.parse(readFileSync(file, "utf8"));
    delete prod.config["gitops-platform:cluster"].protect;
    writeFileSync(file, YAML.stringify(prod));
    const stageFile = path.join(dir, "stacks", "Pulumi.stage.yaml");
    const stage = YAML.parse(readFileSync(stageFile, "utf8"));
    stage.config["gitops-platform:github"].environment.name = "az-vote-app-dev";
    writeFileSync(stageFile, YAML.stringify(stage));
    const r = runPlan(["--all", "--policy"], dir);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(
        r.stderr,
        "across stacks: environment az-vote-app-dev of your-github-org/arc-cicd-demo-src: claimed by stacks dev, stage; exactly one stack may own it\n",
    );
    const heads = r.stdout.split("\n").filter((l) => l.startsWith("Policies for stack "));
    assert.deepEqual(heads.map((l) => l.replace(/: \d+ passed,/, ": N passed,")), [
        "Policies for stack dev (no policy config: default levels): N passed, 0 mandatory and 0 advisory violations, 4 not checkable offline",
        "Policies for stack edge (no policy config: default levels): N passed, 0 mandatory and 0 advisory violations, 1 not checkable offline",
        "Policies for stack fleet (no policy config: default levels): N passed, 0 mandatory and 0 advisory violations, 2 not checkable offline",
        "Policies for stack private (no policy config: default levels): N passed, 0 mandatory and 0 advisory violations, 6 not checkable offline",
        // prod's Flux identity AcrPull adds one: its scope is known only after apply.
        "Policies for stack prod (policy/config/prod.json): N passed, 1 mandatory and 0 advisory violations, 4 not checkable offline",
        "Policies for stack stage (no policy config: default levels): N passed, 0 mandatory and 1 advisory violations, 0 not checkable offline",
    ]);
    assert.ok(r.stdout.includes(
        "  error: [mandatory] aks-production-protected: azure-native:containerservice:ManagedCluster::arc-cicd-prod-aks\n" +
        "      the cluster is not protected: a pulumi destroy or a replacing change would delete it; set cluster.protect: true\n",
    ), r.stdout);
    assert.ok(r.stdout.includes(
        // Stage's environment, renamed above (dev's own has no protection rules, so no warning).
        "  warning: [advisory] github-protected-environment-complete: github:index/repositoryEnvironment:RepositoryEnvironment::arc-cicd-demo-src-az-vote-app-dev-environment\n" +
        "      canAdminsBypass is not false: repository admins can deploy past the reviewers (github.environment.canAdminsBypass: false)\n",
    ), r.stdout);
    assert.ok(r.stdout.includes(
        "  not checked: no-subscription-scope-role-assignments: azure-native:authorization:RoleAssignment::arccicddemoacr-acrpull: RoleAssignment.scope is known only after apply (checked by the pack at pulumi up)\n",
    ), r.stdout);
});
