// The Flux component on its own: the extension, several configurations, auth variants, derived names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import {
    extensionSettings, Flux, FLUX_EXTENSION_DEFAULTS, fluxExtensionProblems, fluxObjects, GITHUB_KNOWN_HOSTS, knownHostsValue, kustomizationObjectName, type FluxConfigurationArgs,
} from "../components/flux.ts";
import { assertWellFormedTree, dependsOn, duplicates, installMocks, isSecretValue, one, parentOf, plainOccurrences, settle, unwrap } from "./support.ts";

const rec = installMocks();

const controllers = { source: true, kustomize: true, helm: true, notification: true, imageAutomation: false, imageReflector: false };
const kustomization = { path: "", dependsOn: [], prune: false, force: false, wait: true, syncIntervalInSeconds: 600, timeoutInSeconds: 600 };
function configuration(over: Partial<FluxConfigurationArgs> & { name: string }): FluxConfigurationArgs {
    return {
        namespace: "flux-system", scope: "cluster", url: "https://github.com/org/gitops", branch: "main", auth: { type: "none" },
        syncIntervalInSeconds: 600, timeoutInSeconds: 600, suspend: false, waitForReconciliation: false, reconciliationWaitDuration: "PT10M",
        kustomizations: [{ ...kustomization, name: "apps" }], ...over,
    };
}

const TOKEN = "CANARY-https-token-19bf";
const aks = new Flux("aks-flux", {
    cluster: { resourceGroupName: "rg", clusterName: "aks1", clusterRp: "Microsoft.ContainerService", clusterResourceName: "managedClusters" },
    extension: { controllers: { ...controllers, imageAutomation: true, imageReflector: true }, multiTenancy: false, settings: { "helm-controller.detectDrift": "true" } },
    configurations: [
        configuration({
            name: "infra",
            auth: { type: "https", username: "git", password: pulumi.secret(TOKEN) },
            kustomizations: [
                { ...kustomization, name: "crds", path: "infra/crds", prune: true, retryIntervalInSeconds: 60 },
                {
                    ...kustomization, name: "controllers", path: "infra/controllers", dependsOn: ["crds"], force: true, wait: false,
                    postBuild: { substitute: { cluster: "aks1" }, substituteFrom: [{ kind: "ConfigMap", name: "cluster-vars", optional: true }] },
                },
            ],
        }),
        configuration({ name: "apps", namespace: "apps", scope: "namespace", tag: "v1.2.3", branch: undefined, suspend: true }),
    ],
});
const arc = new Flux("arc-flux", {
    cluster: { resourceGroupName: "rg", clusterName: "edge", clusterRp: "Microsoft.Kubernetes", clusterResourceName: "connectedClusters" },
    extension: { name: "flux", version: "1.24.1", controllers },
    configurations: [configuration({ name: "edge", url: "ssh://git@github.com/org/gitops", auth: { type: "ssh", privateKey: pulumi.secret("PEM"), knownHosts: GITHUB_KNOWN_HOSTS } })],
});
// A caller that forgets to mark its token secret still gets it treated as one.
const careless = new Flux("plain-flux", {
    cluster: { resourceGroupName: "rg", clusterName: "aks2", clusterRp: "Microsoft.ContainerService", clusterResourceName: "managedClusters" },
    extension: { controllers },
    configurations: [configuration({ name: "plain", auth: { type: "https", username: "git", password: "plain-token-not-marked-secret" } })],
});
// Used from code with only the required arguments: the component applies its documented defaults.
const minimal = new Flux("min-flux", {
    cluster: { resourceGroupName: "rg", clusterName: "aks3", clusterRp: "Microsoft.ContainerService", clusterResourceName: "managedClusters" },
    extension: { controllers },
    configurations: [{ name: "base", url: "https://github.com/org/gitops", branch: "main", kustomizations: [{ name: "all" }] }],
});
const ready = settle(aks, arc, careless, minimal);

test("each child is named from the component and parented to it, with no duplicates", async () => {
    await ready;
    assert.deepEqual(duplicates(rec), []);
    for (const [component, children] of [
        ["aks-flux", ["aks-flux-extension", "aks-flux-infra", "aks-flux-apps"]],
        ["arc-flux", ["arc-flux-extension", "arc-flux-edge"]],
    ] as const) {
        const got = rec.registrations.filter((r) => parentOf(rec, r)?.name === component).map((r) => r.name);
        assert.deepEqual(got.sort(), [...children].sort());
    }
});

