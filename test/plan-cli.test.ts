// npm run plan on the command line: what it refuses (stack names, stack files, --secrets files), what it
// prints for config errors and unset secrets, and the temporary checkout --diff must always remove. Apart
// from test/plan.test.ts so that the two spawn-heavy files run side by side.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import type { PlanDiff } from "../scripts/lib/plan-diff.ts";
import { stackNameProblem } from "../scripts/lib/cli.ts";
import { readSecretsFile } from "../scripts/plan-stack.ts";
import { runPlan, scratchRepo } from "./support.ts";

test("--diff removes its temporary checkout on every way out: a bad ref, a missing stack, a failing stack", () => {
    const dir = scratchRepo();
    const tmp = mkdtempSync(path.join(tmpdir(), "plan-tmpdir-"));
    const env = { ...process.env, TMPDIR: tmp };
    // tsx keeps its cache in TMPDIR too; only the plan's own folders count.
    const left = () => readdirSync(tmp).filter((f) => f.startsWith("gitops-plan-"));

    const badRef = runPlan(["dev", "--diff", "no-such-ref"], dir, env);
    assert.deepEqual(left(), [], "no checkout left after a bad ref");
    const gitSays = spawnSync("git", ["archive", "--format=tar", "no-such-ref"], { cwd: dir, encoding: "utf8" }).stderr.trim();
    assert.equal(badRef.status, 2);
    assert.equal(badRef.stdout, "");
    assert.equal(badRef.stderr, `--diff no-such-ref: git archive failed: ${gitSays}\n`);

    // A ref that looks like an option never reaches git.
    const optionRef = runPlan(["dev", "--diff", "--output=/tmp/x"], dir, env);
    assert.equal(optionRef.status, 2);
    assert.match(optionRef.stderr, /^usage: npm run plan -- /);

    const missing = runPlan(["nope", "--diff", "HEAD"], dir, env);
    assert.deepEqual(left(), [], "no checkout left after a missing stack");
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, "no stack file stacks/Pulumi.nope.yaml at HEAD or in the working tree\n");

    writeFileSync(path.join(dir, "stacks", "Pulumi.stage.yaml"), "config: [\n");
    const failing = runPlan(["stage", "--diff", "HEAD"], dir, env);
    assert.deepEqual(left(), [], "no checkout left after a stack fails to plan");
    assert.equal(failing.status, 1);
    assert.equal(failing.stderr, "stacks/Pulumi.stage.yaml: not valid YAML at line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]\n");

});

test("a relative --secrets path means the same file on both sides of --diff", () => {
    const dir = scratchRepo();
    writeFileSync(path.join(dir, "secrets.json"), "{}");
    const r = runPlan(["stage", "--diff", "HEAD", "--json", "--secrets", "secrets.json"], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as PlanDiff).changed, []);
});

test("an invalid stack file exits 1 with the config error; a missing one too", () => {
    const dir = scratchRepo();
    const bad = YAML.parse(readFileSync(path.join(dir, "stacks", "Pulumi.dev.yaml"), "utf8"));
    bad.config["gitops-platform:registry"].name = "arc-demo-acr";
    writeFileSync(path.join(dir, "stacks", "Pulumi.bad.yaml"), YAML.stringify(bad));
    const r = runPlan(["bad"], dir);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.trim(), "Invalid stack configuration in stacks/Pulumi.bad.yaml:\n  - gitops-platform:registry.name: expected 5-50 letters or digits (ACR names allow no '-')");
    // Stacks are planned side by side; the error reported is the first failing stack's in the order
    // given, as if they were planned one by one, and nothing is printed of the ones that succeeded.
    const missingFirst = runPlan(["stage", "nope", "bad", "--jobs=3"], dir);
    assert.equal(missingFirst.status, 1);
    assert.equal(missingFirst.stdout, "");
    assert.equal(missingFirst.stderr, "no stack file stacks/Pulumi.nope.yaml\n");
    const badFirst = runPlan(["bad", "nope", "--jobs=2"], dir);
    assert.equal(badFirst.status, 1);
    assert.match(badFirst.stderr, /^Invalid stack configuration in stacks\/Pulumi\.bad\.yaml:/);
    // The first in the given order even when it fails last: a program that fails after a second and a
    // half, against a missing file that fails at once.
    const slow = scratchRepo();
    writeFileSync(path.join(slow, "infra", "index.ts"), 'const until = Date.now() + 1500;\nwhile (Date.now() < until) {}\nthrow new Error("the slow stack failed");\n');
    const slowFirst = runPlan(["dev", "nope", "--jobs=2"], slow);
    assert.equal(slowFirst.status, 1);
    assert.equal(slowFirst.stdout, "");
    assert.match(slowFirst.stderr, /^planning stack dev failed:\n[\s\S]*the slow stack failed/);
    // As the engine does, the plan refuses a second resource with the same URN instead of overwriting the first.
    writeFileSync(
        path.join(slow, "infra", "index.ts"),
        'import * as pulumi from "@pulumi/pulumi";\nnew pulumi.ComponentResource("gitops:example:Twice", "twice");\nnew pulumi.ComponentResource("gitops:example:Twice", "twice");\n',
    );
    const twice = runPlan(["dev"], slow);
    assert.equal(twice.status, 1);
    assert.match(twice.stderr, /Duplicate resource URN 'urn:pulumi:dev::gitops-platform::gitops:example:Twice::twice'; try giving it a unique name/);
    assert.equal(runPlan([]).status, 2);
    for (const jobs of ["0", "x", "1.5", "1000"]) {
        const r = runPlan(["dev", `--jobs=${jobs}`]);
        assert.equal(r.status, 2, jobs);
        assert.equal(r.stderr, `--jobs ${JSON.stringify(jobs)}: expected a whole number of stacks to plan at once, 1 to 999\n`, jobs);
    }
});

