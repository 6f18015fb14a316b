// The drift workflow (.github/workflows/drift.yml): when it runs, for which stacks, as whom, and what it
// decides. The preview step's shell script runs here against a stand-in `pulumi` that exits as the CLI
// does, and the report step's github-script runs against a recorded GitHub client, so each verdict and
// each open/update/close case is exercised on the workflow's own text. actionlint, SHA pins and the
// no-shared-secret rules cover this workflow with the others in pipelines.test.ts.
//
// What this does not prove: that Pulumi 3.270.0 exits 7 on proposed changes (its documented exit code
// since 3.226.1), that GitHub runs the schedule, or that the API accepts these calls.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { REPO_ROOT } from "./support.ts";

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");
const workflow = (f: string) => YAML.parse(readFileSync(path.join(WORKFLOWS, f), "utf8"));
const drift = workflow("drift.yml");
const steps = drift.jobs.preview.steps as any[];
const step = (uses: string) => steps.find((s) => String(s.uses).startsWith(`${uses}@`));
const previewStep = steps.find((s) => s.id === "preview");
const reportScript: string = drift.jobs.report.steps.find((s: any) => String(s.uses).startsWith("actions/github-script@")).with.script;

test("drift runs daily and on demand, one run at a time", () => {
    assert.deepEqual(Object.keys(drift.on), ["schedule", "workflow_dispatch"]);
    assert.equal(drift.on.schedule.length, 1);
    // Once a day: a fixed minute and hour, every day of every month.
    assert.match(drift.on.schedule[0].cron, /^([1-9]|[1-5]\d) ([01]?\d|2[0-3]) \* \* \*$/);
    assert.equal(drift.on.workflow_dispatch, null, "no inputs: a manual run checks every stack");
    assert.deepEqual(drift.concurrency, { group: "drift", "cancel-in-progress": false });
});

test("both jobs cover exactly the stacks deploy.yml deploys", () => {
    const deployed = Object.values(workflow("deploy.yml").jobs).map((j: any) => j.with.stack);
    assert.deepEqual(deployed, ["dev", "stage"]);
    for (const job of ["preview", "report"]) {
        assert.deepEqual(drift.jobs[job].strategy, { "fail-fast": false, matrix: { stack: deployed } }, job);
    }
});

test("the preview job holds the read-only identity and writes nothing; the report job only writes issues", () => {
    assert.deepEqual(drift.permissions, { contents: "read" });
    const { preview, report } = drift.jobs;
    assert.deepEqual(preview.permissions, { contents: "read", "id-token": "write" });
    assert.deepEqual(report.permissions, { issues: "write" });
    // The environment whose federated credential is the preview app's (docs/ci.md).
    assert.equal(preview.environment, "preview");
    assert.ok(readFileSync(path.join(REPO_ROOT, "docs", "ci.md"), "utf8").includes('fic <preview-app-client-id> "repo:$repo:environment:preview"\n'));
    assert.equal(report.environment, undefined);
    assert.deepEqual(preview.env, { PULUMI_NODEJS_TRANSPILE_ONLY: "true" });
    assert.equal(preview.if, "vars.PULUMI_STACK_PREFIX != '' || vars.PULUMI_BACKEND_URL != ''");
    assert.equal(report.needs, "preview");
    // After a failed leg too (the other stack still gets its report), and only for the default branch's
    // program: a manual run from another branch must not open or close issues.
    assert.equal(report.if, "${{ !cancelled() && needs.preview.result != 'skipped' && (github.event_name == 'schedule' || github.ref_name == github.event.repository.default_branch) }}");
    // The report job runs no project code: no checkout, no install, no shell.
    assert.deepEqual(report.steps.map((s: any) => String(s.uses).split("@")[0]), ["actions/download-artifact", "actions/github-script"]);
});

