// The dev stack through the real entry point: the tutorial's cluster-side setup, end to end.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
    assertWellFormedTree, certKubeconfig, DEV_OUTPUTS, dependsOn, duplicates, find, isSecretValue, one, parentOf, plainOccurrences, providerOf, runStack, unwrap,
    isTopLevel, SUB, deletedWithKeys, destroyPlanOf,
} from "./support.ts";

const PAT = "CANARY-connector-pat-7d1f";
const APP_PAT = "CANARY-app-repo-pat-3e9a";

const run = runStack("dev", { connectorPat: PAT, appRepoPat: APP_PAT }, {
    calls: {
        // dev's cluster has no Entra ID, so AKS hands out a certificate kubeconfig.
        "azure-native:containerservice:listManagedClusterUserCredentials": (i) => ({
            kubeconfigs: [{ name: "clusterUser", value: Buffer.from(certKubeconfig(i.resourceName)).toString("base64") }],
        }),
    },
});

test("dev registers exactly the tutorial's resources, cluster and GitHub side, each once", async () => {
    const { rec } = await run;
    assert.deepEqual(duplicates(rec), []);
    const got = rec.registrations.map((r) => `${r.type}::${r.name}`).sort();
    const secret = (s: string) => `github:index/actionsSecret:ActionsSecret::arc-cicd-demo-src-secrets-${s}`;
    assert.deepEqual(got, [
        "azure-native:authorization:RoleAssignment::arc-cicd-demo-src-ci-acr-tasks",
        "azure-native:authorization:RoleAssignment::arc-cicd-demo-src-ci-acrpush",
        "azure-native:authorization:RoleAssignment::arc-cicd-demo-src-ci-arc-cicd-cluster-user",
        "azure-native:authorization:RoleAssignment::arccicddemoacr-acrpull",
        "azure-native:containerregistry:Registry::arccicddemoacr-acr",
        "azure-native:containerservice:ManagedCluster::arc-cicd-cluster-aks",
        "azure-native:kubernetesconfiguration:Extension::arc-cicd-cluster-flux-extension",
        "azure-native:kubernetesconfiguration:FluxConfiguration::arc-cicd-cluster-flux-cluster-config",
        "azure-native:resources:ResourceGroup::arc-cicd-demo",
        "azuread:index/application:Application::arc-cicd-demo-src-ci-app",
        "azuread:index/applicationPassword:ApplicationPassword::arc-cicd-demo-src-ci-secret",
        "azuread:index/servicePrincipal:ServicePrincipal::arc-cicd-demo-src-ci-sp",
        "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret::arc-cicd-demo-src-az-vote-app-dev-environment-name",
        "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret::arc-cicd-demo-src-az-vote-app-dev-target-namespace",
        "github:index/actionsRepositoryPermissions:ActionsRepositoryPermissions::arc-cicd-demo-src-settings-actions",
        secret("aks-name"), secret("aks-resource-group"), secret("az-acr-name"), secret("azure-credentials"), secret("azure-vote-image-repo"),
        secret("demo-app-url"), secret("manifests-branch"), secret("manifests-folder"), secret("manifests-repo"), secret("pat"),
        secret("system-label"), secret("vote-app-title"),
        "github:index/repositoryEnvironment:RepositoryEnvironment::arc-cicd-demo-src-az-vote-app-dev-environment",
        "github:index/workflowRepositoryPermissions:WorkflowRepositoryPermissions::arc-cicd-demo-src-settings-workflow-token",
        "gitops:cluster:Cluster::arc-cicd-cluster",
        "gitops:connector:GitOpsConnector::arc-cicd-cluster-connector",
        "gitops:flux:Flux::arc-cicd-cluster-flux",
        "gitops:github:AppRepositorySettings::arc-cicd-demo-src-settings",
        "gitops:github:Environment::arc-cicd-demo-src-az-vote-app-dev",
        "gitops:github:RepositorySecrets::arc-cicd-demo-src-secrets",
        "gitops:identity:CiIdentity::arc-cicd-demo-src-ci",
        "gitops:notifications:FluxNotifications::arc-cicd-cluster-notifications",
        "gitops:registry:Registry::arccicddemoacr",
        "kubernetes:core/v1:Namespace::arc-cicd-cluster-connector-namespace",
        "kubernetes:core/v1:Secret::arc-cicd-cluster-connector-pat",
        "kubernetes:helm.sh/v3:Release::arc-cicd-cluster-connector-release",
        "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert::arc-cicd-cluster-notifications-alert",
        "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Provider::arc-cicd-cluster-notifications-provider",
        "pulumi:providers:github::github",
        "pulumi:providers:kubernetes::arc-cicd-cluster-k8s",
    ]);
});

