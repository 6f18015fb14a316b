// The policy pack's checks on what the dev stack really registers (run under the mocks, then turned into
// its offline plan, as `npm run plan -- dev --policy` sees it): each policy passing on the shipped
// resources and reporting a violation on a realistic mutation of them. Prod's resources (deploy key,
// SSH source, production cluster, protected environment) are in policy-prod.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connectorChartPinned, extensionVersionSupported, kustomizationsAcyclic, notificationApisServed } from "../policy/flux.ts";
import { credentialsAreSecrets, registryLockedDown, roleAssignmentScope } from "../policy/credentials.ts";
import { aksLocalAccountsOffEntraOn, protectedEnvironmentComplete } from "../policy/platform.ts";
import type { ResourceValidation } from "@pulumi/policy";
import { toCrossGuard } from "../policy/crossguard.ts";
import { POLICIES, resolvePolicies } from "../policy/policies.ts";
import { buildPlan, type PlannedResource, type StackPlan } from "../scripts/lib/plan-model.ts";
import { checkPlan, renderPolicyReport, subjectOf } from "../scripts/lib/plan-policy.ts";
import { certKubeconfig, runStack, SUB } from "./support.ts";

const planned: Promise<StackPlan> = runStack("dev", { connectorPat: "CANARY-pat", appRepoPat: "CANARY-app-pat" }, {
    calls: {
        "azure-native:containerservice:listManagedClusterUserCredentials": (i) => ({
            kubeconfigs: [{ name: "clusterUser", value: Buffer.from(certKubeconfig(i.resourceName)).toString("base64") }],
        }),
    },
}).then(({ rec }) => buildPlan("dev", "organization", rec, {}, []));

async function resource(key: string): Promise<PlannedResource> {
    const r = (await planned).resources.find((x) => x.key === key);
    assert.ok(r, `dev registers ${key}`);
    return r;
}
/** The resource as a policy sees it, with `change` applied to its inputs. */
async function subject(key: string, change: (inputs: Record<string, any>) => Record<string, any> = (i) => i) {
    const r = await resource(key);
    return subjectOf({ ...r, inputs: change(structuredClone(r.inputs)) });
}

const RELEASE = "kubernetes:helm.sh/v3:Release::arc-cicd-cluster-connector-release";
const ALERT = "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert::arc-cicd-cluster-notifications-alert";
const EXTENSION = "azure-native:kubernetesconfiguration:Extension::arc-cicd-cluster-flux-extension";

test("credentials-are-secrets: the connector's PAT Secret, the kubeconfig and Actions secrets are secrets; a plain one is reported", async () => {
    for (const key of [
        "kubernetes:core/v1:Secret::arc-cicd-cluster-connector-pat",
        "pulumi:providers:kubernetes::arc-cicd-cluster-k8s",
        "github:index/actionsSecret:ActionsSecret::arc-cicd-demo-src-secrets-pat",
    ]) {
        assert.deepEqual(credentialsAreSecrets(await subject(key)), [], key);
    }
    const plain = await subject("kubernetes:core/v1:Secret::arc-cicd-cluster-connector-pat", (i) => ({ ...i, stringData: { PAT: "CANARY-pat" } }));
    assert.deepEqual(credentialsAreSecrets(plain), [
        "stringData holds a credential in plain text: wrap it in pulumi.secret() (or read it with config.requireSecret) so that state and previews keep it encrypted",
    ]);
    const kubeconfig = await subject("pulumi:providers:kubernetes::arc-cicd-cluster-k8s", (i) => ({ ...i, kubeconfig: "apiVersion: v1" }));
    assert.equal((credentialsAreSecrets(kubeconfig) as string[])[0].split(" ")[0], "kubeconfig");
    // Under the CLI secret-ness is not visible: the policy says so instead of passing.
    assert.deepEqual(credentialsAreSecrets({ ...plain, isSecret: undefined }), {
        notApplicable: "CrossGuard doesn't tell a validation which inputs are secrets (pulumi/pulumi-policy#241); npm run plan -- <stack> --policy checks this offline",
    });
});

