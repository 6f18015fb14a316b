// Stack config validation: defaults, and every bad input fails with the stack file, the key and what
// was expected.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseStackConfig, type OwnerStackConfig } from "../infra/config.ts";
import { minimalStack as valid, parseTestStack as parse, testStackProblems as problems } from "./support.ts";

test("a minimal stack gets the documented defaults", () => {
    const c = parse(valid()) as OwnerStackConfig;
    assert.equal(c.kind, "owner");
    assert.equal(c.azure.createResourceGroup, false);
    assert.equal(c.cluster.mode, "aks");
    if (c.cluster.mode !== "aks") return;
    assert.deepEqual(c.cluster.kubeconfig, { credentials: "user", kubeloginMode: "azurecli" });
    assert.equal(c.cluster.aks.entraId.enabled, true);
    assert.equal(c.cluster.aks.systemPool.count, 2);
    assert.equal(c.registry.mode === "create" && c.registry.sku, "Standard");
    assert.deepEqual(c.flux.extension, {
        name: "flux",
        releaseTrain: "Stable",
        controllers: { source: true, kustomize: true, helm: true, notification: true, imageAutomation: false, imageReflector: false },
        multiTenancy: true,
        settings: {},
    });
    const fc = c.flux.configurations[0];
    assert.equal(fc.namespace, "flux-system");
    assert.equal(fc.scope, "cluster");
    assert.deepEqual(fc.auth, { type: "none" });
    assert.equal(fc.waitForReconciliation, true);
    assert.deepEqual(fc.kustomizations[0], {
        name: "cluster-config", path: "arc-cicd-cluster/manifests", dependsOn: [], prune: true, force: false, wait: true,
        syncIntervalInSeconds: 600, timeoutInSeconds: 600,
    });
    assert.equal(c.connector.enabled, true);
    assert.equal(c.connector.patSecret, "connectorPat");
    assert.equal(c.connector.chartVersion, "1.2.1");
});

test("missing keys are named", () => {
    const v = valid();
    delete v.cluster;
    delete v.flux;
    assert.deepEqual(problems(v), ["gitops-platform:cluster: missing (expected object)", "gitops-platform:flux: missing (expected object)"]);
});

test("wrong types are named with their full key path", () => {
    const v = valid();
    v.cluster.aks = { systemPool: { count: "two" } };
    v.flux.configurations[0].kustomizations[0].prune = "yes";
    assert.deepEqual(problems(v), [
        "gitops-platform:cluster.aks.systemPool.count: Invalid input: expected number, received string",
        "gitops-platform:flux.configurations[0].kustomizations[0].prune: Invalid input: expected boolean, received string",
    ]);
});

test("a value that isn't an object is rejected", () => {
    const v = valid();
    v.cluster = "arc-cicd-cluster";
    assert.deepEqual(problems(v), ["gitops-platform:cluster: Invalid input: expected object, received string"]);
});

test("an unknown cluster mode lists every mode, shared included", () => {
    const v = valid();
    v.cluster.mode = "shard";
    assert.deepEqual(problems(v), ["gitops-platform:cluster.mode: Invalid discriminator value. Expected 'aks' | 'aksExisting' | 'arc' | 'shared'"]);
});

test("an invalid ACR name, like the tutorial's arc-demo-acr, is rejected", () => {
    const v = valid();
    v.registry.name = "arc-demo-acr";
    assert.deepEqual(problems(v), ["gitops-platform:registry.name: expected 5-50 letters or digits (ACR names allow no '-')"]);
});

test("a kustomization whose <config>-<kustomization> name exceeds 62 characters is rejected", () => {
    const v = valid();
    const name = "k".repeat(48); // "cluster-config-" (15) + 48 = 63
    v.flux.configurations[0].kustomizations[0].name = name;
    assert.deepEqual(problems(v), [
        `gitops-platform:flux.configurations[0].kustomizations[0].name: the Flux Kustomization 'cluster-config-${name}' ` +
            "(<configuration>-<kustomization>) is 63 characters; the extension allows at most 62",
    ]);
    v.flux.configurations[0].kustomizations[0].name = "k".repeat(47);
    assert.doesNotThrow(() => parse(v));
});

