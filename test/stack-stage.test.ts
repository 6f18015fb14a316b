// The stage stack through the real entry point: it shares dev's cluster and manages nothing there; it
// owns only its GitHub environment, which waits for a reviewer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertWellFormedTree, dependsOn, DEV_OUTPUTS, duplicates, isSecretValue, isTopLevel, one, runStack, unwrap, deletedWithKeys, destroyPlanOf } from "./support.ts";

const run = runStack("stage", {}, {
    state: ({ type, inputs }) =>
        type === "pulumi:pulumi:StackReference" && inputs.name === "organization/gitops-platform/dev"
            ? { outputs: DEV_OUTPUTS, secretOutputNames: [] }
            : undefined,
});

test("stage manages nothing in Azure or on the cluster: one StackReference to dev, and its GitHub environment", async () => {
    const { rec } = await run;
    assert.deepEqual(duplicates(rec), []);
    assert.deepEqual(rec.registrations.map((r) => `${r.type}::${r.name}`).sort(), [
        "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret::arc-cicd-demo-src-az-vote-app-stage-environment-name",
        "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret::arc-cicd-demo-src-az-vote-app-stage-target-namespace",
        "github:index/repositoryEnvironment:RepositoryEnvironment::arc-cicd-demo-src-az-vote-app-stage-environment",
        "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy::arc-cicd-demo-src-az-vote-app-stage-branch-0",
        "gitops:github:Environment::arc-cicd-demo-src-az-vote-app-stage",
        "pulumi:providers:github::github",
        "pulumi:pulumi:StackReference::organization/gitops-platform/dev",
    ]);
    assert.deepEqual(rec.invocations.filter((i) => !i.token.startsWith("github:")), [], "stage looks nothing up in Azure");
    assertWellFormedTree(rec, isTopLevel);
});

test("stage exports dev's cluster contract, and its own environment", async () => {
    const { outputs } = await run;
    const { githubEnvironment, ciClientId, ciPrincipalId, ciMode, ...cluster } = DEV_OUTPUTS;
    assert.deepEqual(unwrap(outputs), { ...cluster, githubEnvironment: "az-vote-app-stage" });
    assert.ok(unwrap(outputs).appNamespaces.includes("stage"), "dev's cluster serves the stage namespace");
});

test("az-vote-app-stage: ENVIRONMENT_NAME Stage, TARGET_NAMESPACE stage, no cluster override (same cluster as the repository level)", async () => {
    const { rec } = await run;
    const secrets = rec.registrations.filter((r) => r.type === "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret");
    assert.deepEqual(Object.fromEntries(secrets.map((r) => [r.inputs.secretName, unwrap(r.inputs.plaintextValue)])), { ENVIRONMENT_NAME: "Stage", TARGET_NAMESPACE: "stage" });
    for (const r of secrets) {
        assert.ok(isSecretValue(r.inputs.plaintextValue));
        assert.equal(r.inputs.environment, "az-vote-app-stage");
        assert.equal(r.inputs.repository, "arc-cicd-demo-src");
    }
});

test("az-vote-app-stage is protected: a required reviewer (who may approve a run the connector's PAT triggered), deployments only from master", async () => {
    const { rec } = await run;
    const env = one(rec, "github:index/repositoryEnvironment:RepositoryEnvironment", "arc-cicd-demo-src-az-vote-app-stage-environment");
    assert.deepEqual(env.inputs.reviewers, [{ users: [1017], teams: [] }]);
    assert.equal(env.inputs.preventSelfReview, false);
    assert.equal(env.inputs.canAdminsBypass, true);
    assert.equal(env.inputs.waitTimer, 0);
    assert.deepEqual(env.inputs.deploymentBranchPolicy, { protectedBranches: false, customBranchPolicies: true });
    const policy = one(rec, "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy", "arc-cicd-demo-src-az-vote-app-stage-branch-0");
    assert.deepEqual([policy.inputs.environment, policy.inputs.branchPattern], ["az-vote-app-stage", "master"]);
    assert.ok(dependsOn(rec, policy, env));
    assert.deepEqual(rec.invocations.filter((i) => i.token === "github:index/getUser:getUser").map((i) => i.inputs), [{ username: "your-github-login" }]);
});

test("teardown: stage creates nothing on a cluster, so nothing goes with one", async () => {
    const { rec } = await run;
    assert.deepEqual(deletedWithKeys(rec), {});
    const d = await destroyPlanOf("stage", rec);
    assert.deepEqual(d.steps.map((s) => [s.key, s.start, s.finish]), [
        ["github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret::arc-cicd-demo-src-az-vote-app-stage-environment-name", 0, 5],
        ["github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret::arc-cicd-demo-src-az-vote-app-stage-target-namespace", 0, 5],
        ["github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy::arc-cicd-demo-src-az-vote-app-stage-branch-0", 0, 5],
        ["pulumi:pulumi:StackReference::organization/gitops-platform/dev", 5, 5],
        ["github:index/repositoryEnvironment:RepositoryEnvironment::arc-cicd-demo-src-az-vote-app-stage-environment", 5, 10],
        ["pulumi:providers:github::github", 10, 10],
    ]);
    assert.deepEqual(d.skipped, []);
});
