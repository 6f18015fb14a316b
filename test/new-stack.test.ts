// npm run new-stack: the file it writes for each mode and from another stack, what it prints next, and
// what it refuses (a taken or bad name, an unknown --from or mode, a config problem, a second owner of a
// cluster or an environment) without leaving a file behind. Every run works on a scratch copy of the
// project, never on stacks/. Planning a stack costs a child process each: three runs plan, the others
// pass --no-plan or call the library.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { parseStackConfig, PROJECT } from "../infra/config.ts";
import { crossStackProblems } from "../infra/github-layout.ts";
import { engineConfig, loadStacks, readStackFile } from "../infra/stack-files.ts";
import { Refused, UsageError, writeNewStack, type NewStackRequest } from "../scripts/lib/new-stack.ts";
import { readCommandLine, USAGE } from "../scripts/new-stack.ts";
import { minimalStack, parseStack, REPO_ROOT } from "./support.ts";

const scratch: string[] = [];
after(() => {
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** The stack files the scratch projects start with: the shipped ones the expectations below are written against. */
const SHIPPED = ["Pulumi.dev.yaml", "Pulumi.edge.yaml", "Pulumi.fleet.yaml", "Pulumi.prod.yaml", "Pulumi.stage.yaml"];

/** A copy of the program and those stacks, as `--root` takes it: new-stack writes there, the plan runs there. */
function scratchProject(): string {
    const dir = mkdtempSync(path.join(tmpdir(), "new-stack-"));
    scratch.push(dir);
    for (const f of ["infra", "components", "Pulumi.yaml", "package.json", "tsconfig.json"]) cpSync(path.join(REPO_ROOT, f), path.join(dir, f), { recursive: true });
    mkdirSync(path.join(dir, "stacks"));
    for (const f of SHIPPED) copyFileSync(path.join(REPO_ROOT, "stacks", f), path.join(dir, "stacks", f));
    symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

function newStack(root: string, ...args: string[]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "scripts", "new-stack.ts"), ...args, "--root", root], { encoding: "utf8", cwd: REPO_ROOT });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const stackFiles = (root: string) => readdirSync(path.join(root, "stacks")).sort();

/** The file's config, and that it passes what every stack goes through: alone, and with the others. */
function written(root: string, stack: string): Record<string, unknown> {
    const dir = path.join(root, "stacks");
    const file = readStackFile(dir, stack);
    assert.deepEqual(file.secureKeys, []);
    parseStackConfig(stack, engineConfig(file.values), () => "secret", () => "organization");
    assert.deepEqual(crossStackProblems(loadStacks(dir)), []);
    return Object.fromEntries(Object.entries(file.values).map(([k, v]) => [k.slice(PROJECT.length + 1), v]));
}

/** The comment lines above `config:`. */
const header = (root: string, stack: string) => readFileSync(path.join(root, "stacks", `Pulumi.${stack}.yaml`), "utf8").split("\nconfig:\n")[0].split("\n");
/** The first paragraph of the header, unwrapped. */
const described = (root: string, stack: string) => header(root, stack).slice(1, header(root, stack).indexOf("#")).map((l) => l.slice(2)).join(" ");

const secretLine = (key: string, stack: string, purpose: string) => `pulumi config set --secret ${key} --stack ${stack} < <file holding the value>   # ${purpose}`;

test("--mode aks from options alone: a new cluster, registry, GitOps folder and repository level; the next steps and the plan", () => {
    const root = scratchProject();
    const r = newStack(root, "qa", "--mode", "aks", "--cluster", "qa-cluster", "--registry", "qaacr01", "--gitops-repo", "https://github.com/contoso/gitops");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.deepEqual(written(root, "qa"), {
        azure: { location: "westeurope", resourceGroup: "qa-cluster", createResourceGroup: true },
        cluster: { mode: "aks", name: "qa-cluster", appNamespaces: ["qa"] },
        registry: { mode: "create", name: "qaacr01" },
        flux: {
            configurations: [
                {
                    name: "cluster-config",
                    namespace: "flux-system",
                    url: "https://github.com/contoso/gitops",
                    branch: "master",
                    kustomizations: [{ name: "cluster-config", path: "qa-cluster/manifests", prune: true }],
                },
            ],
        },
        connector: { mode: "GITHUB" },
        github: { owner: "contoso", appRepo: "arc-cicd-demo-src", repository: {}, environment: { name: "az-vote-app-qa", environmentName: "Qa", namespace: "qa" } },
    });
    const lines = header(root, "qa");
    assert.equal(lines[0], "# yaml-language-server: $schema=../docs/stack-file.schema.json");
    assert.equal(
        described(root, "qa"),
        "qa: a new AKS cluster qa-cluster in resource group qa-cluster, which this stack creates, and on it the microsoft.flux extension, the Flux configurations, " +
            "the GitOps Connector and the Flux notifications that feed it. On GitHub it owns the repository-level secrets, the CI identity and the settings of " +
            "contoso/arc-cicd-demo-src, and its environment az-vote-app-qa. Written by `npm run new-stack`. The cluster uses Entra ID with Azure RBAC " +
            "(aks.entraId, on by default): `pulumi up` needs kubelogin on PATH (docs/deploying.md).",
    );
    assert.ok(lines.includes("#   qa-cluster/manifests"), lines.join("\n"));
    const secrets = [
        ["appRepoPat", "the PAT secret the app workflows use to open PRs on the GitOps repo"],
        ["connectorPat", "the GitOps Connector's orchestratorPAT"],
    ];
    for (const [key, purpose] of secrets) assert.ok(lines.includes(`#   ${secretLine(key, "qa", purpose)}`), key);

    const out = r.stdout.split("\n");
    assert.equal(out[0], "Wrote stacks/Pulumi.qa.yaml: a new AKS cluster qa-cluster in resource group qa-cluster, which this stack creates, and on it the microsoft.flux extension, the Flux configurations, the GitOps Connector and the Flux notifications that feed it.");
    const next = r.stdout.slice(r.stdout.indexOf("\nNext, "), r.stdout.indexOf("\nOffline plan for stack qa: "));
    assert.equal(
        next,
        [
            "",
            `Next, from ${root}:`,
            "  pulumi stack init qa",
            ...secrets.map(([key, purpose]) => `  ${secretLine(key, "qa", purpose)}`),
            "  read -rs GITHUB_TOKEN && export GITHUB_TOKEN   # the github provider's token (docs/deploying.md#github-tokens)",
            "",
            "The GitOps repo https://github.com/contoso/gitops (branch master) must contain, before pulumi up:",
            "  qa-cluster/manifests   (configuration cluster-config, kustomization cluster-config)",
            "",
            "Then: pulumi preview --stack qa",
            "",
        ].join("\n"),
    );
    assert.match(r.stdout, /^Offline plan for stack qa: \d+ resources$/m);
    assert.match(r.stdout, /^ {4}\+ azure-native:containerservice:ManagedCluster {2}qa-cluster-aks$/m);
    assert.match(r.stdout, /^ {2}repository arc-cicd-demo-src: AKS_NAME, AKS_RESOURCE_GROUP, AZURE_CREDENTIALS, /m);
});

test("--from dev: dev's sections for another cluster, leaving the repository level, the connector's dispatches and the registry with dev", () => {
    const root = scratchProject();
    const r = newStack(root, "qa", "--mode", "aks", "--cluster", "qa-cluster", "--from", "dev");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(written(root, "qa"), {
        azure: { location: "westeurope", resourceGroup: "qa-cluster", createResourceGroup: true },
        cluster: { mode: "aks", name: "qa-cluster", appNamespaces: ["qa"] },
        registry: { mode: "existing", name: "arccicddemoacr", resourceGroup: "arc-cicd-demo" },
        flux: {
            configurations: [
                {
                    name: "cluster-config",
                    namespace: "flux-system",
                    scope: "cluster",
                    url: "https://github.com/your-github-org/arc-cicd-demo-gitops",
                    branch: "master",
                    kustomizations: [{ name: "cluster-config", path: "qa-cluster/manifests", prune: true }],
                },
            ],
        },
        connector: { enabled: false },
        github: { owner: "your-github-org", appRepo: "arc-cicd-demo-src", repositoryStack: "dev", environment: { name: "az-vote-app-qa", environmentName: "Qa", namespace: "qa" } },
    });
    const notes = [
        "  registry.mode: existing: stack dev creates registry arccicddemoacr; this stack pulls from it",
        "  github.repositoryStack: dev: stack dev owns the repository-level secrets, the CI identity and the settings of your-github-org/arc-cicd-demo-src",
        "  connector.enabled: false: stack dev's connector already dispatches sync-success to your-github-org/arc-cicd-demo-src; a second one would start its promotion twice",
    ];
    assert.ok(r.stdout.includes(`\nFitted to the other stacks (the file says why, above each section):\n${notes.join("\n")}\n`), r.stdout);
    const text = readFileSync(path.join(root, "stacks", "Pulumi.qa.yaml"), "utf8");
    assert.ok(text.includes("  # connector.enabled: false: stack dev's connector already dispatches sync-success to\n  # your-github-org/arc-cicd-demo-src; a second one would start its promotion twice.\n  gitops-platform:connector:\n"), text);
    assert.ok(header(root, "qa").includes("# Secrets: none in config."));
    // Its environment runs on its own cluster: the plan grants dev's CI identity access to it.
    assert.match(r.stdout, /^Offline plan for stack qa: \d+ resources$/m);
    assert.match(r.stdout, /^ {2}\+ gitops:identity:CiClusterAccess {2}arc-cicd-demo-src-ci-az-vote-app-qa$/m);
    assert.match(r.stdout, /^ {2}environment arc-cicd-demo-src\/az-vote-app-qa: AKS_NAME, AKS_RESOURCE_GROUP, ENVIRONMENT_NAME, TARGET_NAMESPACE$/m);
});

test("--mode arc --from edge with its own app repo: edge's folders moved to the new cluster's, its connector dispatching there", () => {
    const root = scratchProject();
    const r = newStack(root, "edge2", "--mode", "arc", "--cluster", "arc-edge-2", "--resource-group", "arc-edge-2", "--from", "edge", "--app-repo", "edge2-app", "--namespace", "edge2");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(written(root, "edge2"), {
        azure: { location: "westeurope", resourceGroup: "arc-edge-2" },
        cluster: { mode: "arc", name: "arc-edge-2", appNamespaces: ["edge2"], kubeconfigSecret: "arcKubeconfig" },
        registry: { mode: "existing", name: "arccicddemoacr", resourceGroup: "arc-cicd-demo" },
        flux: {
            configurations: [
                {
                    name: "cluster-config",
                    namespace: "cluster-config",
                    url: "https://github.com/your-github-org/arc-cicd-demo-gitops",
                    branch: "master",
                    auth: { type: "https", username: "git", passwordSecret: "gitopsRepoPat" },
                    kustomizations: [
                        { name: "infra", path: "arc-edge-2/infra", prune: true },
                        { name: "apps", path: "arc-edge-2/manifests", prune: true, dependsOn: ["infra"] },
                    ],
                },
            ],
        },
        connector: { mode: "GITHUB", github: { appRepo: "edge2-app" } },
    });
    const lines = header(root, "edge2");
    assert.equal(
        described(root, "edge2"),
        "edge2: the existing Azure Arc connected cluster arc-edge-2/arc-edge-2 (onboarded with `az connectedk8s connect`). The extension and the Flux " +
            "configurations go through ARM; the connector, the Alert/Provider and the image pull secrets go through the kubeconfig in secret arcKubeconfig, " +
            "because Arc's API server is not reachable through ARM. Written by `npm run new-stack` from stack edge's registry, flux and connector sections.",
    );
    for (const [key, purpose] of [
        ["arcKubeconfig", "kubeconfig of the Arc cluster"],
        ["gitopsRepoPat", "HTTPS token for Flux configuration 'cluster-config'"],
        ["connectorPat", "the GitOps Connector's orchestratorPAT"],
    ]) {
        assert.ok(lines.includes(`#   ${secretLine(key, "edge2", purpose)}`), key);
        assert.ok(r.stdout.includes(`\n  ${secretLine(key, "edge2", purpose)}\n`), key);
    }
    assert.ok(r.stdout.includes("\n  arc-edge-2/infra   (configuration cluster-config, kustomization infra)\n  arc-edge-2/manifests   (configuration cluster-config, kustomization apps)\n"));
    assert.match(r.stdout, /^Offline plan for stack edge2: \d+ resources$/m);
    assert.match(r.stdout, /^ {4}\+ azure-native:kubernetesconfiguration:Extension {2}arc-edge-2-flux-extension$/m);
});

test("--mode aksExisting adopts a cluster in its resource group; --from edge without an app repo of its own leaves the connector to edge", () => {
    const root = scratchProject();
    const dir = path.join(root, "stacks");
    const base = { mode: "aksExisting", cluster: "legacy-aks", resourceGroup: "legacy-rg", registry: "arccicddemoacr", gitopsRepo: "https://github.com/contoso/gitops" } as const;
    const adopted = writeNewStack(dir, { name: "legacy", ...base, namespace: "apps", branch: "main", path: "clusters/legacy" });
    assert.equal(adopted.stackFile, "stacks/Pulumi.legacy.yaml");
    assert.deepEqual(written(root, "legacy"), {
        azure: { location: "westeurope", resourceGroup: "legacy-rg" },
        cluster: { mode: "aksExisting", name: "legacy-aks", appNamespaces: ["apps"] },
        registry: { mode: "existing", name: "arccicddemoacr", resourceGroup: "arc-cicd-demo" },
        flux: {
            configurations: [
                {
                    name: "cluster-config",
                    namespace: "flux-system",
                    url: "https://github.com/contoso/gitops",
                    branch: "main",
                    kustomizations: [{ name: "cluster-config", path: "clusters/legacy/manifests", prune: true }],
                },
            ],
        },
        connector: { mode: "GITHUB" },
        github: { owner: "contoso", appRepo: "arc-cicd-demo-src", repository: {}, environment: { name: "az-vote-app-legacy", environmentName: "Legacy", namespace: "apps" } },
    });
    assert.match(described(root, "legacy"), /^legacy: the existing AKS cluster legacy-rg\/legacy-aks, adopted \(read, never modified\): this stack installs the microsoft\.flux extension, /);
    assert.deepEqual(adopted.folders, [{ url: "https://github.com/contoso/gitops", ref: "branch main", path: "clusters/legacy/manifests", configuration: "cluster-config", kustomization: "cluster-config" }]);

    const arc = writeNewStack(dir, { name: "edge3", mode: "arc", cluster: "arc-edge-3", resourceGroup: "arc-edge", from: "edge" });
    assert.deepEqual(arc.notes.map((n) => n.setting), ["registry.mode: existing", "connector.enabled: false"]);
    assert.equal(arc.notes[1].why, "stack edge's connector already dispatches sync-success to your-github-org/arc-edge-app; a second one would start its promotion twice");
    assert.deepEqual(written(root, "edge3").connector, { enabled: false });
    assert.equal(written(root, "edge3").github, undefined, "edge has no github section, so neither has its copy");

    // A resource group another stack uses exists already: an AKS stack there doesn't create it (and so
    // never deletes it); one that dev creates would go with dev, which the file says.
    const inEdge = writeNewStack(dir, { name: "edge-aks", mode: "aks", cluster: "edge-aks", resourceGroup: "arc-edge", from: "edge" });
    assert.deepEqual(written(root, "edge-aks").azure, { location: "westeurope", resourceGroup: "arc-edge" });
    assert.deepEqual(inEdge.notes[0], { section: "azure", setting: "azure.createResourceGroup: false", why: "stack edge uses resource group arc-edge, which exists already" });
    const inDev = writeNewStack(dir, { name: "dev-2", mode: "aks", cluster: "dev-2", resourceGroup: "arc-cicd-demo", from: "edge" });
    assert.equal(inDev.notes[0].why, "stack dev creates resource group arc-cicd-demo, so destroying dev deletes this cluster with it");
    assert.ok(inDev.text.includes("  # azure.createResourceGroup: false: stack dev creates resource group arc-cicd-demo, so destroying dev\n  # deletes this cluster with it.\n  gitops-platform:azure:\n"), inDev.text);
});

test("--key-vault writes a pull-only stack (delivery git): the vault, on AKS the Key Vault Secrets Provider, on Arc the issuer and no kubeconfig", () => {
    const root = scratchProject();
    const dir = path.join(root, "stacks");
    const base = { registry: "arccicddemoacr", gitopsRepo: "https://github.com/contoso/gitops", branch: "main", githubOwner: "contoso" } as const;
    writeNewStack(dir, { name: "sealed", mode: "aks", cluster: "sealed-aks", keyVault: "sealed-kv", appRepo: "sealed-app", ...base });
    assert.deepEqual(written(root, "sealed").cluster, {
        mode: "aks",
        name: "sealed-aks",
        appNamespaces: ["sealed"],
        keyVaultSecretsProvider: { enabled: true },
        delivery: "git",
        gitDelivery: { keyVault: { name: "sealed-kv" } },
    });
    assert.match(described(root, "sealed"), /^sealed: a new AKS cluster sealed-aks in resource group sealed-aks, delivered pull-only \(cluster\.delivery: git\): `pulumi up` never calls its Kubernetes API\./);

    const vault = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/kv/providers/Microsoft.KeyVault/vaults/storeskv";
    const store = writeNewStack(dir, {
        name: "store9", mode: "arc", cluster: "arc-store-9", resourceGroup: "arc-stores-eu", keyVault: vault, oidcIssuerUrl: "https://oidc.arc.example/9/", appRepo: "store9-app", auth: "https", ...base,
    });
    assert.deepEqual(written(root, "store9").cluster, {
        mode: "arc",
        name: "arc-store-9",
        appNamespaces: ["store9"],
        delivery: "git",
        gitDelivery: { keyVault: { resourceId: vault }, oidcIssuerUrl: "https://oidc.arc.example/9/" },
    });
    assert.ok(!store.text.includes("arcKubeconfig"), "no kubeconfig is asked for");

    // On Arc without the issuer: refused, naming the option; the issuer without delivery git: bad usage.
    assert.throws(
        () => writeNewStack(dir, { name: "store10", mode: "arc", cluster: "arc-store-10", resourceGroup: "arc-stores-eu", keyVault: vault, appRepo: "store10-app", auth: "https", ...base }),
        (e: Error) => e instanceof Refused && e.message.includes("gitops-platform:cluster.gitDelivery.oidcIssuerUrl: missing") && e.message.endsWith("On the command line: --oidc-issuer-url"),
    );
    assert.throws(
        () => writeNewStack(dir, { name: "store10", mode: "aks", cluster: "aks-10", oidcIssuerUrl: "https://oidc.arc.example/10/", ...base }),
        (e: Error) => e instanceof UsageError && e.message.startsWith("--oidc-issuer-url: only with --mode arc and --key-vault"),
    );
    assert.deepEqual(stackFiles(root), [...SHIPPED, "Pulumi.sealed.yaml", "Pulumi.store9.yaml"].sort());
});

test("refused as bad usage: a taken name, one differing only in case, a bad name, an unknown --from, mode or option, a missing one", () => {
    const root = scratchProject();
    const dir = path.join(root, "stacks");
    const request: NewStackRequest = { name: "qa", mode: "aks", cluster: "qa-cluster", from: "dev" };
    const refusals: [Partial<NewStackRequest>, string][] = [
        [{ name: "dev" }, "stacks/Pulumi.dev.yaml: already exists; choose another stack name (nothing is ever overwritten)"],
        [
            { name: "Dev" },
            "stacks/Pulumi.Dev.yaml: differs only in case from stacks/Pulumi.dev.yaml; stack names are case-sensitive, but the file systems of Windows and macOS are not, so choose another name",
        ],
        [{ name: "../qa" }, `invalid stack name "../qa": a stack name is letters, digits, '_', '.' and '-' only, not starting with '-', with no path separators and no '..'`],
        [{ from: "nope" }, "--from nope: no stack file stacks/Pulumi.nope.yaml (stacks: dev, edge, fleet, prod, stage)"],
        [{ mode: "arc" }, "--resource-group: required with --mode arc: the resource group of the existing connected cluster qa-cluster"],
        [{ from: undefined }, "--registry: required without --from: the Azure Container Registry's name"],
    ];
    for (const [change, message] of refusals) {
        assert.throws(() => writeNewStack(dir, { ...request, ...change }), (e: Error) => e instanceof UsageError && e.message === message, message);
    }
    assert.throws(() => readCommandLine(["qa", "--mode", "shared", "--cluster", "c"]), {
        message: "--mode: expected one of aks, aksExisting, arc (a stack sharing another stack's cluster, mode shared, is written by hand: see stacks/Pulumi.stage.yaml)",
    });
    assert.throws(() => readCommandLine(["qa", "--mode", "aks", "--cluster", "c", "--auth", "token"]), { message: "--auth: expected one of none, https, ssh, githubDeployKey" });
    assert.throws(() => readCommandLine(["qa", "--mode", "aks"]), { message: `--cluster: required: the name of the AKS cluster to create\n${USAGE}` });
    assert.throws(() => readCommandLine(["qa", "--mode", "aks", "--cluster", "c", "--bogus"]), { message: USAGE });
    assert.deepEqual(readCommandLine(["qa", "--mode", "arc", "--cluster", "c", "--no-plan"]), {
        request: { name: "qa", mode: "arc", cluster: "c" },
        root: REPO_ROOT,
        plan: false,
    });
    assert.deepEqual(stackFiles(root), SHIPPED);

    // The command line: exit 2, the message alone on stderr, nothing written.
    const taken = newStack(root, "Dev", "--mode", "aks", "--cluster", "x", "--from", "dev", "--no-plan");
    assert.equal(taken.status, 2);
    assert.equal(taken.stdout, "");
    assert.equal(taken.stderr, `${refusals[1][1]}\n`);
    assert.deepEqual(stackFiles(root), SHIPPED);
});

test("refused after checking, nothing written: a second owner of dev's cluster or environment, and a config problem naming the option", () => {
    const root = scratchProject();
    const dir = path.join(root, "stacks");
    const refused = (r: NewStackRequest, message: string) => {
        assert.throws(() => writeNewStack(dir, r), (e: Error) => e instanceof Refused && e.message === message, message);
        assert.deepEqual(stackFiles(root), SHIPPED);
    };
    const conflict = (p: string) => `stacks/Pulumi.qa.yaml would conflict with the other stacks in ${dir}:\n  - across stacks: ${p}`;
    // Adopting dev's cluster (Azure names are case-insensitive) would put a second extension and Flux configuration on it.
    refused(
        { name: "qa", mode: "aksExisting", cluster: "ARC-CICD-CLUSTER", resourceGroup: "arc-cicd-demo", from: "dev" },
        conflict("AKS cluster arc-cicd-demo/arc-cicd-cluster: claimed by stacks dev, qa; exactly one stack may own it"),
    );
    refused(
        { name: "qa", mode: "aks", cluster: "qa-cluster", from: "dev", environment: "az-vote-app-dev" },
        conflict("environment az-vote-app-dev of your-github-org/arc-cicd-demo-src: claimed by stacks dev, qa; exactly one stack may own it"),
    );
    refused(
        { name: "qa", mode: "aks", cluster: "qa.cluster", from: "dev", namespace: "QA" },
        [
            "Invalid stack configuration in stacks/Pulumi.qa.yaml:",
            "  - gitops-platform:cluster.name: expected letters, digits, '-' or '_'",
            "  - gitops-platform:cluster.appNamespaces[0]: expected a lowercase DNS label (a-z, 0-9, '-')",
            "  - gitops-platform:github.environment.namespace: expected a lowercase DNS label (a-z, 0-9, '-')",
            "On the command line: --cluster, --namespace",
        ].join("\n"),
    );
    // A credential pasted into an option is reported by key path, its value never repeated.
    const token = ["ghp", "_", "A".repeat(36)].join("");
    assert.throws(
        () => writeNewStack(dir, { name: "qa", mode: "aks", cluster: "qa-cluster", from: "dev", gitopsRepo: `https://${token}@github.com/contoso/gitops` }),
        (e: Error) => e instanceof Refused && !e.message.includes(token) && /gitops-platform:flux\.configurations\[0\]\.url: /.test(e.message),
    );

    const r = newStack(root, "qa", "--mode", "aksExisting", "--cluster", "arc-cicd-cluster", "--resource-group", "arc-cicd-demo", "--from", "dev");
    assert.equal(r.status, 1);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `${conflict("AKS cluster arc-cicd-demo/arc-cicd-cluster: claimed by stacks dev, qa; exactly one stack may own it")}\nNothing written.\n`);
    assert.deepEqual(stackFiles(root), SHIPPED);
});