test("no-subscription-scope-role-assignments: the AcrPull grant is on the registry; a subscription, management group or root scope is reported", async () => {
    const key = "azure-native:authorization:RoleAssignment::arccicddemoacr-acrpull";
    const shipped = await subject(key);
    assert.equal(shipped.props.scope, `/subscriptions/${SUB}/mock/arccicddemoacr-acr`, "the registry's ID, as the mocks give it");
    assert.deepEqual(roleAssignmentScope(shipped), []);
    for (const scope of [`/subscriptions/${SUB}`, `/subscriptions/${SUB}/`, "/providers/Microsoft.Management/managementGroups/root-mg", "/"]) {
        assert.deepEqual(roleAssignmentScope(await subject(key, (i) => ({ ...i, scope }))), [
            `the grant's scope ${scope} is a subscription, a management group or the root: grant on the resource (or resource group) it is needed for`,
        ]);
    }
    assert.deepEqual(roleAssignmentScope(await subject(key, (i) => ({ ...i, scope: `/subscriptions/${SUB}/resourceGroups/arc-cicd-demo` }))), []);
    // A fleet's policy identity needs its definition's role at the assignment's scope, whatever its width;
    // the exception goes by the component the grant is in (its URN under CrossGuard, its parents offline).
    const contributor = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`;
    const wide = await subject(key, (i) => ({ ...i, scope: `/subscriptions/${SUB}`, roleDefinitionId: contributor }));
    assert.deepEqual(roleAssignmentScope({ ...wide, components: ["gitops:fleet:FleetPolicy"] }), {
        notApplicable: "an Azure Policy assignment's identity needs its definition's role (Contributor) at the assignment's scope (FleetPolicy)",
    });
    // Only that role, and only inside the component.
    assert.equal((roleAssignmentScope({ ...wide, components: ["gitops:registry:Registry"] }) as string[]).length, 1);
    const owner = await subject(key, (i) => ({ ...i, scope: `/subscriptions/${SUB}`, roleDefinitionId: contributor.replace(/[0-9a-f-]+$/, "8e3af657-a8ff-443c-a75c-2fe8c4bcb635") }));
    assert.equal((roleAssignmentScope({ ...owner, components: ["gitops:fleet:FleetPolicy"] }) as string[]).length, 1);
});

test("acr-admin-user-and-anonymous-pull-off: dev's registry has both off; either on is reported", async () => {
    const key = "azure-native:containerregistry:Registry::arccicddemoacr-acr";
    assert.deepEqual(registryLockedDown(await subject(key)), []);
    assert.deepEqual(registryLockedDown(await subject(key, (i) => ({ ...i, adminUserEnabled: true, anonymousPullEnabled: true }))), [
        "adminUserEnabled is true: the admin user is one shared, non-expiring credential with push rights; pull with a scoped identity instead",
        "anonymousPullEnabled is true: anyone on the internet may pull every image; grant AcrPull to the clusters instead",
    ]);
});

test("flux-notification-api-served: v1beta3 Alert and Provider pass; an Alert at v1beta1 is reported against the auto-upgrading extension", async () => {
    const plan = await planned;
    const subjects = plan.resources.map((r) => subjectOf(r));
    assert.deepEqual(notificationApisServed(subjects), []);
    const old = (await resource(ALERT));
    const v1beta1 = subjectOf({ ...old, type: "kubernetes:notification.toolkit.fluxcd.io/v1beta1:Alert", inputs: { ...old.inputs, apiVersion: "notification.toolkit.fluxcd.io/v1beta1" } });
    const verdict = notificationApisServed([...subjects.filter((s) => s.type !== old.type), v1beta1]);
    assert.deepEqual(verdict, [{ resource: v1beta1, message: "Alert at notification.toolkit.fluxcd.io/v1beta1: microsoft.flux 1.24.1 (Flux 2.7.5) no longer serves it; use notification.toolkit.fluxcd.io/v1beta3" }]);
});

test("flux-kustomizations-acyclic: dev's kustomization passes; a dependsOn cycle is reported", async () => {
    const key = "azure-native:kubernetesconfiguration:FluxConfiguration::arc-cicd-cluster-flux-cluster-config";
    assert.deepEqual(kustomizationsAcyclic(await subject(key)), []);
    const cyclic = await subject(key, (i) => ({
        ...i,
        kustomizations: { ...i.kustomizations, infra: { ...i.kustomizations["cluster-config"], dependsOn: ["apps"] }, apps: { ...i.kustomizations["cluster-config"], dependsOn: ["infra"] } },
    }));
    assert.deepEqual(kustomizationsAcyclic(cyclic), ["kustomizations' dependsOn forms a cycle (infra -> apps -> infra): Flux would wait forever"]);
});

test("flux-extension-version-supported: dev's extension auto-upgrades (not applicable); a pin outside the window is reported", async () => {
    assert.deepEqual(extensionVersionSupported(await subject(EXTENSION)), { notApplicable: "not pinned: the extension auto-upgrades on its release train" });
    assert.deepEqual(extensionVersionSupported(await subject(EXTENSION, (i) => ({ ...i, version: "1.24.1", autoUpgradeMinorVersion: false }))), []);
    const old = extensionVersionSupported(await subject(EXTENSION, (i) => ({ ...i, version: "1.20.4", autoUpgradeMinorVersion: false }))) as string[];
    assert.equal(old.length, 1);
    assert.match(old[0], /^version 1\.20\.4 is outside Microsoft's support window for microsoft\.flux: the supported window is /);
});

test("connector-chart-pinned-no-pat-value: chart 1.2.1 with an empty orchestratorPAT passes; a range or a PAT value is reported", async () => {
    assert.deepEqual(connectorChartPinned(await subject(RELEASE)), []);
    assert.deepEqual(connectorChartPinned(await subject(RELEASE, (i) => ({ ...i, version: "^1.2.1", values: { ...i.values, orchestratorPAT: "CANARY-pat" } }))), [
        "version is not pinned to one chart release: an unpinned install takes whatever the Helm repository publishes next",
        "values.orchestratorPAT is not empty: the PAT would be stored in the Helm release (and the chart's default is not empty); leave it \"\" and provide the PAT Secret",
    ]);
    const { orchestratorPAT, ...defaults } = (await resource(RELEASE)).inputs.values as Record<string, unknown>;
    assert.equal(orchestratorPAT, "");
    assert.equal((connectorChartPinned(await subject(RELEASE, (i) => ({ ...i, values: defaults }))) as string[]).length, 1, "absent takes the chart's non-empty default");
    assert.deepEqual(connectorChartPinned(await subject(RELEASE, (i) => ({ ...i, version: "2.0.0" }))), ["version 2.0.0: expected a 1.2.x chart version (the published flat values layout)"]);
});

test("aks-production-local-accounts-off-entra-on: dev is no production stack; marked production, its local accounts and missing Entra ID are reported", async () => {
    const key = "azure-native:containerservice:ManagedCluster::arc-cicd-cluster-aks";
    assert.deepEqual(aksLocalAccountsOffEntraOn(await subject(key), {}), { notApplicable: "the stack is not marked production (policy config: production: true)" });
    assert.deepEqual(aksLocalAccountsOffEntraOn(await subject(key), { production: true }), [
        "disableLocalAccounts is not true: the cluster-admin certificate from az aks get-credentials --admin bypasses Entra ID and can't be revoked per user",
        "aadProfile.managed is not true: sign-in must go through Entra ID (aks.entraId.enabled)",
    ]);
});

test("github-protected-environment-complete: dev's unprotected environment is not applicable; reviewers alone are reported incomplete", async () => {
    const key = "github:index/repositoryEnvironment:RepositoryEnvironment::arc-cicd-demo-src-az-vote-app-dev-environment";
    assert.deepEqual(protectedEnvironmentComplete(await subject(key)), { notApplicable: "the environment has no protection rules" });
    assert.deepEqual(protectedEnvironmentComplete(await subject(key, (i) => ({ ...i, reviewers: [{ users: [1234], teams: [] }] }))), [
        "canAdminsBypass is not false: repository admins can deploy past the reviewers (github.environment.canAdminsBypass: false)",
        "no deployment branch policy: a workflow on any branch could deploy (github.environment.branches)",
    ]);
});

test("offline: dev passes every policy it can judge; the grants' scopes are computed, so they are reported as not checked", async () => {
    const report = checkPlan(await planned, undefined, undefined);
    assert.deepEqual(report.findings.filter((f) => f.kind === "violation"), []);
    assert.deepEqual(report.findings.filter((f) => f.kind === "unchecked").map((f) => f.resource), []);
    assert.match(renderPolicyReport(report), /^Policies for stack dev \(no policy config: default levels\): \d+ passed, 0 mandatory and 0 advisory violations, 0 not checkable offline\n$/);
    // As in a preview, a scope the cloud computes can't be judged: not checked, never passed.
    const plan = await planned;
    const key = "azure-native:authorization:RoleAssignment::arccicddemoacr-acrpull";
    const computed = { ...plan, resources: plan.resources.map((r) => (r.key === key ? { ...r, inputs: { ...r.inputs, scope: "(known after apply)" } } : r)) };
    assert.deepEqual(checkPlan(computed, undefined, undefined).findings, [{
        policy: "no-subscription-scope-role-assignments", level: "mandatory", resource: key, kind: "unchecked", message: "RoleAssignment.scope is known only after apply",
    }]);
});

test("the CLI adapter reports each message, and a resource a policy doesn't check as not applicable", async () => {
    const policy = toCrossGuard(POLICIES.find((p) => p.name === "acr-admin-user-and-anonymous-pull-off")!);
    assert.ok("validateResource" in policy && typeof policy.validateResource === "function");
    const validate = policy.validateResource as ResourceValidation;
    const reported: string[] = [];
    const s = await subject("azure-native:containerregistry:Registry::arccicddemoacr-acr", (i) => ({ ...i, adminUserEnabled: true }));
    class NotApplicable extends Error {}
    const args = (type: string, props: Record<string, any>) => ({
        type, props, name: s.name, urn: `urn:pulumi:dev::gitops-platform::${type}::${s.name}`, opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        stackTags: new Map(), isType: () => false, asType: () => undefined, getConfig: () => ({}) as any,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    });
    await validate(args(s.type, s.props), (m) => reported.push(m));
    assert.deepEqual(reported, ["adminUserEnabled is true: the admin user is one shared, non-expiring credential with push rights; pull with a scoped identity instead"]);
    await assert.rejects(async () => validate(args("github:index/repositoryDeployKey:RepositoryDeployKey", {}), () => {}), {
        message: "acr-admin-user-and-anonymous-pull-off doesn't check github:index/repositoryDeployKey:RepositoryDeployKey",
    });
});

test("policy config: levels and settings per policy; an unknown policy, level or setting is refused naming the file and key", () => {
    const byName = (c: unknown) => Object.fromEntries(resolvePolicies(c, "policy/config/x.json").map((r) => [r.policy.name, [r.level, r.settings]]));
    const defaults = byName(undefined);
    assert.deepEqual(Object.entries(defaults).filter(([, [l]]) => l === "mandatory").map(([n]) => n), [
        "credentials-are-secrets", "no-subscription-scope-role-assignments", "acr-admin-user-and-anonymous-pull-off", "deploy-keys-read-only",
    ]);
    assert.equal(POLICIES.length, 12);
    assert.deepEqual(byName({ "aks-production-protected": { enforcementLevel: "mandatory", production: true }, "deploy-keys-read-only": "disabled" })["aks-production-protected"], ["mandatory", { production: true }]);
    assert.throws(() => resolvePolicies({ "no-such-policy": "mandatory", "deploy-keys-read-only": { enforcementLevel: "strict", production: true } }, "policy/config/x.json"), {
        message: [
            "Invalid policy config in policy/config/x.json:",
            "  - no-such-policy: not a policy of this pack; expected one of " + POLICIES.map((p) => p.name).join(", "),
            "  - deploy-keys-read-only.enforcementLevel: expected one of advisory, mandatory, disabled, found \"strict\"",
            "  - deploy-keys-read-only.production: not a setting of this policy (it takes enforcementLevel only)",
        ].join("\n"),
    });
});
