// Stack config validation of the Git sources: URLs, SSH and HTTPS auth, known_hosts, kustomization
// paths, dependencies and durations, and credentials pasted where a name or a URL belongs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GITHUB_KNOWN_HOSTS, parseGitRepoUrl } from "../components/flux.ts";
import { minimalStack as valid, parseTestStack as parse, testStackProblems as problems } from "./support.ts";

/** A real known_hosts line: Azure DevOps' RSA host key for ssh.dev.azure.com. */
const AZURE_DEVOPS_HOST_KEY =
    "ssh.dev.azure.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7Hr1oTWqNqOlzGJOfGJ4NakVyIzf1rXYd4d7wo6jBlkLvCA4odBlL0mDUyZ0/QUfTTqeu+tm22gOsv+VrVTMk6vwRU75gY/y9ut5Mb3bR5BV58dKXyq9A9UeB5Cakehn5Zgm6x1mKoVyf+FFn26iYqXJRgzIZZcZ5V6hrE0Qg39kZm4az48o0AUbf6Sp4SLdvnuMa2sVNwHBboS7EJkm57XQPVU3/QpyNLHbWDdzwtrlS+ez30S3AdYhLKEOxAG8weOnyrtLJAUen9mTkol8oII1edf7mWWbWVf0nBmly21+nZcmCTISQBtdcyPaEno7fFQMDD26/s0lfKob4Kw8H";

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

test("Azure Repos SSH URLs are recognised too", () => {
    assert.deepEqual(parseGitRepoUrl("ssh://git@ssh.dev.azure.com/v3/o/p/r"), { kind: "azdo", organization: "o", project: "p", repo: "r" });
});

test("problems come configuration by configuration, the Flux rules and the auth checks together, then the extension's", () => {
    const v = valid();
    const first = v.flux.configurations[0];
    v.flux.configurations = [
        { ...first, auth: { type: "ssh" } },
        { ...first, url: "https://github.com/org/other", syncIntervalInSeconds: 99_999_999_999 },
    ];
    v.flux.extension = { settings: { "multiTenancy.enforce": "false" } };
    assert.deepEqual(problems(v, { connectorPat: "secret", gitSshPrivateKey: "secret" }), [
        "gitops-platform:flux.configurations[0].url: SSH auth needs an ssh:// URL (e.g. ssh://git@github.com/<owner>/<repo>), got https://github.com/org/arc-cicd-demo-gitops",
        "gitops-platform:flux.configurations[1].name: duplicate Flux configuration name 'cluster-config'",
        "gitops-platform:flux.configurations[1].syncIntervalInSeconds: expected whole seconds from 1 to 9223372036 (Flux's longest duration), got 99999999999",
        "gitops-platform:flux.extension.settings.multiTenancy.enforce: set this through flux.extension.controllers / multiTenancy",
    ]);
});
