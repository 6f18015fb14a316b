// The GitOps Connector and the Flux notifications on their own, checked against the chart's own
// `required` rules and against the Flux CRD schemas (@kubernetes-models/flux-cd).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { checkedPat, connectorAddress, connectorValues, GitOpsConnector, LOG_READER_ROLE, type ConnectorTarget } from "../components/connector.ts";
import { alertSpec, eventSources, FluxNotifications, NOTIFICATION_API_VERSION, providerSpec } from "../components/notifications.ts";
import { chartProblems } from "./support/chart.ts";
import { assertWellFormedTree, dependsOn, installMocks, isSecretValue, one, parentOf, plainOccurrences, providerOf, settle, unwrap } from "./support.ts";

const rec = installMocks();

const github: ConnectorTarget = { mode: "GITHUB", owner: "contoso", appRepo: "arc-cicd-demo-src", gitopsRepo: "arc-cicd-demo-gitops" };
const azdo: ConnectorTarget = { mode: "AZDO", organization: "contoso", project: "gitops", gitopsRepo: "arc-cicd-demo-gitops", prRepo: "arc-cicd-demo-src" };

const PAT = "CANARY-connector-pat-5e5e";
const provider = new k8s.Provider("k8s", { kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n") });
const extension = new k8s.core.v1.ConfigMap("stand-in-extension", { metadata: { name: "ext" } }, { provider });
const WEBHOOK = "https://hooks.example/CANARY-webhook-4b1e";
const connector = new GitOpsConnector(
    "gc",
    {
        namespace: "connectors",
        target: github,
        pat: pulumi.secret(PAT),
        subscribers: { audit: pulumi.secret(WEBHOOK) },
        logReaders: { users: ["alice@contoso.com"], groups: ["8d5e2c1a-3b4f-4a6d-9e7f-0a1b2c3d4e5f"] },
    },
    { providers: { kubernetes: provider }, dependsOn: [extension] },
);
const objects = { namespace: "cluster-config", gitRepository: "cluster-config", kustomizations: ["cluster-config-infra", "cluster-config-apps"] };
const notifications = new FluxNotifications("fn", { objects, address: connector.address, applyNamespace: true }, { provider, dependsOn: [extension, connector] });
// A PAT passed without the secret mark is stored as a secret all the same.
const careless = new GitOpsConnector("gc2", { target: github, pat: "plain-pat-not-marked" }, { provider });
// A webhook URL passed without the secret mark is kept secret all the same.
const plainHook = new GitOpsConnector("gc3", { namespace: "hooks", target: github, pat: "p", subscribers: { audit: "https://hooks.example/CANARY-plain-hook" } }, { provider });
const ready = settle(provider, extension, connector, notifications, careless, plainHook);

test("GITHUB values: the app repo receives dispatches, the GitOps repo gets statuses, URLs derived from the owner", () => {
    assert.deepEqual(connectorValues(github), {
        gitRepositoryType: "GITHUB",
        ciCdOrchestratorType: "GITHUB",
        gitOpsOperatorType: "FLUX",
        gitHubGitOpsRepoName: "arc-cicd-demo-src",
        gitHubGitOpsManifestsRepoName: "arc-cicd-demo-gitops",
        gitHubOrgUrl: "https://api.github.com/repos/contoso",
        gitOpsAppURL: "https://github.com/contoso/arc-cicd-demo-gitops/commit",
    });
    assert.deepEqual(chartProblems(connectorValues(github)), []);
});

test("AZDO values use the azdo* keys", () => {
    assert.deepEqual(connectorValues(azdo), {
        gitRepositoryType: "AZDO",
        ciCdOrchestratorType: "AZDO",
        gitOpsOperatorType: "FLUX",
        azdoGitOpsRepoName: "arc-cicd-demo-gitops",
        azdoOrgUrl: "https://dev.azure.com/contoso/gitops",
        azdoPrRepoName: "arc-cicd-demo-src",
        gitOpsAppURL: "https://dev.azure.com/contoso/gitops/_git/arc-cicd-demo-gitops",
    });
    assert.deepEqual(chartProblems(connectorValues(azdo)), []);
    assert.deepEqual(chartProblems({ gitRepositoryType: "AZDO", ciCdOrchestratorType: "AZDO", gitOpsOperatorType: "FLUX" }), [
        "Provide a value for gitOpsAppURL", "Provide a value for azdoGitOpsRepoName", "Provide a value for azdoOrgUrl",
    ], "the transcribed chart rules do reject incomplete values");
});

test("the release carries the chart values, an empty orchestratorPAT and secret subscribers, in the connector's own namespace, after the PAT secret", async () => {
    await ready;
    const release = one(rec, "kubernetes:helm.sh/v3:Release", "gc-release");
    assert.equal(parentOf(rec, release)?.name, "gc");
    assert.equal(providerOf(rec, release)?.name, "k8s");
    assert.equal(release.inputs.namespace, "connectors");
    // Subscriber URLs are webhook credentials: with them, the values are a secret as a whole.
    assert.ok(isSecretValue(release.inputs.values), "values holding a webhook URL are a secret");
    assert.deepEqual(unwrap(release.inputs.values), { ...connectorValues(github), subscribers: { audit: WEBHOOK }, orchestratorPAT: "" });
    assert.deepEqual(chartProblems(unwrap(release.inputs.values)), []);
    const ns = one(rec, "kubernetes:core/v1:Namespace", "gc-namespace");
    assert.equal(ns.inputs.metadata.name, "connectors");
    const pat = one(rec, "kubernetes:core/v1:Secret", "gc-pat");
    assert.equal(providerOf(rec, pat)?.name, "k8s");
    assert.deepEqual(pat.inputs.metadata, { name: "gitops-connector-secret", namespace: "connectors" });
    assert.ok(isSecretValue(pat.inputs.stringData));
    assert.deepEqual(unwrap(pat.inputs.stringData), { PAT });
    assert.ok(dependsOn(rec, release, pat) && dependsOn(rec, pat, ns));
    const ext = one(rec, "kubernetes:core/v1:ConfigMap", "stand-in-extension");
    assert.ok(dependsOn(rec, ns, ext), "the caller's dependsOn reaches the children");
    for (const needle of [PAT, WEBHOOK]) {
        for (const r of rec.registrations) assert.deepEqual(plainOccurrences(r.inputs, needle), [], `${needle} in ${r.type}::${r.name}`);
    }
    // Without subscribers the values stay plain, reviewable in preview.
    const plain = one(rec, "kubernetes:helm.sh/v3:Release", "gc2-release");
    assert.ok(!isSecretValue(plain.inputs.values));
    assert.deepEqual(plain.inputs.values, { ...connectorValues(github), orchestratorPAT: "" });
    assert.equal(plain.inputs.namespace, "gitops-connector", "the default namespace is the connector's own");
    const hooked = one(rec, "kubernetes:helm.sh/v3:Release", "gc3-release");
    assert.ok(isSecretValue(hooked.inputs.values), "a plain subscriber URL from code is still a secret");
    assert.deepEqual(plainOccurrences(hooked.inputs, "CANARY-plain-hook"), []);
});

test("only the named log readers get pods/log in the connector's namespace (its logs carry the PAT)", async () => {
    await ready;
    const role = one(rec, "kubernetes:rbac.authorization.k8s.io/v1:Role", "gc-log-reader");
    assert.deepEqual(role.inputs.metadata, { name: LOG_READER_ROLE, namespace: "connectors" });
    assert.deepEqual(role.inputs.rules, [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] }]);
    const binding = one(rec, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "gc-log-readers");
    assert.deepEqual(binding.inputs.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: LOG_READER_ROLE });
    assert.deepEqual(binding.inputs.subjects, [
        { kind: "User", name: "alice@contoso.com", apiGroup: "rbac.authorization.k8s.io" },
        { kind: "Group", name: "8d5e2c1a-3b4f-4a6d-9e7f-0a1b2c3d4e5f", apiGroup: "rbac.authorization.k8s.io" },
    ]);
    assert.ok(dependsOn(rec, binding, role));
    // No readers named: no grant at all.
    assert.equal(rec.registrations.filter((r) => r.name.startsWith("gc2-log")).length, 0);
});