test("the preview job installs without scripts and its tools before logging in, then previews with --refresh --expect-no-changes", () => {
    const order = steps.map((s) => s.id ?? s.run ?? String(s.uses).split("@")[0]);
    assert.deepEqual(order, [
        "actions/checkout", "actions/setup-node", "npm ci --ignore-scripts", "azure/use-kubelogin", "pulumi/actions", "azure/login", "preview", "actions/upload-artifact",
    ]);
    assert.equal(step("actions/checkout").with["persist-credentials"], false);
    // pulumi/actions only installs the CLI (no command), the release of the SDK in package.json.
    const sdk = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
    assert.deepEqual(step("pulumi/actions").with, { "pulumi-version": sdk });
    assert.match(previewStep.run, /pulumi preview --stack "\$\{PULUMI_STACK_PREFIX\}\$\{STACK\}" --refresh --expect-no-changes --non-interactive /);
});

test("only the preview credentials are read, each by the one step that needs it", () => {
    const text = readFileSync(path.join(WORKFLOWS, "drift.yml"), "utf8");
    const read = [...new Set([...text.matchAll(/\bsecrets\.([A-Z_]+)/g)].map((m) => m[1]))].sort();
    assert.deepEqual(read, ["AZURE_PREVIEW_CLIENT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_TENANT_ID", "GITOPS_GITHUB_PREVIEW_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_PREVIEW_ACCESS_TOKEN"]);
    assert.doesNotMatch(text, /secrets\s*\[|secrets:\s*inherit|toJSON\(secrets\)/i, "no computed or wholesale secret access");
    const readers = Object.entries(drift.jobs).flatMap(([job, j]: [string, any]) =>
        j.steps.filter((s: any) => /\bsecrets\b/.test(JSON.stringify(s))).map((s: any) => `${job} ${s.id ?? String(s.uses).split("@")[0]}`));
    assert.deepEqual(readers, ["preview azure/login", "preview preview"]);
    assert.deepEqual(step("azure/login").with, {
        "client-id": "${{ secrets.AZURE_PREVIEW_CLIENT_ID }}",
        "tenant-id": "${{ secrets.AZURE_TENANT_ID }}",
        "subscription-id": "${{ secrets.AZURE_SUBSCRIPTION_ID }}",
    });
    assert.deepEqual(previewStep.env, {
        STACK: "${{ matrix.stack }}",
        PULUMI_STACK_PREFIX: "${{ vars.PULUMI_STACK_PREFIX }}",
        ARM_USE_OIDC: "true",
        ARM_CLIENT_ID: "${{ secrets.AZURE_PREVIEW_CLIENT_ID }}",
        ARM_TENANT_ID: "${{ secrets.AZURE_TENANT_ID }}",
        ARM_SUBSCRIPTION_ID: "${{ secrets.AZURE_SUBSCRIPTION_ID }}",
        PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}",
        PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}",
        PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
        AZURE_STORAGE_ACCOUNT: "${{ vars.AZURE_STORAGE_ACCOUNT }}",
        GITHUB_TOKEN: "${{ secrets.GITOPS_GITHUB_PREVIEW_TOKEN }}",
    });
    // The issue-writing token is the report job's own, by github-script's default, in no env.
    assert.doesNotMatch(text, /github\.token|GH_TOKEN|github-token/);
});