test("every child is parented to its component", async () => {
    const { rec } = await run;
    const expected: Record<string, string> = {
        "arc-cicd-cluster-aks": "arc-cicd-cluster",
        "arc-cicd-cluster-k8s": "arc-cicd-cluster",
        "arccicddemoacr-acr": "arccicddemoacr",
        "arccicddemoacr-acrpull": "arccicddemoacr",
        "arc-cicd-cluster-flux-extension": "arc-cicd-cluster-flux",
        "arc-cicd-cluster-flux-cluster-config": "arc-cicd-cluster-flux",
        "arc-cicd-cluster-connector-namespace": "arc-cicd-cluster-connector",
        "arc-cicd-cluster-connector-pat": "arc-cicd-cluster-connector",
        "arc-cicd-cluster-connector-release": "arc-cicd-cluster-connector",
        "arc-cicd-cluster-notifications-provider": "arc-cicd-cluster-notifications",
        "arc-cicd-cluster-notifications-alert": "arc-cicd-cluster-notifications",
    };
    for (const [child, parent] of Object.entries(expected)) {
        const r = rec.registrations.filter((x) => x.name === child);
        assert.equal(r.length, 1, child);
        assert.equal(parentOf(rec, r[0])?.name, parent, `parent of ${child}`);
    }
});

test("the resource group and AKS cluster match the tutorial, with managed identity, OIDC and workload identity", async () => {
    const { rec } = await run;
    const rg = one(rec, "azure-native:resources:ResourceGroup", "arc-cicd-demo").inputs;
    assert.equal(rg.resourceGroupName, "arc-cicd-demo");
    assert.equal(rg.location, "westeurope");

    const aks = one(rec, "azure-native:containerservice:ManagedCluster", "arc-cicd-cluster-aks").inputs;
    assert.equal(aks.resourceName, "arc-cicd-cluster");
    assert.equal(aks.resourceGroupName, "arc-cicd-demo");
    assert.equal(aks.location, "westeurope");
    assert.equal(aks.dnsPrefix, "arc-cicd-cluster");
    assert.deepEqual(aks.identity, { type: "SystemAssigned" });
    assert.deepEqual(aks.oidcIssuerProfile, { enabled: true });
    assert.deepEqual(aks.securityProfile, { workloadIdentity: { enabled: true } });
    assert.equal(aks.enableRBAC, true);
    // The tutorial stack keeps Kubernetes-native auth for the sample's smoke test.
    assert.equal(aks.aadProfile, undefined);
    assert.equal(aks.disableLocalAccounts, false);
    assert.deepEqual(aks.sku, { name: "Base", tier: "Free" });
    assert.equal(aks.agentPoolProfiles.length, 1);
    const pool = aks.agentPoolProfiles[0];
    assert.equal(pool.name, "system");
    assert.equal(pool.mode, "System");
    assert.equal(pool.vmSize, "Standard_D4ds_v5");
    assert.equal(pool.count, 2);
    assert.equal(pool.enableAutoScaling, false);
    assert.equal(pool.osSKU, "AzureLinux");
    assert.equal(aks.networkProfile.networkPlugin, "azure");
    assert.equal(aks.networkProfile.networkPluginMode, "overlay");
});

