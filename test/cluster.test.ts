// The Cluster component on its own: create AKS, adopt an existing AKS, target Arc; the provider.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import { Cluster, prepareKubeconfig, type AksSettings } from "../components/cluster.ts";
import { aadKubeconfig, assertWellFormedTree, certKubeconfig, dependsOn, find, installMocks, isSecretValue, one, parentOf, settle, SUB, valueOf } from "./support.ts";

// The deployer's role assignment takes a while to create, so that a lookup which doesn't wait for it
// would visibly run first.
const rec = installMocks({ delay: (_type, name) => (name === "new-deployer-admin" ? 400 : 0) });

const aksSettings: AksSettings = {
    skuTier: "Free",
    systemPool: { vmSize: "Standard_D4ds_v5", count: 2, availabilityZones: [], osSku: "AzureLinux" },
    entraId: { enabled: true, adminGroupObjectIds: [], grantDeployerClusterAdmin: true },
    network: { plugin: "azure", dataplane: "cilium", policy: "cilium" },
    upgradeChannel: "patch",
    nodeOsUpgradeChannel: "NodeImage",
};

const created = new Cluster("new", { mode: "aks", name: "aks-new", resourceGroupName: "rg", location: "westeurope", aks: aksSettings });
const adminCluster = new Cluster("local", {
    mode: "aks", name: "aks-local", resourceGroupName: "rg", location: "westeurope",
    aks: { ...aksSettings, entraId: { ...aksSettings.entraId, enabled: false } }, kubeconfig: { credentials: "admin" },
});
const existing = new Cluster("old", { mode: "aksExisting", name: "aks-old", resourceGroupName: "rg-old", kubeconfig: { kubeloginMode: "workloadidentity" } });
const ARC_KUBECONFIG = "apiVersion: v1\nkind: Config\nusers: [{name: u, user: {token: t}}]\n";
const arc = new Cluster("edge", { mode: "arc", name: "edge-cluster", resourceGroupName: "rg-edge", kubeconfig: pulumi.secret(ARC_KUBECONFIG) });
const minimal = new Cluster("min", { mode: "aks", name: "aks-min", resourceGroupName: "rg", location: "westeurope" });
const ready = settle(created, adminCluster, existing, arc, minimal);