test("the verdict travels as one artifact per stack, from where the preview step writes it to where the script reads it", () => {
    const upload = step("actions/upload-artifact").with;
    const [download, script] = drift.jobs.report.steps;
    assert.deepEqual(upload, { name: "drift-${{ matrix.stack }}", path: "${{ runner.temp }}/drift/", "if-no-files-found": "error", "retention-days": 7 });
    // A stack whose preview failed uploaded nothing: matched by pattern, that is no error.
    assert.deepEqual(download.with, { pattern: "drift-${{ matrix.stack }}", path: "${{ runner.temp }}/drift" });
    assert.equal(script.env.VERDICT_DIR, download.with.path);
    assert.equal(script.env.STACK, "${{ matrix.stack }}");
    assert.match(previewStep.run, /"\$RUNNER_TEMP\/drift\/verdict"/);
    // Both scripts run here as written: no expression is substituted into them.
    for (const s of [previewStep.run, reportScript]) assert.doesNotMatch(s, /\$\{\{/);
});

// ---------------------------------------------------------------------------------------------------
// The preview step's script, run by bash as the runner runs it (`shell: bash`), with a stand-in pulumi.

const PREVIEW_OUTPUT = [
    "Previewing update (org/gitops-platform/dev)",
    "",
    "     Type                                             Name                 Plan       Info",
    "     pulumi:pulumi:Stack                              gitops-platform-dev",
    " ~   └─ azure-native:containerservice:ManagedCluster  aks                  update     [diff: ~tags]",
    "",
    "Resources:",
    "    ~ 1 to update",
    "    41 unchanged",
    "",
    "error: no changes were expected but changes were proposed",
    "",
].join("\n");

function runPreview(exitCode: number, output = PREVIEW_OUTPUT) {
    const dir = mkdtempSync(path.join(tmpdir(), "drift-preview-"));
    const bin = path.join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(path.join(dir, "output"), output);
    writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args"\ncat "${dir}/output"\necho "warning: on stderr" >&2\nexit ${exitCode}\n`);
    chmodSync(path.join(bin, "pulumi"), 0o755);
    const temp = path.join(dir, "runner-temp");
    mkdirSync(temp);
    assert.equal(previewStep.shell, "bash");
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", previewStep.run], {
        env: { PATH: `${bin}:${process.env.PATH}`, RUNNER_TEMP: temp, STACK: "dev", PULUMI_STACK_PREFIX: "org/gitops-platform/" },
        encoding: "utf8",
    });
    const verdictFile = path.join(temp, "drift", "verdict");
    return {
        status: r.status,
        stdout: r.stdout,
        args: readFileSync(path.join(dir, "args"), "utf8").trim().split("\n"),
        verdict: existsSync(verdictFile) ? readFileSync(verdictFile, "utf8") : undefined,
        saved: readFileSync(path.join(temp, "drift", "preview.txt"), "utf8"),
        verdictDir: path.join(temp, "drift"),
    };
}

test("the preview step: exit 0 is no drift, exit 7 is drift, anything else fails the step with no verdict", () => {
    const clean = runPreview(0, "Resources:\n    42 unchanged\n");
    assert.deepEqual([clean.status, clean.verdict], [0, "none\n"]);
    assert.deepEqual(clean.args, ["preview", "--stack", "org/gitops-platform/dev", "--refresh", "--expect-no-changes", "--non-interactive", "--color", "never"]);

    const drifted = runPreview(7);
    assert.deepEqual([drifted.status, drifted.verdict], [0, "drift\n"]);
    assert.match(drifted.stdout, /::warning::Stack dev has drifted/);
    // The log and the artifact get the output, stderr included.
    assert.equal(drifted.saved, `${PREVIEW_OUTPUT}warning: on stderr\n`);
    assert.ok(drifted.stdout.startsWith(PREVIEW_OUTPUT));

    // A failed login (3), a program error (1, 2), a resource read (4), the pre-3.226.1 catch-all (255):
    // none is a verdict, even with the changes line in the output.
    for (const code of [1, 2, 3, 4, 6, 255]) {
        const failed = runPreview(code);
        assert.equal(failed.status, code, `exit ${code}`);
        assert.equal(failed.verdict, undefined, `exit ${code}`);
        assert.match(failed.stdout, new RegExp(`::error::pulumi preview of dev failed with exit code ${code},`));
    }
});

// ---------------------------------------------------------------------------------------------------
// The report step's script, run as github-script runs it, against a recorded client.

type Issue = { number: number; title: string; body?: string; pull_request?: object };