test("ACR is created with the admin user off and attached by AcrPull to the kubelet identity", async () => {
    const { rec } = await run;
    const acr = one(rec, "azure-native:containerregistry:Registry", "arccicddemoacr-acr").inputs;
    assert.equal(acr.registryName, "arccicddemoacr");
    assert.equal(acr.adminUserEnabled, false);
    assert.deepEqual(acr.sku, { name: "Standard" });
    // prod and edge pull from it: destroying dev must not take it along. The cluster and group are dev's alone.
    assert.equal(one(rec, "azure-native:containerregistry:Registry", "arccicddemoacr-acr").protect, true);
    assert.equal(one(rec, "azure-native:containerservice:ManagedCluster", "arc-cicd-cluster-aks").protect, false);
    assert.equal(one(rec, "azure-native:resources:ResourceGroup", "arc-cicd-demo").protect, false);

    const ra = one(rec, "azure-native:authorization:RoleAssignment", "arccicddemoacr-acrpull");
    assert.equal(ra.inputs.roleDefinitionId, `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d`);
    assert.equal(ra.inputs.principalId, "kubelet-of-arc-cicd-cluster");
    assert.equal(ra.inputs.principalType, "ServicePrincipal");
    assert.equal(ra.inputs.scope, `/subscriptions/${SUB}/mock/arccicddemoacr-acr`);
    assert.ok(dependsOn(rec, ra, one(rec, "azure-native:containerservice:ManagedCluster", "arc-cicd-cluster-aks")));
});

test("the microsoft.flux extension is explicit, on the Stable train, with notifications on", async () => {
    const { rec } = await run;
    const ext = one(rec, "azure-native:kubernetesconfiguration:Extension", "arc-cicd-cluster-flux-extension").inputs;
    assert.equal(ext.extensionName, "flux");
    assert.equal(ext.extensionType, "microsoft.flux");
    assert.equal(ext.clusterName, "arc-cicd-cluster");
    assert.equal(ext.resourceGroupName, "arc-cicd-demo");
    assert.equal(ext.clusterRp, "Microsoft.ContainerService");
    assert.equal(ext.clusterResourceName, "managedClusters");
    assert.equal(ext.autoUpgradeMinorVersion, true);
    assert.equal(ext.releaseTrain, "Stable");
    assert.equal(ext.version, undefined);
    assert.equal(ext.identity, undefined);
    assert.deepEqual(ext.scope, { cluster: { releaseNamespace: "flux-system" } });
    assert.equal(ext.configurationSettings["notification-controller.enabled"], "true");
    assert.equal(ext.configurationSettings["multiTenancy.enforce"], "true");
});

test("the Flux configuration is the tutorial's cluster-config and waits for the extension", async () => {
    const { rec } = await run;
    const reg = one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "arc-cicd-cluster-flux-cluster-config");
    const fc = reg.inputs;
    assert.equal(fc.fluxConfigurationName, "cluster-config");
    assert.equal(fc.namespace, "flux-system");
    assert.equal(fc.scope, "cluster");
    assert.equal(fc.sourceKind, "GitRepository");
    assert.equal(fc.clusterRp, "Microsoft.ContainerService");
    assert.equal(fc.clusterResourceName, "managedClusters");
    assert.equal(fc.gitRepository.url, "https://github.com/your-github-org/arc-cicd-demo-gitops");
    assert.deepEqual(fc.gitRepository.repositoryRef, { branch: "master" });
    assert.equal(fc.gitRepository.httpsUser, undefined);
    assert.equal(fc.configurationProtectedSettings, undefined, "a public repo sends no credentials");
    assert.deepEqual(Object.keys(fc.kustomizations), ["cluster-config"]);
    const k = fc.kustomizations["cluster-config"];
    assert.equal(k.path, "arc-cicd-cluster/manifests");
    assert.equal(k.prune, true);
    assert.equal(k.wait, true);
    assert.deepEqual(k.dependsOn, []);
    assert.equal(fc.waitForReconciliation, true);
    assert.equal(fc.reconciliationWaitDuration, "PT10M");
    assert.ok(dependsOn(rec, reg, one(rec, "azure-native:kubernetesconfiguration:Extension", "arc-cicd-cluster-flux-extension")));
});