test("invalid connector arguments are refused with the property named, before anything registers", () => {
    const before = rec.registrations.length;
    for (const [args, property, reason] of [
        [{ namespace: "flux-system" }, "namespace", "the connector needs a namespace of its own (its logs carry the PAT); flux-system is the extension's"],
        [{ chartRepo: "https://user:CANARY@charts.example/" }, "chartRepo", "the chart repository URL must not carry credentials (value not shown)"],
        [{ chartVersion: "2.0.0" }, "chartVersion", "expected a 1.2.x chart version (the published flat values layout)"],
    ] as const) {
        assert.throws(
            () => new GitOpsConnector("bad", { target: github, pat: "p", ...args }, { provider }),
            (e: pulumi.InputPropertiesError) => {
                assert.ok(pulumi.InputPropertiesError.isInstance(e));
                assert.deepEqual(e.errors, [{ propertyPath: property, reason }]);
                assert.ok(!e.message.includes("CANARY"));
                return true;
            },
        );
    }
    assert.equal(rec.registrations.length, before);
});

test("the connector's address is the fully qualified service on 8080/gitopsphase", () => {
    assert.equal(connector.address, "http://gitops-connector.connectors.svc.cluster.local:8080/gitopsphase");
    assert.equal(connectorAddress(), "http://gitops-connector.gitops-connector.svc.cluster.local:8080/gitopsphase");
});

