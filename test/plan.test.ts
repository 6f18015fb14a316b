// npm run plan: the offline plan of every stack, redaction proven with canary secrets, the JSON
// shape, config errors, the dependency graph, and the diff between two git refs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import type { StackPlan } from "../scripts/lib/plan-model.ts";
import { diffPlans, type PlanDiff } from "../scripts/lib/plan-diff.ts";
import { REPO_ROOT, runPlan, scratchRepo, shippedStacks } from "./support.ts";

// Canary values for every secret the shipped stacks read, as `pulumi config --show-secrets --json`
// would print them, plus the forms the program derives from them (base64 for Flux).
const CANARIES: Record<string, string> = {
    connectorPat: "CANARY-connector-9f1d",
    appRepoPat: "CANARY-apprepo-77ab",
    gitopsRepoPat: "CANARY-gitopsrepo-3c3c",
    arcKubeconfig: "apiVersion: v1\nkind: Config\nusers: [{name: u, user: {token: CANARY-kubeconfig-1e1e}}]\n",
    prodTeamsWebhook: "https://contoso.webhook.office.com/webhookb2/CANARY-teams-5e5e",
    privateConnectorPat: "CANARY-private-connector-6f6f",
    privateTeamsWebhook: "https://contoso.webhook.office.com/webhookb2/CANARY-private-teams-7a7a",
};
const NEEDLES = [
    ...Object.values(CANARIES),
    "CANARY-kubeconfig-1e1e",
    ...Object.values(CANARIES).map((v) => Buffer.from(v).toString("base64")),
];
const secretsFile = path.join(mkdtempSync(path.join(tmpdir(), "plan-secrets-")), "secrets.json");
writeFileSync(secretsFile, JSON.stringify(Object.fromEntries(Object.entries(CANARIES).map(([k, v]) => [`gitops-platform:${k}`, { value: v, secret: true }]))));

const json = runPlan(["--all", "--json", "--graph", "--secrets", secretsFile]);
// One stack at a time here, side by side (a process per core) above: both list the stacks in name order.
const text = runPlan(["--all", "--secrets", secretsFile, "--jobs=1"]);
const plans = (): (StackPlan & { graph: { mermaid: string; dot: string } })[] => JSON.parse(json.stdout);
const byStack = (s: string) => plans().find((p) => p.stack === s)!;
const resource = (p: StackPlan, key: string) => {
    const r = p.resources.find((x) => x.key === key);
    assert.ok(r, `${key} in the plan of ${p.stack}`);
    return r;
};

test("the plan covers every shipped stack and exits 0", () => {
    assert.equal(json.status, 0, json.stderr);
    assert.equal(text.status, 0, text.stderr);
    assert.deepEqual(plans().map((p) => p.stack), shippedStacks());
    assert.deepEqual(Object.fromEntries(plans().map((p) => [p.stack, p.resources.length])), { dev: 45, edge: 26, fleet: 8, private: 72, prod: 47, stage: 7 });
});

test("canary secret values appear nowhere: not in text, JSON or graph output", () => {
    for (const needle of NEEDLES) {
        assert.ok(!json.stdout.includes(needle), `${needle} in --json --graph output`);
        assert.ok(!text.stdout.includes(needle), `${needle} in text output`);
        assert.ok(!json.stderr.includes(needle) && !text.stderr.includes(needle), `${needle} in stderr`);
    }
    // They did reach the program (not placeholders), and its secret inputs are there, redacted; edge's
    // connector PAT is a Key Vault reference, which --secrets never overrides.
    for (const p of plans()) {
        for (const s of p.secrets) assert.equal(s.status, p.stack === "edge" && s.key === "connectorPat" ? "keyVault" : "given", `${p.stack} ${s.key}`);
    }
    assert.deepEqual(byStack("edge").secrets.map((s) => s.key).sort(), ["arcKubeconfig", "connectorPat", "gitopsRepoPat"]);
    const dev = byStack("dev");
    assert.deepEqual(resource(dev, "kubernetes:core/v1:Secret::arc-cicd-cluster-connector-pat").inputs.stringData, "[secret]");
    assert.deepEqual(resource(dev, "github:index/actionsSecret:ActionsSecret::arc-cicd-demo-src-secrets-pat").inputs.plaintextValue, "[secret]");
    assert.deepEqual(resource(byStack("edge"), "azure-native:kubernetesconfiguration:FluxConfiguration::arc-edge-cluster-flux-cluster-config").inputs.configurationProtectedSettings, "[secret]");
    assert.equal(resource(byStack("edge"), "pulumi:providers:kubernetes::arc-edge-cluster-k8s").inputs.kubeconfig, "[secret]");
    // Delivery git: the secrets reach Key Vault, redacted, and the platform folder only names them.
    const priv = byStack("private");
    assert.equal(resource(priv, "azure-native:keyvault:Secret::arc-cicd-private-platform-secret-arc-cicd-private-connector-pat").inputs.properties, "[secret]");
    assert.equal(priv.platformFiles?.length, 20);
    assert.deepEqual(priv.kubernetes, []);
    for (const p of plans()) if (p.stack !== "private") assert.equal(p.platformFiles, undefined, p.stack);
});

