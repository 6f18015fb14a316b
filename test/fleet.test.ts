// Fleet stacks: Flux on every cluster in a scope through Azure Policy's built-in definitions. The shipped
// fleet stack composed as the entry point composes it, then the component at each scope kind and with
// each auth, against the definitions' own parameters (test/fixtures/policy-definitions.json, recorded
// from Azure/azure-policy; the mocks refuse what ARM refuses), and the config refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { FLEET_FIXED, FLUX_POLICY_DEFINITIONS, FLUX_POLICY_ROLE, FleetPolicy, assignmentName, type FleetConfigurationArgs } from "../components/fleet.ts";
import { GITHUB_KNOWN_HOSTS } from "../components/flux.ts";
import { createPlatform } from "../infra/platform.ts";
import {
    byUrn, find, installMocks, one, parentOf, parseShippedStack, POLICY_DEFINITIONS, providerOf, settle, SUB, testStackProblems, valueOf, type Registration,
} from "./support.ts";

const rec = installMocks();

const shipped = parseShippedStack("fleet");
const outputs = shipped.kind === "fleet" ? createPlatform(shipped, () => pulumi.secret("unused")) : undefined;

const VAULT = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/fleet-kv";
const config = (over: Partial<FleetConfigurationArgs> = {}): FleetConfigurationArgs => ({
    name: "base",
    url: "https://github.com/contoso/fleet-gitops",
    branch: "main",
    kustomizations: [{ name: "apps", path: "clusters/all" }],
    ...over,
});

