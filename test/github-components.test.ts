// The GitHub and CI-identity components on their own, and createPlatform in OIDC mode with renamed
// secrets.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import { CI_IDENTITY_DEFAULTS, CiIdentity, ciRefProblem, environmentSubject, GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_ISSUER, refSubject } from "../components/ci-identity.ts";
import {
    AppRepositorySettings, DeployKey, Environment, ENVIRONMENT_DEFAULTS, environmentProtectionProblems, githubOwnerProblem, mergeCommitCheck, RepositorySecrets, secretNameProblem,
    secretNameProblems,
} from "../components/github.ts";
import { createPlatform } from "../infra/platform.ts";
import { assertWellFormedTree, find, installMocks, isSecretValue, isTopLevel, one, parseStack, settle, SUB, unwrap } from "./support.ts";

const rec = installMocks();
const provider = new github.Provider("gh", { owner: "contoso" });

const oidcIdentity = new CiIdentity("oidc-ci", {
    displayName: "github-contoso-app",
    mode: "oidc",
    registryId: "/subscriptions/s/acr",
    clusters: { blue: "/subscriptions/s/blue", green: "/subscriptions/s/green" },
    federatedSubjects: { "env-prod": environmentSubject("contoso", "app", "prod"), "heads-main": refSubject("contoso", "app", "refs/heads/main") },
});
const settings = new AppRepositorySettings("app-settings", { repository: "app", workflowPermissions: "read", actionsEnabled: false }, { providers: { github: provider } });
const key = new DeployKey("flux-key", { repository: "gitops", title: "flux" }, { providers: { github: provider } });
const env = new Environment(
    "app-qa",
    { repository: "app", environment: "qa", secrets: { TARGET_NAMESPACE: "qa" }, protection: { reviewerTeams: ["qa-team"], waitTimer: 5, branches: ["main", "release/*"] } },
    { providers: { github: provider } },
);

// createPlatform with the identity in OIDC mode and a renamed secret.
const oidcStack = parseStack("oidc", {
    azure: { location: "westeurope", resourceGroup: "rg-oidc" },
    cluster: { mode: "aks", name: "oidc-aks", appNamespaces: ["oidc", "stage"] },
    registry: { mode: "create", name: "oidcacr" },
    flux: { configurations: [{ name: "cfg", url: "https://github.com/contoso/gitops", branch: "main", kustomizations: [{ name: "k", path: "clusters/oidc/manifests" }] }] },
    github: {
        owner: "contoso",
        appRepo: "oidc-app",
        repository: { ciIdentity: { mode: "oidc", environments: ["az-vote-app-oidc", "az-vote-app-stage"] }, requireMergeCommits: false },
        secretNames: { AZ_ACR_NAME: "ACR_NAME", TARGET_NAMESPACE: "K8S_NAMESPACE" },
    },
});
createPlatform(oidcStack, (k) => pulumi.secret(`secret-${k}`));
const ready = settle(provider, oidcIdentity, settings, key, env);

test("OIDC identity: a federated credential per environment subject and ref, GitHub's issuer and audience, no client secret", async () => {
    await ready;
    const fics = find(rec, "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential").filter((r) => r.name.startsWith("oidc-ci-"));
    assert.deepEqual(
        fics.map((r) => [r.name, r.inputs.subject, r.inputs.issuer, r.inputs.audiences, r.inputs.applicationId]).sort(),
        [
            ["oidc-ci-fic-env-prod", "repo:contoso/app:environment:prod", GITHUB_OIDC_ISSUER, [GITHUB_OIDC_AUDIENCE], "oidc-ci-app-id"],
            ["oidc-ci-fic-heads-main", "repo:contoso/app:ref:refs/heads/main", GITHUB_OIDC_ISSUER, [GITHUB_OIDC_AUDIENCE], "oidc-ci-app-id"],
        ],
    );
    assert.equal(GITHUB_OIDC_ISSUER, "https://token.actions.githubusercontent.com");
    assert.equal(GITHUB_OIDC_AUDIENCE, "api://AzureADTokenExchange");
    assert.deepEqual(find(rec, "azuread:index/applicationPassword:ApplicationPassword", "oidc-ci-secret"), []);
    assert.equal(oidcIdentity.clientSecret, undefined);
    const roles = find(rec, "azure-native:authorization:RoleAssignment").filter((r) => r.name.startsWith("oidc-ci-"));
    assert.deepEqual(roles.map((r) => [r.name, r.inputs.scope]).sort(), [
        ["oidc-ci-acr-tasks", "/subscriptions/s/acr"],
        ["oidc-ci-acrpush", "/subscriptions/s/acr"],
        ["oidc-ci-blue-user", "/subscriptions/s/blue"],
        ["oidc-ci-green-user", "/subscriptions/s/green"],
    ]);
});