test("without --secrets, each secret is a visible placeholder entry saying how to set it", () => {
    const r = runPlan(["stage", "dev"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ {2}connectorPat: the GitOps Connector's orchestratorPAT; not set: pulumi config set --secret connectorPat --stack dev < <file holding the value>$/m);
    assert.match(r.stdout, /^Offline plan for stack stage: 7 resources$/m);
});

test("--json alone has no graph; --graph alone prints Mermaid and DOT; ignored changes, lookups and the assumed organization are shown", () => {
    const j = runPlan(["dev", "--json"]);
    assert.equal(j.status, 0, j.stderr);
    assert.equal("graph" in JSON.parse(j.stdout), false);
    const g = runPlan(["dev", "--graph"]);
    assert.match(g.stdout, /^Dependency graph for stack dev\n\n```mermaid\nflowchart LR\n/);
    assert.match(g.stdout, /```dot\ndigraph "dev" \{/);
    const t = runPlan(["prod", "stage", "--organization", "contoso"]);
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, /^ +\(after creation, changes to agentPoolProfiles\[0\]\.count are left alone\)$/m);
    assert.match(t.stdout, /^ {2}github:index\/getUser:getUser\(username: your-github-login\)$/m, "who reviews shows, though their IDs come at deploy time");
    assert.match(t.stdout, /stack references assume the organization 'contoso'/);
    assert.match(t.stdout, /^ {2}ownerStack: contoso\/gitops-platform\/prod$/m);
});

test("a --secrets file that isn't a JSON object is refused: exit 2, one line, nothing of it echoed", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bad-secrets-"));
    const expected = "the JSON object pulumi config --show-secrets --json prints";
    const cases: [string, string | undefined, string][] = [
        ["not-json.json", '{"gitops-platform:connectorPat": {"value": CANARY-leak-1234, "secret": true}}', "not readable as the JSON of pulumi config --show-secrets --json (contents not shown)"],
        ["array.json", '[{"gitops-platform:connectorPat": {"value": "CANARY-leak-2345", "secret": true}}]', `expected ${expected}, found an array (contents not shown)`],
        ["string.json", '"CANARY-leak-3456"', `expected ${expected}, found a string (contents not shown)`],
        ["null.json", "null", `expected ${expected}, found null (contents not shown)`],
        ["number.json", "12345", `expected ${expected}, found a number (contents not shown)`],
        ["missing.json", undefined, "no such file"],
    ];
    for (const [name, content, why] of cases) {
        const file = path.join(dir, name);
        if (content !== undefined) writeFileSync(file, content);
        assert.throws(() => readSecretsFile(file), (e: Error) => e.message === `--secrets ${file}: ${why}`, name);
    }
    // The command line: exit 2, the one line on stderr, nothing on stdout.
    // One spawn per kind of failure is enough: readSecretsFile above covers every shape.
    for (const [name, , why] of cases.filter(([n]) => ["array.json"].includes(n))) {
        const file = path.join(dir, name);
        const r = runPlan(["dev", "--secrets", file]);
        assert.equal(r.status, 2, `${name}: ${r.stderr}`);
        assert.equal(r.stdout, "", name);
        assert.equal(r.stderr, `--secrets ${file}: ${why}\n`, name);
        assert.ok(!(r.stdout + r.stderr).includes("CANARY-lea"), name);
    }
    // A folder can't be read as a file; and with --all the file is checked once, before any stack.
    const folder = runPlan(["--all", "--secrets", dir]);
    assert.equal(folder.status, 2);
    assert.equal(folder.stderr, `--secrets ${dir}: can't read it (EISDIR)\n`);
});

test("stack names that aren't plain names are refused with exit 2 before any file is read", () => {
    const why = "a stack name is letters, digits, '_', '.' and '-' only, not starting with '-', with no path separators and no '..'";
    for (const name of ["dev", "prod-eu_2", "v1.2"]) assert.equal(stackNameProblem(name), undefined, name);
    const bad = ["x/../../stacks/Pulumi.dev", "../dev", "dev/", "/etc/passwd", "a/b", "a\\b", ".", "..", "a..b", "dev stack", "dév", "dev\n", "", "-x", "--all"];
    for (const name of bad) assert.equal(stackNameProblem(name), `invalid stack name ${JSON.stringify(name)}: ${why}`);
    // "x/../../stacks/Pulumi.dev" used to resolve to stacks/Pulumi.dev.yaml and plan dev under another name.
    // stackNameProblem above covers every shape; the command line is checked once.
    for (const name of ["x/../../stacks/Pulumi.dev"]) {
        // A --secrets file that doesn't exist: the name is refused first, so no file was looked at.
        const r = runPlan([name, "--secrets", "/nonexistent/secrets.json"]);
        assert.equal(r.status, 2, `${JSON.stringify(name)}: ${r.stderr}`);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr, `invalid stack name ${JSON.stringify(name)}: ${why}\n`);
    }
    // With --all, a stack file whose name isn't a plain name stops the plan before any stack is evaluated.
    const root = mkdtempSync(path.join(tmpdir(), "plan-names-"));
    mkdirSync(path.join(root, "stacks"));
    writeFileSync(path.join(root, "stacks", "Pulumi.dev.yaml"), "config: {}\n");
    writeFileSync(path.join(root, "stacks", "Pulumi.dev stack.yaml"), "config: {}\n");
    const all = runPlan(["--all", "--root", root]);
    assert.equal(all.status, 2);
    assert.equal(all.stderr, `stacks/Pulumi.dev stack.yaml: invalid stack name "dev stack": ${why}\n`);
});