test("the GitOps Connector release is chart 1.2.1 in its own namespace with values derived from the repos, waiting only for the cluster", async () => {
    const { rec } = await run;
    const rel = one(rec, "kubernetes:helm.sh/v3:Release", "arc-cicd-cluster-connector-release");
    assert.equal(rel.inputs.chart, "gitops-connector");
    assert.equal(rel.inputs.version, "1.2.1");
    assert.deepEqual(rel.inputs.repositoryOpts, { repo: "https://azure.github.io/gitops-connector/" });
    assert.equal(rel.inputs.namespace, "gitops-connector");
    assert.equal(rel.inputs.name, "gitops-connector");
    assert.equal(rel.inputs.createNamespace, false);
    assert.ok(!isSecretValue(rel.inputs.values), "the chart values stay reviewable in preview");
    assert.deepEqual(rel.inputs.values, {
        gitRepositoryType: "GITHUB",
        ciCdOrchestratorType: "GITHUB",
        gitOpsOperatorType: "FLUX",
        gitHubGitOpsRepoName: "arc-cicd-demo-src",
        gitHubGitOpsManifestsRepoName: "arc-cicd-demo-gitops",
        gitHubOrgUrl: "https://api.github.com/repos/your-github-org",
        gitOpsAppURL: "https://github.com/your-github-org/arc-cicd-demo-gitops/commit",
        // Overrides the chart's leaked default token; the PAT itself is in the Secret below.
        orchestratorPAT: "",
    });
    // Installed while the extension is still being created: it needs nothing Flux makes, and it must be
    // listening before the first sync.
    const ns = one(rec, "kubernetes:core/v1:Namespace", "arc-cicd-cluster-connector-namespace");
    assert.equal(ns.inputs.metadata.name, "gitops-connector");
    assert.ok(dependsOn(rec, rel, one(rec, "kubernetes:core/v1:Secret", "arc-cicd-cluster-connector-pat")));
    for (const r of [ns, rel]) {
        for (const flux of ["azure-native:kubernetesconfiguration:Extension", "azure-native:kubernetesconfiguration:FluxConfiguration"]) {
            assert.ok(!r.dependencies.some((d) => d.includes(flux)), `${r.name} doesn't wait for ${flux}`);
        }
    }
    assert.ok(dependsOn(rec, providerOf(rec, ns)!, one(rec, "azure-native:containerservice:ManagedCluster", "arc-cicd-cluster-aks")), "the provider waits for the cluster");
});

test("the connector PAT comes from secret config into the chart's Secret, as a secret, before the release", async () => {
    const { rec } = await run;
    const pat = one(rec, "kubernetes:core/v1:Secret", "arc-cicd-cluster-connector-pat");
    assert.deepEqual(pat.inputs.metadata, { name: "gitops-connector-secret", namespace: "gitops-connector" });
    assert.equal(pat.inputs.type, "Opaque");
    assert.ok(isSecretValue(pat.inputs.stringData), "stringData reaches Kubernetes only as a secret");
    assert.deepEqual(unwrap(pat.inputs.stringData), { PAT });
    const rel = one(rec, "kubernetes:helm.sh/v3:Release", "arc-cicd-cluster-connector-release");
    assert.ok(dependsOn(rec, rel, pat));
    assert.ok(dependsOn(rec, pat, one(rec, "kubernetes:core/v1:Namespace", "arc-cicd-cluster-connector-namespace")));
});