test("OIDC through createPlatform: AZURE_CLIENT_ID/TENANT_ID/SUBSCRIPTION_ID instead of AZURE_CREDENTIALS, and renamed secrets", async () => {
    await ready;
    const repo = find(rec, "github:index/actionsSecret:ActionsSecret").filter((r) => r.inputs.repository === "oidc-app");
    const values = Object.fromEntries(repo.map((r) => [r.inputs.secretName, unwrap(r.inputs.plaintextValue)]));
    assert.equal(values.AZURE_CREDENTIALS, undefined);
    assert.equal(values.AZURE_CLIENT_ID, "client-of-oidc-app-ci-app");
    assert.equal(values.AZURE_TENANT_ID, "22222222-2222-2222-2222-222222222222");
    assert.equal(values.AZURE_SUBSCRIPTION_ID, SUB);
    assert.equal(values.ACR_NAME, "oidcacr", "AZ_ACR_NAME renamed");
    const env = find(rec, "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret").filter((r) => r.inputs.repository === "oidc-app");
    assert.deepEqual(env.map((r) => [r.inputs.environment, r.inputs.secretName, unwrap(r.inputs.plaintextValue)]).sort(), [
        ["az-vote-app-oidc", "ENVIRONMENT_NAME", "Oidc"],
        ["az-vote-app-oidc", "K8S_NAMESPACE", "oidc"],
    ], "environment-level secrets are renamed too");
    assert.equal(values.AZ_ACR_NAME, undefined);
    assert.equal(values.MANIFESTS_FOLDER, "clusters/oidc");
    assert.equal(values.MANIFESTS_BRANCH, "main");
    for (const r of repo) assert.ok(isSecretValue(r.inputs.plaintextValue));
    const subjects = find(rec, "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential")
        .filter((r) => r.name.startsWith("oidc-app-ci-"))
        .map((r) => r.inputs.subject)
        .sort();
    assert.deepEqual(subjects, [
        "repo:contoso/oidc-app:environment:az-vote-app-oidc",
        "repo:contoso/oidc-app:environment:az-vote-app-stage",
        "repo:contoso/oidc-app:ref:refs/heads/master",
    ]);
    assert.deepEqual(rec.invocations.filter((i) => i.token === "github:index/getRepository:getRepository"), [], "requireMergeCommits: false skips the check");
});

test("a client-secret identity needs a lifetime; federated subjects belong to OIDC mode", () => {
    const base = { displayName: "x", registryId: "r", clusters: {} };
    const refused = (property: string, reason: RegExp) => (e: pulumi.InputPropertiesError) => {
        assert.ok(pulumi.InputPropertiesError.isInstance(e));
        assert.equal(e.errors.length, 1);
        assert.equal(e.errors[0].propertyPath, property);
        assert.match(e.errors[0].reason, reason);
        return true;
    };
    // As JavaScript callers could: the types require the lifetime and keep subjects to oidc mode.
    assert.throws(() => new CiIdentity("bad1", { ...base, mode: "clientSecret" } as any), refused("secretLifetime", /secretLifetime is required with mode clientSecret/));
    assert.throws(() => new CiIdentity("bad1", { ...base, mode: "clientSecret" } as any), /CiIdentity bad1 has invalid arguments/);
    assert.throws(
        () => new CiIdentity("bad2", { ...base, mode: "clientSecret", secretLifetime: "1h", federatedSubjects: { a: "b" } } as any),
        refused("federatedSubjects", /federatedSubjects apply to mode oidc only/),
    );
    assert.throws(() => new CiIdentity("bad3", { ...base, mode: "clientSecret", secretLifetime: "6 months" }), refused("secretLifetime", /^expected hours, such as 4380h$/));
    assert.equal(CI_IDENTITY_DEFAULTS.secretLifetime, "4380h");
    assert.deepEqual(CI_IDENTITY_DEFAULTS.refs, ["refs/heads/master"]);
    assert.equal(ciRefProblem("refs/heads/main"), undefined);
    assert.equal(ciRefProblem("main"), "expected a ref such as refs/heads/master");
});

test("repository settings: Actions and the workflow token as configured", async () => {
    await ready;
    assert.equal(one(rec, "github:index/actionsRepositoryPermissions:ActionsRepositoryPermissions", "app-settings-actions").inputs.enabled, false);
    assert.equal(one(rec, "github:index/workflowRepositoryPermissions:WorkflowRepositoryPermissions", "app-settings-workflow-token").inputs.defaultWorkflowPermissions, "read");
});

test("the deploy key is read-only, from a generated key, and its private half is a secret", async () => {
    await ready;
    const dk = one(rec, "github:index/repositoryDeployKey:RepositoryDeployKey", "flux-key-deploy-key").inputs;
    assert.equal(dk.readOnly, true);
    assert.equal(dk.key, "ecdsa-sha2-nistp384 PUBLIC-KEY-OF-flux-key-key");
    assert.ok(await pulumi.isSecret(key.privateKeyPem));
});

