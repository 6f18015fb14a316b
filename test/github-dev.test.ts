// The dev stack's GitHub side through the real entry point: it owns the app repo's repository level
// (secrets, CI identity, settings) and the az-vote-app-dev environment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dependsOn, find, isSecretValue, one, plainOccurrences, runStack, SUB, unwrap } from "./support.ts";

const APP_PAT = "CANARY-app-repo-pat-51c0";
const run = runStack("dev", { connectorPat: "CANARY-connector-pat", appRepoPat: APP_PAT });
const ROLE = (guid: string) => `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

/** Secrets by scope: repository name or `env:<environment>` -> secret name -> registration. */
async function secrets() {
    const { rec } = await run;
    const out: Record<string, Record<string, { value: unknown; secret: boolean; reg: (typeof rec.registrations)[number] }>> = {};
    for (const r of rec.registrations) {
        if (r.type === "github:index/actionsSecret:ActionsSecret" || r.type === "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret") {
            const scope = r.inputs.environment ? `env:${r.inputs.environment}` : `repo:${r.inputs.repository}`;
            out[scope] ??= {};
            out[scope][r.inputs.secretName] = { value: unwrap(r.inputs.plaintextValue), secret: isSecretValue(r.inputs.plaintextValue), reg: r };
        }
    }
    return out;
}

test("repository-level secrets: every value the workflows read outside an environment, derived from the platform", async () => {
    const s = await secrets();
    const repo = s["repo:arc-cicd-demo-src"];
    const plain = Object.fromEntries(Object.entries(repo).filter(([k]) => k !== "AZURE_CREDENTIALS" && k !== "PAT").map(([k, v]) => [k, v.value]));
    assert.deepEqual(plain, {
        AZ_ACR_NAME: "arccicddemoacr",
        AZURE_VOTE_IMAGE_REPO: "arccicddemoacr.azurecr.io/azvote",
        MANIFESTS_REPO: "https://github.com/your-github-org/arc-cicd-demo-gitops",
        MANIFESTS_BRANCH: "master",
        MANIFESTS_FOLDER: "arc-cicd-cluster",
        VOTE_APP_TITLE: "Voting Application",
        DEMO_APP_URL: "/",
        SYSTEM_LABEL: "VOTE-APP",
        AKS_RESOURCE_GROUP: "arc-cicd-demo",
        AKS_NAME: "arc-cicd-cluster",
    });
    assert.equal(repo.PAT.value, APP_PAT);
    for (const [name, v] of Object.entries(repo)) assert.ok(v.secret, `${name} is sent as a secret`);
});

test("AZURE_CREDENTIALS is azure/login's JSON with exactly four keys, from the CI identity's client secret", async () => {
    const s = await secrets();
    const creds = JSON.parse(s["repo:arc-cicd-demo-src"].AZURE_CREDENTIALS.value as string);
    assert.deepEqual(creds, {
        clientId: "client-of-arc-cicd-demo-src-ci-app",
        clientSecret: "client-secret-of-arc-cicd-demo-src-ci-secret",
        subscriptionId: SUB,
        tenantId: "22222222-2222-2222-2222-222222222222",
    });
    const { rec } = await run;
    const password = one(rec, "azuread:index/applicationPassword:ApplicationPassword", "arc-cicd-demo-src-ci-secret");
    assert.equal(password.inputs.endDateRelative, "4380h", "the client secret has an end date");
    assert.deepEqual(find(rec, "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential"), []);
    for (const r of rec.registrations) assert.deepEqual(plainOccurrences(r.inputs, "client-secret-of-arc-cicd-demo-src-ci-secret"), [], r.name);
});

test("environment az-vote-app-dev: ENVIRONMENT_NAME and TARGET_NAMESPACE, unprotected", async () => {
    const s = await secrets();
    assert.deepEqual(
        Object.fromEntries(Object.entries(s["env:az-vote-app-dev"]).map(([k, v]) => [k, v.value])),
        { ENVIRONMENT_NAME: "Dev", TARGET_NAMESPACE: "dev" },
    );
    for (const v of Object.values(s["env:az-vote-app-dev"])) assert.ok(v.secret);
    const { rec } = await run;
    const env = one(rec, "github:index/repositoryEnvironment:RepositoryEnvironment", "arc-cicd-demo-src-az-vote-app-dev-environment");
    assert.equal(env.inputs.repository, "arc-cicd-demo-src");
    assert.equal(env.inputs.environment, "az-vote-app-dev");
    assert.equal(env.inputs.reviewers, undefined);
    assert.equal(env.inputs.waitTimer, 0);
    assert.equal(env.inputs.deploymentBranchPolicy, undefined);
    for (const v of Object.values(s["env:az-vote-app-dev"])) assert.ok(dependsOn(rec, v.reg, env), "secrets wait for their environment");
    assert.deepEqual(find(rec, "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"), []);
});

test("the CI identity has AcrPush and Container Registry Tasks Contributor on the registry and Cluster User on the cluster, nothing wider", async () => {
    const { rec } = await run;
    const assignments = find(rec, "azure-native:authorization:RoleAssignment").filter((r) => r.name.startsWith("arc-cicd-demo-src-ci"));
    assert.deepEqual(
        assignments.map((r) => [r.name, r.inputs.roleDefinitionId, r.inputs.scope, r.inputs.principalId, r.inputs.principalType]).sort(),
        [
            ["arc-cicd-demo-src-ci-acr-tasks", ROLE("fb382eab-e894-4461-af04-94435c366c3f"), `/subscriptions/${SUB}/mock/arccicddemoacr-acr`, "sp-of-arc-cicd-demo-src-ci-sp", "ServicePrincipal"],
            ["arc-cicd-demo-src-ci-acrpush", ROLE("8311e382-0749-4cb8-b61a-304f252e45ec"), `/subscriptions/${SUB}/mock/arccicddemoacr-acr`, "sp-of-arc-cicd-demo-src-ci-sp", "ServicePrincipal"],
            ["arc-cicd-demo-src-ci-arc-cicd-cluster-user", ROLE("4abbcc35-e782-43d8-92c5-2d3f1bd2253f"), `/subscriptions/${SUB}/mock/arc-cicd-cluster-aks`, "sp-of-arc-cicd-demo-src-ci-sp", "ServicePrincipal"],
        ],
    );
    for (const r of find(rec, "azure-native:authorization:RoleAssignment")) {
        assert.doesNotMatch(String(r.inputs.scope), /^\/subscriptions\/[^/]+\/?$/, `${r.name} is not at subscription scope`);
    }
    assert.equal(one(rec, "azuread:index/application:Application", "arc-cicd-demo-src-ci-app").inputs.displayName, "github-your-github-org-arc-cicd-demo-src");
});

test("repo settings: Actions on and, for the unmodified sample (set in the stack file), a read-write workflow token; merge commits checked on the GitOps repo", async () => {
    const { rec } = await run;
    const actions = one(rec, "github:index/actionsRepositoryPermissions:ActionsRepositoryPermissions", "arc-cicd-demo-src-settings-actions").inputs;
    assert.deepEqual([actions.repository, actions.enabled, actions.allowedActions], ["arc-cicd-demo-src", true, undefined], "the allowed-actions policy is left alone");
    const token = one(rec, "github:index/workflowRepositoryPermissions:WorkflowRepositoryPermissions", "arc-cicd-demo-src-settings-workflow-token").inputs;
    assert.deepEqual([token.repository, token.defaultWorkflowPermissions, token.canApprovePullRequestReviews], ["arc-cicd-demo-src", "write", false]);
    const lookups = rec.invocations.filter((i) => i.token === "github:index/getRepository:getRepository");
    assert.deepEqual(lookups.map((i) => i.inputs), [{ fullName: "your-github-org/arc-cicd-demo-gitops" }]);
});

test("every GitHub resource goes through the explicit provider for the configured owner", async () => {
    const { rec } = await run;
    const provider = one(rec, "pulumi:providers:github", "github");
    assert.equal(provider.inputs.owner, "your-github-org");
    for (const r of rec.registrations.filter((x) => x.type.startsWith("github:"))) {
        assert.match(r.provider, /::pulumi:providers:github::github::/, `${r.type}::${r.name}`);
    }
});
