// Stack config validation of the github section: who owns the repository level, the environment and
// its rules, and what the app's workflows need from the GitOps repo.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, type OwnerStackConfig } from "../infra/config.ts";
import { minimalStack as valid, parseStack, parseTestStack as parse, testStackProblems as problems } from "./support.ts";

type Secrets = Record<string, "secret" | "plaintext">;

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
        () => parseStack("stage", shared, { secrets: {}, organization: "acme", ownerNamespaces: owner }),
        (e: ConfigError) => {
            assert.deepEqual(e.problems, [
                "gitops-platform:github.environment.namespace: 'qa' is not one of the appNamespaces of the cluster this stack shares (dev, stage, in stack dev)",
            ]);
            return true;
        },
    );
    shared.github.environment.namespace = "stage";
    parseStack("stage", shared, { secrets: {}, organization: "acme", ownerNamespaces: owner });
    // An owner in another project isn't at hand: its outputs are checked at deploy time.
    shared.github.environment.namespace = "qa";
    parseStack("stage", shared, { secrets: {}, organization: "acme", ownerNamespaces: () => undefined });
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
