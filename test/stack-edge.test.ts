// The edge stack through the real entry point: an existing Azure Arc connected cluster, reached with a
// kubeconfig from secret config, with image pull secrets instead of a kubelet identity.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
    assertWellFormedTree, dependsOn, duplicates, find, isSecretValue, one, parentOf, plainOccurrences, providerOf, runStack, SUB, unwrap,
    isTopLevel, deletedWithKeys, destroyPlanOf,
} from "./support.ts";

const KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\nusers: [{name: u, user: {token: CANARY-arc-token-93d0}}]\n";
const REPO_PAT = "CANARY-gitops-repo-pat-aa11";
const PAT = "CANARY-connector-pat-edge-77f3";
const run = runStack("edge", { arcKubeconfig: KUBECONFIG, gitopsRepoPat: REPO_PAT, connectorPat: PAT });
const ARC_ID = `/subscriptions/${SUB}/resourceGroups/arc-edge/providers/Microsoft.Kubernetes/connectedClusters/arc-edge-cluster`;

test("edge references the connected cluster and creates no cluster or resource group", async () => {
    const { rec, outputs } = await run;
    assert.deepEqual(duplicates(rec), []);
    assert.deepEqual(find(rec, "azure-native:containerservice:ManagedCluster"), []);
    assert.deepEqual(find(rec, "azure-native:resources:ResourceGroup"), []);
    const lookup = rec.invocations.filter((i) => i.token === "azure-native:kubernetes:getConnectedCluster");
    assert.deepEqual(lookup.map((i) => i.inputs), [{ resourceGroupName: "arc-edge", clusterName: "arc-edge-cluster" }]);
    assert.equal(outputs.clusterKind, "arc");
    assert.equal(outputs.clusterId, ARC_ID);
    assert.equal(outputs.clusterRp, "Microsoft.Kubernetes");
    assert.equal(outputs.clusterResourceName, "connectedClusters");
    assert.equal(outputs.oidcIssuerUrl, undefined);
});

test("the Arc extension targets connectedClusters with a system-assigned identity", async () => {
    const { rec } = await run;
    const ext = one(rec, "azure-native:kubernetesconfiguration:Extension", "arc-edge-cluster-flux-extension").inputs;
    assert.equal(ext.clusterRp, "Microsoft.Kubernetes");
    assert.equal(ext.clusterResourceName, "connectedClusters");
    assert.equal(ext.clusterName, "arc-edge-cluster");
    assert.equal(ext.resourceGroupName, "arc-edge");
    assert.deepEqual(ext.identity, { type: "SystemAssigned" });
});

test("the Kubernetes provider uses the kubeconfig from secret config, as a secret", async () => {
    const { rec } = await run;
    const provider = one(rec, "pulumi:providers:kubernetes", "arc-edge-cluster-k8s");
    assert.ok(isSecretValue(provider.inputs.kubeconfig));
    assert.equal(provider.inputs.kubeconfig.value, KUBECONFIG);
    assert.deepEqual(rec.invocations.filter((i) => i.token.includes("listManagedCluster")), [], "no AKS credentials on Arc");
    const k8sResources = rec.registrations.filter((r) => r.type.startsWith("kubernetes:"));
    assert.ok(k8sResources.length > 0);
    for (const r of k8sResources) assert.equal(providerOf(rec, r)?.name, "arc-edge-cluster-k8s", `${r.type}::${r.name}`);
});

test("HTTPS auth: httpsUser in plain text, the token base64-encoded in protected settings as a secret", async () => {
    const { rec } = await run;
    const fc = one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "arc-edge-cluster-flux-cluster-config").inputs;
    assert.equal(fc.namespace, "cluster-config");
    assert.equal(fc.gitRepository.httpsUser, "git");
    assert.equal(fc.gitRepository.sshKnownHosts, undefined);
    assert.ok(isSecretValue(fc.configurationProtectedSettings));
    assert.deepEqual(unwrap(fc.configurationProtectedSettings), { httpsKey: Buffer.from(REPO_PAT).toString("base64") });
    assert.deepEqual(Object.keys(fc.kustomizations).sort(), ["apps", "infra"]);
    assert.deepEqual(fc.kustomizations.apps.dependsOn, ["infra"]);
});

