// The options every component takes: the caller's dependsOn holds back exactly the children it concerns,
// and a component that writes to a cluster refuses to run without that cluster's Kubernetes provider.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as resources from "@pulumi/azure-native/resources";
import { GitOpsConnector } from "../components/connector.ts";
import { Flux } from "../components/flux.ts";
import { FluxNotifications } from "../components/notifications.ts";
import { Registry } from "../components/registry.ts";
import { installMocks, one, settle } from "./support.ts";

// The gate takes a while to create: whatever waits for it is created after it, whatever doesn't, before.
const rec = installMocks({ delay: (_type, name) => (name.startsWith("gate") ? 300 : 0) });

const provider = new k8s.Provider("k8s", { kubeconfig: "kubeconfig" });
const cluster = { resourceGroupName: "rg", clusterName: "c", clusterRp: "Microsoft.ContainerService", clusterResourceName: "managedClusters" } as const;
const createdAt = (type: string, name: string) => one(rec, type, name).createdAt;

test("a registry's dependsOn holds back its pull secrets only: the registry, the pull credential and its grant start at once", async () => {
    const gate = new resources.ResourceGroup("gate-registry", { resourceGroupName: "gate" });
    new Registry(
        "reg",
        { mode: "create", registryName: "regacr", resourceGroupName: "rg", location: "westeurope", attach: { kind: "pullSecret", namespaces: ["apps"] } },
        { provider, dependsOn: [gate] },
    );
    await settle();
    const done = createdAt("azure-native:resources:ResourceGroup", "gate-registry");
    assert.ok(createdAt("azure-native:containerregistry:Registry", "reg-acr") < done, "the registry doesn't wait");
    assert.ok(createdAt("azuread:index/servicePrincipalPassword:ServicePrincipalPassword", "reg-pull") < done, "the pull credential doesn't wait");
    assert.ok(createdAt("azure-native:authorization:RoleAssignment", "reg-pull-acrpull") < done, "its AcrPull grant doesn't wait");
    assert.ok(createdAt("kubernetes:core/v1:Secret", "reg-pull-apps") > done, "the pull secret waits");
    assert.ok(createdAt("kubernetes:core/v1:ServiceAccountPatch", "reg-default-sa-apps") > done, "the ServiceAccount patch waits");
});

test("Flux's dependsOn holds back its configurations only: the extension, which takes minutes, starts at once", async () => {
    const gate = new resources.ResourceGroup("gate-flux", { resourceGroupName: "gate2" });
    new Flux(
        "flux",
        { cluster, extension: {}, configurations: [{ name: "cfg", url: "https://github.com/o/r", branch: "main", kustomizations: [{ name: "k" }] }] },
        { dependsOn: [gate] },
    );
    await settle();
    const done = createdAt("azure-native:resources:ResourceGroup", "gate-flux");
    assert.ok(createdAt("azure-native:kubernetesconfiguration:Extension", "flux-extension") < done, "the extension doesn't wait");
    assert.ok(createdAt("azure-native:kubernetesconfiguration:FluxConfiguration", "flux-cfg") > done, "the configuration waits");
});

test("a component that writes to a cluster refuses to run without its Kubernetes provider, before registering anything", async () => {
    const target = { mode: "GITHUB", owner: "o", appRepo: "app", gitopsRepo: "gitops" } as const;
    const objects = { namespace: "flux-system", gitRepository: "cfg", kustomizations: ["cfg-k"] };
    const refused = [
        () => new GitOpsConnector("noprov-connector", { target, pat: "pat" }),
        () => new FluxNotifications("noprov-notifications", { objects, address: "http://x" }),
        () => new Registry("noprov-registry", { mode: "existing", registryName: "regacr", resourceGroupName: "rg", attach: { kind: "pullSecret", namespaces: ["apps"] } }),
    ];
    for (const make of refused) {
        assert.throws(make, (e: pulumi.InputPropertiesError) => {
            assert.ok(pulumi.InputPropertiesError.isInstance(e));
            assert.deepEqual(e.errors.map((x) => x.propertyPath), ["opts.provider"]);
            assert.match(e.errors[0].reason, /^expected a Kubernetes provider/);
            return true;
        });
    }
    // A provider passed down by a parent counts, and so does one in `providers`.
    class Parent extends pulumi.ComponentResource {
        constructor() {
            super("test:index:Parent", "parent", {}, { providers: [provider] });
            new FluxNotifications("parented-notifications", { objects, address: "http://x" }, { parent: this });
        }
    }
    new Parent();
    new GitOpsConnector("listed-connector", { target, pat: "pat" }, { providers: [provider] });
    await settle();
    assert.deepEqual(rec.registrations.filter((r) => r.name.startsWith("noprov")), []);
    const k8sProvider = one(rec, "pulumi:providers:kubernetes", "k8s").urn;
    assert.equal(one(rec, "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert", "parented-notifications-alert").provider.split("::").slice(0, -1).join("::"), k8sProvider);
    assert.equal(one(rec, "kubernetes:core/v1:Secret", "listed-connector-pat").provider.split("::").slice(0, -1).join("::"), k8sProvider);
});
