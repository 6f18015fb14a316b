// The prod stack through the real entry point: a new cluster bootstrapped from one stack file, with
// Entra ID, a pinned extension, a private GitOps repo over SSH and the registry dev created.
import { test } from "node:test";
import assert from "node:assert/strict";
import YAML from "yaml";
import { GITHUB_KNOWN_HOSTS } from "../components/flux.ts";
import {
    assertWellFormedTree, dependsOn, DEV_OUTPUTS, duplicates, find, isSecretValue, one, plainOccurrences, runStack, SUB, unwrap,
    isTopLevel, deletedWithKeys, destroyPlanOf,
} from "./support.ts";

// The deploy key's private half, as the mocked tls.PrivateKey returns it.
const DEPLOY_KEY = "-----BEGIN EC PRIVATE KEY-----\nPRIVATE-KEY-OF-arc-cicd-prod-cluster-config-deploy-key-key\n-----END EC PRIVATE KEY-----\n";
// prod is deployed by a service principal (the deploy workflow), pinned in the stack file.
const DEPLOYER_SP = "00000000-0000-0000-0000-000000000000";
const run = runStack("prod", { prodTeamsWebhook: "https://contoso.webhook.office.com/CANARY-teams-7a7a" }, {
    caller: "servicePrincipal",
    principals: { [DEPLOYER_SP]: "ServicePrincipal" },
    state: ({ type, inputs }) =>
        type === "pulumi:pulumi:StackReference" && inputs.name === "organization/gitops-platform/dev"
            ? { outputs: DEV_OUTPUTS, secretOutputNames: [] }
            : undefined,
});
const EXISTING_ACR = `/subscriptions/${SUB}/resourceGroups/arc-cicd-demo/providers/Microsoft.ContainerRegistry/registries/arccicddemoacr`;

test("prod creates its own cluster and references dev's registry instead of creating one", async () => {
    const { rec } = await run;
    assert.deepEqual(duplicates(rec), []);
    assert.deepEqual(find(rec, "azure-native:containerregistry:Registry"), [], "the registry belongs to dev");
    const lookup = rec.invocations.filter((i) => i.token === "azure-native:containerregistry:getRegistry");
    assert.deepEqual(lookup.map((i) => i.inputs), [{ registryName: "arccicddemoacr", resourceGroupName: "arc-cicd-demo" }]);
    const acrPull = one(rec, "azure-native:authorization:RoleAssignment", "arccicddemoacr-acrpull").inputs;
    assert.equal(acrPull.scope, EXISTING_ACR);
    assert.equal(acrPull.principalId, "kubelet-of-arc-cicd-prod");
    assert.match(acrPull.roleDefinitionId, /\/roleDefinitions\/7f951dda-4ed3-4680-a7ca-43fe172d538d$/);
    assert.equal(one(rec, "azure-native:resources:ResourceGroup", "arc-cicd-prod").inputs.location, "northeurope");
});

test("the prod AKS cluster uses Entra ID with Azure RBAC, no local accounts, zones and an autoscaled system pool", async () => {
    const { rec } = await run;
    const reg = one(rec, "azure-native:containerservice:ManagedCluster", "arc-cicd-prod-aks");
    const aks = reg.inputs;
    assert.equal(aks.resourceName, "arc-cicd-prod");
    assert.deepEqual(aks.aadProfile, { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: ["00000000-0000-0000-0000-000000000000"] });
    assert.equal(aks.disableLocalAccounts, true);
    assert.deepEqual(aks.sku, { name: "Base", tier: "Standard" });
    const pool = aks.agentPoolProfiles[0];
    assert.equal(pool.enableAutoScaling, true);
    assert.equal(pool.minCount, 3);
    assert.equal(pool.maxCount, 6);
    assert.deepEqual(pool.availabilityZones, ["1", "2", "3"]);
    assert.deepEqual(aks.autoUpgradeProfile, { upgradeChannel: "stable", nodeOSUpgradeChannel: "NodeImage" });
    // The autoscaler owns the pool size once the cluster exists.
    assert.deepEqual(reg.ignoreChanges, ["agentPoolProfiles[0].count"]);
});

