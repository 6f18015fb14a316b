// The project's other pipelines: azure-pipelines.yml (the same flow as the GitHub workflows, for Azure
// DevOps) and .ci/run, the entry point CI runs on a fresh clone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { REPO_ROOT } from "./support.ts";

const azurePipelines = () => YAML.parse(readFileSync(path.join(REPO_ROOT, "azure-pipelines.yml"), "utf8"));

test("azure-pipelines.yml: the same flow with the Pulumi task and Azure DevOps environments", () => {
    const p = azurePipelines();
    assert.deepEqual(p.stages.map((s: any) => s.stage), ["Test", "Preview", "DeployDev", "DeployStage"]);
    const tasks = (stage: any) => stage.jobs.flatMap((j: any) => j.steps ?? j.strategy.runOnce.deploy.steps).filter((s: any) => s.task === "Pulumi@1");
    assert.deepEqual(tasks(p.stages[1]).map((t: any) => [t.inputs.command, t.inputs.createPrComment]), [["preview", true]]);
    assert.match(p.stages[1].condition, /eq\(variables\['Build\.Reason'\], 'PullRequest'\)/);
    assert.deepEqual(tasks(p.stages[2]).map((t: any) => [t.inputs.command, t.inputs.stack, t.inputs.args]), [["up", "$(stackPrefix)dev", "--yes"]]);
    assert.deepEqual(tasks(p.stages[3]).map((t: any) => [t.inputs.command, t.inputs.stack]), [["up", "$(stackPrefix)stage"]]);
    assert.equal(p.stages[3].dependsOn, "DeployDev");
    assert.deepEqual([p.stages[2].jobs[0].environment, p.stages[3].jobs[0].environment], ["gitops-platform-dev", "gitops-platform-stage"]);
    // The pull request's code runs with the preview service connection and token; the deploy stages
    // with the deploying ones.
    assert.deepEqual(tasks(p.stages[1]).map((t: any) => [t.inputs.azureSubscription, t.env.GITHUB_TOKEN]), [["$(azurePreviewServiceConnection)", "$(GITOPS_GITHUB_PREVIEW_TOKEN)"]]);
    for (const s of p.stages.slice(2)) for (const t of tasks(s)) assert.deepEqual([t.inputs.azureSubscription, t.env.GITHUB_TOKEN], ["$(azureServiceConnection)", "$(GITOPS_GITHUB_TOKEN)"]);
});

test("azure-pipelines.yml: a pull request never reaches a deploy stage, and npm ci steps get no variables mapped in", () => {
    const p = azurePipelines();
    const byName = Object.fromEntries(p.stages.map((s: any) => [s.stage, s]));
    assert.equal(byName.DeployDev.condition, "and(succeeded(), ne(variables['Build.Reason'], 'PullRequest'), eq(variables['Build.SourceBranch'], 'refs/heads/main'))");
    // DeployStage runs only after DeployDev succeeded, so it inherits that condition.
    assert.deepEqual([byName.DeployStage.dependsOn, byName.DeployStage.condition], ["DeployDev", "succeeded()"]);
    assert.equal(byName.Preview.condition, "and(succeeded(), eq(variables['Build.Reason'], 'PullRequest'))");
    // Secret variables reach a script only when mapped into its env: npm ci (install scripts) gets none.
    let npmCi = 0;
    for (const stage of p.stages) {
        for (const job of stage.jobs) {
            for (const step of job.steps ?? job.strategy.runOnce.deploy.steps) {
                if (!/\bnpm ci\b/.test(String(step.script ?? ""))) continue;
                npmCi++;
                assert.equal(step.env, undefined, `${stage.stage}: npm ci has an env`);
            }
        }
    }
    assert.equal(npmCi, 4);
});

/** Every variable group reference in a pipeline, labelled with the stage (and job) that makes it. */
function variableGroups(node: unknown, where = "pipeline"): string[] {
    if (Array.isArray(node)) return node.flatMap((n) => variableGroups(n, where));
    if (node === null || typeof node !== "object") return [];
    const o = node as Record<string, any>;
    const label = o.stage ? `stage ${o.stage}` : o.job ? `${where} job ${o.job}` : o.deployment ? `${where} deployment ${o.deployment}` : where;
    const own = Array.isArray(o.variables) ? o.variables.filter((v: any) => v?.group).map((v: any) => `${label}: ${v.group}`) : [];
    return [...own, ...Object.entries(o).filter(([k]) => k !== "variables").flatMap(([, v]) => variableGroups(v, label))];
}