test("extension settings carry the controller toggles, multi-tenancy and extra settings", async () => {
    await ready;
    const ext = one(rec, "azure-native:kubernetesconfiguration:Extension", "aks-flux-extension").inputs;
    assert.deepEqual(ext.configurationSettings, {
        "source-controller.enabled": "true",
        "kustomize-controller.enabled": "true",
        "helm-controller.enabled": "true",
        "notification-controller.enabled": "true",
        "image-automation-controller.enabled": "true",
        "image-reflector-controller.enabled": "true",
        "multiTenancy.enforce": "false",
        "helm-controller.detectDrift": "true",
    });
    assert.equal(ext.identity, undefined, "AKS extensions take no identity");
    const arcExt = one(rec, "azure-native:kubernetesconfiguration:Extension", "arc-flux-extension").inputs;
    assert.deepEqual(arcExt.identity, { type: "SystemAssigned" });
    assert.equal(arcExt.version, "1.24.1");
    assert.equal(arcExt.autoUpgradeMinorVersion, false);
    assert.equal(arcExt.clusterRp, "Microsoft.Kubernetes");
    assert.equal(arcExt.clusterResourceName, "connectedClusters");
});

test("configurations depend on the extension and run one after another", async () => {
    await ready;
    const ext = one(rec, "azure-native:kubernetesconfiguration:Extension", "aks-flux-extension");
    const infra = one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "aks-flux-infra");
    const apps = one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "aks-flux-apps");
    assert.ok(dependsOn(rec, infra, ext));
    assert.ok(dependsOn(rec, apps, ext));
    assert.ok(dependsOn(rec, apps, infra));
    assert.ok(!dependsOn(rec, infra, apps));
});

test("kustomizations map every option: dependsOn, intervals, wait, force, prune and postBuild", async () => {
    await ready;
    const fc = one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "aks-flux-infra").inputs;
    assert.deepEqual(fc.kustomizations.crds, {
        path: "infra/crds", dependsOn: [], prune: true, force: false, wait: true, syncIntervalInSeconds: 600, timeoutInSeconds: 600, retryIntervalInSeconds: 60,
    });
    assert.deepEqual(fc.kustomizations.controllers, {
        path: "infra/controllers", dependsOn: ["crds"], prune: false, force: true, wait: false, syncIntervalInSeconds: 600, timeoutInSeconds: 600,
        postBuild: { substitute: { cluster: "aks1" }, substituteFrom: [{ kind: "ConfigMap", name: "cluster-vars", optional: true }] },
    });
});

test("HTTPS auth sends httpsUser in plain text and the token base64-encoded as a secret", async () => {
    await ready;
    const fc = one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "aks-flux-infra").inputs;
    assert.equal(fc.gitRepository.httpsUser, "git");
    assert.ok(isSecretValue(fc.configurationProtectedSettings));
    assert.deepEqual(unwrap(fc.configurationProtectedSettings), { httpsKey: Buffer.from(TOKEN).toString("base64") });
    assert.deepEqual(plainOccurrences(fc, TOKEN), []);
});

test("namespace scope, tag refs, suspend and waitForReconciliation reach ARM", async () => {
    await ready;
    const fc = one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "aks-flux-apps").inputs;
    assert.equal(fc.namespace, "apps");
    assert.equal(fc.scope, "namespace");
    assert.deepEqual(fc.gitRepository.repositoryRef, { tag: "v1.2.3" });
    assert.equal(fc.suspend, true);
    assert.equal(fc.waitForReconciliation, false);
    assert.equal(fc.reconciliationWaitDuration, undefined);
    assert.equal(fc.configurationProtectedSettings, undefined);
});

test("SSH auth pins known hosts and sends the key base64-encoded as a secret", async () => {
    await ready;
    const fc = one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "arc-flux-edge").inputs;
    assert.equal(fc.gitRepository.sshKnownHosts, knownHostsValue(GITHUB_KNOWN_HOSTS));
    assert.ok(isSecretValue(fc.configurationProtectedSettings));
    assert.deepEqual(unwrap(fc.configurationProtectedSettings), { sshPrivateKey: Buffer.from("PEM").toString("base64") });
});

test("the component exposes the in-cluster object names the extension creates", async () => {
    await ready;
    assert.deepEqual(aks.objects.infra, { namespace: "flux-system", gitRepository: "infra", kustomizations: ["infra-crds", "infra-controllers"] });
    assert.deepEqual(fluxObjects({ name: "cluster-config", namespace: "flux-system", kustomizations: [{ name: "cluster-config" }] as any }), {
        namespace: "flux-system", gitRepository: "cluster-config", kustomizations: ["cluster-config-cluster-config"],
    });
    assert.equal(kustomizationObjectName("a", "b"), "a-b");
    assert.equal(extensionSettings({ controllers })["multiTenancy.enforce"], "true", "multi-tenancy stays on unless turned off");
    // Used from code without controllers: the extension's own defaults, image automation off.
    assert.deepEqual(extensionSettings({}), {
        "source-controller.enabled": "true",
        "kustomize-controller.enabled": "true",
        "helm-controller.enabled": "true",
        "notification-controller.enabled": "true",
        "image-automation-controller.enabled": "false",
        "image-reflector-controller.enabled": "false",
        "multiTenancy.enforce": "true",
    });
    assert.deepEqual([FLUX_EXTENSION_DEFAULTS.name, FLUX_EXTENSION_DEFAULTS.releaseTrain, FLUX_EXTENSION_DEFAULTS.multiTenancy], ["flux", "Stable", true]);
    assert.deepEqual(fluxExtensionProblems({ version: "1.24", releaseTrain: "Nightly" as any, settings: { "helm-controller.enabled": "false", "helm-controller.detectDrift": "true" } }), [
        { path: ["version"], message: "expected a version such as 1.24.1" },
        { path: ["releaseTrain"], message: "expected one of Stable, Preview" },
        { path: ["settings", "helm-controller.enabled"], message: "set this through flux.extension.controllers / multiTenancy" },
    ]);
});