test("the connector PAT is required, and must be stored as a secret", () => {
    assert.deepEqual(problems(valid(), {}, "dev"), [
        "gitops-platform:connectorPat: missing secret (the GitOps Connector's orchestratorPAT); set it with: pulumi config set --secret connectorPat --stack dev < <file holding the value>",
    ]);
    assert.deepEqual(problems(valid(), { connectorPat: "plaintext" }, "dev"), [
        "gitops-platform:connectorPat: stored in plain text in the stack file (the GitOps Connector's orchestratorPAT); re-set it with: pulumi config set --secret connectorPat --stack dev < <file holding the value>",
    ]);
});

test("an unknown key, such as a typo, is rejected", () => {
    const v = { ...valid(), fluxx: {} };
    assert.deepEqual(problems(v), [
        "gitops-platform:fluxx: unknown key (expected one of azure, cluster, registry, flux, connector, github, fleet, or a secret the config names)",
    ]);
    const w = valid();
    w.cluster.name2 = "x";
    assert.match(problems(w)[0], /^gitops-platform:cluster: Unrecognized key: "name2"/);
});

test("a stack sharing another stack's cluster may configure nothing else", () => {
    assert.deepEqual(problems({ cluster: { mode: "shared", stack: "dev" }, registry: { mode: "create", name: "abcdef" } }, {}, "stage"), [
        "gitops-platform:registry: this stack uses the cluster owned by stack 'dev'; registry is configured there, not here",
    ]);
    assert.deepEqual(problems({ cluster: { mode: "shared", stack: "stage" } }, {}, "stage"), ["gitops-platform:cluster.stack: a stack can't share its own cluster"]);
    const c = parse({ cluster: { mode: "shared", stack: "dev" } }, {}, "stage");
    assert.deepEqual(c, {
        kind: "shared",
        stack: "stage",
        stackFile: "stacks/Pulumi.stage.yaml",
        self: { short: "stage", qualified: "acme/gitops-platform/stage" },
        ownerStack: "acme/gitops-platform/dev",
        clusterStack: { short: "dev", qualified: "acme/gitops-platform/dev" },
        github: undefined,
    });
    assert.equal((parse({ cluster: { mode: "shared", stack: "other-org/dev" } }, {}, "stage") as any).ownerStack, "other-org/gitops-platform/dev");
});

test("the connector needs the notification controller and a repo matching its mode", () => {
    const v = valid();
    v.flux.extension = { controllers: { notification: false } };
    assert.deepEqual(problems(v), [
        "gitops-platform:flux.extension.controllers.notification: the GitOps Connector needs Flux notifications; enable the notification controller or set connector.enabled: false",
    ]);
    const w = valid();
    w.flux.configurations[0].url = "https://dev.azure.com/org/project/_git/gitops";
    assert.deepEqual(problems(w), [
        "gitops-platform:connector.mode: GITHUB mode needs the Flux configuration 'cluster-config' to sync a github.com repo, got https://dev.azure.com/org/project/_git/gitops",
    ]);
    w.connector = { mode: "AZDO" };
    assert.doesNotThrow(() => parse(w));
    const x = valid();
    x.connector = { configuration: "nope" };
    assert.deepEqual(problems(x), ["gitops-platform:connector.configuration: no Flux configuration named 'nope'"]);
});

test("repository refs, kustomization dependencies and controller settings are checked", () => {
    const v = valid();
    delete v.flux.configurations[0].branch;
    v.flux.configurations[0].commit = "0123abcd";
    v.flux.configurations[0].kustomizations.push({ name: "apps", dependsOn: ["infra"] });
    v.flux.extension = { settings: { "helm-controller.enabled": "false" } };
    assert.deepEqual(problems(v), [
        "gitops-platform:flux.configurations[0].commit: ARM requires a commit to be combined with its branch; set branch too",
        "gitops-platform:flux.configurations[0].kustomizations[1].dependsOn: 'infra' is not a kustomization of 'cluster-config'",
        "gitops-platform:flux.extension.settings.helm-controller.enabled: set this through flux.extension.controllers / multiTenancy",
    ]);
    const w = valid();
    delete w.flux.configurations[0].branch;
    assert.deepEqual(problems(w), ["gitops-platform:flux.configurations[0].branch: expected one of branch, tag, semver or commit"]);
});