// A management group: the 24-character name limit, the tenant-level role, the management group remediation.
new FleetPolicy("contoso-retail-stores-eu", {
    scope: { kind: "managementGroup", managementGroupId: "retail-stores" },
    location: "northeurope",
    extension: { version: "1.24.1", controllers: { imageReflector: true } },
    configurations: [
        config({ name: "platform-baseline-configuration", auth: { type: "ssh", key: { vaultId: VAULT, secretName: "git-ssh" }, knownHosts: GITHUB_KNOWN_HOSTS }, url: "ssh://git@github.com/contoso/fleet-gitops" }),
    ],
});
// A named subscription: its own provider; local secrets; no remediation.
new FleetPolicy("sub-fleet", {
    scope: { kind: "subscription", subscriptionId: "99999999-8888-7777-6666-555555555555" },
    location: "westeurope",
    clusterTypes: ["managedClusters"],
    remediate: false,
    configurations: [config({ name: "local", auth: { type: "localSecret", secretName: "git-credentials" }, tag: "v1.2.0", branch: undefined })],
});
// A subscription, remediated: the remediation at the subscription, through its provider.
new FleetPolicy("sub-remediated", {
    scope: { kind: "subscription", subscriptionId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" },
    location: "westeurope",
    configurations: [config({ name: "apps" })],
});
// A resource group in a named subscription, public source, second round, ExistingNonCompliant.
new FleetPolicy("rg-fleet", {
    scope: { kind: "resourceGroup", resourceGroupName: "rg-edge", subscriptionId: "99999999-8888-7777-6666-555555555555" },
    location: "westeurope",
    remediationRound: 2,
    resourceDiscoveryMode: "ExistingNonCompliant",
    enforcementMode: "DoNotEnforce",
    configurations: [config({ name: "public", kustomizations: [{ name: "apps", path: "", retryIntervalInSeconds: 120, syncIntervalInSeconds: 300, prune: true }] })],
});
const ready = settle();

const named = (type: string, name: string) => one(rec, `azure-native:${type}`, name);
const params = (r: Registration) => r.inputs.parameters as Record<string, { value: unknown }>;
const values = (r: Registration) => Object.fromEntries(Object.entries(params(r)).map(([k, v]) => [k, v.value]));
const dependsOn = (r: Registration) => r.dependencies.map((u) => byUrn(rec, u)?.name).sort();

test("the component's definitions are the recorded built-ins: same parameters, Contributor, AKS and Arc; no Flux v1 definition", () => {
    for (const [kind, d] of Object.entries(FLUX_POLICY_DEFINITIONS)) {
        const recorded = POLICY_DEFINITIONS.definitions[d.id];
        assert.ok(recorded, `${kind}: ${d.id} is recorded`);
        assert.deepEqual([...d.parameters].sort(), Object.keys(recorded.parameters).sort(), kind);
        assert.deepEqual(recorded.roleDefinitionIds, [`/providers/microsoft.authorization/roleDefinitions/${FLUX_POLICY_ROLE}`], kind);
        assert.deepEqual(recorded.resourceTypes, ["Microsoft.Kubernetes/connectedClusters", "Microsoft.ContainerService/managedClusters"], kind);
        assert.equal(recorded.deployedType, kind === "extension" ? "Microsoft.KubernetesConfiguration/extensions" : "Microsoft.KubernetesConfiguration/fluxConfigurations", kind);
        assert.ok(!Object.keys(recorded.parameters).includes("configurationResourceName"), `${kind} is a Flux v2 definition`);
    }
    // Where the recording comes from, so it can be checked again.
    assert.deepEqual(POLICY_DEFINITIONS.source, { repository: "Azure/azure-policy", commit: "f4a50bacae07ddb096943c597669bcae494a6e29", folder: "built-in-policies/policyDefinitions/Kubernetes" });
});

test("the shipped fleet stack: two assignments at resource group arc-stores, the HTTPS definition with its key in Key Vault", async () => {
    await ready;
    const ext = named("authorization:PolicyAssignment", "fleet-extension");
    const cfg = named("authorization:PolicyAssignment", "fleet-stores");
    const scope = `/subscriptions/${SUB}/resourceGroups/arc-stores`;
    assert.equal(ext.inputs.scope, scope);
    assert.equal(ext.inputs.policyAssignmentName, "fleet-flux-extension");
    assert.equal(ext.inputs.policyDefinitionId, "/providers/Microsoft.Authorization/policyDefinitions/f9175d5f-abc8-1dc3-bd3c-5d7476ada3d1");
    assert.deepEqual(values(ext), {
        helmControllerEnabled: true,
        notificationControllerEnabled: true,
        imageAutomationController: false,
        imageReflectorController: false,
        releaseTrain: "Stable",
        autoUpgradeMinorVersion: true,
    });
    assert.equal(cfg.inputs.policyDefinitionId, "/providers/Microsoft.Authorization/policyDefinitions/bf1a31be-3b79-5ba8-c9e0-9a8c9ad9f749");
    assert.equal(cfg.inputs.policyAssignmentName, "fleet-flux-stores");
    assert.deepEqual(values(cfg), {
        configurationName: "stores",
        configurationNamespace: "stores-config",
        configurationScope: "cluster",
        repositoryUrl: "https://github.com/your-github-org/arc-cicd-demo-gitops",
        repositorySyncInterval: 600,
        repositoryRefBranch: "master",
        repositoryHttpsUser: "git",
        keyVaultName: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/arc-stores/providers/Microsoft.KeyVault/vaults/arc-stores-kv",
        httpsKeyKeyVaultSecretName: "gitops-read-token",
        kustomizationName: "apps",
        kustomizationPath: "arc-stores/manifests",
        kustomizationTimeout: 600,
        kustomizationSyncInterval: 600,
        kustomizationPrune: true,
        kustomizationForce: false,
    });
    for (const a of [ext, cfg]) {
        assert.deepEqual(a.inputs.identity, { type: "SystemAssigned" });
        assert.equal(a.inputs.location, "westeurope");
        assert.equal(a.inputs.enforcementMode, "Default");
        assert.deepEqual(a.inputs.resourceSelectors, [{ name: "cluster-types", selectors: [{ kind: "resourceType", in: ["Microsoft.Kubernetes/connectedClusters"] }] }]);
        assert.equal(parentOf(rec, a)?.type, "gitops:fleet:FleetPolicy");
    }
    // Assigned after the extension, as Microsoft's guidance orders them.
    assert.deepEqual(dependsOn(cfg), ["fleet-extension"]);
    // Each identity holds Contributor at the scope; the HTTPS one also on the vault, for the Key Vault reference.
    const grants = find(rec, "azure-native:authorization:RoleAssignment").filter((r) => r.name.startsWith("fleet-")).sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(
        grants.map((g) => [g.name, g.inputs.principalId, g.inputs.principalType, g.inputs.roleDefinitionId, g.inputs.scope]),
        [
            ["fleet-extension-contributor", "policy-identity-of-fleet-extension", "ServicePrincipal", `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${FLUX_POLICY_ROLE}`, scope],
            ["fleet-stores-contributor", "policy-identity-of-fleet-stores", "ServicePrincipal", `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${FLUX_POLICY_ROLE}`, scope],
            [
                "fleet-stores-key-vault",
                "policy-identity-of-fleet-stores",
                "ServicePrincipal",
                `/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/${FLUX_POLICY_ROLE}`,
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/arc-stores/providers/Microsoft.KeyVault/vaults/arc-stores-kv",
            ],
        ],
    );
    // Remediation re-evaluates (a new assignment has no compliance results yet), after the grants; the
    // configuration's after the extension's.
    const rExt = named("policyinsights:RemediationAtResourceGroup", "fleet-extension-remediation");
    const rCfg = named("policyinsights:RemediationAtResourceGroup", "fleet-stores-remediation");
    assert.deepEqual(
        [rExt.inputs.remediationName, rExt.inputs.resourceGroupName, rExt.inputs.resourceDiscoveryMode, rExt.inputs.resourceCount],
        ["fleet-flux-extension-r1", "arc-stores", "ReEvaluateCompliance", 50000],
        "Azure's default of 500 clusters per task is raised to its maximum",
    );
    assert.equal(rExt.inputs.policyAssignmentId, `/subscriptions/${SUB}/mock/fleet-extension`);
    assert.equal(rCfg.inputs.policyAssignmentId, `/subscriptions/${SUB}/mock/fleet-stores`);
    assert.deepEqual(dependsOn(rExt), ["fleet-extension", "fleet-extension-contributor"]);
    assert.deepEqual(dependsOn(rCfg), ["fleet-extension-remediation", "fleet-stores", "fleet-stores-contributor", "fleet-stores-key-vault"]);
    // No provider of its own (the resource group is in the deploying subscription), nothing on a cluster.
    assert.equal(providerOf(rec, rExt), undefined);
    assert.equal(find(rec, "pulumi:providers:kubernetes").length, 0);
    assert.deepEqual(await valueOf(outputs!.policyPrincipals), { extension: "policy-identity-of-fleet-extension", stores: "policy-identity-of-fleet-stores" });
    assert.equal(outputs!.fleetScope, "resource group arc-stores");
});

test("a management group: names cut to 24 characters with a hash, the tenant-level role, remediation at the management group", async () => {
    await ready;
    const ext = named("authorization:PolicyAssignment", "contoso-retail-stores-eu-extension");
    const cfg = named("authorization:PolicyAssignment", "contoso-retail-stores-eu-platform-baseline-configuration");
    assert.equal(ext.inputs.scope, "/providers/Microsoft.Management/managementGroups/retail-stores");
    const long = "contoso-retail-stores-eu-flux-platform-baseline-configuration";
    assert.equal(cfg.inputs.policyAssignmentName, assignmentName(long, 24));
    assert.match(String(cfg.inputs.policyAssignmentName), /^contoso-retail-[0-9a-f]{8}$/);
    assert.equal(String(ext.inputs.policyAssignmentName).length <= 24, true);
    assert.equal(ext.inputs.resourceSelectors, undefined, "both cluster types: no selector");
    assert.deepEqual(values(ext), {
        helmControllerEnabled: true,
        notificationControllerEnabled: true,
        imageAutomationController: false,
        imageReflectorController: true,
        releaseTrain: "Stable",
        autoUpgradeMinorVersion: false,
        version: "1.24.1",
    });
    assert.equal(cfg.inputs.policyDefinitionId, `/providers/Microsoft.Authorization/policyDefinitions/${FLUX_POLICY_DEFINITIONS.ssh.id}`);
    const v = values(cfg);
    assert.equal(v.keyVaultName, VAULT);
    assert.equal(v.keyVaultSecretName, "git-ssh");
    assert.equal(Buffer.from(String(v.repositorySshKnownHosts), "base64").toString(), GITHUB_KNOWN_HOSTS.join("\n") + "\n");
    assert.equal("kustomizationRetryInterval" in v, false, "the SSH definition declares none");
    const grant = named("authorization:RoleAssignment", "contoso-retail-stores-eu-extension-contributor");
    assert.equal(grant.inputs.roleDefinitionId, `/providers/Microsoft.Authorization/roleDefinitions/${FLUX_POLICY_ROLE}`);
    assert.equal(grant.inputs.scope, "/providers/Microsoft.Management/managementGroups/retail-stores");
    const r = named("policyinsights:RemediationAtManagementGroup", "contoso-retail-stores-eu-platform-baseline-configuration-remediation");
    assert.deepEqual([r.inputs.managementGroupId, r.inputs.managementGroupsNamespace], ["retail-stores", "Microsoft.Management"]);
    // Re-evaluation is reported unavailable at a management group: the task acts on the scan's results.
    assert.deepEqual([r.inputs.resourceDiscoveryMode, r.inputs.resourceCount], ["ExistingNonCompliant", 50000]);
    assert.equal(named("authorization:RoleAssignment", "contoso-retail-stores-eu-platform-baseline-configuration-key-vault").inputs.scope, VAULT);
});

test("a named subscription gets its own provider; local secrets name the cluster's Secret; remediation can be off", async () => {
    await ready;
    const provider = one(rec, "pulumi:providers:azure-native", "sub-fleet-subscription");
    assert.equal(provider.inputs.subscriptionId, "99999999-8888-7777-6666-555555555555");
    const cfg = named("authorization:PolicyAssignment", "sub-fleet-local");
    assert.equal(cfg.inputs.scope, "/subscriptions/99999999-8888-7777-6666-555555555555");
    assert.equal(cfg.inputs.policyDefinitionId, `/providers/Microsoft.Authorization/policyDefinitions/${FLUX_POLICY_DEFINITIONS.localSecret.id}`);
    const v = values(cfg);
    assert.equal(v.repositoryLocalAuthRef, "git-credentials");
    assert.equal(v.repositoryRefTag, "v1.2.0");
    assert.equal("repositoryRefBranch" in v, false);
    assert.equal(v.kustomizationPath, "clusters/all");
    assert.deepEqual(cfg.inputs.resourceSelectors, [{ name: "cluster-types", selectors: [{ kind: "resourceType", in: ["Microsoft.ContainerService/managedClusters"] }] }]);
    assert.equal(providerOf(rec, cfg)?.name, "sub-fleet-subscription");
    assert.equal(find(rec, "azure-native:policyinsights:RemediationAtSubscription").filter((r) => r.name.startsWith("sub-fleet-")).length, 0);
    assert.equal(find(rec, "azure-native:authorization:RoleAssignment").filter((r) => r.name.startsWith("sub-fleet-local")).map((r) => r.name).join(), "sub-fleet-local-contributor", "no vault: one grant");
    assert.equal(named("authorization:RoleAssignment", "sub-fleet-local-contributor").inputs.roleDefinitionId, `/subscriptions/99999999-8888-7777-6666-555555555555/providers/Microsoft.Authorization/roleDefinitions/${FLUX_POLICY_ROLE}`);
});

test("a remediated subscription: the remediation is at the subscription, through the subscription's own provider", async () => {
    await ready;
    const r = named("policyinsights:RemediationAtSubscription", "sub-remediated-apps-remediation");
    assert.deepEqual([r.inputs.remediationName, r.inputs.resourceDiscoveryMode, r.inputs.policyAssignmentId], ["sub-remediated-flux-apps-r1", "ReEvaluateCompliance", `/subscriptions/${SUB}/mock/sub-remediated-apps`]);
    assert.equal(providerOf(rec, r)?.name, "sub-remediated-subscription");
    assert.equal(one(rec, "pulumi:providers:azure-native", "sub-remediated-subscription").inputs.subscriptionId, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    assert.deepEqual(dependsOn(r), ["sub-remediated-apps", "sub-remediated-apps-contributor", "sub-remediated-extension-remediation"]);
});

test("a resource group in a named subscription: its provider remediates there; rounds and discovery mode; the public definition's retry interval", async () => {
    await ready;
    const cfg = named("authorization:PolicyAssignment", "rg-fleet-public");
    assert.equal(cfg.inputs.scope, "/subscriptions/99999999-8888-7777-6666-555555555555/resourceGroups/rg-edge");
    assert.equal(cfg.inputs.enforcementMode, "DoNotEnforce");
    assert.equal(cfg.inputs.policyDefinitionId, `/providers/Microsoft.Authorization/policyDefinitions/${FLUX_POLICY_DEFINITIONS.public.id}`);
    const v = values(cfg);
    assert.deepEqual([v.kustomizationPath, v.kustomizationRetryInterval, v.kustomizationSyncInterval, v.repositoryTimeout], ["./", 120, 300, 600]);
    const r = named("policyinsights:RemediationAtResourceGroup", "rg-fleet-public-remediation");
    assert.deepEqual([r.inputs.remediationName, r.inputs.resourceDiscoveryMode, r.inputs.resourceGroupName], ["rg-fleet-flux-public-r2", "ExistingNonCompliant", "rg-edge"]);
    assert.equal(providerOf(rec, r)?.name, "rg-fleet-subscription");
});

test("the mocks refuse what ARM refuses in an assignment: an undeclared or missing parameter, a long management group name", async () => {
    const { checkPolicyAssignment } = await import("./support.ts");
    const base = {
        policyAssignmentName: "x",
        scope: "/subscriptions/s",
        policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${FLUX_POLICY_DEFINITIONS.https.id}`,
        identity: { type: "SystemAssigned" },
        location: "westeurope",
        parameters: { configurationName: { value: "c" }, repositoryUrl: { value: "https://x" }, repositoryHttpsUser: { value: "git" }, httpsKeyKeyVaultSecretName: { value: "s" }, keyVaultName: { value: VAULT } },
    };
    checkPolicyAssignment(base);
    assert.throws(() => checkPolicyAssignment({ ...base, parameters: { ...base.parameters, repositoryTimeout: { value: 600 } } }), /UndefinedPolicyParameter 'repositoryTimeout'/);
    const { keyVaultName: _, ...withoutVault } = base.parameters;
    assert.throws(() => checkPolicyAssignment({ ...base, parameters: withoutVault }), /MissingPolicyParameter 'keyVaultName'/);
    assert.throws(() => checkPolicyAssignment({ ...base, parameters: { ...base.parameters, repositorySyncInterval: { value: "600" } } }), /is string, the definition declares integer/);
    assert.throws(() => checkPolicyAssignment({ ...base, location: undefined }), /needs a location/);
    assert.throws(() => checkPolicyAssignment({ ...base, scope: "/providers/Microsoft.Management/managementGroups/m", policyAssignmentName: "x".repeat(25) }), /longer than 24/);
    assert.equal(FLEET_FIXED.httpsRepositoryTimeoutInSeconds, 600);
});

const fleetStack = (fleet: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    fleet: {
        scope: { resourceGroup: "arc-stores" },
        location: "westeurope",
        configurations: [{ name: "stores", url: "https://github.com/contoso/gitops", branch: "main", kustomizations: [{ name: "apps", path: "stores" }] }],
        ...fleet,
    },
    ...extra,
});
const withConfiguration = (over: Record<string, unknown>, kustomization: Record<string, unknown> = {}) =>
    fleetStack({ configurations: [{ name: "stores", url: "https://github.com/contoso/gitops", branch: "main", kustomizations: [{ name: "apps", path: "stores", ...kustomization }], ...over }] });

test("what the built-in definitions can't express is refused by key path, before anything is registered", () => {
    const cases: [Record<string, unknown>, string[]][] = [
        [
            withConfiguration({ kustomizations: [{ name: "infra", path: "infra" }, { name: "apps", path: "apps", dependsOn: ["infra"] }] }),
            [
                "gitops-platform:fleet.configurations[0].kustomizations: the built-in policy deploys one kustomization per configuration, got 2; give each path a configuration of its own (each its own assignment), or use one stack per cluster",
                "gitops-platform:fleet.configurations[0].kustomizations[1].dependsOn: the built-in policy can't express dependsOn; use one stack per cluster for ordered kustomizations",
            ],
        ],
        [withConfiguration({}, { wait: false }), ["gitops-platform:fleet.configurations[0].kustomizations[0].wait: the built-in policy can't set wait; it stays at ARM's default, true"]],
        [withConfiguration({}, { postBuild: { substitute: { a: "b" } } }), ["gitops-platform:fleet.configurations[0].kustomizations[0].postBuild: the built-in policy can't express postBuild substitutions"]],
        [withConfiguration({ suspend: true }), ["gitops-platform:fleet.configurations[0].suspend: the built-in policies always deploy an active configuration; suspend can't be set"]],
        [
            withConfiguration({ waitForReconciliation: true }),
            ["gitops-platform:fleet.configurations[0].waitForReconciliation: a policy deployment waits for no reconciliation; remove it (compliance shows in Azure Policy)"],
        ],
        [
            withConfiguration({ auth: { type: "https", username: "git", keyVault: { id: VAULT, secretName: "tok" } }, timeoutInSeconds: 300 }, { retryIntervalInSeconds: 60 }),
            [
                "gitops-platform:fleet.configurations[0].timeoutInSeconds: the HTTPS built-in policy fixes the source timeout at 600 seconds",
                "gitops-platform:fleet.configurations[0].kustomizations[0].retryIntervalInSeconds: the HTTPS built-in policy sets the retry interval to the sync interval",
            ],
        ],
        [
            withConfiguration({ url: "ssh://git@gitea.example.com/contoso/gitops", auth: { type: "ssh", keyVault: { id: VAULT, secretName: "key" } } }),
            ["gitops-platform:fleet.configurations[0].auth.knownHosts: expected the host keys of gitea.example.com"],
        ],
        [
            withConfiguration({ auth: { type: "https", username: "git", keyVault: { id: "/subscriptions/x/vaults/kv", secretName: "a b" } } }),
            [
                "gitops-platform:fleet.configurations[0].auth.keyVault.id: expected a Key Vault resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>",
                "gitops-platform:fleet.configurations[0].auth.keyVault.secretName: expected a Key Vault secret name: 1-127 letters, digits and '-'",
            ],
        ],
        [
            fleetStack({ extension: { releaseTrain: "Preview", multiTenancy: false, settings: { "helm-controller.detectDrift": "true" }, controllers: { kustomize: false }, name: "flux2" } }),
            [
                "gitops-platform:fleet.extension.name: the built-in policy installs the extension as 'flux'; leave name unset",
                "gitops-platform:fleet.extension.releaseTrain: the built-in policy allows only the Stable train",
                "gitops-platform:fleet.extension.controllers.kustomize: the built-in policy always runs this controller; it can't be turned off",
                "gitops-platform:fleet.extension.multiTenancy: the built-in policy can't set multiTenancy.enforce; it stays on",
                "gitops-platform:fleet.extension.settings: the built-in policy sets only the controller toggles, the train and the version; other settings need one stack per cluster",
            ],
        ],
        [fleetStack({ scope: {} }), ["gitops-platform:fleet.scope: expected managementGroup, subscription or resourceGroup"]],
        [withConfiguration({ name: "extension" }), ["gitops-platform:fleet.configurations[0].name: 'extension' names the extension's own assignment; choose another configuration name"]],
        [
            fleetStack({ scope: { managementGroup: "mg", resourceGroup: "rg" } }),
            ["gitops-platform:fleet.scope: a management group scope names nothing else; set managementGroup alone, or subscription and/or resourceGroup"],
        ],
        [
            fleetStack({}, { azure: { location: "westeurope", resourceGroup: "rg" }, connector: { enabled: false } }),
            [
                "gitops-platform:azure: a fleet stack sets only fleet (Azure Policy reaches the clusters through ARM); azure belongs in a stack per cluster",
                "gitops-platform:connector: a fleet stack sets only fleet (Azure Policy reaches the clusters through ARM); connector belongs in a stack per cluster",
            ],
        ],
    ];
    for (const [values, expected] of cases) assert.deepEqual(testStackProblems(values), expected, JSON.stringify(values));
});

test("no credential can reach a policy parameter: secret config for Git is refused with the reason, and nothing of it is echoed", () => {
    const refusal =
        "a fleet stack takes no secret config for Git: policy parameters are readable by anyone who can read the assignment; put the key in Key Vault and name it in auth.keyVault, or use auth.type localSecret";
    assert.deepEqual(testStackProblems(withConfiguration({ auth: { type: "https", username: "git", keyVault: { id: VAULT, secretName: "tok" }, passwordSecret: "gitHttpsKey" } })), [
        `gitops-platform:fleet.configurations[0].auth.passwordSecret: ${refusal}`,
    ]);
    assert.deepEqual(testStackProblems(withConfiguration({ url: "ssh://git@github.com/contoso/gitops", auth: { type: "ssh", keyVault: { id: VAULT, secretName: "k" }, privateKeySecret: "gitSshPrivateKey" } })), [
        `gitops-platform:fleet.configurations[0].auth.privateKeySecret: ${refusal}`,
    ]);
    // A token pasted as the user name is caught by the credential scan before any schema message quotes it.
    const pasted = testStackProblems(withConfiguration({ auth: { type: "https", username: "ghp_" + "a".repeat(36), keyVault: { id: VAULT, secretName: "tok" } } }));
    assert.equal(pasted.length, 1);
    assert.match(pasted[0], /^gitops-platform:fleet\.configurations\[0\]\.auth\.username: /);
    assert.ok(!pasted[0].includes("ghp_"), "the token is not echoed");
    const deployKey = testStackProblems(withConfiguration({ url: "ssh://git@github.com/contoso/gitops", auth: { type: "githubDeployKey" } }));
    assert.equal(deployKey.length, 1);
    assert.match(deployKey[0], /^gitops-platform:fleet\.configurations\[0\]\.auth\.type: /);
});

test("the component refuses the same combinations when used from code, naming each argument", () => {
    assert.throws(
        () =>
            new FleetPolicy("bad", {
                scope: { kind: "subscription", subscriptionId: "not-a-guid" },
                location: "",
                configurations: [config({ kustomizations: [{ name: "a" }, { name: "b" }] })],
            }),
        (e: Error) =>
            e.message ===
            "FleetPolicy bad has invalid arguments:\n" +
                "  - scope.subscriptionId: expected a subscription ID (a GUID)\n" +
                "  - location: expected an Azure region for the assignments' managed identities\n" +
                "  - configurations.0.kustomizations: the built-in policy deploys one kustomization per configuration, got 2; give each path a configuration of its own (each its own assignment), or use one stack per cluster",
    );
    assert.equal(find(rec, "gitops:fleet:FleetPolicy", "bad").length, 0, "nothing registered");
    // Everything in an assignment is readable: a credential anywhere is refused by path, never echoed.
    const token = "ghp_" + "b".repeat(36);
    assert.throws(
        () =>
            new FleetPolicy("leaky", {
                scope: { kind: "resourceGroup", resourceGroupName: "rg" },
                location: "westeurope",
                configurations: [config({ auth: { type: "https", username: token, key: { vaultId: VAULT, secretName: "k" } } })],
            }),
        (e: Error) => e.message.startsWith("FleetPolicy leaky has invalid arguments:\n  - configurations.0.auth.username: looks like") && !e.message.includes(token),
    );
});

test("across stacks: one fleet per scope, and no cluster both in a fleet's resource group and owned by a stack of its own", async () => {
    const { crossStackProblems } = await import("../infra/github-layout.ts");
    const { parseStack } = await import("./support.ts");
    const fleet = (stack: string, scope: Record<string, string>, clusterTypes?: string[]) =>
        parseStack(stack, { fleet: { ...fleetStack({ scope }).fleet, ...(clusterTypes ? { clusterTypes } : {}) } });
    const arc = (stack: string, resourceGroup: string) =>
        parseStack(stack, {
            azure: { location: "westeurope", resourceGroup: "rg-platform" },
            cluster: { mode: "arc", name: `${stack}-cluster`, resourceGroup, appNamespaces: ["pos"] },
            registry: { mode: "existing", name: "storesacr" },
            flux: { configurations: [{ name: "c", url: "https://github.com/contoso/gitops", branch: "main", kustomizations: [{ name: "k", path: "p" }] }] },
            connector: { enabled: false },
        }, { secrets: "all" });
    assert.deepEqual(crossStackProblems([fleet("a", { resourceGroup: "Arc-Stores" }), fleet("b", { resourceGroup: "arc-stores" }), fleet("c", { managementGroup: "mg" })]), [
        "the Flux policy assignments at resource group Arc-Stores: claimed by stacks a, b; exactly one fleet stack may assign Flux there",
    ]);
    assert.deepEqual(crossStackProblems([fleet("a", { resourceGroup: "arc-stores" }), arc("store-1", "ARC-STORES"), arc("store-2", "elsewhere")]), [
        "stack store-1: its cluster ARC-STORES/store-1-cluster is in the scope of fleet stack a (resource group arc-stores); both would manage its Flux extension: move the cluster, or leave connectedClusters out of a's fleet.clusterTypes",
    ]);
    const sharing = parseStack("shop", { cluster: { mode: "shared", stack: "a" } });
    assert.deepEqual(crossStackProblems([fleet("a", { subscription: "99999999-8888-7777-6666-555555555555" }), sharing]), [
        "stack shop: cluster.stack names fleet stack a, which owns no cluster to share; name a stack with a cluster of its own",
    ]);
    assert.deepEqual(
        crossStackProblems([fleet("sub", { subscription: "99999999-8888-7777-6666-555555555555" }), fleet("rg", { resourceGroup: "arc-stores", subscription: "99999999-8888-7777-6666-555555555555" })]),
        [
            "stack rg: its scope (resource group arc-stores in subscription 99999999-8888-7777-6666-555555555555) is inside the scope of fleet stack sub (subscription 99999999-8888-7777-6666-555555555555); both would assign Flux to the same clusters",
        ],
    );
    // A fleet of AKS clusters leaves an Arc cluster in the same group alone.
    assert.deepEqual(crossStackProblems([fleet("a", { resourceGroup: "arc-stores" }, ["managedClusters"]), arc("store-1", "arc-stores")]), []);
});