test("the pinned GitHub host keys match GitHub's published SHA256 fingerprints", () => {
    // docs.github.com, "GitHub's SSH key fingerprints".
    const published: Record<string, string> = {
        "ssh-rsa": "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
        "ecdsa-sha2-nistp256": "SHA256:p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM",
        "ssh-ed25519": "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU",
    };
    assert.equal(GITHUB_KNOWN_HOSTS.length, 3);
    for (const line of GITHUB_KNOWN_HOSTS) {
        const [host, type, key] = line.split(" ");
        assert.equal(host, "github.com");
        const fingerprint = "SHA256:" + createHash("sha256").update(Buffer.from(key, "base64")).digest("base64").replace(/=+$/, "");
        assert.equal(fingerprint, published[type], type);
    }
});

test("credentials passed in plain are still sent as secrets", async () => {
    await ready;
    const fc = one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "plain-flux-plain").inputs;
    assert.ok(isSecretValue(fc.configurationProtectedSettings));
    assert.deepEqual(plainOccurrences(fc, Buffer.from("plain-token-not-marked-secret").toString("base64")), []);
});

test("the component trees are well formed", async () => {
    await ready;
    assertWellFormedTree(rec, (r) => r.type === "gitops:flux:Flux");
});

test("used from code, a configuration gets the documented defaults", async () => {
    await ready;
    const fc = one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "min-flux-base").inputs;
    assert.equal(fc.namespace, "flux-system");
    assert.equal(fc.scope, "cluster");
    assert.equal(fc.suspend, false);
    assert.equal(fc.waitForReconciliation, true);
    assert.equal(fc.reconciliationWaitDuration, "PT10M");
    assert.equal(fc.configurationProtectedSettings, undefined);
    assert.deepEqual(fc.kustomizations.all, { path: "", dependsOn: [], prune: false, force: false, wait: true, syncIntervalInSeconds: 600, timeoutInSeconds: 600 });
    assert.deepEqual(minimal.objects.base, { namespace: "flux-system", gitRepository: "base", kustomizations: ["base-all"] });
});

test("invalid configurations throw before anything is registered, naming the configuration and field", async () => {
    await ready;
    const cluster = { resourceGroupName: "rg", clusterName: "x", clusterRp: "Microsoft.ContainerService", clusterResourceName: "managedClusters" } as const;
    assert.throws(
        () => new Flux("bad-flux", {
            cluster,
            extension: { controllers, settings: { "multiTenancy.enforce": "false" } },
            configurations: [
                { name: "cfg", url: "https://github.com/org/gitops", commit: "0123abc", kustomizations: [{ name: "k".repeat(60) }] },
                { name: "cfg", url: "https://github.com/org/gitops", branch: "main", kustomizations: [{ name: "a", dependsOn: ["b"] }] },
            ],
        }),
        (e: pulumi.InputPropertiesError) => {
            assert.ok(pulumi.InputPropertiesError.isInstance(e));
            assert.deepEqual(e.errors, [
                { propertyPath: "configurations.0.commit", reason: "ARM requires a commit to be combined with its branch; set branch too" },
                {
                    propertyPath: "configurations.0.kustomizations.0.name",
                    reason: `the Flux Kustomization 'cfg-${"k".repeat(60)}' (<configuration>-<kustomization>) is 64 characters; the extension allows at most 62`,
                },
                { propertyPath: "configurations.1.name", reason: "duplicate Flux configuration name 'cfg'" },
                { propertyPath: "configurations.1.kustomizations.0.dependsOn", reason: "'b' is not a kustomization of 'cfg'" },
                { propertyPath: "extension.settings.multiTenancy.enforce", reason: "set this through flux.extension.controllers / multiTenancy" },
            ]);
            assert.equal(e.message.split("\n")[0], "Flux bad-flux has invalid arguments:");
            return true;
        },
    );
    await settle();
    assert.deepEqual(rec.registrations.filter((r) => r.name.startsWith("bad-flux")), []);
});
