// npm run check-workflows: workflow files against the secrets the stacks make visible to each job.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { jobSecrets, missingSecrets, readWorkflows, visibility, warnings } from "../scripts/check-workflows.ts";
import { crossStackProblems } from "../infra/github-layout.ts";
import { loadStacks } from "../infra/stack-files.ts";
import { REPO_ROOT } from "./support.ts";

const FIXTURES = path.join(REPO_ROOT, "test", "fixtures", "workflows");
const STACKS = path.join(REPO_ROOT, "stacks");

function cli(...args: string[]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "scripts", "check-workflows.ts"), ...args], { encoding: "utf8", cwd: REPO_ROOT });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("jobs, their environments and the secrets they read are found in every form", () => {
    const jobs = readWorkflows(path.join(FIXTURES, "tutorial"));
    assert.deepEqual(
        jobs.map((j) => [j.file, j.job, j.environment, j.secrets, j.dynamic]),
        [
            ["build-and-deploy-dev.yml", "build", undefined, ["AZURE_CREDENTIALS", "AZ_ACR_NAME"], false],
            ["build-and-deploy-dev.yml", "deploy-dev", "az-vote-app-dev", [
                "AZ_ACR_NAME", "DEMO_APP_URL", "ENVIRONMENT_NAME", "MANIFESTS_BRANCH", "MANIFESTS_FOLDER", "MANIFESTS_REPO", "PAT", "SYSTEM_LABEL", "TARGET_NAMESPACE", "VOTE_APP_TITLE",
            ], false],
            ["promote-stage.yml", "test-dev", "az-vote-app-dev", ["AKS_NAME", "AKS_RESOURCE_GROUP", "AZURE_CREDENTIALS", "TARGET_NAMESPACE"], false],
            ["promote-stage.yml", "deploy-stage", "az-vote-app-stage", ["AZURE_VOTE_IMAGE_REPO", "ENVIRONMENT_NAME", "MANIFESTS_REPO", "PAT", "TARGET_NAMESPACE"], false],
        ],
    );
    assert.deepEqual(jobSecrets("x.yml", "name: x\non: push\n"), []);
});

test("the shipped stacks together make every secret of the tutorial-shaped workflows visible to its job", () => {
    const v = visibility("stage", loadStacks(STACKS));
    assert.equal(v.repository, "your-github-org/arc-cicd-demo-src");
    assert.equal(v.repositoryStack, "dev");
    assert.deepEqual(Object.keys(v.environments).sort(), ["az-vote-app-dev", "az-vote-app-prod", "az-vote-app-stage"]);
    assert.deepEqual(missingSecrets(readWorkflows(path.join(FIXTURES, "tutorial")), v), []);
    const r = cli(path.join(FIXTURES, "tutorial"), "--stack", "stage");
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /4 jobs, 21 secret reads checked: every secret is visible to the job that reads it/);
});

test("misplaced and unmanaged secrets are reported, and the exit code is 1", () => {
    const expected = [
        "misplaced.yml: job no-environment (no environment) reads secrets.SLACK_WEBHOOK, which it can't see: no stack manages it",
        "misplaced.yml: job no-environment (no environment) reads secrets.TARGET_NAMESPACE, which it can't see: it is an environment secret of az-vote-app-dev, az-vote-app-prod, az-vote-app-stage, which this job doesn't declare",
        "misplaced.yml: job unmanaged-environment (environment az-vote-app-qa) reads secrets.ENVIRONMENT_NAME, which it can't see: no stack manages environment az-vote-app-qa",
        "misplaced.yml: job unmanaged-environment (environment az-vote-app-qa) reads secrets.SLACK_WEBHOOK, which it can't see: no stack manages environment az-vote-app-qa",
        "misplaced.yml: job computed-environment (an environment given by an expression) reads secrets.SLACK_WEBHOOK, which it can't see: no stack manages it",
    ];
    assert.deepEqual(missingSecrets(readWorkflows(path.join(FIXTURES, "broken")), visibility("dev", loadStacks(STACKS))), expected);
    const r = cli(path.join(FIXTURES, "broken"), "--stack", "dev");
    assert.equal(r.status, 1);
    for (const line of expected) assert.ok(r.stdout.includes(line), line);
    // Warnings go to stderr, apart from the findings.
    assert.equal(r.stderr, "warning: misplaced.yml: job computed-environment picks its environment with an expression; a secret counts as visible if any managed environment has it\n");
    assert.ok(!r.stdout.includes("warning:"));
    assert.match(r.stdout, /3 jobs, 7 secret reads checked: 5 not visible/);
});

