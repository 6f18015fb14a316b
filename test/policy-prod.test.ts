// The policy pack's checks on what the prod stack registers (its deploy key, SSH source with pinned
// host keys, pinned extension, production cluster and protected environment), passing as shipped and
// reporting a realistic mutation; and the offline report under prod's policy config.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CREDENTIAL_POLICIES, credentialsAreSecrets, deployKeyReadOnly } from "../policy/credentials.ts";
import { extensionVersionSupported, sshKnownHostsPinned } from "../policy/flux.ts";
import { aksLocalAccountsOffEntraOn, aksProtected, protectedEnvironmentComplete } from "../policy/platform.ts";
import { buildPlan, type PlannedResource, type StackPlan } from "../scripts/lib/plan-model.ts";
import { checkPlan, mandatoryViolations, readPolicyConfig, subjectOf } from "../scripts/lib/plan-policy.ts";
import { DEV_OUTPUTS, REPO_ROOT, runStack } from "./support.ts";

const planned: Promise<StackPlan> = runStack("prod", { prodTeamsWebhook: "https://contoso.webhook.office.com/CANARY-teams-7a7a" }, {
    caller: "servicePrincipal",
    principals: { "00000000-0000-0000-0000-000000000000": "ServicePrincipal" },
    state: ({ type, inputs }) =>
        type === "pulumi:pulumi:StackReference" && inputs.name === "organization/gitops-platform/dev" ? { outputs: DEV_OUTPUTS, secretOutputNames: [] } : undefined,
}).then(({ rec }) => buildPlan("prod", "organization", rec, {}, []));

async function resource(key: string): Promise<PlannedResource> {
    const r = (await planned).resources.find((x) => x.key === key);
    assert.ok(r, `prod registers ${key}`);
    return r;
}
async function subject(key: string, change: (r: PlannedResource) => PlannedResource = (r) => r) {
    return subjectOf(change(structuredClone(await resource(key))));
}
const inputs = (change: (i: Record<string, any>) => Record<string, any>) => (r: PlannedResource) => ({ ...r, inputs: change(r.inputs) });

const CLUSTER = "azure-native:containerservice:ManagedCluster::arc-cicd-prod-aks";
const FLUX_CONFIG = "azure-native:kubernetesconfiguration:FluxConfiguration::arc-cicd-prod-flux-cluster-config";
const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment::arc-cicd-demo-src-az-vote-app-prod-environment";

test("deploy-keys-read-only: prod's deploy key is read-only; a writable one is reported", async () => {
    const key = "github:index/repositoryDeployKey:RepositoryDeployKey::arc-cicd-prod-cluster-config-deploy-key-deploy-key";
    assert.deepEqual(deployKeyReadOnly(await subject(key)), []);
    assert.deepEqual(deployKeyReadOnly(await subject(key, inputs((i) => ({ ...i, readOnly: false })))), [
        "readOnly is false: a key on the cluster could push to the GitOps repository it syncs from; Flux only reads",
    ]);
});

test("credentials-are-secrets: the SSH key in prod's protected settings is a secret; in plain text it is reported", async () => {
    assert.deepEqual(credentialsAreSecrets(await subject(FLUX_CONFIG)), []);
    assert.deepEqual(credentialsAreSecrets(await subject(FLUX_CONFIG, inputs((i) => ({ ...i, configurationProtectedSettings: { sshPrivateKey: "LS0tLS1CRUdJTg==" } })))), [
        "configurationProtectedSettings holds a credential in plain text: wrap it in pulumi.secret() (or read it with config.requireSecret) so that state and previews keep it encrypted",
    ]);
    // The same resource at a versioned API token (the 2025-04-01 FluxConfiguration) is checked alike.
    const plain = await subject(FLUX_CONFIG, inputs((i) => ({ ...i, configurationProtectedSettings: { sshPrivateKey: "LS0tLS1CRUdJTg==" } })));
    const versioned = { ...plain, type: "azure-native:kubernetesconfiguration/v20250401:FluxConfiguration" };
    assert.equal(CREDENTIAL_POLICIES.find((p) => p.name === "credentials-are-secrets")!.appliesTo(versioned.type), true);
    assert.equal((credentialsAreSecrets(versioned) as string[]).length, 1);
});