test("the Flux Provider and Alert are v1beta3, in flux-system, and wait for the extension, the connector and the configuration they watch", async () => {
    const { rec } = await run;
    const ext = one(rec, "azure-native:kubernetesconfiguration:Extension", "arc-cicd-cluster-flux-extension");
    const release = one(rec, "kubernetes:helm.sh/v3:Release", "arc-cicd-cluster-connector-release");
    const provider = one(rec, "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Provider", "arc-cicd-cluster-notifications-provider");
    const alert = one(rec, "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert", "arc-cicd-cluster-notifications-alert");

    assert.equal(provider.inputs.apiVersion, "notification.toolkit.fluxcd.io/v1beta3");
    assert.deepEqual(provider.inputs.metadata, { name: "gitops-connector", namespace: "flux-system" });
    assert.deepEqual(provider.inputs.spec, { type: "generic", address: "http://gitops-connector.gitops-connector.svc.cluster.local:8080/gitopsphase" });

    assert.equal(alert.inputs.apiVersion, "notification.toolkit.fluxcd.io/v1beta3");
    assert.deepEqual(alert.inputs.metadata, { name: "gitops-connector", namespace: "flux-system" });
    assert.deepEqual(alert.inputs.spec, {
        providerRef: { name: "gitops-connector" },
        eventSeverity: "info",
        eventSources: [
            { kind: "GitRepository", name: "cluster-config", namespace: "flux-system" },
            { kind: "Kustomization", name: "cluster-config-cluster-config", namespace: "flux-system" },
        ],
    });
    for (const r of [provider, alert]) {
        assert.ok(dependsOn(rec, r, ext), `${r.name} waits for the extension (CRDs)`);
        assert.ok(dependsOn(rec, r, release), `${r.name} waits for the connector`);
    }
    assert.ok(dependsOn(rec, alert, provider));
    // flux-system comes with the extension: no namespace of its own to apply.
    assert.equal(find(rec, "kubernetes:core/v1:NamespacePatch").length, 0);
    // Created after the configuration they watch, so destroy deletes them first (docs/teardown.md).
    const fc = one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "arc-cicd-cluster-flux-cluster-config");
    assert.ok(dependsOn(rec, alert, fc) && dependsOn(rec, provider, fc), "the Alert and Provider wait for the configuration");
    assert.ok(!dependsOn(rec, fc, alert) && !dependsOn(rec, fc, provider), "the configuration doesn't wait for them");
});

test("every Kubernetes resource uses the cluster's explicit provider, built from the AKS kubeconfig as a secret", async () => {
    const { rec } = await run;
    const k8sResources = rec.registrations.filter((r) => r.type.startsWith("kubernetes:"));
    assert.equal(k8sResources.length, 5);
    for (const r of k8sResources) assert.equal(providerOf(rec, r)?.name, "arc-cicd-cluster-k8s", `${r.type}::${r.name}`);

    const provider = one(rec, "pulumi:providers:kubernetes", "arc-cicd-cluster-k8s");
    assert.ok(isSecretValue(provider.inputs.kubeconfig), "the kubeconfig is a secret");
    assert.equal(provider.inputs.kubeconfig.value, certKubeconfig("arc-cicd-cluster"));
    const lookups = rec.invocations.filter((i) => i.token === "azure-native:containerservice:listManagedClusterUserCredentials");
    assert.equal(lookups.length, 1);
    assert.deepEqual(lookups[0].inputs, { resourceGroupName: "arc-cicd-demo", resourceName: "arc-cicd-cluster" });
});

test("neither PAT appears in any plain input", async () => {
    const { rec } = await run;
    for (const needle of [PAT, APP_PAT]) {
        for (const r of rec.registrations) assert.deepEqual(plainOccurrences(r.inputs, needle), [], `${r.type}::${r.name}`);
    }
});