test("without a kubelet identity, a pull-only service principal feeds an image pull secret in each app namespace", async () => {
    const { rec } = await run;
    const app = one(rec, "azuread:index/application:Application", "arccicddemoacr-pull");
    assert.equal(app.inputs.displayName, "arccicddemoacr-pull");
    const sp = one(rec, "azuread:index/servicePrincipal:ServicePrincipal", "arccicddemoacr-pull");
    assert.equal(sp.inputs.clientId, "client-of-arccicddemoacr-pull");
    const password = one(rec, "azuread:index/servicePrincipalPassword:ServicePrincipalPassword", "arccicddemoacr-pull");
    assert.equal(password.inputs.endDateRelative, "8760h");
    const ra = one(rec, "azure-native:authorization:RoleAssignment", "arccicddemoacr-pull-acrpull").inputs;
    assert.equal(ra.principalId, "sp-of-arccicddemoacr-pull");
    assert.equal(ra.principalType, "ServicePrincipal");
    assert.match(ra.roleDefinitionId, /\/roleDefinitions\/7f951dda-4ed3-4680-a7ca-43fe172d538d$/);
    assert.equal(ra.scope, `/subscriptions/${SUB}/resourceGroups/arc-cicd-demo/providers/Microsoft.ContainerRegistry/registries/arccicddemoacr`);

    const secret = one(rec, "kubernetes:core/v1:Secret", "arccicddemoacr-pull-edge");
    assert.deepEqual(secret.inputs.metadata, { name: "acr-pull", namespace: "edge" });
    assert.equal(secret.inputs.type, "kubernetes.io/dockerconfigjson");
    assert.ok(isSecretValue(secret.inputs.stringData));
    const docker = JSON.parse(unwrap(secret.inputs.stringData)[".dockerconfigjson"]);
    assert.deepEqual(docker, {
        auths: {
            "arccicddemoacr.azurecr.io": {
                username: "client-of-arccicddemoacr-pull",
                password: "password-of-arccicddemoacr-pull",
                auth: Buffer.from("client-of-arccicddemoacr-pull:password-of-arccicddemoacr-pull").toString("base64"),
            },
        },
    });
    // The namespace comes from the GitOps repo: the secret waits for the configuration's reconciliation.
    assert.ok(dependsOn(rec, secret, one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "arc-edge-cluster-flux-cluster-config")));
    assert.ok(dependsOn(rec, secret, one(rec, "azure-native:authorization:RoleAssignment", "arccicddemoacr-pull-acrpull")));

    const patch = one(rec, "kubernetes:core/v1:ServiceAccountPatch", "arccicddemoacr-default-sa-edge");
    assert.deepEqual(patch.inputs.metadata, { name: "default", namespace: "edge" });
    assert.deepEqual(patch.inputs.imagePullSecrets, [{ name: "acr-pull" }]);
    assert.ok(dependsOn(rec, patch, secret));
    assert.equal(parentOf(rec, patch)?.name, "arccicddemoacr");
});

test("the connector has its own namespace; the Alert/Provider apply cluster-config first, and wait for the configuration they watch", async () => {
    const { rec } = await run;
    const release = one(rec, "kubernetes:helm.sh/v3:Release", "arc-edge-cluster-connector-release");
    assert.equal(release.inputs.namespace, "gitops-connector");
    const providerReg = one(rec, "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Provider", "arc-edge-cluster-notifications-provider");
    const provider = providerReg.inputs;
    assert.equal(provider.metadata.namespace, "cluster-config");
    assert.equal(provider.spec.address, "http://gitops-connector.gitops-connector.svc.cluster.local:8080/gitopsphase");
    const alertReg = one(rec, "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert", "arc-edge-cluster-notifications-alert");
    const alert = alertReg.inputs;
    assert.equal(alert.metadata.namespace, "cluster-config");
    assert.deepEqual(alert.spec.eventSources, [
        { kind: "GitRepository", name: "cluster-config", namespace: "cluster-config" },
        { kind: "Kustomization", name: "cluster-config-infra", namespace: "cluster-config" },
        { kind: "Kustomization", name: "cluster-config-apps", namespace: "cluster-config" },
    ]);
    // The Alert never waits on the configuration's agent to make cluster-config: the namespace is applied
    // first, as a patch, which neither fails on an existing namespace nor deletes it.
    const ns = one(rec, "kubernetes:core/v1:NamespacePatch", "arc-edge-cluster-notifications-namespace");
    assert.equal(ns.inputs.metadata.name, "cluster-config");
    assert.ok(dependsOn(rec, providerReg, ns) && dependsOn(rec, alertReg, providerReg));
    const fc = one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "arc-edge-cluster-flux-cluster-config");
    // Created after the configuration, so destroy deletes them first (docs/teardown.md).
    assert.ok(dependsOn(rec, alertReg, fc) && dependsOn(rec, providerReg, fc), "the Alert and Provider wait for the configuration");
    assert.ok(!dependsOn(rec, fc, alertReg) && !dependsOn(rec, fc, providerReg), "the configuration doesn't wait for them");
    assert.ok(dependsOn(rec, alertReg, release), "the Alert waits for the connector");
    assert.ok(!release.dependencies.some((d) => d.includes("kubernetesconfiguration")), "the connector waits for nothing Flux makes");
});