test("only ${{ }} expressions count; names match case-insensitively; a reusable workflow's own secrets are its caller's", () => {
    const jobs = readWorkflows(path.join(FIXTURES, "tricky"));
    assert.deepEqual(jobs.map((j) => [j.job, j.environment, j.secrets, j.dynamic]), [
        ["text-only", undefined, [], false],
        ["mixed-case", "AZ-VOTE-APP-DEV", ["PAT", "TARGET_NAMESPACE"], false],
        ["all-at-once", undefined, [], true],
    ]);
    assert.deepEqual(missingSecrets(jobs, visibility("dev", loadStacks(STACKS))), []);
    assert.deepEqual(warnings(jobs), ["reusable-and-text.yml: job all-at-once reads secrets by a computed name or all at once; those reads can't be checked"]);
});

test("in OIDC mode the stacks publish no AZURE_CREDENTIALS, and workflows still reading it are caught", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "stacks-oidc-"));
    cpSync(STACKS, dir, { recursive: true });
    const devFile = path.join(dir, "Pulumi.dev.yaml");
    const dev = YAML.parse(readFileSync(devFile, "utf8"));
    dev.config["gitops-platform:github"].repository.ciIdentity = { mode: "oidc", environments: ["az-vote-app-dev", "az-vote-app-stage"] };
    writeFileSync(devFile, YAML.stringify(dev));
    const r = cli(path.join(FIXTURES, "tutorial"), "--stack", "stage", "--stacks-dir", dir);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /build-and-deploy-dev.yml: job build \(no environment\) reads secrets.AZURE_CREDENTIALS, which it can't see: no stack manages it/);
    assert.match(r.stdout, /promote-stage.yml: job test-dev \(environment az-vote-app-dev\) reads secrets.AZURE_CREDENTIALS/);
});

test("a job passing secrets: inherit to a reusable workflow is a warning on stderr, not a failure", () => {
    const jobs = readWorkflows(path.join(FIXTURES, "inherit"));
    assert.deepEqual(jobs.map((j) => [j.job, j.secrets, j.inheritsTo]), [
        ["deploy", [], "your-github-org/shared-workflows/.github/workflows/deploy.yml@v1"],
        ["notify", ["PAT"], undefined],
    ]);
    const warning = "call-reusable.yml: job deploy passes secrets: inherit to your-github-org/shared-workflows/.github/workflows/deploy.yml@v1; can't verify which secrets the called workflow reads";
    assert.deepEqual(warnings(jobs), [warning]);
    const r = cli(path.join(FIXTURES, "inherit"), "--stack", "stage");
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, `warning: ${warning}\n`);
    assert.match(r.stdout, /^2 jobs, 1 secret reads checked: every secret is visible to the job that reads it$/m);
});

test("a workflows path with no jobs at all fails: an empty folder, or files without jobs", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "workflows-empty-"));
    const noJobs = path.join(FIXTURES, "no-jobs");
    assert.deepEqual(readWorkflows(noJobs), []);
    for (const dir of [empty, noJobs]) {
        const r = cli(dir, "--stack", "stage");
        assert.equal(r.status, 2, r.stdout + r.stderr);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr, `no jobs found in ${dir}: no .yml or .yaml file there defines any under jobs:, so nothing was checked\n`);
    }
});

