// Teardown: the components pass a cluster's deletedWith to exactly the children that live on it, and the
// destroy order (`npm run plan -- <stack> --destroy`) on hand-made graphs. The shipped stacks' orders
// and deletedWith are asserted in test/stack-<stack>.test.ts, from the same in-process run as the rest.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Cluster } from "../components/cluster.ts";
import { GitOpsConnector } from "../components/connector.ts";
import { Flux, fluxObjects, type FluxConfigurationArgs } from "../components/flux.ts";
import { FluxNotifications } from "../components/notifications.ts";
import { Registry } from "../components/registry.ts";
import { destroyOrder, renderDestroy, type DestroyResource } from "../scripts/lib/plan-destroy.ts";
import { installMocks, runPlan, settle, valueOf } from "./support.ts";

const rec = installMocks();

const configuration: FluxConfigurationArgs = {
    name: "apps", namespace: "apps", url: "https://github.com/org/gitops", branch: "main", auth: { type: "none" },
    kustomizations: [{ name: "apps", path: "apps" }],
};
const target = { mode: "GITHUB", owner: "org", appRepo: "app", gitopsRepo: "gitops" } as const;

/** Everything that goes on a cluster, composed as infra/platform.ts does, on a cluster of the given mode. */
function onCluster(name: string, cluster: Cluster) {
    const opts = { provider: cluster.provider, deletedWith: cluster.deletedWith };
    const connector = new GitOpsConnector(`${name}-connector`, { target, pat: pulumi.secret("pat"), logReaders: { groups: ["readers"] } }, opts);
    const flux = new Flux(`${name}-flux`, { cluster: cluster.target(), extension: {}, configurations: [configuration] }, { deletedWith: cluster.deletedWith });
    const notifications = new FluxNotifications(
        `${name}-notifications`,
        { objects: fluxObjects(configuration), address: connector.address },
        { ...opts, dependsOn: [...Object.values(flux.configurations), connector] },
    );
    const registry = new Registry(
        `${name}acr`,
        { mode: "create", registryName: `${name}acr`, resourceGroupName: "rg", location: "westeurope", attach: { kind: "pullSecret", namespaces: ["apps"] } },
        { ...opts, dependsOn: Object.values(flux.configurations) },
    );
    return [connector, flux, notifications, registry];
}

const aks = new Cluster("aks", { mode: "aks", name: "aks1", resourceGroupName: "rg", location: "westeurope" });
const existing = new Cluster("old", { mode: "aksExisting", name: "aks-old", resourceGroupName: "rg" });
const arc = new Cluster("arc", { mode: "arc", name: "arc1", resourceGroupName: "rg", kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n") });
const ready = settle(aks, existing, arc, ...onCluster("aks", aks), ...onCluster("old", existing), ...onCluster("arc", arc));

/** Every registration named `<prefix>-…` or `<prefix>acr-…`, by `type::name`, with its deletedWith URN. */
function deletedWithOf(prefix: string): Record<string, string> {
    return Object.fromEntries(
        rec.registrations
            .filter((r) => r.custom && (r.name.startsWith(`${prefix}-`) || r.name.startsWith(`${prefix}acr-`)) && !r.type.startsWith("pulumi:providers:"))
            .map((r) => [`${r.type}::${r.name}`, r.deletedWith]),
    );
}

test("Cluster.deletedWith: the ManagedCluster it creates; nothing for a cluster it only reads", async () => {
    await ready;
    assert.equal(aks.deletedWith, aks.managedCluster);
    assert.equal(existing.deletedWith, undefined);
    assert.equal(arc.deletedWith, undefined);
});

test("on a created AKS cluster, every in-cluster child and the extension and configurations go with it; the registry and its credential don't", async () => {
    await ready;
    const cluster = await valueOf(aks.managedCluster!.urn);
    const withCluster = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, cluster]));
    assert.deepEqual(deletedWithOf("aks"), {
        ...withCluster([
            "azure-native:kubernetesconfiguration:Extension::aks-flux-extension",
            "azure-native:kubernetesconfiguration:FluxConfiguration::aks-flux-apps",
            "kubernetes:core/v1:Namespace::aks-connector-namespace",
            "kubernetes:core/v1:Secret::aks-connector-pat",
            "kubernetes:helm.sh/v3:Release::aks-connector-release",
            "kubernetes:rbac.authorization.k8s.io/v1:Role::aks-connector-log-reader",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding::aks-connector-log-readers",
            "kubernetes:core/v1:NamespacePatch::aks-notifications-namespace",
            "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Provider::aks-notifications-provider",
            "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert::aks-notifications-alert",
            "kubernetes:core/v1:Secret::aksacr-pull-apps",
            "kubernetes:core/v1:ServiceAccountPatch::aksacr-default-sa-apps",
        ]),
        // Deleted through ARM, not the cluster: the cluster itself and the deployer's grant on it; and what
        // outlives the cluster: the registry and the pull credential.
        "azure-native:containerservice:ManagedCluster::aks-aks": "",
        "azure-native:authorization:RoleAssignment::aks-deployer-admin": "",
        "azure-native:containerregistry:Registry::aksacr-acr": "",
        "azure-native:authorization:RoleAssignment::aksacr-pull-acrpull": "",
        "azuread:index/application:Application::aksacr-pull": "",
        "azuread:index/servicePrincipal:ServicePrincipal::aksacr-pull": "",
        "azuread:index/servicePrincipalPassword:ServicePrincipalPassword::aksacr-pull": "",
    });
    // The component itself isn't registered with it either: a registry outlives the cluster.
    assert.equal(rec.registrations.find((r) => r.name === "aksacr")?.deletedWith, "");
});

