// Stack config validation: defaults, and every bad input fails with the stack file, the key and what
// was expected.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, parseGitRepoUrl, parseStackConfig, type OwnerStackConfig } from "../infra/config.ts";
import { projectConfig } from "./support.ts";

type Secrets = Record<string, "secret" | "plaintext">;

function parse(values: Record<string, unknown>, secrets: Secrets = { connectorPat: "secret" }, stack = "t") {
    return parseStackConfig(stack, projectConfig(values), (k) => secrets[k] ?? "missing", () => "acme");
}

function valid(): Record<string, any> {
    return {
        azure: { location: "westeurope", resourceGroup: "rg" },
        cluster: { mode: "aks", name: "arc-cicd-cluster", appNamespaces: ["dev", "stage"] },
        registry: { mode: "create", name: "arccicddemoacr" },
        flux: {
            configurations: [
                {
                    name: "cluster-config",
                    url: "https://github.com/org/arc-cicd-demo-gitops",
                    branch: "master",
                    kustomizations: [{ name: "cluster-config", path: "arc-cicd-cluster/manifests", prune: true }],
                },
            ],
        },
    };
}

/** Parse, expect a ConfigError, and return its problems. */
function problems(values: Record<string, unknown>, secrets?: Secrets, stack?: string): readonly string[] {
    try {
        parse(values, secrets, stack);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
        assert.equal(e.stackFile, `stacks/Pulumi.${stack ?? "t"}.yaml`);
        assert.ok(e.message.startsWith(`Invalid stack configuration in stacks/Pulumi.${stack ?? "t"}.yaml:`));
        return e.problems;
    }
    assert.fail("expected the config to be rejected");
}

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

test("SSH auth without its private key secret fails and says how to set it", () => {
    const v = valid();
    v.flux.configurations[0].url = "ssh://git@github.com/org/arc-cicd-demo-gitops";
    v.flux.configurations[0].auth = { type: "ssh" };
    assert.deepEqual(problems(v, { connectorPat: "secret" }, "prod"), [
        "gitops-platform:gitSshPrivateKey: missing secret (SSH private key for Flux configuration 'cluster-config'); " +
            "set it with: pulumi config set --secret gitSshPrivateKey <value> --stack prod",
    ]);
    assert.doesNotThrow(() => parse(v, { connectorPat: "secret", gitSshPrivateKey: "secret" }));
});

test("SSH auth needs an ssh:// URL, and an ssh:// URL needs SSH auth", () => {
    const v = valid();
    v.flux.configurations[0].auth = { type: "ssh" };
    assert.deepEqual(problems(v, { connectorPat: "secret", gitSshPrivateKey: "secret" }), [
        "gitops-platform:flux.configurations[0].url: SSH auth needs an ssh:// URL (e.g. ssh://git@github.com/<owner>/<repo>), got https://github.com/org/arc-cicd-demo-gitops",
    ]);
    const w = valid();
    w.flux.configurations[0].url = "ssh://git@github.com/org/arc-cicd-demo-gitops";
    assert.deepEqual(problems(w), ["gitops-platform:flux.configurations[0].auth.type: an ssh:// URL needs auth.type ssh (a private key) or githubDeployKey"]);
});

test("SSH to a host other than github.com needs pinned known hosts", () => {
    const v = valid();
    v.flux.configurations[0].url = "ssh://git@gitlab.example.com/org/gitops";
    v.flux.configurations[0].auth = { type: "ssh" };
    v.connector = { enabled: false };
    assert.deepEqual(problems(v, { gitSshPrivateKey: "secret" }), [
        "gitops-platform:flux.configurations[0].auth.knownHosts: expected the host keys of gitlab.example.com (only github.com's are built in)",
    ]);
});

test("the connector PAT is required, and must be stored as a secret", () => {
    assert.deepEqual(problems(valid(), {}, "dev"), [
        "gitops-platform:connectorPat: missing secret (the GitOps Connector's orchestratorPAT); set it with: pulumi config set --secret connectorPat <value> --stack dev",
    ]);
    assert.deepEqual(problems(valid(), { connectorPat: "plaintext" }, "dev"), [
        "gitops-platform:connectorPat: stored in plain text in the stack file (the GitOps Connector's orchestratorPAT); re-set it with: pulumi config set --secret connectorPat <value> --stack dev",
    ]);
});

