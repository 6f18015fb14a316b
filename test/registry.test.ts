// The Registry component on its own: create or reference an ACR, attach it by kubelet AcrPull or by
// image pull secrets.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { dockerConfigJson, pullCredentialLifetimeProblem, Registry, REGISTRY_DEFAULTS, registryNameProblem } from "../components/registry.ts";
import { assertWellFormedTree, dependsOn, find, installMocks, isSecretValue, one, parentOf, providerOf, settle, SUB, unwrap, valueOf } from "./support.ts";

const rec = installMocks();
const ACR_PULL = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d`;

const provider = new k8s.Provider("k8s", { kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n") });
const gate = new k8s.core.v1.ConfigMap("namespaces-ready", { metadata: { name: "x" } }, { provider });
const created = new Registry("acr1", {
    mode: "create", registryName: "platformacr", resourceGroupName: "rg", location: "westeurope", sku: "Premium",
    attach: { kind: "kubelet", kubeletObjectId: "kubelet-object-id" },
});
const shared = new Registry(
    "acr2",
    { mode: "existing", registryName: "sharedacr", resourceGroupName: "rg-shared", attach: { kind: "pullSecret", namespaces: ["dev", "stage"], credentialLifetime: "720h" } },
    { providers: { kubernetes: provider }, dependsOn: [gate] },
);
// Used from code with only the required arguments: the documented defaults apply.
const minimal = new Registry(
    "acr3",
    { mode: "create", registryName: "minimalacr", resourceGroupName: "rg", location: "westeurope", attach: { kind: "pullSecret", namespaces: ["apps"] } },
    { provider },
);
const ready = settle(provider, gate, created, shared, minimal);

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
    // The caller's dependsOn holds back only what goes into the cluster: the registry's grants start at once.
    assert.ok(!dependsOn(rec, ra, one(rec, "kubernetes:core/v1:ConfigMap", "namespaces-ready")));
});

test("used from code, a registry gets the documented defaults, and its in-cluster children the options' provider", async () => {
    await ready;
    const acr = one(rec, "azure-native:containerregistry:Registry", "acr3-acr");
    assert.deepEqual(acr.inputs.sku, { name: REGISTRY_DEFAULTS.sku });
    assert.equal(REGISTRY_DEFAULTS.sku, "Standard");
    assert.equal(acr.protect, false);
    assert.equal(one(rec, "azuread:index/servicePrincipalPassword:ServicePrincipalPassword", "acr3-pull").inputs.endDateRelative, "8760h");
    assert.equal(providerOf(rec, one(rec, "kubernetes:core/v1:Secret", "acr3-pull-apps"))?.name, "k8s");
    assert.equal(providerOf(rec, one(rec, "kubernetes:core/v1:ServiceAccountPatch", "acr3-default-sa-apps"))?.name, "k8s");
});

test("the ACR name rule: 5-50 letters or digits, no '-'", () => {
    assert.equal(registryNameProblem("arccicddemoacr"), undefined);
    for (const bad of ["arc-demo-acr", "acr1", "a".repeat(51)]) {
        assert.equal(registryNameProblem(bad), "expected 5-50 letters or digits (ACR names allow no '-')", bad);
    }
    assert.equal(pullCredentialLifetimeProblem("720h"), undefined);
    assert.equal(pullCredentialLifetimeProblem("1y"), "expected hours, such as 8760h");
});

test("dockerConfigJson writes what kubectl create secret docker-registry writes", () => {
    assert.deepEqual(JSON.parse(dockerConfigJson("r.azurecr.io", "u", "p")), { auths: { "r.azurecr.io": { username: "u", password: "p", auth: "dTpw" } } });
});

test("invalid registry arguments throw before anything is registered", async () => {
    await ready;
    assert.throws(
        () => new Registry("bad", { mode: "existing", registryName: "arc-demo-acr", resourceGroupName: "rg", attach: { kind: "kubelet", kubeletObjectId: "x" } }),
        (e: pulumi.InputPropertiesError) => {
            assert.ok(pulumi.InputPropertiesError.isInstance(e));
            assert.match(e.message, /^Registry bad has invalid arguments/);
            assert.deepEqual(e.errors, [{ propertyPath: "registryName", reason: "expected 5-50 letters or digits (ACR names allow no '-')" }]);
            return true;
        },
    );
    assert.throws(
        // As a JavaScript caller could: the types require a location with mode create.
        () => new Registry("bad2", { mode: "create", registryName: "okname", resourceGroupName: "rg", attach: { kind: "kubelet", kubeletObjectId: "x" } } as any),
        (e: pulumi.InputPropertiesError) => {
            assert.match(e.message, /^Registry bad2 has invalid arguments/);
            assert.deepEqual(e.errors, [{ propertyPath: "location", reason: "location is required to create a registry" }]);
            return true;
        },
    );
    assert.throws(
        () => new Registry("bad3", { mode: "existing", registryName: "okname", resourceGroupName: "rg", attach: { kind: "pullSecret", namespaces: [], credentialLifetime: "1 year" } }),
        (e: pulumi.InputPropertiesError) => {
            assert.deepEqual(e.errors, [
                { propertyPath: "attach.credentialLifetime", reason: "expected hours, such as 8760h" },
                // Pull secrets go into a cluster: without its provider they would go wherever ~/.kube/config points.
                { propertyPath: "opts.provider", reason: "expected a Kubernetes provider (opts.provider or opts.providers): the cluster's, e.g. Cluster.provider" },
            ]);
            return true;
        },
    );
    await settle();
    assert.deepEqual(rec.registrations.filter((r) => r.name.startsWith("bad")), []);
});

test("the component trees are well formed", async () => {
    await ready;
    assertWellFormedTree(rec, (r) => r.type.startsWith("gitops:") || r.name === "k8s" || r.name === "namespaces-ready");
});