test("create: an AKS cluster with a system pool, managed identity, OIDC issuer, workload identity and Entra ID", async () => {
    await ready;
    const aks = one(rec, "azure-native:containerservice:ManagedCluster", "new-aks");
    assert.equal(parentOf(rec, aks)?.name, "new");
    assert.deepEqual(aks.inputs.identity, { type: "SystemAssigned" });
    assert.deepEqual(aks.inputs.oidcIssuerProfile, { enabled: true });
    assert.deepEqual(aks.inputs.securityProfile, { workloadIdentity: { enabled: true } });
    assert.deepEqual(aks.inputs.aadProfile, { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: [] });
    assert.equal(aks.inputs.disableLocalAccounts, true, "local accounts default off with Entra ID");
    const net = aks.inputs.networkProfile;
    assert.deepEqual(
        [net.networkPlugin, net.networkPluginMode, net.networkDataplane, net.networkPolicy, net.loadBalancerSku],
        ["azure", "overlay", "cilium", "cilium", "standard"],
    );
    assert.deepEqual(aks.inputs.autoUpgradeProfile, { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" });
    assert.deepEqual(aks.ignoreChanges, [], "a fixed-size pool keeps its count under Pulumi's control");
    assert.equal(await valueOf(created.kubeletObjectId!), "kubelet-of-aks-new");
    assert.equal(await valueOf(created.oidcIssuerUrl!), "https://oidc.example/aks-new/");
    assert.equal(created.clusterRp, "Microsoft.ContainerService");
    assert.equal(created.clusterResourceName, "managedClusters");
});

test("create: the deployer is granted AKS RBAC Cluster Admin and the kubeconfig waits for it", async () => {
    await ready;
    const grant = one(rec, "azure-native:authorization:RoleAssignment", "new-deployer-admin");
    assert.equal(grant.inputs.roleDefinitionId, `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b`);
    assert.equal(grant.inputs.scope, `/subscriptions/${SUB}/mock/new-aks`);
    // A person ran it (the mock's caller token carries scp): typed User, from the token, not by default.
    assert.equal(grant.inputs.principalType, "User");
    assert.ok(rec.invocations.some((i) => i.token === "azure-native:authorization:getClientToken"));
    assert.ok(dependsOn(rec, grant, one(rec, "azure-native:containerservice:ManagedCluster", "new-aks")));
    const lookup = rec.invocations.find((i) => i.token === "azure-native:containerservice:listManagedClusterUserCredentials" && i.inputs.resourceName === "aks-new");
    assert.ok(lookup, "the kubeconfig was fetched");
    assert.ok(lookup.calledAt >= grant.createdAt, `kubeconfig fetched at ${lookup.calledAt} ms, before the grant existed (${grant.createdAt} ms)`);
    assert.deepEqual(find(rec, "azure-native:authorization:RoleAssignment", "local-deployer-admin"), [], "no grant without Entra ID");
});

test("create: the provider gets the user kubeconfig with kubelogin switched to azurecli, as a secret", async () => {
    await ready;
    const provider = one(rec, "pulumi:providers:kubernetes", "new-k8s");
    assert.equal(parentOf(rec, provider)?.name, "new");
    assert.ok(isSecretValue(provider.inputs.kubeconfig));
    assert.equal(provider.inputs.kubeconfig.value, prepareKubeconfig(aadKubeconfig("aks-new"), "azurecli"));
    assert.equal(provider.inputs.enableServerSideApply, "true");
    assert.ok(await pulumi.isSecret(created.kubeconfig!));
});

test("admin credentials use the local admin kubeconfig unchanged", async () => {
    await ready;
    const provider = one(rec, "pulumi:providers:kubernetes", "local-k8s");
    assert.equal(provider.inputs.kubeconfig.value, certKubeconfig("aks-local"));
    const calls = rec.invocations.filter((i) => i.token === "azure-native:containerservice:listManagedClusterAdminCredentials");
    assert.deepEqual(calls.map((c) => c.inputs), [{ resourceGroupName: "rg", resourceName: "aks-local" }]);
});

test("adopt: an existing AKS cluster is read, never created, and its kubelet identity is exposed", async () => {
    await ready;
    assert.deepEqual(find(rec, "azure-native:containerservice:ManagedCluster", "old-aks"), []);
    const lookups = rec.invocations.filter((i) => i.token === "azure-native:containerservice:getManagedCluster");
    assert.deepEqual(lookups.map((c) => c.inputs), [{ resourceGroupName: "rg-old", resourceName: "aks-old" }]);
    assert.equal(await valueOf(existing.kubeletObjectId!), "33333333-3333-3333-3333-33333333ku6e");
    assert.equal(await valueOf(existing.clusterId), `/subscriptions/${SUB}/resourceGroups/rg-old/providers/Microsoft.ContainerService/managedClusters/aks-old`);
    const kubeconfig = YAML.parse(one(rec, "pulumi:providers:kubernetes", "old-k8s").inputs.kubeconfig.value);
    assert.deepEqual(kubeconfig.users[0].user.exec.args.slice(0, 3), ["get-token", "--login", "workloadidentity"]);
});

test("arc: a connected cluster is referenced, and the provider uses the given kubeconfig", async () => {
    await ready;
    assert.equal(arc.kind, "arc");
    assert.equal(arc.clusterRp, "Microsoft.Kubernetes");
    assert.equal(arc.clusterResourceName, "connectedClusters");
    assert.equal(arc.kubeletObjectId, undefined);
    assert.equal(await valueOf(arc.clusterId), `/subscriptions/${SUB}/resourceGroups/rg-edge/providers/Microsoft.Kubernetes/connectedClusters/edge-cluster`);
    const provider = one(rec, "pulumi:providers:kubernetes", "edge-k8s");
    assert.ok(isSecretValue(provider.inputs.kubeconfig));
    assert.equal(provider.inputs.kubeconfig.value, ARC_KUBECONFIG);
    assert.deepEqual(rec.registrations.filter((r) => parentOf(rec, r)?.name === "edge").map((r) => r.name), ["edge-k8s"]);
});

test("prepareKubeconfig rewrites kubelogin for each login mode and leaves others alone", () => {
    const args = (mode: Parameters<typeof prepareKubeconfig>[1]) => YAML.parse(prepareKubeconfig(aadKubeconfig("c"), mode)).users[0].user.exec.args;
    const server = ["--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630", "--environment", "AzurePublicCloud"];
    assert.deepEqual(args("azurecli"), ["get-token", "--login", "azurecli", ...server]);
    assert.deepEqual(args("workloadidentity"), ["get-token", "--login", "workloadidentity", ...server]);
    assert.deepEqual(args("spn"), ["get-token", "--login", "spn", ...server, "--tenant-id", "22222222-2222-2222-2222-222222222222"]);
    assert.deepEqual(args("msi"), ["get-token", "--login", "msi", ...server, "--tenant-id", "22222222-2222-2222-2222-222222222222"]);
    assert.equal(prepareKubeconfig(aadKubeconfig("c"), "devicecode"), aadKubeconfig("c"));
    // Base64 (as ARM returns it) is decoded; a certificate kubeconfig passes through untouched.
    assert.equal(prepareKubeconfig(Buffer.from(certKubeconfig("c")).toString("base64")), certKubeconfig("c"));
});

test("the component tree is well formed", async () => {
    await ready;
    assertWellFormedTree(rec, (r) => r.type === "gitops:cluster:Cluster");
});

test("used from code with no AKS settings, a new cluster gets the documented defaults", async () => {
    await ready;
    const aks = one(rec, "azure-native:containerservice:ManagedCluster", "min-aks").inputs;
    assert.deepEqual(aks.sku, { name: "Base", tier: "Free" });
    const pool = aks.agentPoolProfiles[0];
    assert.deepEqual([pool.name, pool.mode, pool.vmSize, pool.count, pool.osSKU, pool.enableAutoScaling], ["system", "System", "Standard_D4ds_v5", 2, "AzureLinux", false]);
    assert.deepEqual(aks.aadProfile, { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: [] });
    assert.equal(aks.disableLocalAccounts, true);
    assert.deepEqual(aks.oidcIssuerProfile, { enabled: true });
    assert.deepEqual(aks.securityProfile, { workloadIdentity: { enabled: true } });
    assert.deepEqual(aks.autoUpgradeProfile, { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" });
    one(rec, "azure-native:authorization:RoleAssignment", "min-deployer-admin");
});