test("--json: resources with parent, provider, dependencies and intent inputs; Kubernetes objects; GitHub secrets by scope; outputs", () => {
    const dev = byStack("dev");
    assert.deepEqual(Object.keys(dev).sort(), ["github", "graph", "kubernetes", "lookups", "organization", "outputs", "resources", "secrets", "stack", "target"]);
    assert.deepEqual(
        Object.fromEntries(plans().map((p) => [p.stack, p.target])),
        {
            dev: { mode: "aks", cluster: "arc-cicd-demo/arc-cicd-cluster" },
            edge: { mode: "arc", cluster: "arc-edge/arc-edge-cluster" },
            fleet: { mode: "fleet", cluster: "Arc clusters in resource group arc-stores" },
            private: { mode: "aks (git)", cluster: "arc-cicd-private/arc-cicd-private" },
            prod: { mode: "aks", cluster: "arc-cicd-prod/arc-cicd-prod" },
            stage: { mode: "shared", cluster: "stack dev's" },
        },
    );
    const fc = resource(dev, "azure-native:kubernetesconfiguration:FluxConfiguration::arc-cicd-cluster-flux-cluster-config");
    assert.equal(fc.parent, "gitops:flux:Flux::arc-cicd-cluster-flux");
    assert.deepEqual(fc.dependsOn.includes("azure-native:kubernetesconfiguration:Extension::arc-cicd-cluster-flux-extension"), true);
    assert.deepEqual((fc.inputs.kustomizations as any)["cluster-config"].path, "arc-cicd-cluster/manifests");
    assert.equal(fc.inputs.clusterName, "(known after apply)", "the cluster's name comes back from ARM");
    const release = resource(dev, "kubernetes:helm.sh/v3:Release::arc-cicd-cluster-connector-release");
    assert.equal(release.provider, "pulumi:providers:kubernetes::arc-cicd-cluster-k8s");
    assert.deepEqual([release.inputs.chart, release.inputs.version, (release.inputs.values as any).gitHubGitOpsRepoName], ["gitops-connector", "1.2.1", "arc-cicd-demo-src"]);
    const acrPull = resource(dev, "azure-native:authorization:RoleAssignment::arccicddemoacr-acrpull");
    assert.deepEqual([acrPull.inputs.principalId, acrPull.inputs.principalType], ["(known after apply)", "ServicePrincipal"], "the kubelet identity exists only after apply");

    const kinds = dev.kubernetes.map((m) => `${m.apiVersion}/${m.kind}`);
    assert.deepEqual(kinds, ["v1/Namespace", "v1/Secret", "notification.toolkit.fluxcd.io/v1beta3/Provider", "notification.toolkit.fluxcd.io/v1beta3/Alert"]);
    const alert = dev.kubernetes.find((m) => m.kind === "Alert") as any;
    assert.deepEqual(alert.spec.eventSources.map((s: any) => s.name), ["cluster-config", "cluster-config-cluster-config"]);

    assert.deepEqual(dev.github.repository, {
        "arc-cicd-demo-src": [
            "AKS_NAME", "AKS_RESOURCE_GROUP", "AZURE_CREDENTIALS", "AZURE_VOTE_IMAGE_REPO", "AZ_ACR_NAME", "DEMO_APP_URL", "MANIFESTS_BRANCH", "MANIFESTS_FOLDER",
            "MANIFESTS_REPO", "PAT", "SYSTEM_LABEL", "VOTE_APP_TITLE",
        ],
    });
    assert.deepEqual(dev.github.environments, { "arc-cicd-demo-src/az-vote-app-dev": ["ENVIRONMENT_NAME", "TARGET_NAMESPACE"] });
    assert.deepEqual(byStack("prod").github.environments, { "arc-cicd-demo-src/az-vote-app-prod": ["AKS_NAME", "AKS_RESOURCE_GROUP", "ENVIRONMENT_NAME", "TARGET_NAMESPACE"] });

    assert.deepEqual(Object.keys(dev.outputs).sort(), [
        "appNamespaces", "ciClientId", "ciMode", "ciPrincipalId", "clusterId", "clusterKind", "clusterName", "clusterResourceGroup", "clusterResourceName",
        "clusterRp", "connectorAddress", "fluxExtensionName", "fluxObjects", "githubEnvironment", "githubRepository", "oidcIssuerUrl", "ownerStack",
        "registryId", "registryLoginServer", "registryName",
    ]);
    assert.equal(dev.outputs.registryLoginServer, "(known after apply)");
    assert.equal(dev.outputs.clusterId, "(known after apply)");
    assert.equal(dev.outputs.ciClientId, "(known after apply)");
    assert.equal(dev.outputs.connectorAddress, "http://gitops-connector.gitops-connector.svc.cluster.local:8080/gitopsphase");
    assert.equal(byStack("stage").outputs.clusterName, "(known after apply)", "read from dev's outputs at deploy time");
    assert.deepEqual(dev.secrets.map((s) => [s.key, s.status]), [["appRepoPat", "given"], ["connectorPat", "given"]]);
});