test("on a cluster the stack only reads (aksExisting, Arc), nothing is deleted with anything", async () => {
    await ready;
    for (const prefix of ["old", "arc"]) {
        const set = Object.entries(deletedWithOf(prefix)).filter(([, w]) => w !== "");
        assert.deepEqual(set, [], prefix);
        assert.ok(Object.keys(deletedWithOf(prefix)).length >= 14, `${prefix}: the children were found`);
    }
});

// ---------------------------------------------------------------------------------------------
// The order on hand-made graphs.
// ---------------------------------------------------------------------------------------------

const EXT = "azure-native:kubernetesconfiguration:Extension";
const FC = "azure-native:kubernetesconfiguration:FluxConfiguration";
const AKS = "azure-native:containerservice:ManagedCluster";
const ALERT = "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert";
const K8S = "pulumi:providers:kubernetes";
const TABLE = { byType: { [AKS]: 300, [EXT]: 100, [FC]: 50 }, byPrefix: { "pulumi:providers:": 0, "kubernetes:": 2 }, default: 5 };
function r(key: string, dependsOn: string[] = [], more: Partial<DestroyResource> = {}): DestroyResource {
    return { key, type: key.split("::")[0], parent: null, provider: null, dependsOn, ...more };
}

test("a resource goes before what it depends on, its provider and its parent; components take no step", () => {
    const d = destroyOrder("t", [
        r(`${AKS}::c`),
        r(`${K8S}::p`, [`${AKS}::c`]),
        r("gitops:flux:Flux::f"),
        r(`${EXT}::e`, [`${AKS}::c`], { parent: "gitops:flux:Flux::f" }),
        r(`${FC}::one`, [`${EXT}::e`], { parent: "gitops:flux:Flux::f" }),
        r(`${ALERT}::a`, [`${FC}::one`], { provider: `${K8S}::p` }),
    ], TABLE);
    assert.deepEqual(d.steps.map((s) => [s.key, s.start, s.finish]), [
        [`${ALERT}::a`, 0, 2],
        [`${K8S}::p`, 2, 2],
        [`${FC}::one`, 2, 52],
        [`${EXT}::e`, 52, 152],
        [`${AKS}::c`, 152, 452],
    ]);
    assert.equal(d.seconds, 452);
    assert.deepEqual(d.skipped, []);
    assert.deepEqual(d.protected, []);
});