test("event sources are derived from the configuration: its GitRepository and every Kustomization", () => {
    assert.deepEqual(eventSources(objects), [
        { kind: "GitRepository", name: "cluster-config", namespace: "cluster-config" },
        { kind: "Kustomization", name: "cluster-config-infra", namespace: "cluster-config" },
        { kind: "Kustomization", name: "cluster-config-apps", namespace: "cluster-config" },
    ]);
});

test("Provider and Alert are v1beta3 objects in the Flux objects' namespace, after the extension and the connector", async () => {
    await ready;
    const p = one(rec, "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Provider", "fn-provider");
    const a = one(rec, "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert", "fn-alert");
    for (const r of [p, a]) {
        assert.equal(parentOf(rec, r)?.name, "fn");
        assert.equal(providerOf(rec, r)?.name, "k8s");
        assert.equal(r.inputs.apiVersion, NOTIFICATION_API_VERSION);
        assert.deepEqual(r.inputs.metadata, { name: "gitops-connector", namespace: "cluster-config" });
        assert.ok(dependsOn(rec, r, one(rec, "kubernetes:core/v1:ConfigMap", "stand-in-extension")));
        assert.ok(dependsOn(rec, r, one(rec, "kubernetes:helm.sh/v3:Release", "gc-release")));
    }
    assert.equal(NOTIFICATION_API_VERSION, "notification.toolkit.fluxcd.io/v1beta3");
    assert.deepEqual(p.inputs.spec, { type: "generic", address: connector.address });
    assert.deepEqual(a.inputs.spec, { providerRef: { name: "gitops-connector" }, eventSeverity: "info", eventSources: eventSources(objects) });
    assert.ok(dependsOn(rec, a, p));
    // applyNamespace: the objects' namespace first, as a server-side-apply patch (adopts, never deletes).
    const ns = one(rec, "kubernetes:core/v1:NamespacePatch", "fn-namespace");
    assert.equal(ns.inputs.metadata.name, "cluster-config");
    assert.ok(dependsOn(rec, p, ns));
    assert.ok(dependsOn(rec, ns, one(rec, "kubernetes:core/v1:ConfigMap", "stand-in-extension")));
});

test("the Provider and Alert validate against the Flux notification v1beta3 CRD schemas", async () => {
    await ready;
    const { Alert, Provider } = await import("@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3");
    for (const r of rec.registrations.filter((x) => x.type.startsWith("kubernetes:notification.toolkit.fluxcd.io/"))) {
        const Model = r.inputs.kind === "Alert" ? Alert : Provider;
        const object = new Model({ metadata: r.inputs.metadata, spec: r.inputs.spec } as any);
        assert.doesNotThrow(() => object.validate(), `${r.inputs.kind} ${JSON.stringify(r.inputs.spec)}`);
        assert.equal(object.apiVersion, r.inputs.apiVersion);
    }
    // The schema does catch mistakes: a severity the CRD doesn't allow, an unknown source kind.
    const broken = new Alert({ metadata: { name: "x" }, spec: { ...alertSpec("p", eventSources(objects)), eventSeverity: "debug" } } as any);
    assert.throws(() => broken.validate(), /eventSeverity/);
    const badKind = new Alert({ metadata: { name: "x" }, spec: alertSpec("p", [{ kind: "Gitrepo" as any, name: "a", namespace: "b" }]) } as any);
    assert.throws(() => badKind.validate(), /kind/);
    assert.doesNotThrow(() => new Provider({ metadata: { name: "p" }, spec: providerSpec(connectorAddress("ns")) } as any).validate());
});

test("a PAT passed in plain is still stored as a secret, and an empty one is refused", async () => {
    await ready;
    const pat = one(rec, "kubernetes:core/v1:Secret", "gc2-pat");
    assert.ok(isSecretValue(pat.inputs.stringData));
    assert.deepEqual(plainOccurrences(pat.inputs, "plain-pat-not-marked"), []);
    assert.throws(() => checkedPat("gc", "  "), /GitOps Connector gc: the orchestrator PAT is empty/);
    assert.equal(checkedPat("gc", "ghp_x"), "ghp_x");
});

test("every Kubernetes child of the connectors and the notifications uses the provider from the options", async () => {
    await ready;
    const children = rec.registrations.filter((r) => r.type.startsWith("kubernetes:") && ["gc", "gc2", "gc3", "fn"].includes(parentOf(rec, r)?.name ?? ""));
    assert.ok(children.length >= 12, `found ${children.length}`);
    for (const r of children) assert.equal(providerOf(rec, r)?.name, "k8s", `${r.type}::${r.name}`);
});

test("the component trees are well formed", async () => {
    await ready;
    assertWellFormedTree(rec, (r) => r.type.startsWith("gitops:") || r.name === "k8s" || r.name === "stand-in-extension");
});