test("the pinned deploying service principal gets AKS RBAC Cluster Admin, typed, before the kubeconfig is fetched; nothing follows the caller", async () => {
    const { rec } = await run;
    const grant = one(rec, "azure-native:authorization:RoleAssignment", `arc-cicd-prod-admin-${DEPLOYER_SP}`);
    assert.equal(grant.inputs.principalId, DEPLOYER_SP);
    assert.equal(grant.inputs.principalType, "ServicePrincipal");
    assert.equal(grant.inputs.roleDefinitionId, `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b`);
    assert.equal(grant.inputs.scope, `/subscriptions/${SUB}/mock/arc-cicd-prod-aks`);
    assert.deepEqual(find(rec, "azure-native:authorization:RoleAssignment", "arc-cicd-prod-deployer-admin"), [], "no grant that follows whoever runs up");
    const provider = one(rec, "pulumi:providers:kubernetes", "arc-cicd-prod-k8s");
    assert.ok(dependsOn(rec, provider, grant), "the Kubernetes provider waits for the grant");
});

test("prod's cluster and resource group are protected; the registry belongs to dev", async () => {
    const { rec } = await run;
    assert.equal(one(rec, "azure-native:containerservice:ManagedCluster", "arc-cicd-prod-aks").protect, true);
    assert.equal(one(rec, "azure-native:resources:ResourceGroup", "arc-cicd-prod").protect, true);
});

test("the Kubernetes provider's kubeconfig runs kubelogin with azurecli, not devicecode", async () => {
    const { rec } = await run;
    const provider = one(rec, "pulumi:providers:kubernetes", "arc-cicd-prod-k8s");
    assert.ok(isSecretValue(provider.inputs.kubeconfig));
    const kubeconfig = YAML.parse(provider.inputs.kubeconfig.value);
    assert.equal(kubeconfig.users[0].user.exec.command, "kubelogin");
    assert.deepEqual(kubeconfig.users[0].user.exec.args, [
        "get-token", "--login", "azurecli", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630", "--environment", "AzurePublicCloud",
    ]);
    assert.equal(provider.inputs.enableServerSideApply, "true");
});

test("the extension is pinned: auto-upgrade off", async () => {
    const { rec } = await run;
    const ext = one(rec, "azure-native:kubernetesconfiguration:Extension", "arc-cicd-prod-flux-extension").inputs;
    assert.equal(ext.version, "1.24.1");
    assert.equal(ext.autoUpgradeMinorVersion, false);
    assert.equal(ext.releaseTrain, "Stable");
});

test("a read-only deploy key is generated and registered on the GitOps repo, and Flux uses it over SSH with GitHub's host keys pinned", async () => {
    const { rec } = await run;
    const key = one(rec, "tls:index/privateKey:PrivateKey", "arc-cicd-prod-cluster-config-deploy-key-key").inputs;
    assert.deepEqual([key.algorithm, key.ecdsaCurve], ["ECDSA", "P384"]);
    const deployKey = one(rec, "github:index/repositoryDeployKey:RepositoryDeployKey", "arc-cicd-prod-cluster-config-deploy-key-deploy-key");
    assert.equal(deployKey.inputs.readOnly, true);
    assert.equal(deployKey.inputs.repository, "arc-cicd-demo-gitops");
    assert.equal(deployKey.inputs.title, "flux arc-cicd-prod/cluster-config");
    assert.equal(deployKey.inputs.key, "ecdsa-sha2-nistp384 PUBLIC-KEY-OF-arc-cicd-prod-cluster-config-deploy-key-key");
    assert.match(deployKey.provider, /::pulumi:providers:github::github::/);

    const reg = one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "arc-cicd-prod-flux-cluster-config");
    const fc = reg.inputs;
    assert.equal(fc.gitRepository.url, "ssh://git@github.com/your-github-org/arc-cicd-demo-gitops");
    assert.equal(fc.gitRepository.httpsUser, undefined);
    assert.equal(Buffer.from(fc.gitRepository.sshKnownHosts, "base64").toString(), GITHUB_KNOWN_HOSTS.join("\n") + "\n");
    assert.ok(isSecretValue(fc.configurationProtectedSettings), "protected settings are a secret");
    assert.deepEqual(unwrap(fc.configurationProtectedSettings), { sshPrivateKey: Buffer.from(DEPLOY_KEY).toString("base64") });
    assert.ok(dependsOn(rec, reg, deployKey), "Flux clones only once GitHub knows the key");
    assert.equal(fc.kustomizations["cluster-config"].path, "arc-cicd-prod/manifests");
});