test("deletedWith: skipped and timeless, still before what it goes with; protected resources are named", () => {
    const d = destroyOrder("t", [
        r(`${AKS}::c`, [], { protect: true }),
        r(`${EXT}::e`, [`${AKS}::c`], { deletedWith: `${AKS}::c` }),
        r(`${FC}::one`, [`${EXT}::e`], { deletedWith: `${AKS}::c` }),
    ], TABLE);
    assert.deepEqual(d.steps.map((s) => [s.key, s.start, s.finish]), [[`${AKS}::c`, 0, 300]]);
    assert.deepEqual(d.skipped, [
        { key: `${EXT}::e`, type: EXT, with: `${AKS}::c` },
        { key: `${FC}::one`, type: FC, with: `${AKS}::c` },
    ]);
    assert.deepEqual(d.protected, [`${AKS}::c`]);
    assert.equal(
        renderDestroy(d),
        [
            "Destroy order for stack t (pulumi destroy; typical times, not measured; unlimited parallelism)",
            `    0 s -> 300 s  ${AKS}::c`,
            "  estimated: 5 min (300 s)",
            "  skipped, deleted with the resource named (deletedWith):",
            `    ${EXT}::e  (with ${AKS}::c)`,
            `    ${FC}::one  (with ${AKS}::c)`,
            "  protected: pulumi destroy stops in its preview, before deleting anything, until the protection is lifted (docs/deploying.md#protected-resources):",
            `    ${AKS}::c`,
            "",
        ].join("\n"),
    );
});

test("a graph it can't order is refused, naming the resource", () => {
    assert.throws(() => destroyOrder("t", [r(`${FC}::a`, [`${FC}::b`]), r(`${FC}::b`, [`${FC}::a`])], TABLE), /^Error: dependency cycle: /);
    assert.throws(() => destroyOrder("t", [r(`${FC}::a`, [`${EXT}::gone`])], TABLE), { message: `${FC}::a: unknown dependency ${EXT}::gone` });
    assert.throws(() => destroyOrder("t", [r(`${FC}::a`, [], { deletedWith: `${AKS}::gone` })], TABLE), { message: `${FC}::a: unknown deletedWith target ${AKS}::gone` });
});

test("npm run plan -- edge --destroy prints the order; --destroy with --graph is bad usage", () => {
    const r = runPlan(["edge", "--destroy"]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], "Destroy order for stack edge (pulumi destroy; typical times, not measured; unlimited parallelism)");
    assert.equal(lines[1], "    0 s ->   2 s  kubernetes:core/v1:ServiceAccountPatch::arccicddemoacr-default-sa-edge");
    assert.equal(lines[15], "   50 s -> 140 s  azure-native:kubernetesconfiguration:FluxConfiguration::arc-edge-cluster-flux-cluster-config");
    // Edge's other extensions (the Key Vault provider, monitoring) go first, one after another, then Flux's.
    assert.equal(lines[16], "  180 s -> 360 s  azure-native:kubernetesconfiguration:Extension::arc-edge-cluster-extensions-monitoring");
    assert.equal(lines[18], "  360 s -> 540 s  azure-native:kubernetesconfiguration:Extension::arc-edge-cluster-flux-extension");
    assert.deepEqual(lines.slice(21), [
        "  estimated: 9 min (540 s)",
        "  the extension's delete runs a job on the cluster: a pool it can't schedule on (a tainted system pool) blocks it, and deletes of 30 minutes or more are reported (docs/teardown.md)",
        "  skipped (deletedWith): none",
        "",
    ]);
    // What destroy leaves in place: prod's governed GitOps repository is only dropped from the state.
    const prod = runPlan(["prod", "--destroy"]).stdout;
    assert.ok(
        prod.includes("  retained (retainOnDelete): dropped from the stack's state, never deleted:\n    github:index/repository:Repository::arc-cicd-demo-gitops-governance-repository\n"),
        prod,
    );
    const u = runPlan(["edge", "--destroy", "--graph"]);
    assert.equal(u.status, 2);
    assert.match(u.stderr, /^usage: npm run plan -- .*\[--destroy\]/);
});