test("no credential appears in any plain input or output", async () => {
    const { rec, outputs } = await run;
    for (const needle of ["CANARY-arc-token-93d0", REPO_PAT, Buffer.from(REPO_PAT).toString("base64"), PAT, "password-of-arccicddemoacr-pull"]) {
        for (const r of rec.registrations) assert.deepEqual(plainOccurrences(r.inputs, needle), [], `${needle} in ${r.type}::${r.name}`);
        assert.ok(!JSON.stringify(outputs).includes(needle));
    }
});

test("every resource is parented to a component and named from it, and every component registers its outputs", async () => {
    const { rec } = await run;
    assertWellFormedTree(rec, isTopLevel);
});

test("teardown on Arc: nothing is deleted with the cluster, which stays; Alert/Provider first, then the connector, then the configuration, then the extension", async () => {
    const { rec } = await run;
    assert.deepEqual(deletedWithKeys(rec), {});
    const d = await destroyPlanOf("edge", rec);
    assert.deepEqual(d.steps.map((s) => [s.key, s.start, s.finish]), [
        ["kubernetes:core/v1:ServiceAccountPatch::arccicddemoacr-default-sa-edge", 0, 2],
        ["kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert::arc-edge-cluster-notifications-alert", 0, 2],
        ["azure-native:kubernetesconfiguration:Extension::arc-edge-cluster-extensions-akv-secrets-provider", 0, 180],
        ["kubernetes:core/v1:Secret::arccicddemoacr-pull-edge", 2, 4],
        ["kubernetes:notification.toolkit.fluxcd.io/v1beta3:Provider::arc-edge-cluster-notifications-provider", 2, 4],
        ["kubernetes:core/v1:NamespacePatch::arc-edge-cluster-notifications-namespace", 4, 6],
        ["azure-native:authorization:RoleAssignment::arccicddemoacr-pull-acrpull", 4, 9],
        ["azuread:index/servicePrincipalPassword:ServicePrincipalPassword::arccicddemoacr-pull", 4, 9],
        ["kubernetes:helm.sh/v3:Release::arc-edge-cluster-connector-release", 6, 46],
        ["azuread:index/servicePrincipal:ServicePrincipal::arccicddemoacr-pull", 9, 14],
        ["azuread:index/application:Application::arccicddemoacr-pull", 14, 19],
        ["kubernetes:core/v1:Secret::arc-edge-cluster-connector-pat", 46, 48],
        ["kubernetes:core/v1:Namespace::arc-edge-cluster-connector-namespace", 48, 50],
        ["pulumi:providers:kubernetes::arc-edge-cluster-k8s", 50, 50],
        // The connector is gone (50 s) before the configuration it reports on is deleted.
        ["azure-native:kubernetesconfiguration:FluxConfiguration::arc-edge-cluster-flux-cluster-config", 50, 140],
        // The other extensions go before Flux's, one after another, as they were installed.
        ["azure-native:kubernetesconfiguration:Extension::arc-edge-cluster-extensions-monitoring", 180, 360],
        ["azure-native:monitor:DataCollectionRuleAssociation::arc-edge-cluster-extensions-ci-dcra", 360, 365],
        ["azure-native:kubernetesconfiguration:Extension::arc-edge-cluster-flux-extension", 360, 540],
        ["azure-native:monitor:DataCollectionRule::arc-edge-cluster-extensions-ci-dcr", 365, 370],
        ["azure-native:operationalinsights:Workspace::arc-edge-cluster-extensions-logs", 370, 375],
    ]);
    assert.equal(d.seconds, 540);
    assert.deepEqual(d.skipped, []);
    assert.deepEqual(d.protected, []);
});