test("az-vote-app-prod: protected by reviewers (a user and a team), a wait timer, protected branches, no self-review or admin bypass", async () => {
    const { rec } = await run;
    const env = one(rec, "github:index/repositoryEnvironment:RepositoryEnvironment", "arc-cicd-demo-src-az-vote-app-prod-environment").inputs;
    assert.equal(env.preventSelfReview, true);
    assert.equal(env.canAdminsBypass, false);
    assert.deepEqual(env.reviewers, [{ users: [1017], teams: [5018] }]);
    assert.equal(env.waitTimer, 30);
    assert.deepEqual(env.deploymentBranchPolicy, { protectedBranches: true, customBranchPolicies: false });
    assert.deepEqual(rec.invocations.filter((i) => i.token === "github:index/getTeam:getTeam").map((i) => i.inputs), [{ slug: "platform-approvers" }]);
});

test("on its own cluster, prod's environment overrides AKS_NAME / AKS_RESOURCE_GROUP, and the CI identity may fetch its credentials", async () => {
    const { rec } = await run;
    const secrets = rec.registrations.filter((r) => r.type === "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret");
    assert.deepEqual(Object.fromEntries(secrets.map((r) => [r.inputs.secretName, unwrap(r.inputs.plaintextValue)])), {
        ENVIRONMENT_NAME: "Prod",
        TARGET_NAMESPACE: "prod",
        AKS_NAME: "arc-cicd-prod",
        AKS_RESOURCE_GROUP: "arc-cicd-prod",
    });
    assert.deepEqual(find(rec, "github:index/actionsSecret:ActionsSecret"), [], "the repository level belongs to dev");
    const access = one(rec, "azure-native:authorization:RoleAssignment", "arc-cicd-demo-src-ci-az-vote-app-prod-user").inputs;
    assert.equal(access.principalId, DEV_OUTPUTS.ciPrincipalId);
    assert.equal(access.scope, `/subscriptions/${SUB}/mock/arc-cicd-prod-aks`);
    assert.match(access.roleDefinitionId, /\/roleDefinitions\/4abbcc35-e782-43d8-92c5-2d3f1bd2253f$/);
});

test("prod runs no GitOps Connector: dev's drives the promotion, and a second would dispatch sync-success again", async () => {
    const { rec, outputs } = await run;
    // On the cluster only its operator alerts: a Secret, a Provider and an Alert in flux-system and in
    // the app namespace prod (patched first).
    const onCluster = rec.registrations.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm") && r.type !== "pulumi:providers:kubernetes");
    assert.deepEqual(onCluster.map((r) => `${r.type.split(":").pop()} ${r.name}`).sort(), [
        "Alert arc-cicd-prod-alerts-flux-system/ops-teams-alert",
        "Alert arc-cicd-prod-alerts-prod/ops-teams-alert",
        "NamespacePatch arc-cicd-prod-alerts-prod-namespace",
        "Provider arc-cicd-prod-alerts-flux-system/ops-teams-provider",
        "Provider arc-cicd-prod-alerts-prod/ops-teams-provider",
        "Secret arc-cicd-prod-alerts-flux-system/ops-teams-secret",
        "Secret arc-cicd-prod-alerts-prod/ops-teams-secret",
    ]);
    assert.deepEqual(rec.registrations.filter((r) => r.type.startsWith("kubernetes:helm") || r.type.includes("Connector") || r.type.includes("Notifications")), []);
    assert.equal(outputs.connectorAddress, undefined);
});

