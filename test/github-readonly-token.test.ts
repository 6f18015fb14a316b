// The dev stack run with a GitHub token that has no push access to the GitOps repo, such as the read-only
// preview token: GitHub then omits the repo's merge settings, and the provider reports false and "". The
// program must warn and say which permission would let it check, never fail on data it can't see.
import { test } from "node:test";
import assert from "node:assert/strict";
import { one, runStack, unwrap } from "./support.ts";

const warnings: string[] = [];
const warn = console.warn;
console.warn = (...args: unknown[]) => {
    warnings.push(args.map(String).join(" "));
};
const run = runStack("dev", { connectorPat: "CANARY-connector-pat", appRepoPat: "CANARY-app-pat" }, { githubTokenAccess: "read" });

test("a token without push access to the GitOps repo gets a warning naming the permission, and the stack still deploys", async () => {
    const { rec } = await run;
    console.warn = warn;
    const manifestsRepo = one(rec, "github:index/actionsSecret:ActionsSecret", "arc-cicd-demo-src-secrets-manifests-repo");
    assert.equal(unwrap(manifestsRepo.inputs.plaintextValue), "https://github.com/your-github-org/arc-cicd-demo-gitops");
    const relevant = warnings.filter((w) => w.includes("merge commits"));
    assert.equal(relevant.length, 1, warnings.join("\n"));
    assert.match(
        relevant[0],
        /^warning: \[runtime\] stacks\/Pulumi\.dev\.yaml: can't check that your-github-org\/arc-cicd-demo-gitops allows merge commits with GitHub's default message .*Give the GitHub token Contents: write on your-github-org\/arc-cicd-demo-gitops \(classic: repo\) to have it checked/,
    );
});