test("azure-pipelines.yml: each variable group is referenced only by the stages that need it, never at the top", () => {
    const p = azurePipelines();
    assert.deepEqual(p.variables, [{ name: "PULUMI_NODEJS_TRANSPILE_ONLY", value: "true" }], "no group at pipeline level");
    assert.deepEqual(variableGroups(p).sort(), [
        "stage DeployDev: gitops-platform",
        "stage DeployStage: gitops-platform",
        "stage Preview: gitops-platform-preview",
    ]);
    // The scan is live: a top-level reference is seen.
    assert.deepEqual(variableGroups({ variables: [{ group: "g" }], stages: [{ stage: "S", jobs: [{ job: "j", variables: [{ group: "h" }] }] }] }), ["pipeline: g", "stage S job j: h"]);
    // Pipeline permissions alone would let a PR run reference them: the header says to add the check.
    const header = readFileSync(path.join(REPO_ROOT, "azure-pipelines.yml"), "utf8").split(/^trigger:/m)[0];
    assert.match(header.replace(/\n#\s*/g, " "), /"Branch control" check allowing only refs\/heads\/main/);
});

// ---------------------------------------------------------------------------------------------------

const CI_RUN = path.join(REPO_ROOT, ".ci", "run");

test(".ci/run pins an exact Node 24 release", () => {
    const text = readFileSync(CI_RUN, "utf8");
    const pins = [...text.matchAll(/^node_version=(\S+)$/gm)].map((m) => m[1]);
    assert.equal(pins.length, 1);
    assert.match(pins[0], /^24\.\d+\.\d+$/);
    const installs = text.split("\n").filter((l) => /npm install\b/.test(l));
    assert.equal(installs.length, 1);
    assert.match(installs[0], /"node@\$node_version"/);
    assert.doesNotMatch(text, /node@\d+(\.\d+)?(?![.\d])/, "no floating node@24");
});

/**
 * Runs a copy of .ci/run with a fake machine Node of the given version, a fake npm that logs what it is
 * asked and installs a fake Node reporting the requested version, and optionally a .ci/.node already
 * holding a Node of `installed`. Returns the npm commands, in order.
 */
function runCi(machine: string, installed?: string): string[] {
    const root = mkdtempSync(path.join(tmpdir(), "ci-run-"));
    const bin = path.join(root, "bin");
    mkdirSync(path.join(root, ".ci"), { recursive: true });
    mkdirSync(bin);
    copyFileSync(CI_RUN, path.join(root, ".ci", "run"));
    const fakeNode = (version: string) => `#!/usr/bin/env bash\ncase "$1" in -p) echo ${version.split(".")[0]};; --version) echo v${version};; esac\n`;
    const write = (file: string, text: string) => { mkdirSync(path.dirname(file), { recursive: true }); writeFileSync(file, text); chmodSync(file, 0o755); };
    write(path.join(bin, "node"), fakeNode(machine));
    write(path.join(bin, "npm"), [
        "#!/usr/bin/env bash",
        `[ "$1" = --version ] && { echo 10.0.0; exit 0; }`,
        `echo "$*" >> "${path.join(root, "npm.log")}"`,
        `if [ "$1" = install ]; then`,
        `  while [ $# -gt 0 ]; do case "$1" in --prefix) prefix=$2; shift 2;; node@*) version=\${1#node@}; shift;; *) shift;; esac; done`,
        `  mkdir -p "$prefix/node_modules/node/bin"`,
        `  printf '#!/usr/bin/env bash\\ncase "$1" in -p) echo %s;; --version) echo v%s;; esac\\n' "\${version%%.*}" "$version" > "$prefix/node_modules/node/bin/node"`,
        `  chmod +x "$prefix/node_modules/node/bin/node"`,
        "fi",
        "",
    ].join("\n"));
    if (installed) write(path.join(root, ".ci", ".node", "node_modules", "node", "bin", "node"), fakeNode(installed));
    const r = spawnSync("bash", [path.join(root, ".ci", "run")], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    return readFileSync(path.join(root, "npm.log"), "utf8").trim().split("\n")
        .map((l) => l.replace(root, "<root>"));
}

test(".ci/run installs the pinned Node unless the machine's is exactly that, reinstalls when another is there, then runs npm ci and npm test", () => {
    const pin = /^node_version=(\S+)$/m.exec(readFileSync(CI_RUN, "utf8"))![1];
    const install = `install --prefix <root>/.ci/.node --no-save --no-package-lock --no-audit --no-fund node@${pin}`;
    const then = ["ci --no-audit --no-fund", "test"];
    assert.deepEqual(runCi("20.0.0"), [install, ...then], "nothing installed yet");
    assert.deepEqual(runCi("20.0.0", "24.1.0"), [install, ...then], "another version installed");
    assert.deepEqual(runCi("20.0.0", pin), then, "the pinned version installed");
    assert.deepEqual(runCi("25.0.0"), [install, ...then], "a newer machine Node still runs the pinned one");
    assert.deepEqual(runCi("24.1.0"), [install, ...then], "another 24 too");
    assert.deepEqual(runCi(pin), then, "the machine's Node is the pinned one");
});