test("the text plan shows the tree, the Kubernetes YAML, the GitHub secrets by scope, the outputs and the secret placeholders", () => {
    const out = text.stdout;
    assert.match(out, /^Offline plan for stack dev: 45 resources$/m);
    assert.match(out, /^ {2}\+ gitops:flux:Flux {2}arc-cicd-cluster-flux\n {4}\+ azure-native:kubernetesconfiguration:Extension {2}arc-cicd-cluster-flux-extension$/m);
    assert.match(out, /^kind: Alert$/m);
    assert.match(out, /^ {2}repository arc-cicd-demo-src: AKS_NAME, AKS_RESOURCE_GROUP, AZURE_CREDENTIALS,/m);
    assert.match(out, /^ {2}environment arc-cicd-demo-src\/az-vote-app-stage: ENVIRONMENT_NAME, TARGET_NAMESPACE$/m);
    assert.match(out, /^ {2}clusterId: \(known after apply\)$/m);
    assert.match(out, /^ {2}connectorPat: the GitOps Connector's orchestratorPAT; value from --secrets$/m);
});

test("--all ends with the fleet summary: one row per stack, in name order", () => {
    const tail = text.stdout.trimEnd().split("\n").slice(-8);
    assert.deepEqual(tail, [
        "Fleet summary: 6 stacks",
        "STACK    CLUSTER                                    MODE       EXTENSION      CONFIGURATIONS  CONNECTOR                     GITHUB ENVIRONMENT   POLICY ASSIGNMENTS",
        "dev      arc-cicd-demo/arc-cicd-cluster             aks        auto (Stable)  cluster-config  gitops-connector 1.2.1        az-vote-app-dev      0",
        "edge     arc-edge/arc-edge-cluster                  arc        auto (Stable)  cluster-config  gitops-connector 1.2.1        -                    0",
        "fleet    Arc clusters in resource group arc-stores  fleet      auto (Stable)  stores          -                             -                    2",
        "private  arc-cicd-private/arc-cicd-private          aks (git)  auto (Stable)  cluster-config  gitops-connector 1.2.1 (git)  az-vote-app-private  0",
        "prod     arc-cicd-prod/arc-cicd-prod                aks        1.24.1         cluster-config  -                             az-vote-app-prod     0",
        "stage    stack dev's                                shared     -              -               -                             az-vote-app-stage    0",
    ]);
    assert.ok(json.stdout.trimEnd().endsWith("]"), "--json prints plans only: no table after them");
});

test("--graph: Mermaid and DOT with components as groups and dependency edges", () => {
    const dev = byStack("dev");
    const ids = new Map(dev.resources.map((r, i) => [r.key, `n${i}`]));
    const id = (k: string) => ids.get(k)!;
    const ext = id("azure-native:kubernetesconfiguration:Extension::arc-cicd-cluster-flux-extension");
    const cfg = id("azure-native:kubernetesconfiguration:FluxConfiguration::arc-cicd-cluster-flux-cluster-config");
    const alert = id("kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert::arc-cicd-cluster-notifications-alert");
    const release = id("kubernetes:helm.sh/v3:Release::arc-cicd-cluster-connector-release");
    assert.match(dev.graph.mermaid, /^flowchart LR\n/);
    assert.ok(dev.graph.mermaid.includes(`  ${ext} --> ${cfg}\n`), "configuration after extension");
    assert.ok(dev.graph.mermaid.includes(`subgraph ${id("gitops:flux:Flux::arc-cicd-cluster-flux")}["Flux<br/>arc-cicd-cluster-flux"]`));
    assert.ok(dev.graph.dot.startsWith('digraph "dev" {'));
    const flux = id("gitops:flux:Flux::arc-cicd-cluster-flux");
    const group = new RegExp(`subgraph "cluster_${flux}" \\{[^}]*"${ext}" \\[label="Extension\\\\narc-cicd-cluster-flux-extension"\\];[^}]*"${cfg}" \\[`);
    assert.match(dev.graph.dot, group, "the Flux component groups its extension and configuration");
    assert.ok(dev.graph.dot.includes(`  "${ext}" -> "${cfg}";`));
    assert.ok(dev.graph.dot.includes(`  "${ext}" -> "${alert}";`));
    // A dependsOn on the connector component is an edge from each of its resources: the Alert waits for the release.
    assert.ok(dev.graph.mermaid.includes(`  ${release} --> ${alert}\n`), "alert after the connector's release");
});

test("docs/graph.md shows the dev stack's graph exactly as --graph prints it", () => {
    const doc = readFileSync(path.join(REPO_ROOT, "docs", "graph.md"), "utf8");
    const block = /<!-- dev-graph:start -->\n```mermaid\n([\s\S]*?)```\n<!-- dev-graph:end -->/.exec(doc);
    assert.ok(block, "docs/graph.md has the dev graph between <!-- dev-graph:start --> and <!-- dev-graph:end -->");
    assert.equal(block[1], byStack("dev").graph.mermaid, "docs/graph.md is stale: run npm run docs-graph");
});

/** A throwaway git repo holding this working tree (node_modules shared), for diffs and bad stacks. */
test("--diff <ref>: resources added, removed and changed between a ref and the working tree, secrets still redacted", () => {
    const dir = scratchRepo();
    const devFile = path.join(dir, "stacks", "Pulumi.dev.yaml");
    const doc = YAML.parse(readFileSync(devFile, "utf8"));
    doc.config["gitops-platform:cluster"].aks.systemPool = { count: 3 };
    doc.config["gitops-platform:connector"] = { enabled: false };
    doc.config["gitops-platform:github"].repository.voteAppTitle = "Another Title";
    writeFileSync(devFile, YAML.stringify(doc));
    const r = runPlan(["dev", "--diff", "HEAD", "--json", "--secrets", secretsFile], dir);
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout) as PlanDiff;
    assert.equal(d.ref, "HEAD");
    assert.deepEqual(d.added, []);
    assert.deepEqual(d.removed, [
        "gitops:connector:GitOpsConnector::arc-cicd-cluster-connector",
        "gitops:notifications:FluxNotifications::arc-cicd-cluster-notifications",
        "kubernetes:core/v1:Namespace::arc-cicd-cluster-connector-namespace",
        "kubernetes:core/v1:Secret::arc-cicd-cluster-connector-pat",
        "kubernetes:helm.sh/v3:Release::arc-cicd-cluster-connector-release",
        "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert::arc-cicd-cluster-notifications-alert",
        "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Provider::arc-cicd-cluster-notifications-provider",
    ]);
    assert.deepEqual(d.changed, [
        { key: "azure-native:containerservice:ManagedCluster::arc-cicd-cluster-aks", changes: [{ path: "inputs.agentPoolProfiles[0].count", before: 2, after: 3 }] },
        // The configuration never waited for the Alert and Provider (they wait for it), so removing the
        // connector leaves its dependsOn alone; diffPlans' own test covers a dependsOn change.
        {
            key: "github:index/actionsSecret:ActionsSecret::arc-cicd-demo-src-secrets-vote-app-title",
            changes: [{ path: "inputs.plaintextValue", before: "[secret]", after: "[secret]", secretChanged: true }],
        },
    ]);
    // JSON has no undefined: the output that is gone has no `after`.
    assert.deepEqual(d.outputs, [{ path: "connectorAddress", before: "http://gitops-connector.gitops-connector.svc.cluster.local:8080/gitopsphase" }]);
    assert.ok(!r.stdout.includes("Another Title"), "the changed secret's value is not shown");
    for (const needle of NEEDLES) assert.ok(!r.stdout.includes(needle));
    const textDiff = runPlan(["dev", "--diff", "HEAD"], dir);
    assert.match(textDiff.stdout, /^Plan diff for stack dev: HEAD -> working tree: 0 added, 7 removed, 2 changed$/m);
    assert.match(textDiff.stdout, /^ {6}inputs\.agentPoolProfiles\[0\]\.count: 2 -> 3$/m);
    assert.match(textDiff.stdout, /^ {6}inputs\.plaintextValue: \[secret\] changed$/m);
    // A stack only in the working tree: everything it has is added.
    const qa = YAML.parse(readFileSync(path.join(dir, "stacks", "Pulumi.stage.yaml"), "utf8"));
    qa.config["gitops-platform:github"].environment = { name: "az-vote-app-qa", namespace: "stage" };
    writeFileSync(path.join(dir, "stacks", "Pulumi.qa.yaml"), YAML.stringify(qa));
    const added = JSON.parse(runPlan(["qa", "--diff", "HEAD", "--json"], dir).stdout) as PlanDiff;
    assert.equal(added.removed.length, 0);
    assert.ok(added.added.includes("github:index/repositoryEnvironment:RepositoryEnvironment::arc-cicd-demo-src-az-vote-app-qa-environment"));
});