test("bad input exits 2 with a message", () => {
    const usage = cli(path.join(FIXTURES, "tutorial"));
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /usage: npm run check-workflows -- <workflows folder> --stack <stack>/);
    const noStack = cli(path.join(FIXTURES, "tutorial"), "--stack", "nope");
    assert.equal(noStack.status, 2);
    assert.match(noStack.stderr, /no stack file .*Pulumi\.nope\.yaml/);
    const noGitHub = cli(path.join(FIXTURES, "tutorial"), "--stack", "edge");
    assert.equal(noGitHub.status, 2);
    assert.match(noGitHub.stderr, /stack edge has no github section, so it manages no secrets/);
});

test("objects claimed by two stacks are errors: an environment, the repository level, connector dispatches; and a missing cluster grant", () => {
    assert.deepEqual(crossStackProblems(loadStacks(STACKS)), []);
    const dir = mkdtempSync(path.join(tmpdir(), "stacks-dup-"));
    cpSync(STACKS, dir, { recursive: true });
    const edit = (stack: string, change: (config: any) => void) => {
        const file = path.join(dir, `Pulumi.${stack}.yaml`);
        const doc = YAML.parse(readFileSync(file, "utf8"));
        change(doc.config);
        writeFileSync(file, YAML.stringify(doc));
    };
    // qa: a second owner of az-vote-app-stage, on prod's cluster (which grants it nothing).
    writeFileSync(path.join(dir, "Pulumi.qa.yaml"), YAML.stringify({ config: {
        "gitops-platform:cluster": { mode: "shared", stack: "prod" },
        "gitops-platform:github": { owner: "your-github-org", repositoryStack: "dev", environment: { name: "az-vote-app-stage", namespace: "prod" } },
    } }));
    edit("prod", (c) => {
        c["gitops-platform:github"] = { owner: "your-github-org", repository: {}, environment: { name: "az-vote-app-prod" } };
        c["gitops-platform:connector"] = { mode: "GITHUB" };
    });
    edit("stage", (c) => (c["gitops-platform:github"].repositoryStack = "dev"));
    const problems = crossStackProblems(loadStacks(dir));
    assert.deepEqual(problems.sort(), [
        "environment az-vote-app-stage of your-github-org/arc-cicd-demo-src: claimed by stacks qa, stage; exactly one stack may own it",
        "stack qa: its environment runs on the cluster of stack prod, which grants the CI identity no access to it (give prod a github section naming the same repository stack)",
        "the GitOps Connector's sync-success dispatches to your-github-org/arc-cicd-demo-src: claimed by stacks dev, prod; exactly one stack may own it",
        "the repository-level secrets of your-github-org/arc-cicd-demo-src: claimed by stacks dev, prod; exactly one stack may own it",
    ]);
    const r = cli(path.join(FIXTURES, "tutorial"), "--stack", "stage", "--stacks-dir", dir);
    assert.equal(r.status, 1);
    for (const p of problems) assert.ok(r.stdout.includes(p), p);

    // An environment in another app repo than the one whose repository level its repositoryStack owns:
    // its workflows would read secrets and a CI identity that aren't there.
    const other = mkdtempSync(path.join(tmpdir(), "stacks-repo-"));
    cpSync(STACKS, other, { recursive: true });
    const file = path.join(other, "Pulumi.private.yaml");
    const doc = YAML.parse(readFileSync(file, "utf8"));
    const g = doc.config["gitops-platform:github"];
    delete g.repository;
    g.repositoryStack = "dev";
    writeFileSync(file, YAML.stringify(doc));
    assert.deepEqual(crossStackProblems(loadStacks(other)).filter((p) => p.includes("repositoryStack")), [
        "stack private: github.repositoryStack 'dev' owns the repository level of your-github-org/arc-cicd-demo-src, but this stack's environment is in your-github-org/arc-cicd-private-src; " +
            "name the stack owning your-github-org/arc-cicd-private-src's repository level, or give this stack github.repository",
    ]);
});