test("the deploy key's private half appears in no plain input or output", async () => {
    const { rec, outputs } = await run;
    for (const needle of ["PRIVATE-KEY-OF-arc-cicd-prod", Buffer.from(DEPLOY_KEY).toString("base64")]) {
        for (const r of rec.registrations) assert.deepEqual(plainOccurrences(r.inputs, needle), [], `${r.type}::${r.name}`);
        assert.ok(!JSON.stringify(outputs).includes(needle));
    }
});

test("every resource is parented to a component and named from it, and every component registers its outputs", async () => {
    const { rec } = await run;
    assertWellFormedTree(rec, isTopLevel);
});

test("teardown: everything on the cluster goes with the cluster prod creates; the rest is ARM and GitHub, and the GitOps repo is only dropped from the state", async () => {
    const { rec } = await run;
    const AKS = "azure-native:containerservice:ManagedCluster::arc-cicd-prod-aks";
    // The Flux extension and configurations (the OCI one at 2025-04-01), the monitoring rules' associations and the operator alerts.
    const onCluster = [
        "azure-native:kubernetesconfiguration:Extension::arc-cicd-prod-flux-extension",
        "azure-native:kubernetesconfiguration:FluxConfiguration::arc-cicd-prod-flux-cluster-config",
        "azure-native:kubernetesconfiguration/v20250401:FluxConfiguration::arc-cicd-prod-flux-app-artifact",
        "azure-native:monitor:DataCollectionRuleAssociation::arc-cicd-prod-ci-dcra",
        "azure-native:monitor:DataCollectionRuleAssociation::arc-cicd-prod-prometheus-dcra",
        "kubernetes:core/v1:NamespacePatch::arc-cicd-prod-alerts-prod-namespace",
        "kubernetes:core/v1:Secret::arc-cicd-prod-alerts-flux-system/ops-teams-secret",
        "kubernetes:core/v1:Secret::arc-cicd-prod-alerts-prod/ops-teams-secret",
        "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert::arc-cicd-prod-alerts-flux-system/ops-teams-alert",
        "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert::arc-cicd-prod-alerts-prod/ops-teams-alert",
        "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Provider::arc-cicd-prod-alerts-flux-system/ops-teams-provider",
        "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Provider::arc-cicd-prod-alerts-prod/ops-teams-provider",
    ];
    const components = ["gitops:alerts:FluxAlerts::arc-cicd-prod-alerts", "gitops:flux:Flux::arc-cicd-prod-flux"];
    assert.deepEqual(deletedWithKeys(rec), Object.fromEntries([...onCluster, ...components].sort().map((k) => [k, AKS])));
    const d = await destroyPlanOf("prod", rec);
    assert.deepEqual(d.skipped, onCluster.map((key) => ({ key, type: key.split("::")[0], with: AKS })));
    assert.deepEqual(d.steps.map((s) => [s.key, s.start, s.finish]), [
        ["pulumi:providers:kubernetes::arc-cicd-prod-k8s", 0, 0],
        ["azure-native:authorization:RoleAssignment::arc-cicd-demo-src-ci-az-vote-app-prod-user", 0, 5],
        ["azure-native:authorization:RoleAssignment::arc-cicd-prod-admin-00000000-0000-0000-0000-000000000000", 0, 5],
        ["azure-native:authorization:RoleAssignment::arc-cicd-prod-flux-identity-acrpull-arccicddemoacr", 0, 5],
        ["azure-native:authorization:RoleAssignment::arccicddemoacr-acrpull", 0, 5],
        ["azure-native:monitor:DataCollectionRule::arc-cicd-prod-ci-dcr", 0, 5],
        ["azure-native:monitor:DataCollectionRule::arc-cicd-prod-prometheus-dcr", 0, 5],
        ["github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret::arc-cicd-demo-src-az-vote-app-prod-aks-name", 0, 5],
        ["github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret::arc-cicd-demo-src-az-vote-app-prod-aks-resource-group", 0, 5],
        ["github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret::arc-cicd-demo-src-az-vote-app-prod-environment-name", 0, 5],
        ["github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret::arc-cicd-demo-src-az-vote-app-prod-target-namespace", 0, 5],
        ["github:index/repositoryDeployKey:RepositoryDeployKey::arc-cicd-prod-cluster-config-deploy-key-deploy-key", 0, 5],
        ["github:index/repositoryRuleset:RepositoryRuleset::arc-cicd-demo-gitops-governance-ruleset", 0, 5],
        ["pulumi:pulumi:StackReference::organization/gitops-platform/dev", 5, 5],
        ["tls:index/privateKey:PrivateKey::arc-cicd-prod-cluster-config-deploy-key-key", 5, 6],
        // The federated credential names the cluster's OIDC issuer, so the cluster waits for it; the identity goes after it.
        ["azure-native:managedidentity:FederatedIdentityCredential::arc-cicd-prod-flux-identity-federated", 5, 10],
        ["azure-native:monitor:AzureMonitorWorkspace::arc-cicd-prod-prometheus", 5, 10],
        ["azure-native:monitor:DataCollectionEndpoint::arc-cicd-prod-prometheus-dce", 5, 10],
        ["github:index/repositoryEnvironment:RepositoryEnvironment::arc-cicd-demo-src-az-vote-app-prod-environment", 5, 10],
        ["github:index/repositoryFile:RepositoryFile::arc-cicd-demo-gitops-governance-workflow-prod", 5, 10],
        ["pulumi:providers:github::github", 10, 10],
        ["azure-native:managedidentity:UserAssignedIdentity::arc-cicd-prod-flux-identity-identity", 10, 15],
        [AKS, 10, 370],
        ["azure-native:operationalinsights:Workspace::arc-cicd-prod-logs", 370, 375],
        ["azure-native:resources:ResourceGroup::arc-cicd-prod", 375, 380],
    ]);
    assert.equal(d.seconds, 380);
    assert.deepEqual(d.protected, [AKS, "azure-native:resources:ResourceGroup::arc-cicd-prod"]);
    // Adopted with retainOnDelete: destroy never deletes the GitOps repository.
    assert.deepEqual(d.retained, ["github:index/repository:Repository::arc-cicd-demo-gitops-governance-repository"]);
});