test("diffPlans: added, removed, changed inputs, dependencies, secret values and outputs", () => {
    const r = (key: string, inputs: Record<string, unknown>, dependsOn: string[] = []) =>
        ({ key, type: key.split("::")[0], name: key.split("::")[1], parent: null, provider: null, dependsOn, ignoreChanges: [], inputs });
    const base = { stack: "s", organization: "o", kubernetes: [], github: { repository: {}, environments: {} }, lookups: [], secrets: [] };
    const before = { ...base, outputs: { a: 1 }, resources: [r("t::kept", { x: 1, s: "[secret 00000000000000aa]", t: "[secret 00000000000000bb]" }, ["t::dep"]), r("t::gone", {})] };
    const after = { ...base, outputs: { a: 2 }, resources: [r("t::kept", { x: 2, s: "[secret 00000000000000aa]", t: "[secret 00000000000000cc]" }, []), r("t::new", {})] };
    assert.deepEqual(diffPlans("s", "main", before, after), {
        stack: "s", ref: "main", added: ["t::new"], removed: ["t::gone"],
        changed: [{ key: "t::kept", changes: [
            { path: "dependsOn", before: ["t::dep"], after: [] },
            { path: "inputs.t", before: "[secret]", after: "[secret]", secretChanged: true },
            { path: "inputs.x", before: 1, after: 2 },
        ] }],
        outputs: [{ path: "a", before: 1, after: 2 }],
        extensionUpgrades: [],
    });
    assert.deepEqual(diffPlans("s", "main", undefined, after).added, ["t::kept", "t::new"], "a stack the ref doesn't have: everything is added");
    assert.deepEqual(diffPlans("s", "main", before, undefined).removed, ["t::gone", "t::kept"], "a stack the working tree removed");
});