test("impossible AKS combinations are rejected", () => {
    const v = valid();
    v.cluster.aks = { entraId: { enabled: false }, disableLocalAccounts: true, systemPool: { autoscale: { min: 5, max: 3 } } };
    assert.deepEqual(problems(v), [
        "gitops-platform:cluster.aks.systemPool.autoscale: min (5) is greater than max (3)",
        "gitops-platform:cluster.aks.disableLocalAccounts: a cluster without Entra ID needs local accounts",
    ]);
    const w = valid();
    w.cluster.kubeconfig = { credentials: "admin" };
    assert.deepEqual(problems(w), ["gitops-platform:cluster.kubeconfig.credentials: admin credentials don't exist when local accounts are disabled; use user"]);
});

test("the Arc kubeconfig is a required secret", () => {
    const v = valid();
    v.cluster = { mode: "arc", name: "edge", appNamespaces: ["edge"] };
    assert.deepEqual(problems(v), [
        "gitops-platform:arcKubeconfig: missing secret (kubeconfig of the Arc cluster); set it with: pulumi config set --secret arcKubeconfig --stack t < <file holding the value>",
    ]);
});

test("secret values are never read while validating", () => {
    const raw: Record<string, string> = {
        "gitops-platform:azure": JSON.stringify(valid().azure),
        "gitops-platform:cluster": JSON.stringify(valid().cluster),
        "gitops-platform:registry": JSON.stringify(valid().registry),
        "gitops-platform:flux": JSON.stringify(valid().flux),
    };
    Object.defineProperty(raw, "gitops-platform:connectorPat", {
        enumerable: true,
        get: () => assert.fail("validation read the secret's value"),
    });
    assert.equal(parseStackConfig("t", raw, () => "secret", () => "acme").kind, "owner");
});

test("the connector's namespace can't be a system namespace it would delete on destroy", () => {
    for (const ns of ["default", "kube-system", "azure-arc", "gatekeeper-system"]) {
        const v = valid();
        v.connector = { namespace: ns };
        assert.deepEqual(problems(v), [
            "gitops-platform:connector.namespace: a system namespace (default, kube-*, azure-*, gatekeeper-system) can't be the connector's own; destroying the connector would delete it",
        ], ns);
    }
});

test("subscriber webhook URLs are secrets: the stack file names secret keys, which must be set", () => {
    const v = valid();
    v.connector = { subscribers: { audit: "auditWebhook" } };
    assert.deepEqual(problems(v), [
        "gitops-platform:auditWebhook: missing secret (the URL of the connector's subscriber 'audit'); set it with: pulumi config set --secret auditWebhook --stack t < <file holding the value>",
    ]);
    const c = parse(v, { connectorPat: "secret", auditWebhook: "secret" }) as OwnerStackConfig;
    assert.deepEqual(c.connector.subscribers, { audit: "auditWebhook" });
    // A URL where the key name belongs is refused without being echoed.
    v.connector = { subscribers: { audit: "https://hooks.example/CANARY" } };
    const found = problems(v);
    assert.deepEqual(found, ["gitops-platform:connector.subscribers.audit: expected the name of a secret config key, such as connectorPat"]);
});

test("protect: on a created resource group, an AKS cluster and a created registry", () => {
    const v = valid();
    v.azure.protect = true;
    assert.deepEqual(problems(v), ["gitops-platform:azure.protect: protects the resource group this stack creates; set createResourceGroup: true or drop protect"]);
    v.azure.createResourceGroup = true;
    v.cluster.protect = true;
    v.registry.protect = true;
    const c = parse(v) as OwnerStackConfig;
    assert.equal(c.azure.protect, true);
    assert.equal(c.cluster.mode === "aks" && c.cluster.protect, true);
    assert.equal(c.registry.mode === "create" && c.registry.protect, true);
    const w = valid();
    w.registry = { mode: "existing", name: "arccicddemoacr", protect: true };
    assert.deepEqual(problems(w), ['gitops-platform:registry: Unrecognized key: "protect"']);
});