async function report(verdictDir: string, open: Issue[], opts: { labelStatus?: number; dropLabel?: boolean; stack?: string } = {}) {
    const calls: [string, Record<string, unknown>][] = [];
    const warnings: string[] = [];
    const method = (name: string, answer: (args: any) => unknown) => async (args: Record<string, unknown>) => {
        calls.push([name, args]);
        return answer(args);
    };
    const github = {
        rest: {
            issues: {
                listForRepo: method("listForRepo", () => ({ data: open })),
                createComment: method("createComment", () => ({ data: {} })),
                update: method("update", () => ({ data: {} })),
                createLabel: method("createLabel", () => {
                    if (opts.labelStatus) throw Object.assign(new Error(`HTTP ${opts.labelStatus}`), { status: opts.labelStatus });
                    return { data: {} };
                }),
                create: method("create", (a) => ({ data: { number: 42, labels: opts.dropLabel ? [] : a.labels.map((name: string) => ({ name })) } })),
            },
        },
    };
    const core = { info: () => {}, warning: (m: string) => warnings.push(m) };
    const context = { repo: { owner: "org", repo: "infra" } };
    const env = { STACK: opts.stack ?? "dev", VERDICT_DIR: verdictDir, RUN_URL: "https://github.com/org/infra/actions/runs/7" };
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
    // The modules the script may load, and `process` as a parameter shadowing the global, so the script
    // reads this env only.
    const modules: Record<string, unknown> = { fs, path };
    const require = (m: string) => { if (!(m in modules)) throw new Error(`the script requires ${m}`); return modules[m]; };
    await new AsyncFunction("require", "github", "context", "core", "process", reportScript)(require, github, context, core, { env });
    return { calls, warnings };
}

const LIST = ["listForRepo", { owner: "org", repo: "infra", state: "open", labels: "drift", per_page: 100 }];
const verdictDir = (verdict?: string, output = PREVIEW_OUTPUT) => {
    const dir = mkdtempSync(path.join(tmpdir(), "drift-verdict-"));
    if (verdict !== undefined) writeFileSync(path.join(dir, "verdict"), `${verdict}\n`);
    writeFileSync(path.join(dir, "preview.txt"), output);
    return dir;
};
const SUMMARY = "```\nResources:\n    ~ 1 to update\n    41 unchanged\n```";
// Open issues the script must leave alone: another stack's, and a pull request with the label.
const OTHERS: Issue[] = [{ number: 3, title: "Drift in stack stage", body: SUMMARY }, { number: 4, title: "Drift in stack dev", pull_request: {} }];