test("flux-ssh-known-hosts-pinned: prod pins GitHub's keys; none, or a bare key, is reported", async () => {
    assert.deepEqual(sshKnownHostsPinned(await subject(FLUX_CONFIG)), []);
    const without = await subject(FLUX_CONFIG, inputs((i) => ({ ...i, gitRepository: { ...i.gitRepository, sshKnownHosts: undefined } })));
    assert.deepEqual(sshKnownHostsPinned(without), [
        "gitRepository.sshKnownHosts is not set: Flux would trust whatever host key the server offers first; pin the Git host's keys",
    ]);
    const bare = Buffer.from("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n").toString("base64");
    assert.deepEqual(sshKnownHostsPinned(await subject(FLUX_CONFIG, inputs((i) => ({ ...i, gitRepository: { ...i.gitRepository, sshKnownHosts: bare } })))), [
        "gitRepository.sshKnownHosts line 1: a bare public key: expected a known_hosts line, '<host> <key type> <base64 key>' (as ssh-keyscan <host> prints it)",
    ]);
    const https = await subject(FLUX_CONFIG, inputs((i) => ({ ...i, gitRepository: { ...i.gitRepository, url: "https://github.com/o/r", sshKnownHosts: undefined } })));
    assert.deepEqual(sshKnownHostsPinned(https), { notApplicable: "not an ssh:// Git source" });
});

test("flux-extension-version-supported: prod's pin 1.24.1 passes; an unknown release is reported", async () => {
    const key = "azure-native:kubernetesconfiguration:Extension::arc-cicd-prod-flux-extension";
    assert.deepEqual(extensionVersionSupported(await subject(key)), []);
    const unknown = extensionVersionSupported(await subject(key, inputs((i) => ({ ...i, version: "1.99.0" })))) as string[];
    assert.equal(unknown.length, 1);
    assert.match(unknown[0], /^version 1\.99\.0 is not a microsoft\.flux release this program knows /);
});

test("aks-production-*: prod's cluster has Entra ID, no local accounts and protect; without protect it is reported", async () => {
    const production = { production: true };
    assert.deepEqual(aksLocalAccountsOffEntraOn(await subject(CLUSTER), production), []);
    assert.deepEqual(aksProtected(await subject(CLUSTER), production), []);
    const { protect, ...unprotected } = await resource(CLUSTER);
    assert.equal(protect, true, "cluster.protect: true in Pulumi.prod.yaml");
    assert.deepEqual(aksProtected(subjectOf(unprotected), production), [
        "the cluster is not protected: a pulumi destroy or a replacing change would delete it; set cluster.protect: true",
    ]);
    assert.deepEqual(aksProtected(subjectOf(unprotected), {}), { notApplicable: "the stack is not marked production (policy config: production: true)" });
});

test("github-protected-environment-complete: prod's environment passes; with admin bypass and no branch policy it is reported", async () => {
    assert.deepEqual(protectedEnvironmentComplete(await subject(ENVIRONMENT)), []);
    const open = await subject(ENVIRONMENT, inputs(({ deploymentBranchPolicy, ...i }) => ({ ...i, canAdminsBypass: true })));
    assert.deepEqual(protectedEnvironmentComplete(open), [
        "canAdminsBypass is not false: repository admins can deploy past the reviewers (github.environment.canAdminsBypass: false)",
        "no deployment branch policy: a workflow on any branch could deploy (github.environment.branches)",
    ]);
    const noReviewers = await subject(ENVIRONMENT, inputs((i) => ({ ...i, reviewers: [] })));
    assert.deepEqual(protectedEnvironmentComplete(noReviewers), ["no required reviewers: a protected environment without reviewers lets any workflow run deploy"]);
});

test("offline, under policy/config/prod.json: no violation as shipped; an unprotected cluster is a mandatory one", async () => {
    const { file, config } = readPolicyConfig(REPO_ROOT, "prod");
    assert.equal(file, "policy/config/prod.json");
    const plan = await planned;
    const shipped = checkPlan(plan, config, file);
    assert.deepEqual(shipped.findings, []);
    const unprotected = { ...plan, resources: plan.resources.map(({ protect, ...r }) => r) };
    assert.deepEqual(mandatoryViolations(checkPlan(unprotected, config, file)), [{
        policy: "aks-production-protected",
        level: "mandatory",
        resource: CLUSTER,
        kind: "violation",
        message: "the cluster is not protected: a pulumi destroy or a replacing change would delete it; set cluster.protect: true",
    }]);
});