test("crossStackProblems: two stacks owning one cluster, creating or adopting it, however they spell it; an Arc cluster of the same name is another resource", () => {
    const a = parseStack("a", minimalStack());
    const b = parseStack("b", {
        ...minimalStack(),
        azure: { location: "westeurope", resourceGroup: "other" },
        cluster: { mode: "aksExisting", name: "ARC-CICD-CLUSTER", resourceGroup: "RG", appNamespaces: ["b"] },
        registry: { mode: "existing", name: "arccicddemoacr", resourceGroup: "rg" },
        connector: { enabled: false },
    });
    const arc = parseStack("arc", {
        ...minimalStack(),
        cluster: { mode: "arc", name: "arc-cicd-cluster", resourceGroup: "rg", appNamespaces: ["arc"] },
        registry: { mode: "existing", name: "arccicddemoacr", resourceGroup: "rg" },
        connector: { enabled: false },
    });
    const c = parseStack("c", { ...minimalStack(), azure: { location: "westeurope", resourceGroup: "rg" }, cluster: { mode: "aks", name: "another", appNamespaces: ["c"] }, connector: { enabled: false } });
    assert.deepEqual(crossStackProblems([a, b, arc, c]).filter((p) => / cluster /.test(p)), ["AKS cluster rg/arc-cicd-cluster: claimed by stacks a, b; exactly one stack may own it"]);
    assert.deepEqual(crossStackProblems(loadStacks(path.join(scratchProject(), "stacks"))), [], "the shipped stacks own one cluster each");
});

test("a stack the program can't plan is removed again, and nothing claims it was written", () => {
    const root = scratchProject();
    // A program that fails after the config is read: the plan's child process exits with its error.
    writeFileSync(path.join(root, "infra", "index.ts"), 'throw new Error("the program broke");\n');
    const r = newStack(root, "qa", "--mode", "aks", "--cluster", "qa-aks", "--from", "dev");
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, "", "no 'Wrote …' and no next steps for a file that is gone");
    assert.match(r.stderr, /the program broke/);
    assert.match(r.stderr, /stacks\/Pulumi\.qa\.yaml could not be planned, so it was removed\.\n$/);
    assert.deepEqual(stackFiles(root), [...SHIPPED].sort());
});