test("the OCI configuration pulls dev's registry with workload identity through 2025-04-01; governance still governs only the Git branch", async () => {
    const { rec } = await run;
    const oci = one(rec, "azure-native:kubernetesconfiguration/v20250401:FluxConfiguration", "arc-cicd-prod-flux-app-artifact").inputs;
    assert.equal(oci.sourceKind, "OCIRepository");
    assert.deepEqual(
        { url: oci.ociRepository.url, ref: oci.ociRepository.repositoryRef, wi: oci.ociRepository.useWorkloadIdentity },
        { url: "oci://arccicddemoacr.azurecr.io/gitops/arc-cicd-prod", ref: { tag: "latest" }, wi: true },
    );
    // The Git configuration is untouched: still the SDK's class.
    one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "arc-cicd-prod-flux-cluster-config");
    const fic = one(rec, "azure-native:managedidentity:FederatedIdentityCredential", "arc-cicd-prod-flux-identity-federated").inputs;
    assert.equal(fic.issuer, "https://oidc.example/arc-cicd-prod/");
    const pull = one(rec, "azure-native:authorization:RoleAssignment", "arc-cicd-prod-flux-identity-acrpull-arccicddemoacr").inputs;
    assert.equal(pull.scope, EXISTING_ACR);
    assert.equal(pull.principalType, "ServicePrincipal");
    assert.deepEqual(
        rec.registrations.filter((r) => r.type === "github:index/repositoryFile:RepositoryFile").map((r) => r.name),
        ["arc-cicd-demo-gitops-governance-workflow-prod"],
    );
});
