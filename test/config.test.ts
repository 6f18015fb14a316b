// Stack config validation: defaults, and every bad input fails with the stack file, the key and what
// was expected.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseGitRepoUrl } from "../components/flux.ts";
import { ConfigError, parseStackConfig, type OwnerStackConfig } from "../infra/config.ts";
import { GITHUB_KNOWN_HOSTS } from "../components/flux.ts";
import { projectConfig } from "./support.ts";

/** A real known_hosts line: Azure DevOps' RSA host key for ssh.dev.azure.com. */
const AZURE_DEVOPS_HOST_KEY =
    "ssh.dev.azure.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7Hr1oTWqNqOlzGJOfGJ4NakVyIzf1rXYd4d7wo6jBlkLvCA4odBlL0mDUyZ0/QUfTTqeu+tm22gOsv+VrVTMk6vwRU75gY/y9ut5Mb3bR5BV58dKXyq9A9UeB5Cakehn5Zgm6x1mKoVyf+FFn26iYqXJRgzIZZcZ5V6hrE0Qg39kZm4az48o0AUbf6Sp4SLdvnuMa2sVNwHBboS7EJkm57XQPVU3/QpyNLHbWDdzwtrlS+ez30S3AdYhLKEOxAG8weOnyrtLJAUen9mTkol8oII1edf7mWWbWVf0nBmly21+nZcmCTISQBtdcyPaEno7fFQMDD26/s0lfKob4Kw8H";

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
            "set it with: pulumi config set --secret gitSshPrivateKey --stack prod < <file holding the value>",
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
        "gitops-platform:connectorPat: missing secret (the GitOps Connector's orchestratorPAT); set it with: pulumi config set --secret connectorPat --stack dev < <file holding the value>",
    ]);
    assert.deepEqual(problems(valid(), { connectorPat: "plaintext" }, "dev"), [
        "gitops-platform:connectorPat: stored in plain text in the stack file (the GitOps Connector's orchestratorPAT); re-set it with: pulumi config set --secret connectorPat --stack dev < <file holding the value>",
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

test("git repo URLs are recognised for GitHub and Azure Repos", () => {
    assert.deepEqual(parseGitRepoUrl("https://github.com/org/repo"), { kind: "github", owner: "org", repo: "repo" });
    assert.deepEqual(parseGitRepoUrl("ssh://git@github.com/org/repo.git"), { kind: "github", owner: "org", repo: "repo" });
    assert.deepEqual(parseGitRepoUrl("https://dev.azure.com/o/p/_git/r"), { kind: "azdo", organization: "o", project: "p", repo: "r" });
    assert.equal(parseGitRepoUrl("https://gitlab.com/org/repo"), undefined);
});

test("a Git URL carrying any userinfo but SSH's git@ or Azure DevOps' organisation is rejected without echoing it", () => {
    const rejected: [string, string][] = [
        ["https://x:ghp_CANARY123@github.com/org/arc-cicd-demo-gitops", "must not carry a password or token (user:password@)"],
        // A token as the user name, with no password: passed before.
        ["https://CANARYtoken0123456789@github.com/org/arc-cicd-demo-gitops", "must not carry a user name or token before '@'"],
        ["ssh://CANARYuser@github.com/org/arc-cicd-demo-gitops", "may only name the user git"],
        ["https://CANARYother@dev.azure.com/org/project/_git/repo", "must not carry a user name or token before '@'"],
    ];
    for (const [url, message] of rejected) {
        const v = valid();
        v.flux.configurations[0].url = url;
        if (url.startsWith("ssh://")) v.flux.configurations[0].auth = { type: "ssh" };
        const found = problems(v, { connectorPat: "secret", gitSshPrivateKey: "secret" });
        assert.equal(found.length, 1, url);
        assert.match(found[0], /^gitops-platform:flux\.configurations\[0\]\.url: this URL /);
        assert.ok(found[0].includes(message), found[0]);
        assert.ok(!found.join("\n").includes("CANARY"), `echoed: ${found}`);
    }
    // What carries no secret is accepted.
    for (const url of ["https://org@dev.azure.com/org/project/_git/repo", "ssh://git@ssh.dev.azure.com/v3/org/project/repo"]) {
        const v = valid();
        v.flux.configurations[0].url = url;
        v.connector = { mode: "AZDO" };
        if (url.startsWith("ssh://")) v.flux.configurations[0].auth = { type: "ssh", knownHosts: [AZURE_DEVOPS_HOST_KEY] };
        parse(v, { connectorPat: "secret", gitSshPrivateKey: "secret" }, "t");
    }
});

test("connector.chartRepo may not carry credentials either", () => {
    const v = valid();
    v.connector = { chartRepo: "https://CANARYuser:CANARYpass@charts.example/gitops-connector/" };
    const found = problems(v);
    assert.deepEqual(found, [
        "gitops-platform:connector.chartRepo: this URL must not carry a password or token (user:password@); remove it and use the auth settings (value not shown)",
    ]);
});

test("a credential pasted into any field is refused by key path alone, before any other check can echo it", () => {
    const v = valid();
    const token = "ghp_" + "CANARY".padEnd(36, "x");
    v.cluster.name = token; // also an invalid name: that message must not appear
    v.github = { owner: "github_pat_11CANARY0123456789abcd_" + "x".repeat(59), environment: { reviewers: { users: ["ok"] } } };
    v.flux.configurations[0].kustomizations[0].postBuild = { substitute: { KEY: "-----BEGIN OPENSSH PRIVATE KEY-----\nCANARY" } };
    const found = problems(v);
    assert.deepEqual(found, [
        "gitops-platform:cluster.name: looks like a GitHub token; secrets belong in secret config (pulumi config set --secret), never in the stack file (value not shown)",
        "gitops-platform:flux.configurations[0].kustomizations[0].postBuild.substitute.KEY: looks like a private key; secrets belong in secret config (pulumi config set --secret), never in the stack file (value not shown)",
        "gitops-platform:github.owner: looks like a GitHub token; secrets belong in secret config (pulumi config set --secret), never in the stack file (value not shown)",
    ].sort((a, b) => found.indexOf(a) - found.indexOf(b)));
    assert.ok(!found.join("\n").includes("CANARY"));
});

test("every credential shape is recognised, in values and in map keys; long camel-case names are not credentials", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJDQU5BUlkifQ.c2ln";
    const entra = "abc8Q~CANARYabcdefghijklmnopqrstuvwxyz01"; // 40 characters, as Entra ID issues them
    for (const [value, kind] of [[jwt, "a JSON Web Token"], [entra, "an Entra ID client secret"], ["xoxb-123456789012-CANARY", "a Slack token"]]) {
        const v = valid();
        v.flux.configurations[0].kustomizations[0].postBuild = { substitute: { KEY: value } };
        const found = problems(v);
        assert.deepEqual(found, [`gitops-platform:flux.configurations[0].kustomizations[0].postBuild.substitute.KEY: looks like ${kind}; secrets belong in secret config (pulumi config set --secret), never in the stack file (value not shown)`]);
    }
    // A token as a map key (an Azure DevOps PAT, base32) is reported at its parent, never repeated.
    const v = valid();
    const adoPat = "k3j5h2l4k5j6h7g8f9d0s1a2q3w4e5r6t7y8u9i0o1p2a3s4d5f6";
    v.flux.configurations[0].kustomizations[0].postBuild = { substitute: { [adoPat]: "x" } };
    const found = problems(v);
    assert.deepEqual(found, ["gitops-platform:flux.configurations[0].kustomizations[0].postBuild.substitute: a key here looks like a credential, not a name (key not shown)"]);
    // Names people choose are not mistaken for secrets.
    const w = valid();
    w.cluster = { mode: "arc", name: "edge", appNamespaces: ["edge"], kubeconfigSecret: "arcKubeconfigWestEuropeEdgeCluster01" };
    w.connector = { patSecret: "connectorPatForProductionCluster2" };
    parse(w, { connectorPat: "secret", arcKubeconfigWestEuropeEdgeCluster01: "secret", connectorPatForProductionCluster2: "secret" });
});

test("a token set as a config key name (pulumi config set --secret <token>) is refused without being echoed", () => {
    const token = "ghp_" + "CANARY".padEnd(36, "7");
    const found = problems({ ...valid(), [token]: "x" });
    assert.deepEqual(found, ["gitops-platform:<name not shown>: a config key whose name looks like a credential; remove it with pulumi config rm"]);
});

test("an HTTPS user name that is really a token is refused: ARM stores httpsUser in plain text", () => {
    const v = valid();
    v.flux.configurations[0].auth = { type: "https", username: "k3j5h2l4k5j6h7g8f9d0s1a2q3w4e5r6t7y8u9i0o1p2a3s4d5f6" };
    const found = problems(v, { connectorPat: "secret", gitHttpsKey: "secret" });
    assert.deepEqual(found, [
        "gitops-platform:flux.configurations[0].auth.username: looks like a token, not a user name; the token belongs in passwordSecret (value not shown)",
    ]);
});

test("a Git URL with a query or fragment, or on www.github.com, is refused", () => {
    for (const [url, message] of [
        ["https://github.com/org/repo?access_token=CANARY", "expected a Git URL without a query (?…) or fragment (#…); credentials belong in auth"],
        ["https://github.com/org/repo#CANARY", "expected a Git URL without a query (?…) or fragment (#…); credentials belong in auth"],
        ["https://www.github.com/org/repo", "expected github.com, not www.github.com"],
    ]) {
        const v = valid();
        v.connector = { enabled: false };
        v.flux.configurations[0].url = url;
        assert.deepEqual(problems(v), [`gitops-platform:flux.configurations[0].url: ${message}`], url);
    }
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

test("a secret key name that looks like a token is refused without being echoed", () => {
    for (const name of ["ghp_" + "A1".repeat(18), "github_pat_11ABCDEFG0123456789_abcdefghij", "glpat-abcdefghij0123456789", "aGVsbG8gd29ybGQgdGhpcyBpcyBhIHNlY3JldDEyMzQ"]) {
        const v = valid();
        v.connector = { patSecret: name };
        const found = problems(v, { connectorPat: "secret", [name]: "secret" });
        assert.equal(found.length, 1, `${name}: ${found}`);
        assert.match(found[0], /^gitops-platform:connector\.patSecret: /);
        assert.ok(!found[0].includes(name), `echoed: ${found[0]}`);
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

test("a Git URL without owner and repo is a URL error, whatever the connector mode, and with the connector off", () => {
    const cases: [string, Record<string, unknown> | undefined, string][] = [
        ["https://github.com/org", undefined, "expected a github.com repository URL with owner and repo"],
        ["https://github.com/org", { enabled: false }, "expected a github.com repository URL with owner and repo"],
        ["https://github.com/org", { mode: "AZDO" }, "expected a github.com repository URL with owner and repo"],
        ["https://dev.azure.com/org/project", { mode: "AZDO" }, "expected an Azure Repos URL"],
        ["https://git.example.com/", { enabled: false }, "expected the repository's path after the host"],
    ];
    for (const [url, connector, message] of cases) {
        const v = valid();
        v.flux.configurations[0].url = url;
        if (connector) v.connector = connector;
        const found = problems(v);
        assert.equal(found.length, 1, `${url}: ${found.join("; ")}`);
        assert.ok(found[0].startsWith("gitops-platform:flux.configurations[0].url: " + message), found[0]);
    }
});

test("kustomization dependsOn cycles of any length are refused", () => {
    const v = valid();
    v.flux.configurations[0].kustomizations = [
        { name: "a", path: "a", dependsOn: ["c"] },
        { name: "b", path: "b", dependsOn: ["a"] },
        { name: "c", path: "c", dependsOn: ["b"] },
        { name: "d", path: "d", dependsOn: ["a"] },
    ];
    assert.deepEqual(problems(v), [
        "gitops-platform:flux.configurations[0].kustomizations[0].dependsOn: dependsOn forms a cycle (a -> c -> b -> a); Flux would wait forever",
    ]);
    v.flux.configurations[0].kustomizations = [
        { name: "a", dependsOn: ["b"] },
        { name: "b", dependsOn: ["a"] },
    ];
    assert.deepEqual(problems(v), ["gitops-platform:flux.configurations[0].kustomizations[0].dependsOn: dependsOn forms a cycle (a -> b -> a); Flux would wait forever"]);
});

test("paths with '..' segments are refused, in kustomizations and in MANIFESTS_FOLDER", () => {
    const v = valid();
    v.flux.configurations[0].kustomizations[0].path = "apps/../../etc";
    assert.deepEqual(problems(v), ["gitops-platform:flux.configurations[0].kustomizations[0].path: expected a path inside the repository, without '..' segments"]);
    const w = valid();
    w.github = { owner: "org", repository: { manifestsFolder: "../outside" } };
    assert.deepEqual(problems(w, { connectorPat: "secret", appRepoPat: "secret" }), [
        "gitops-platform:github.repository.manifestsFolder: expected a folder inside the repository, without '..' segments",
    ]);
});

test("intervals and timeouts must fit Flux's durations (int64 nanoseconds); the reconciliation wait must be longer than zero", () => {
    const v = valid();
    const fc = v.flux.configurations[0];
    fc.syncIntervalInSeconds = 9_223_372_037;
    fc.kustomizations[0].retryIntervalInSeconds = 10_000_000_000;
    fc.reconciliationWaitDuration = "PT";
    assert.deepEqual(problems(v), [
        "gitops-platform:flux.configurations[0].syncIntervalInSeconds: expected whole seconds from 1 to 9223372036 (Flux's longest duration), got 9223372037",
        "gitops-platform:flux.configurations[0].reconciliationWaitDuration: expected an ISO-8601 duration such as PT10M, longer than zero",
        "gitops-platform:flux.configurations[0].kustomizations[0].retryIntervalInSeconds: expected whole seconds from 1 to 9223372036 (Flux's longest duration), got 10000000000",
    ]);
    fc.syncIntervalInSeconds = 9_223_372_036;
    fc.kustomizations[0].retryIntervalInSeconds = 60;
    fc.reconciliationWaitDuration = "PT1H30M";
    parse(v);
});

test("knownHosts lines must be real known_hosts entries of a key type Flux verifies", () => {
    const at = (i: number) => `gitops-platform:flux.configurations[0].auth.knownHosts[${i}]`;
    const v = valid();
    const fc = v.flux.configurations[0];
    v.connector = { enabled: false };
    fc.url = "ssh://git@git.example.com/org/repo";
    const key = AZURE_DEVOPS_HOST_KEY.split(" ").slice(1).join(" "); // ssh-rsa AAAA…
    const dss = "ssh-dss " + Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from("ssh-dss"), Buffer.alloc(8)]).toString("base64");
    fc.auth = {
        type: "ssh",
        knownHosts: [
            key, // a bare public key
            `git.example.com ${dss}`,
            "git.example.com ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ==", // an RSA blob labelled ed25519
            "@cert-authority *.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
            `git.example.com ${key} ${GITHUB_KNOWN_HOSTS[0].split(" ").slice(1).join(" ")}`, // two keys on a line
            `git.example.com ${key}`,
            `git.example.com ${key}`, // a second ssh-rsa key for the same host
            "git.example.com",
            `@revoked git.example.com ${key}`, // Flux honours @revoked
            "@marker-CANARY git.example.com ssh-rsa AAAA",
            "git.example.com ssh-CANARY AAAA",
        ],
    };
    assert.deepEqual(problems(v, { connectorPat: "secret", gitSshPrivateKey: "secret" }), [
        `${at(0)}: a bare public key: expected a known_hosts line, '<host> <key type> <base64 key>' (as ssh-keyscan <host> prints it)`,
        `${at(1)}: ssh-dss (DSA) host keys don't verify with current servers and clients; pin the host's ed25519, ECDSA or RSA key`,
        `${at(2)}: the key doesn't decode to an ssh-ed25519 public key`,
        `${at(3)}: @cert-authority lines don't verify: since Flux 2.6.2 the client offers only the key types listed, never certificate algorithms; pin the host's own keys`,
        `${at(4)}: more than one key on a line: Flux reads only the first and takes the rest as a comment; put each key on its own line`,
        `${at(6)}: a second ssh-rsa key for git.example.com: Flux keeps only the first key of each type per host`,
        `${at(7)}: expected a known_hosts line, '<host> <key type> <base64 key>'`,
        `${at(9)}: unknown marker; known_hosts lines may start with @revoked only`,
        `${at(10)}: unknown key type; expected one of ssh-ed25519, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, ssh-rsa, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com`,
    ]);
    // GitHub's published keys, the pinned default, pass; so do hashed host names.
    fc.url = "ssh://git@github.com/org/repo";
    fc.auth = { type: "ssh", knownHosts: [...GITHUB_KNOWN_HOSTS, `|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ${key}`] };
    parse(v, { connectorPat: "secret", gitSshPrivateKey: "secret" });
});

test("GitHub environment rules are checked with the rest of the config, before anything registers", () => {
    const v = valid();
    v.github = {
        owner: "org",
        repository: {},
        environment: { namespace: "dev", reviewers: { users: ["a", "b", "c", "d", "a"], teams: ["t1", "t2"] } },
    };
    assert.deepEqual(problems(v, { connectorPat: "secret", appRepoPat: "secret" }), [
        "gitops-platform:github.environment.reviewers: at most 6 reviewers (users and teams together), got 7",
        "gitops-platform:github.environment.reviewers.users[4]: 'a' is listed twice",
    ]);
});

test("a stack sharing a cluster must target a namespace the owner's stack file serves", () => {
    const shared = { cluster: { mode: "shared", stack: "dev" }, github: { owner: "org", repositoryStack: "dev", environment: { namespace: "qa" } } };
    const owner = (stack: string) => (stack === "acme/gitops-platform/dev" ? ["dev", "stage"] : undefined);
    assert.throws(
        () => parseStackConfig("stage", projectConfig(shared), () => "missing", () => "acme", owner),
        (e: ConfigError) => {
            assert.deepEqual(e.problems, [
                "gitops-platform:github.environment.namespace: 'qa' is not one of the appNamespaces of the cluster this stack shares (dev, stage, in stack dev)",
            ]);
            return true;
        },
    );
    shared.github.environment.namespace = "stage";
    parseStackConfig("stage", projectConfig(shared), () => "missing", () => "acme", owner);
    // An owner in another project isn't at hand: its outputs are checked at deploy time.
    shared.github.environment.namespace = "qa";
    parseStackConfig("stage", projectConfig(shared), () => "missing", () => "acme", () => undefined);
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
        "gitops-platform:appRepoPat: missing secret (the PAT secret the app workflows use to open PRs on the GitOps repo); set it with: pulumi config set --secret appRepoPat --stack dev < <file holding the value>",
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