test("an environment with teams, a wait timer and branch patterns", async () => {
    await ready;
    const e = one(rec, "github:index/repositoryEnvironment:RepositoryEnvironment", "app-qa-environment").inputs;
    assert.deepEqual(e.reviewers, [{ users: [], teams: [5007] }]);
    assert.equal(e.waitTimer, 5);
    assert.deepEqual(e.deploymentBranchPolicy, { protectedBranches: false, customBranchPolicies: true });
    assert.deepEqual(
        find(rec, "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy").filter((r) => r.name.startsWith("app-qa-")).map((r) => r.inputs.branchPattern),
        ["main", "release/*"],
    );
});

test("invalid secret names, too many reviewers and bad wait timers are refused", () => {
    assert.equal(secretNameProblem("AZ_ACR_NAME"), undefined);
    assert.equal(secretNameProblem("GITHUB_TOKEN"), "names starting with GITHUB_ are reserved by GitHub");
    assert.equal(secretNameProblem("az-acr"), "expected an Actions secret name");
    assert.deepEqual(secretNameProblems("GITHUB_x"), ["expected an Actions secret name", "names starting with GITHUB_ are reserved by GitHub"]);
    const refused = (component: RegExp, errors: { propertyPath: string; reason: string }[]) => (e: pulumi.InputPropertiesError) => {
        assert.ok(pulumi.InputPropertiesError.isInstance(e));
        assert.match(e.message, component);
        assert.deepEqual(e.errors, errors);
        return true;
    };
    assert.throws(
        () => new RepositorySecrets("bad-secrets", { repository: "app", secrets: { GITHUB_X: "v" } }),
        refused(/^RepositorySecrets bad-secrets has invalid arguments/, [{ propertyPath: "secrets.GITHUB_X", reason: "names starting with GITHUB_ are reserved by GitHub" }]),
    );
    assert.throws(
        () => new Environment("bad-env", { repository: "app", environment: "e", secrets: {}, protection: { reviewerUsers: ["a", "b", "c", "d", "e", "f", "g"] } }),
        refused(/^Environment bad-env has invalid arguments/, [{ propertyPath: "protection.reviewers", reason: "at most 6 reviewers (users and teams together), got 7" }]),
    );
    assert.throws(
        () => new Environment("bad-wait", { repository: "app", environment: "e", secrets: {}, protection: { waitTimer: 50000 } }),
        refused(/^Environment bad-wait has invalid arguments/, [{ propertyPath: "protection.waitTimer", reason: "expected 0-43200 minutes" }]),
    );
    assert.throws(
        () => new Environment("bad-names", { repository: "app", environment: "e", secrets: { "az-acr": "v" }, protection: { reviewerUsers: ["not a login"], reviewerTeams: ["Team"] } }),
        refused(/^Environment bad-names has invalid arguments/, [
            { propertyPath: "secrets.az-acr", reason: "expected an Actions secret name" },
            { propertyPath: "protection.reviewerUsers.0", reason: "expected a GitHub login" },
            { propertyPath: "protection.reviewerTeams.0", reason: "expected a team slug" },
        ]),
    );
    assert.equal(githubOwnerProblem("contoso"), undefined);
    assert.equal(githubOwnerProblem("-contoso"), "expected a GitHub user or organization");
    assert.deepEqual(ENVIRONMENT_DEFAULTS, { waitTimer: 0, branches: "all", preventSelfReview: false, canAdminsBypass: true });
    assert.deepEqual(environmentProtectionProblems({ reviewerUsers: ["a"], reviewerTeams: ["t", "t"], branches: ["main", " "] }), [
        { path: ["reviewerTeams", 1], message: "'t' is listed twice" },
        { path: ["branches", 1], message: "expected a branch name pattern" },
    ]);
});

test("the GitOps repo must allow merge commits with GitHub's default message; settings the token can't see are unknown, not a failure", () => {
    assert.deepEqual(mergeCommitCheck({ allowMergeCommit: true, mergeCommitTitle: "MERGE_MESSAGE", fullName: "o/r" }), { kind: "ok" });
    const off = mergeCommitCheck({ allowMergeCommit: false, mergeCommitTitle: "MERGE_MESSAGE", fullName: "o/r" });
    assert.equal(off.kind, "problem");
    assert.match((off as { message: string }).message, /o\/r doesn't allow merge commits/);
    const title = mergeCommitCheck({ allowMergeCommit: true, mergeCommitTitle: "PR_TITLE", fullName: "o/r" });
    assert.equal(title.kind, "problem");
    assert.match((title as { message: string }).message, /titles merge commits PR_TITLE/);
    // What the provider reports when GitHub omits the fields (no push access): false and "".
    for (const hidden of [{ allowMergeCommit: false, mergeCommitTitle: "" }, { allowMergeCommit: undefined, mergeCommitTitle: undefined }]) {
        const unknown = mergeCommitCheck({ ...hidden, fullName: "o/r" });
        assert.equal(unknown.kind, "unknown");
        assert.match((unknown as { message: string }).message, /GitHub shows these settings only to tokens with push access\. Give the GitHub token Contents: write on o\/r/);
    }
});

test("the trees are well formed", async () => {
    await ready;
    assertWellFormedTree(rec, (r) => isTopLevel(r) || r.name === "gh");
});
