// A GitHub App instead of a PAT for a Flux Git source (issue 12): a stack with one githubApp
// configuration composed through createPlatform, the 2025-04-01 inputs, the Secret Flux reads the App
// from, the order namespace -> Secret -> configuration, the private key kept secret, and the refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Flux } from "../components/flux.ts";
import { FLUX_CONFIGURATION_2025_TOKEN } from "../components/flux-configuration-2025.ts";
import { FluxGitHubAppSecret, GITHUB_APP_SECRET_KEYS, githubAppSecretData, githubAppSecretName } from "../components/flux-github-app.ts";
import { requiredSecrets, secretReader } from "../infra/config/load.ts";
import { createPlatform } from "../infra/platform.ts";
import {
    assertWellFormedTree, dependsOn, duplicates, find, installMocks, isSecretValue, isTopLevel, minimalStack, one, parentOf, parseTestStack, plainOccurrences, PROJECT,
    providerOf, settle, testStackProblems, unwrap,
} from "./support.ts";

// The secrets, given as secret config: the private key is a canary that must never show in a plain input.
const PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nCANARY-github-app-key-4d2e\n-----END RSA PRIVATE KEY-----\n";
const SECRETS = { connectorPat: "CANARY-connector-pat-0a1b", teamAppKey: PRIVATE_KEY } as const;
const rec = installMocks({
    config: Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [`${PROJECT}:${k}`, v])),
    secretKeys: Object.keys(SECRETS).map((k) => `${PROJECT}:${k}`),
});
const ALL_SET = Object.fromEntries(Object.keys(SECRETS).map((k) => [k, "secret" as const]));

const APP = { name: "team-a", namespace: "team-a", url: "https://github.com/org/team-a-gitops", branch: "main", kustomizations: [{ name: "apps", path: "apps" }] };

/** minimalStack with a second configuration that reads its repo as a GitHub App. */
function stackWith(fc: Record<string, unknown>, over: Record<string, unknown> = {}): Record<string, any> {
    const s = minimalStack();
    s.flux.configurations.push({ ...APP, ...fc });
    return { ...s, ...over };
}

const config = parseTestStack(stackWith({ auth: { type: "githubApp", appId: 123456, installationId: "7890123", privateKeySecret: "teamAppKey" } }), ALL_SET);
createPlatform(config, secretReader());