test("cluster admins are typed principals, and need Entra ID", () => {
    const v = valid();
    v.cluster.aks = { entraId: { clusterAdmins: [{ objectId: "7d1f3c9a-2b4d-4c6e-8f10-123456789abc", type: "Robot" }] } };
    assert.deepEqual(problems(v), [
        'gitops-platform:cluster.aks.entraId.clusterAdmins[0].type: Invalid option: expected one of "User"|"Group"|"ServicePrincipal"',
    ]);
    v.cluster.aks = { entraId: { enabled: false, clusterAdmins: [{ objectId: "7d1f3c9a-2b4d-4c6e-8f10-123456789abc", type: "Group" }] } };
    assert.deepEqual(problems(v), ["gitops-platform:cluster.aks.entraId.clusterAdmins: Azure RBAC roles need Entra ID; set entraId.enabled: true"]);
});

test("the connector gets a namespace of its own, never one Flux or the apps share", () => {
    for (const [ns, expected] of [
        ["flux-system", "gitops-platform:connector.namespace: the connector needs a namespace of its own (its logs carry the PAT); flux-system is the extension's"],
        ["dev", "gitops-platform:connector.namespace: 'dev' is also a Flux configuration's or an app namespace; the connector needs one of its own, since whoever reads pod logs there can read its PAT"],
    ]) {
        const v = valid();
        v.connector = { namespace: ns };
        assert.deepEqual(problems(v), [expected]);
    }
    const c = parse(valid()) as OwnerStackConfig;
    assert.equal(c.connector.namespace, "gitops-connector");
    assert.deepEqual(c.connector.logReaders, { users: [], groups: [] });
});

test("the app repo's default workflow token is read-only unless a stack says otherwise", () => {
    const v = valid();
    v.github = { owner: "org", repository: {}, environment: { namespace: "dev" } };
    const c = parse(v, { connectorPat: "secret", appRepoPat: "secret" });
    assert.equal(c.github?.repository?.workflowPermissions, "read");
});

test("AKS network and naming combinations that ARM rejects are caught", () => {
    const v = valid();
    v.cluster.name = "arc_cicd";
    v.cluster.aks = { network: { dataplane: "azure" } };
    assert.deepEqual(problems(v), [
        "gitops-platform:cluster.aks.network.policy: network policy cilium needs dataplane cilium",
        "gitops-platform:cluster.aks.dnsPrefix: the cluster name 'arc_cicd' is not a valid DNS prefix; set dnsPrefix",
    ]);
    const w = valid();
    w.cluster.aks = { network: { plugin: "kubenet", policy: "calico" } };
    assert.deepEqual(problems(w), ["gitops-platform:cluster.aks.network.dataplane: the cilium dataplane needs plugin azure"]);
});

test("only the published 1.2.x connector chart layout is accepted", () => {
    const v = valid();
    v.connector = { chartVersion: "2.0.0" };
    assert.deepEqual(problems(v), ["gitops-platform:connector.chartVersion: expected a 1.2.x chart version (the published flat values layout)"]);
});

test("on Arc, configurations must wait for reconciliation, since the pull secrets need their namespaces", () => {
    const v = valid();
    v.cluster = { mode: "arc", name: "edge", appNamespaces: ["edge"] };
    v.flux.configurations[0].waitForReconciliation = false;
    assert.deepEqual(problems(v, { connectorPat: "secret", arcKubeconfig: "secret" }), [
        "gitops-platform:flux.configurations[0].waitForReconciliation: on an Arc cluster the image pull secrets need the app namespaces the configuration creates; keep waitForReconciliation true",
    ]);
});

test("a config error is a RunError, so pulumi prints the message without a stack trace", async () => {
    const pulumi = await import("@pulumi/pulumi");
    try {
        parse({});
        assert.fail("expected an error");
    } catch (e) {
        assert.ok(pulumi.RunError.isInstance(e));
    }
});