test("a stack file that isn't valid YAML is reported as such, with the parser's line and column, and exits 1", () => {
    const dir = scratchRepo();
    writeFileSync(path.join(dir, "stacks", "Pulumi.broken.yaml"), "config:\n  gitops-platform:cluster: mode: aks\n");
    const expected = "stacks/Pulumi.broken.yaml: not valid YAML at line 2, column 28: Nested mappings are not allowed in compact mappings\n";
    const one = runPlan(["broken"], dir);
    assert.equal(one.status, 1);
    assert.equal(one.stdout, "");
    assert.equal(one.stderr, expected);
    const all = runPlan(["--all"], dir);
    assert.equal(all.status, 1);
    assert.equal(all.stderr, expected);
    // A duplicated key is a YAML error too, not a missing file.
    writeFileSync(path.join(dir, "stacks", "Pulumi.broken.yaml"), "config:\n  gitops-platform:cluster: {mode: aks}\n  gitops-platform:cluster: {mode: arc}\n");
    const dup = runPlan(["broken"], dir);
    assert.equal(dup.status, 1);
    assert.equal(dup.stderr, "stacks/Pulumi.broken.yaml: not valid YAML at line 3, column 3: Map keys must be unique\n");
});

test("a reader that closes the pipe early (| head) ends the plan quietly, exit 0", () => {
    // The shell's `npm run plan -- private | head -1`: the reader keeps one line and closes its end.
    const r = spawnSync("bash", ["-c", `set -o pipefail; "${process.execPath}" --import tsx scripts/plan.ts private | head -1`], { encoding: "utf8", cwd: path.join(__dirname, "..") });
    assert.equal(r.stdout, "Offline plan for stack private: 72 resources\n");
    assert.equal(r.stderr, "");
    assert.equal(r.status, 0);
});