// A Flux component used from code, in flux-system: the Secret goes without a namespace patch.
const codeProvider = new k8s.Provider("code-k8s", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
const codeApp = new FluxGitHubAppSecret("code-app", { configuration: "sys", appId: "42", installationId: 43, privateKey: "CANARY-code-key" }, { provider: codeProvider });
new Flux("code-flux", {
    cluster: { resourceGroupName: "rg", clusterName: "aks9", clusterRp: "Microsoft.ContainerService", clusterResourceName: "managedClusters" },
    extension: {},
    configurations: [{ name: "sys", url: "https://github.com/org/sys", branch: "main", auth: { type: "githubApp" }, kustomizations: [{ name: "all" }] }],
    beforeConfigurations: () => [codeApp.secret],
});
const ready = settle();

const COMPONENT = "arc-cicd-cluster-team-a-github-app";
const SECRET = "kubernetes:core/v1:Secret";
const NAMESPACE_PATCH = "kubernetes:core/v1:NamespacePatch";
const SDK_TOKEN = "azure-native:kubernetesconfiguration:FluxConfiguration";

test("the configuration goes through 2025-04-01 with provider GitHub and localAuthRef, and no PAT or protected settings", async () => {
    await ready;
    assert.deepEqual(duplicates(rec), []);
    const r = one(rec, FLUX_CONFIGURATION_2025_TOKEN, "arc-cicd-cluster-flux-team-a");
    assert.equal(parentOf(rec, r)?.name, "arc-cicd-cluster-flux");
    const i = r.inputs;
    assert.equal(i.fluxConfigurationName, "team-a");
    assert.equal(i.namespace, "team-a");
    assert.equal(i.scope, "cluster");
    assert.equal(i.sourceKind, "GitRepository");
    assert.equal(i.ociRepository, undefined);
    assert.deepEqual(i.gitRepository, {
        url: "https://github.com/org/team-a-gitops",
        repositoryRef: { branch: "main" },
        provider: "GitHub",
        localAuthRef: "team-a-github-app",
        syncIntervalInSeconds: 600,
        timeoutInSeconds: 600,
    });
    assert.equal((i.gitRepository as Record<string, unknown>).httpsUser, undefined);
    assert.equal(i.configurationProtectedSettings, undefined, "the App's key never goes through ARM");
    assert.deepEqual(i.kustomizations, { apps: { path: "apps", dependsOn: [], prune: false, force: false, wait: true, syncIntervalInSeconds: 600, timeoutInSeconds: 600 } });
    // The other configuration keeps the SDK's 2023-05-01 class.
    one(rec, SDK_TOKEN, "arc-cicd-cluster-flux-cluster-config");
    assert.deepEqual(find(rec, FLUX_CONFIGURATION_2025_TOKEN).map((x) => x.name).sort(), ["arc-cicd-cluster-flux-team-a", "code-flux-sys"]);
});

test("the Secret <configuration>-github-app in the configuration's namespace holds Flux's three keys, its stringData a secret", async () => {
    await ready;
    assert.deepEqual(GITHUB_APP_SECRET_KEYS, { appId: "githubAppID", installationId: "githubAppInstallationID", privateKey: "githubAppPrivateKey" });
    assert.equal(githubAppSecretName("team-a"), "team-a-github-app");
    const s = one(rec, SECRET, `${COMPONENT}-secret`);
    assert.equal(parentOf(rec, s)?.name, COMPONENT);
    assert.equal(parentOf(rec, s)?.type, "gitops:flux:FluxGitHubAppSecret");
    assert.deepEqual(s.inputs.metadata, { name: "team-a-github-app", namespace: "team-a" });
    assert.equal(s.inputs.type, "Opaque");
    assert.equal(s.inputs.data, undefined);
    assert.ok(isSecretValue(s.inputs.stringData), "stringData is a Pulumi secret");
    assert.deepEqual(unwrap(s.inputs.stringData), { githubAppID: "123456", githubAppInstallationID: "7890123", githubAppPrivateKey: PRIVATE_KEY });
    assert.deepEqual(githubAppSecretData(1, "2", "k"), { githubAppID: "1", githubAppInstallationID: "2", githubAppPrivateKey: "k" });
    const { Secret } = await import("kubernetes-models/v1");
    assert.doesNotThrow(() => new Secret({ metadata: s.inputs.metadata, type: s.inputs.type, stringData: unwrap(s.inputs.stringData) }).validate());
    for (const needle of ["CANARY-", ...Object.values(SECRETS)]) {
        for (const r of rec.registrations) assert.deepEqual(plainOccurrences(r.inputs, needle), [], `${needle.slice(0, 20)} in ${r.type}::${r.name}`);
    }
    assert.deepEqual(
        requiredSecrets(config).filter((x) => x.key === "teamAppKey"),
        [{ key: "teamAppKey", purpose: "GitHub App private key for Flux configuration 'team-a'" }],
    );
});

test("namespace patch, then the Secret, then the configuration; through the cluster's provider with its deletedWith", async () => {
    await ready;
    const ns = one(rec, NAMESPACE_PATCH, `${COMPONENT}-namespace`);
    assert.deepEqual(ns.inputs.metadata, { name: "team-a" });
    const s = one(rec, SECRET, `${COMPONENT}-secret`);
    const fc = one(rec, FLUX_CONFIGURATION_2025_TOKEN, "arc-cicd-cluster-flux-team-a");
    assert.ok(dependsOn(rec, s, ns), "the Secret after its namespace");
    assert.ok(dependsOn(rec, fc, s), "the configuration after the Secret");
    // Every configuration waits (one before-list for all, as with the alerts), and nothing waits for them.
    assert.ok(dependsOn(rec, one(rec, SDK_TOKEN, "arc-cicd-cluster-flux-cluster-config"), s));
    for (const r of [ns, s]) {
        for (const c of find(rec, SDK_TOKEN).concat(find(rec, FLUX_CONFIGURATION_2025_TOKEN))) assert.ok(!dependsOn(rec, r, c), `${r.name} doesn't wait for ${c.name}`);
    }
    const notifications = one(rec, "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Provider", "arc-cicd-cluster-notifications-provider");
    assert.notEqual(notifications.deletedWith, "");
    for (const r of [ns, s]) {
        assert.equal(providerOf(rec, r)?.name, "arc-cicd-cluster-k8s", `${r.name} uses the cluster's provider`);
        assert.equal(r.deletedWith, notifications.deletedWith, `${r.name} goes with the cluster`);
    }
    assert.equal(find(rec, NAMESPACE_PATCH).filter((r) => parentOf(rec, r)?.name === COMPONENT).length, 1);
    assertWellFormedTree(rec, (r) => isTopLevel(r) || r.name === "code-k8s");
});

test("from code: flux-system needs no namespace patch, and the configuration names the Secret", async () => {
    await ready;
    assert.deepEqual(find(rec, NAMESPACE_PATCH).filter((r) => r.name.startsWith("code-app")), []);
    const s = one(rec, SECRET, "code-app-secret");
    assert.deepEqual(s.inputs.metadata, { name: "sys-github-app", namespace: "flux-system" });
    assert.deepEqual(unwrap(s.inputs.stringData), { githubAppID: "42", githubAppInstallationID: "43", githubAppPrivateKey: "CANARY-code-key" });
    assert.equal(providerOf(rec, s)?.name, "code-k8s");
    const fc = one(rec, FLUX_CONFIGURATION_2025_TOKEN, "code-flux-sys");
    assert.equal(fc.inputs.gitRepository.provider, "GitHub");
    assert.equal(fc.inputs.gitRepository.localAuthRef, "sys-github-app");
    assert.ok(dependsOn(rec, fc, s));
    assert.throws(
        () => new FluxGitHubAppSecret("bad-app", { configuration: "x", appId: "12a", installationId: 0, privateKey: "k" }, { provider: codeProvider }),
        (e: pulumi.InputPropertiesError) => {
            assert.deepEqual(e.errors, [
                { propertyPath: "appId", reason: 'expected a positive whole number (the GitHub App\'s settings page shows it), got "12a"' },
                { propertyPath: "installationId", reason: "expected a positive whole number (the GitHub App's settings page shows it), got 0" },
            ]);
            return true;
        },
    );
});

test("the stack file: githubApp off github.com https, on an ssh URL, or with a bad ID is refused by key path", () => {
    const at = "gitops-platform:flux.configurations[1]";
    const set = { connectorPat: "secret", githubAppPrivateKey: "secret" } as const;
    const app = { type: "githubApp", appId: 123456, installationId: 7890123 };
    assert.deepEqual(testStackProblems(stackWith({ url: "https://gitlab.com/org/team-a-gitops", auth: app }), set), [
        `${at}.auth.type: githubApp needs an https://github.com/<owner>/<repo> URL (Flux signs in to github.com over HTTPS with the App's token), got https://gitlab.com/org/team-a-gitops`,
    ]);
    assert.deepEqual(testStackProblems(stackWith({ url: "https://dev.azure.com/org/project/_git/gitops", auth: app }), set), [
        `${at}.auth.type: githubApp needs an https://github.com/<owner>/<repo> URL (Flux signs in to github.com over HTTPS with the App's token), got https://dev.azure.com/org/project/_git/gitops`,
    ]);
    assert.deepEqual(testStackProblems(stackWith({ url: "ssh://git@github.com/org/team-a-gitops", auth: app }), set), [
        `${at}.auth.type: githubApp needs an https://github.com/<owner>/<repo> URL (Flux signs in to github.com over HTTPS with the App's token), got ssh://git@github.com/org/team-a-gitops`,
    ]);
    assert.deepEqual(testStackProblems(stackWith({ auth: { ...app, appId: "12a", installationId: -3 } }), set), [
        `${at}.auth.appId: expected a positive whole number (the GitHub App's settings page shows it), got "12a"`,
        `${at}.auth.installationId: expected a positive whole number (the GitHub App's settings page shows it), got -3`,
    ]);
    assert.deepEqual(testStackProblems(stackWith({ auth: { ...app, appId: 1.5 } }), set), [
        `${at}.auth.appId: expected a positive whole number (the GitHub App's settings page shows it), got 1.5`,
    ]);
    assert.deepEqual(testStackProblems(stackWith({ url: "oci://arccicddemoacr.azurecr.io/gitops/app", branch: undefined, tag: "latest", auth: app }), set), [
        `${at}.auth.type: an OCI source takes auth.type none (a public artifact) or workloadIdentity, got githubApp`,
    ]);
    // The private key's secret config key must be set, as a secret.
    const missing = testStackProblems(stackWith({ auth: app }));
    assert.equal(missing.length, 1);
    assert.match(missing[0], /githubAppPrivateKey/);
    // Accepted on Arc too: the Secret goes through the Arc cluster's Kubernetes provider.
    const arc = { cluster: { mode: "arc", name: "edge", appNamespaces: ["dev"], kubeconfigSecret: "arcKubeconfig" } };
    const parsed = parseTestStack(stackWith({ auth: app }, arc), { connectorPat: "secret", arcKubeconfig: "secret", githubAppPrivateKey: "secret" });
    assert.equal(parsed.kind, "owner");
});
