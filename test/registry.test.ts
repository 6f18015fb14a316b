// The Registry component on its own: create or reference an ACR, attach it by kubelet AcrPull or by
// image pull secrets.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { dockerConfigJson, Registry } from "../components/registry.ts";
import { assertWellFormedTree, dependsOn, find, installMocks, isSecretValue, one, parentOf, providerOf, settle, SUB, unwrap, valueOf } from "./support.ts";

const rec = installMocks();
const ACR_PULL = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d`;

const provider = new k8s.Provider("k8s", { kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n") });
const gate = new k8s.core.v1.ConfigMap("namespaces-ready", { metadata: { name: "x" } }, { provider });
const created = new Registry("acr1", {
    mode: "create", registryName: "platformacr", resourceGroupName: "rg", location: "westeurope", sku: "Premium",
    attach: { kind: "kubelet", kubeletObjectId: "kubelet-object-id" },
});
const shared = new Registry("acr2", {
    mode: "existing", registryName: "sharedacr", resourceGroupName: "rg-shared",
    attach: { kind: "pullSecret", namespaces: ["dev", "stage"], provider, credentialLifetime: "720h", namespacesReady: [gate] },
});
const ready = settle(provider, gate, created, shared);

test("create: an ACR with the admin user off, attached by AcrPull to the kubelet identity", async () => {
    await ready;
    const acr = one(rec, "azure-native:containerregistry:Registry", "acr1-acr");
    assert.equal(parentOf(rec, acr)?.name, "acr1");
    assert.equal(acr.inputs.registryName, "platformacr");
    assert.equal(acr.inputs.location, "westeurope");
    assert.deepEqual(acr.inputs.sku, { name: "Premium" });
    assert.equal(acr.inputs.adminUserEnabled, false);
    const ra = one(rec, "azure-native:authorization:RoleAssignment", "acr1-acrpull");
    assert.deepEqual(ra.inputs, { principalId: "kubelet-object-id", principalType: "ServicePrincipal", roleDefinitionId: ACR_PULL, scope: `/subscriptions/${SUB}/mock/acr1-acr` });
    assert.ok(dependsOn(rec, ra, acr));
    assert.equal(await valueOf(created.loginServer), "platformacr.azurecr.io");
    assert.deepEqual(created.pullSecrets, {});
});

test("existing: the registry is looked up, not created", async () => {
    await ready;
    assert.deepEqual(find(rec, "azure-native:containerregistry:Registry", "acr2-acr"), []);
    assert.equal(await valueOf(shared.registryId), `/subscriptions/${SUB}/resourceGroups/rg-shared/providers/Microsoft.ContainerRegistry/registries/sharedacr`);
});

test("pull secrets: a pull-only principal with AcrPull, and a docker-registry secret plus default ServiceAccount in each namespace", async () => {
    await ready;
    const ra = one(rec, "azure-native:authorization:RoleAssignment", "acr2-pull-acrpull");
    assert.deepEqual(ra.inputs, {
        principalId: "sp-of-acr2-pull", principalType: "ServicePrincipal", roleDefinitionId: ACR_PULL,
        scope: `/subscriptions/${SUB}/resourceGroups/rg-shared/providers/Microsoft.ContainerRegistry/registries/sharedacr`,
    });
    assert.equal(one(rec, "azuread:index/servicePrincipalPassword:ServicePrincipalPassword", "acr2-pull").inputs.endDateRelative, "720h");
    for (const ns of ["dev", "stage"]) {
        const secret = one(rec, "kubernetes:core/v1:Secret", `acr2-pull-${ns}`);
        assert.equal(parentOf(rec, secret)?.name, "acr2");
        assert.equal(providerOf(rec, secret)?.name, "k8s");
        assert.deepEqual(secret.inputs.metadata, { name: "acr-pull", namespace: ns });
        assert.equal(secret.inputs.type, "kubernetes.io/dockerconfigjson");
        assert.ok(isSecretValue(secret.inputs.stringData));
        assert.equal(
            unwrap(secret.inputs.stringData)[".dockerconfigjson"],
            dockerConfigJson("sharedacr.azurecr.io", "client-of-acr2-pull", "password-of-acr2-pull"),
        );
        assert.ok(dependsOn(rec, secret, one(rec, "kubernetes:core/v1:ConfigMap", "namespaces-ready")), "waits for the namespaces");
        const sa = one(rec, "kubernetes:core/v1:ServiceAccountPatch", `acr2-default-sa-${ns}`);
        assert.equal(providerOf(rec, sa)?.name, "k8s");
        assert.deepEqual(sa.inputs.metadata, { name: "default", namespace: ns });
        assert.deepEqual(sa.inputs.imagePullSecrets, [{ name: "acr-pull" }]);
        assert.ok(dependsOn(rec, sa, secret));
    }
    assert.equal(await valueOf(shared.pullClientId!), "client-of-acr2-pull");
});

test("dockerConfigJson writes what kubectl create secret docker-registry writes", () => {
    assert.deepEqual(JSON.parse(dockerConfigJson("r.azurecr.io", "u", "p")), { auths: { "r.azurecr.io": { username: "u", password: "p", auth: "dTpw" } } });
});

test("invalid registry arguments throw before anything is registered", async () => {
    await ready;
    assert.throws(
        () => new Registry("bad", { mode: "existing", registryName: "arc-demo-acr", resourceGroupName: "rg", attach: { kind: "kubelet", kubeletObjectId: "x" } }),
        /Registry bad: registryName 'arc-demo-acr' must be 5-50 letters or digits/,
    );
    assert.throws(
        () => new Registry("bad2", { mode: "create", registryName: "okname", resourceGroupName: "rg", attach: { kind: "kubelet", kubeletObjectId: "x" } }),
        /Registry bad2: location is required to create a registry/,
    );
    await settle();
    assert.deepEqual(rec.registrations.filter((r) => r.name.startsWith("bad")), []);
});

test("the component trees are well formed", async () => {
    await ready;
    assertWellFormedTree(rec, (r) => r.type.startsWith("gitops:") || r.name === "k8s" || r.name === "namespaces-ready");
});