test("an unknown key, such as a typo, is rejected", () => {
    const v = { ...valid(), fluxx: {} };
    assert.deepEqual(problems(v), [
        "gitops-platform:fluxx: unknown key (expected one of azure, cluster, registry, flux, connector, github, or a secret the config names)",
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
    assert.deepEqual(c, { kind: "shared", stack: "stage", stackFile: "stacks/Pulumi.stage.yaml", ownerStack: "acme/gitops-platform/dev", github: undefined });
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
        "gitops-platform:arcKubeconfig: missing secret (kubeconfig of the Arc cluster); set it with: pulumi config set --secret arcKubeconfig <value> --stack t",
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

test("git repo URLs are recognised for GitHub and Azure Repos", () => {
    assert.deepEqual(parseGitRepoUrl("https://github.com/org/repo"), { kind: "github", owner: "org", repo: "repo" });
    assert.deepEqual(parseGitRepoUrl("ssh://git@github.com/org/repo.git"), { kind: "github", owner: "org", repo: "repo" });
    assert.deepEqual(parseGitRepoUrl("https://dev.azure.com/o/p/_git/r"), { kind: "azdo", organization: "o", project: "p", repo: "r" });
    assert.equal(parseGitRepoUrl("https://gitlab.com/org/repo"), undefined);
});

test("a Git URL carrying a token is rejected without echoing it", () => {
    const v = valid();
    v.flux.configurations[0].url = "https://x:ghp_CANARY123@github.com/org/arc-cicd-demo-gitops";
    const found = problems(v);
    assert.deepEqual(found, [
        "gitops-platform:flux.configurations[0].url: the URL must not carry a password or token; use auth.type https with passwordSecret",
    ]);
    assert.ok(!found.join("\n").includes("ghp_CANARY123"));
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

test("Azure Repos SSH URLs are recognised too", () => {
    assert.deepEqual(parseGitRepoUrl("ssh://git@ssh.dev.azure.com/v3/o/p/r"), { kind: "azdo", organization: "o", project: "p", repo: "r" });
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

function withGitHub(github: Record<string, unknown>) {
    const v = valid();
    v.github = { owner: "org", ...github };
    return v;
}
const GH_SECRETS: Secrets = { connectorPat: "secret", appRepoPat: "secret" };

test("the GitHub section gets environment defaults from the stack name", () => {
    const c = parse(withGitHub({ repository: {}, environment: {} }), GH_SECRETS, "dev") as OwnerStackConfig;
    assert.deepEqual(c.github?.environment, {
        name: "az-vote-app-dev", environmentName: "Dev", namespace: "dev", reviewers: { users: [], teams: [] }, waitTimer: 0, branches: "all",
        preventSelfReview: false, canAdminsBypass: true,
    });
    assert.equal(c.github?.appRepo, "arc-cicd-demo-src");
    assert.deepEqual(c.github?.repository?.ciIdentity, { mode: "clientSecret", secretLifetime: "4380h", refs: ["refs/heads/master"] });
});

test("exactly one stack owns the repository level: github.repository here, or github.repositoryStack naming it", () => {
    assert.deepEqual(problems(withGitHub({ repository: {}, repositoryStack: "other" }), GH_SECRETS, "dev"), [
        "gitops-platform:github.repositoryStack: this stack owns the repository level (github.repository); drop repositoryStack",
    ]);
    assert.deepEqual(problems(withGitHub({}), GH_SECRETS, "dev"), [
        "gitops-platform:github.repository: expected github.repository in the one stack that owns the repository-level secrets, or github.repositoryStack naming that stack",
    ]);
    assert.deepEqual(problems(withGitHub({ repositoryStack: "dev" }), GH_SECRETS, "dev"), ["gitops-platform:github.repositoryStack: names this stack; set github.repository instead"]);
    assert.deepEqual(
        problems({ cluster: { mode: "shared", stack: "dev" }, github: { owner: "org", repository: {} } }, { appRepoPat: "secret" }, "stage"),
        ["gitops-platform:github.repository: the repository level needs the GitOps repo and registry of a stack that owns a cluster"],
    );
});

test("TARGET_NAMESPACE must be a namespace the cluster serves", () => {
    assert.deepEqual(problems(withGitHub({ repositoryStack: "dev", environment: { namespace: "qa" } }), GH_SECRETS, "stage"), [
        "gitops-platform:github.environment.namespace: 'qa' is not one of this cluster's appNamespaces (dev, stage)",
    ]);
});

test("MANIFESTS_FOLDER must be derivable: the sample writes to <folder>/manifests, which Flux must sync", () => {
    const v = withGitHub({ repository: {} });
    v.flux.configurations[0].kustomizations[0].path = "clusters/dev";
    assert.deepEqual(problems(v, GH_SECRETS, "dev"), [
        "gitops-platform:github.repository.manifestsFolder: the sample workflows write to <folder>/manifests, but 'cluster-config' syncs 'clusters/dev'; sync <folder>/manifests or set manifestsFolder",
    ]);
    v.github.repository.manifestsFolder = "clusters/dev";
    assert.doesNotThrow(() => parse(v, GH_SECRETS, "dev"));
});

test("the app repo is named once; ENVIRONMENT_NAME can't hold spaces; secret names are validated", () => {
    const v = withGitHub({ repository: {}, appRepo: "src" });
    v.connector = { github: { appRepo: "other-src" } };
    assert.deepEqual(problems(v, GH_SECRETS, "dev"), [
        "gitops-platform:connector.github.appRepo: 'other-src' differs from github.appRepo 'src'; set it once, in github.appRepo",
    ]);
    assert.deepEqual(problems(withGitHub({ repository: {}, environment: { environmentName: "Dev Env" } }), GH_SECRETS, "dev"), [
        "gitops-platform:github.environment.environmentName: expected no spaces (the sample workflows pass it unquoted)",
    ]);
    assert.deepEqual(problems(withGitHub({ repository: {}, secretNames: { AZ_ACR_NAME: "acr-name" } }), GH_SECRETS, "dev"), [
        "gitops-platform:github.secretNames.AZ_ACR_NAME: expected an Actions secret name",
    ]);
});

test("the app workflows' PAT is a required secret of the repository-level stack", () => {
    assert.deepEqual(problems(withGitHub({ repository: {} }), { connectorPat: "secret" }, "dev"), [
        "gitops-platform:appRepoPat: missing secret (the PAT secret the app workflows use to open PRs on the GitOps repo); set it with: pulumi config set --secret appRepoPat <value> --stack dev",
    ]);
});

test("a githubDeployKey configuration needs an ssh:// github.com URL of the github owner, and the github section", () => {
    const v = valid();
    v.flux.configurations[0].url = "ssh://git@github.com/org/arc-cicd-demo-gitops";
    v.flux.configurations[0].auth = { type: "githubDeployKey" };
    assert.deepEqual(problems(v), [
        "gitops-platform:flux.configurations[0].auth.type: githubDeployKey needs the github section (its owner and token create the key)",
    ]);
    const w = withGitHub({ repository: {}, owner: "someone-else" });
    w.flux.configurations[0].url = "ssh://git@github.com/org/arc-cicd-demo-gitops";
    w.flux.configurations[0].auth = { type: "githubDeployKey" };
    assert.deepEqual(problems(w, GH_SECRETS, "dev"), [
        "gitops-platform:flux.configurations[0].url: the deploy key is created with github.owner 'someone-else', but the repo belongs to 'org'",
    ]);
});

test("renamed secrets can't collide or take GitHub's reserved names", () => {
    assert.deepEqual(problems(withGitHub({ repository: {}, secretNames: { AZ_ACR_NAME: "AKS_NAME" } }), GH_SECRETS, "dev"), [
        "gitops-platform:github.secretNames: AZ_ACR_NAME and AKS_NAME would both be called AKS_NAME",
    ]);
    assert.deepEqual(problems(withGitHub({ repository: {}, secretNames: { PAT: "GITHUB_PAT" } }), GH_SECRETS, "dev"), [
        "gitops-platform:github.secretNames.PAT: names starting with GITHUB_ are reserved by GitHub",
    ]);
});