test("drift with no open issue: the label is ensured and the issue opened with the preview's summary and output", async () => {
    const { verdictDir: dir } = runPreview(7);
    const { calls } = await report(dir, OTHERS);
    assert.deepEqual(calls.map(([n]) => n), ["listForRepo", "createLabel", "create"]);
    assert.deepEqual(calls[0], LIST);
    assert.deepEqual(calls[1][1], { owner: "org", repo: "infra", name: "drift", color: "d93f0b", description: "Opened by the drift workflow: a deployed stack differs from its program" });
    const { body, ...rest } = calls[2][1] as { body: string };
    assert.deepEqual(rest, { owner: "org", repo: "infra", title: "Drift in stack dev", labels: ["drift"] });
    assert.ok(body.startsWith("`pulumi preview --refresh --expect-no-changes` proposes changes to stack `dev`:"), body);
    assert.ok(body.includes(`Last checked by https://github.com/org/infra/actions/runs/7\n\n${SUMMARY}\n`), body);
    assert.ok(body.includes(`\`\`\`\`text\n${PREVIEW_OUTPUT}warning: on stderr\n\`\`\`\``), body);

    // The label already there (or just created by the other stack's report) is fine; any other failure is not.
    assert.deepEqual((await report(dir, [], { labelStatus: 422 })).calls.map(([n]) => n), ["listForRepo", "createLabel", "create"]);
    await assert.rejects(report(dir, [], { labelStatus: 403 }), /HTTP 403/);
    // An issue opened without its label would never be found again: a loud failure, not a daily duplicate.
    await assert.rejects(report(dir, [], { dropLabel: true }), /#42 was opened without the drift label/);
});

test("drift with the stack's issue open: its body is updated, with a comment only when what drifted changed", async () => {
    const dir = verdictDir("drift");
    const same = await report(dir, [...OTHERS, { number: 9, title: "Drift in stack dev", body: `old run\n\n${SUMMARY}\n` }]);
    assert.deepEqual(same.calls.map(([n, a]) => [n, a.issue_number]), [["listForRepo", undefined], ["update", 9]]);
    assert.deepEqual(Object.keys(same.calls[1][1]).sort(), ["body", "issue_number", "owner", "repo"], "the body only: the issue stays open");

    const changed = await report(dir, [{ number: 12, title: "Drift in stack dev", body: "```\nResources:\n    + 1 to create\n```" }, { number: 9, title: "Drift in stack dev", body: "" }]);
    assert.deepEqual(changed.calls.map(([n, a]) => [n, a.issue_number]), [["listForRepo", undefined], ["update", 9], ["createComment", 9]], "the oldest of duplicates");
    assert.equal(changed.calls[2][1].body, `The drift changed (https://github.com/org/infra/actions/runs/7):\n\n${SUMMARY}`);
});

test("no drift: the stack's open issue is closed with a comment; with none open, nothing is written", async () => {
    const dir = verdictDir("none", "Resources:\n    42 unchanged\n");
    const closed = await report(dir, [...OTHERS, { number: 9, title: "Drift in stack dev" }]);
    assert.deepEqual(closed.calls.slice(1), [
        ["createComment", { owner: "org", repo: "infra", issue_number: 9, body: "No drift found by https://github.com/org/infra/actions/runs/7: closing." }],
        ["update", { owner: "org", repo: "infra", issue_number: 9, state: "closed", state_reason: "completed" }],
    ]);
    assert.deepEqual((await report(dir, OTHERS)).calls, [LIST]);
    // The other stack's issue is that stack's report's business.
    assert.deepEqual((await report(dir, OTHERS, { stack: "stage" })).calls.slice(1).map(([n, a]) => [n, a.issue_number]), [["createComment", 3], ["update", 3]]);
});

test("no verdict (the preview failed or never ran): no issue is read or written; an unknown verdict fails", async () => {
    const none = await report(verdictDir(undefined), [{ number: 9, title: "Drift in stack dev" }]);
    assert.deepEqual(none.calls, []);
    assert.deepEqual(none.warnings, ["No verdict for dev: its preview failed or did not run. Its drift issue is left as it is."]);
    // Nothing downloaded at all: the folder does not exist.
    assert.deepEqual((await report(path.join(tmpdir(), "drift-no-such-dir"), [])).calls, []);
    await assert.rejects(report(verdictDir("maybe"), []), /unknown verdict 'maybe' for dev/);
});

test("a long preview is cut at a line, so the issue body stays under GitHub's 65,536 characters", async () => {
    const line = "  ~  azure-native:resources:Tag  some-long-resource-name  update  [diff: ~tags]";
    const long = `${Array.from({ length: 2000 }, (_, i) => `${line} ${i}`).join("\n")}\nResources:\n    ~ 2000 to update\n`;
    const { calls } = await report(verdictDir("drift", long), []);
    const body = String(calls[2][1].body);
    assert.ok(body.length < 65_536, `${body.length}`);
    assert.ok(body.includes("```\nResources:\n    ~ 2000 to update\n```"), "the summary from the end of the output still leads");
    assert.match(body, /\d\n… cut here: the rest is in the run's log\n````/);
});

test("docs/ci.md's Drift section names every secret and variable the workflow reads", () => {
    const page = readFileSync(path.join(REPO_ROOT, "docs", "ci.md"), "utf8");
    const section = /^## Drift\n([\s\S]*?)(?=^## )/m.exec(page)?.[1];
    assert.ok(section, "docs/ci.md has a Drift section");
    const text = readFileSync(path.join(WORKFLOWS, "drift.yml"), "utf8");
    const names = [...new Set([...text.matchAll(/\b(?:secrets|vars)\.([A-Z_]+)/g)].map((m) => m[1]))];
    assert.equal(names.length, 9);
    for (const n of names) assert.ok(section.includes(`\`${n}\``), n);
    assert.match(section, /`\.github\/workflows\/drift\.yml`/);
});