test("dev exports the cluster contract the other stacks read", async () => {
    const { outputs, secretOutputs, rec } = await run;
    assert.deepEqual(unwrap(outputs), DEV_OUTPUTS);
    assert.deepEqual(secretOutputs, []);
    assert.deepEqual(find(rec, "azure-native:authorization:RoleAssignment", "arc-cicd-cluster-deployer-admin"), [], "no deployer grant without Entra ID");
});

test("every resource is parented to a component and named from it, and every component registers its outputs", async () => {
    const { rec } = await run;
    assertWellFormedTree(rec, isTopLevel);
});

test("teardown: everything on the cluster dev creates goes with it; destroy deletes through ARM and GitHub only", async () => {
    const { rec } = await run;
    const AKS = "azure-native:containerservice:ManagedCluster::arc-cicd-cluster-aks";
    const onCluster = [
        "azure-native:kubernetesconfiguration:Extension::arc-cicd-cluster-flux-extension",
        "azure-native:kubernetesconfiguration:FluxConfiguration::arc-cicd-cluster-flux-cluster-config",
        "kubernetes:core/v1:Namespace::arc-cicd-cluster-connector-namespace",
        "kubernetes:core/v1:Secret::arc-cicd-cluster-connector-pat",
        "kubernetes:helm.sh/v3:Release::arc-cicd-cluster-connector-release",
        "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert::arc-cicd-cluster-notifications-alert",
        "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Provider::arc-cicd-cluster-notifications-provider",
    ];
    // The components carry the option they hand on; the registry's doesn't: it outlives the cluster.
    const components = ["gitops:connector:GitOpsConnector::arc-cicd-cluster-connector", "gitops:flux:Flux::arc-cicd-cluster-flux", "gitops:notifications:FluxNotifications::arc-cicd-cluster-notifications"];
    assert.deepEqual(deletedWithKeys(rec), Object.fromEntries([...onCluster, ...components].sort().map((k) => [k, AKS])));

    const d = await destroyPlanOf("dev", rec);
    assert.deepEqual(d.skipped, onCluster.map((key) => ({ key, type: key.split("::")[0], with: AKS })));
    // Nothing waits on the API server or Flux: the only step on the cluster's side is dropping its provider.
    assert.deepEqual(d.steps.filter((s) => /^(kubernetes:|azure-native:kubernetesconfiguration:)/.test(s.type)), []);
    assert.deepEqual(d.steps.filter((s) => !s.type.startsWith("github:")).map((s) => [s.key, s.start, s.finish]), [
        ["pulumi:providers:kubernetes::arc-cicd-cluster-k8s", 0, 0],
        ["azure-native:authorization:RoleAssignment::arc-cicd-demo-src-ci-acr-tasks", 0, 5],
        ["azure-native:authorization:RoleAssignment::arc-cicd-demo-src-ci-acrpush", 0, 5],
        ["azure-native:authorization:RoleAssignment::arc-cicd-demo-src-ci-arc-cicd-cluster-user", 0, 5],
        ["azure-native:authorization:RoleAssignment::arccicddemoacr-acrpull", 0, 5],
        ["azure-native:containerregistry:Registry::arccicddemoacr-acr", 5, 10],
        ["azuread:index/applicationPassword:ApplicationPassword::arc-cicd-demo-src-ci-secret", 5, 10],
        ["azuread:index/servicePrincipal:ServicePrincipal::arc-cicd-demo-src-ci-sp", 5, 10],
        [AKS, 5, 365],
        ["pulumi:providers:github::github", 10, 10],
        ["azuread:index/application:Application::arc-cicd-demo-src-ci-app", 10, 15],
        ["azure-native:resources:ResourceGroup::arc-cicd-demo", 365, 370],
    ]);
    assert.equal(d.seconds, 370);
    assert.deepEqual(d.protected, ["azure-native:containerregistry:Registry::arccicddemoacr-acr"]);
});
