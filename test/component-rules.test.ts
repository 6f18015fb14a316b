// The component API every component shares: bad arguments refused with pulumi.InputPropertiesError
// naming the property, before anything registers; the caller's dependsOn reaching the children; the
// AKS rules and defaults the stack config reuses.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import { CiClusterAccess, CiIdentity } from "../components/ci-identity.ts";
import { aksSettingsProblems, Cluster, KUBECONFIG_DEFAULTS, KUBELOGIN_MODES, NETWORK_POLICIES } from "../components/cluster.ts";
import { AppRepositorySettings, DeployKey, Environment, RepositorySecrets } from "../components/github.ts";
import { dependsOn, installMocks, one, parentOf, settle } from "./support.ts";

const rec = installMocks();
const gate = new k8s.core.v1.ConfigMap("gate", { metadata: { name: "gate" } });
const gh = new github.Provider("gh", { owner: "contoso" });
const ghOpts = { providers: { github: gh }, dependsOn: [gate] };
const components = [
    new Cluster("cl", { mode: "aks", name: "aks-cl", resourceGroupName: "rg", location: "westeurope" }, { dependsOn: [gate] }),
    new CiIdentity("ci", { displayName: "ci", mode: "clientSecret", secretLifetime: "1h", registryId: "r", clusters: { c: "c-id" } }, { dependsOn: [gate] }),
    new CiClusterAccess("cca", { principalId: "p", clusterId: "c-id" }, { dependsOn: [gate] }),
    new RepositorySecrets("rs", { repository: "app", secrets: { A_SECRET: "v" } }, ghOpts),
    new Environment("env", { repository: "app", environment: "e", secrets: { B_SECRET: "v" }, protection: { branches: ["main"] } }, ghOpts),
    new AppRepositorySettings("settings", { repository: "app" }, ghOpts),
    new DeployKey("dk", { repository: "gitops", title: "flux" }, ghOpts),
];
const ready = settle(gate, gh, ...components);

test("the caller's dependsOn reaches every child of the Cluster, CI identity and GitHub components", async () => {
    await ready;
    const g = one(rec, "kubernetes:core/v1:ConfigMap", "gate");
    const children = rec.registrations.filter((r) => ["cl", "ci", "cca", "rs", "env", "settings", "dk"].includes(parentOf(rec, r)?.name ?? ""));
    assert.ok(children.length >= 15, `found ${children.length}`);
    for (const r of children) assert.ok(dependsOn(rec, r, g), `${r.type}::${r.name} doesn't wait for the caller's dependsOn`);
});

test("used from code, the cluster's kubeconfig gets the documented defaults", async () => {
    await ready;
    assert.deepEqual(KUBECONFIG_DEFAULTS, { credentials: "user", kubeloginMode: "azurecli" });
    assert.ok(rec.invocations.some((i) => i.token === "azure-native:containerservice:listManagedClusterUserCredentials" && i.inputs.resourceName === "aks-cl"));
    assert.deepEqual(KUBELOGIN_MODES, ["azurecli", "workloadidentity", "spn", "msi", "devicecode"]);
});

test("aksSettingsProblems: the combinations ARM refuses, at paths relative to the Cluster's args", () => {
    assert.deepEqual(aksSettingsProblems({ name: "aks-ok" }), []);
    const id = "7d1f3c9a-2b4d-4c6e-8f10-123456789abc";
    assert.deepEqual(
        aksSettingsProblems({
            name: "arc_cicd",
            aks: {
                entraId: { enabled: false, clusterAdmins: [{ objectId: id, type: "Group" }, { objectId: id, type: "Group" }] },
                disableLocalAccounts: true,
                systemPool: { autoscale: { min: 5, max: 3 } },
                network: { plugin: "kubenet", dataplane: "azure" },
            },
            kubeconfig: { credentials: "admin" },
        }),
        [
            { path: ["aks", "entraId", "clusterAdmins"], message: "Azure RBAC roles need Entra ID; set entraId.enabled: true" },
            { path: ["aks", "entraId", "clusterAdmins", 1, "objectId"], message: "listed twice" },
            { path: ["aks", "systemPool", "autoscale"], message: "min (5) is greater than max (3)" },
            { path: ["aks", "network", "policy"], message: "network policy cilium needs dataplane cilium" },
            { path: ["aks", "dnsPrefix"], message: "the cluster name 'arc_cicd' is not a valid DNS prefix; set dnsPrefix" },
            { path: ["aks", "disableLocalAccounts"], message: "a cluster without Entra ID needs local accounts" },
            { path: ["kubeconfig", "credentials"], message: "admin credentials don't exist when local accounts are disabled; use user" },
        ],
    );
    assert.deepEqual(aksSettingsProblems({ name: "c", aks: { network: { plugin: "kubenet", policy: "calico" } } }), [
        { path: ["aks", "network", "dataplane"], message: "the cilium dataplane needs plugin azure" },
    ]);
    assert.deepEqual(aksSettingsProblems({ name: "c", aks: { kubernetesVersion: "latest", dnsPrefix: "-x" } }), [
        { path: ["aks", "kubernetesVersion"], message: "expected a version such as 1.33" },
        { path: ["aks", "dnsPrefix"], message: "expected 1-54 letters, digits or '-'" },
    ]);
    assert.deepEqual(aksSettingsProblems({ name: "c", aks: { network: { policy: "weave" as any } } }), [
        { path: ["aks", "network", "policy"], message: `expected one of ${NETWORK_POLICIES.join(", ")}` },
    ]);
});

test("every component refuses bad arguments with InputPropertiesError naming the property, and registers nothing", async () => {
    await ready;
    const before = rec.registrations.length;
    const cases: [() => unknown, string, string][] = [
        [
            () => new Cluster("bad-cl", { mode: "aks", name: "aks", resourceGroupName: "rg", location: "w", aks: { systemPool: { autoscale: { min: 3, max: 1 } } } }),
            "aks.systemPool.autoscale",
            "min (3) is greater than max (1)",
        ],
        [() => new Cluster("bad-mode", { mode: "eks", name: "x", resourceGroupName: "rg" } as any), "mode", "expected one of aks, aksExisting, arc"],
        [() => new AppRepositorySettings("bad-settings", { repository: "app", workflowPermissions: "admin" as any }), "workflowPermissions", "expected one of read, write"],
    ];
    for (const [construct, propertyPath, reason] of cases) {
        assert.throws(construct, (e: pulumi.InputPropertiesError) => {
            assert.ok(pulumi.InputPropertiesError.isInstance(e));
            assert.deepEqual(e.errors, [{ propertyPath, reason }]);
            assert.ok(e.message.includes(`${propertyPath}: ${reason}`), "the message carries the reasons too");
            return true;
        });
    }
    await settle();
    assert.equal(rec.registrations.length, before);
});
