// The scripts' command lines (scripts/lib/cli.ts, node:util parseArgs): what counts as bad usage, and
// that each script answers it with its usage line and exit 2 before doing anything.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { parseCommandLine } from "../scripts/lib/cli.ts";
import { REPO_ROOT } from "./support.ts";

const SPEC = { diff: "string", json: "boolean" } as const;

test("parseCommandLine: options and positionals in any order; `--name=value` for a value starting with '-'", () => {
    assert.deepEqual(parseCommandLine(["dev", "--json", "--diff", "main", "stage"], SPEC), { values: { json: true, diff: "main" }, positionals: ["dev", "stage"] });
    assert.deepEqual(parseCommandLine(["--diff=-x"], SPEC), { values: { diff: "-x" }, positionals: [] });
    assert.deepEqual(parseCommandLine([], SPEC), { values: {}, positionals: [] });
});

test("parseCommandLine: bad usage is undefined", () => {
    const bad = [
        ["--bogus"], // unknown
        ["-x"], // unknown short option
        ["--json", "--json"], // repeated flag
        ["--diff", "a", "--diff", "b"], // repeated option: not silently the last
        ["--diff"], // value missing
        ["--diff="], // value empty
        ["--diff", ""],
        ["--diff", "--json"], // value that looks like an option
        ["--json=false"], // a flag takes no value
    ];
    for (const argv of bad) assert.equal(parseCommandLine(argv, SPEC), undefined, JSON.stringify(argv));
});

/** A script run as `npm run` would, as a child process; all of them at once, as each takes seconds to load. */
function script(name: string, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "scripts", name), ...args], { cwd: REPO_ROOT });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
}

test("each script refuses bad usage with its usage line and exit 2, before doing anything", async () => {
    // The shapes of bad usage are covered above; here, that each script's parser is the shared one.
    const [plan, makespan, workflows, stack, makespanName] = await Promise.all([
        script("plan.ts", "dev", "--bogus"),
        script("estimate-makespan.ts", "dev", "--json", "--json"),
        script("check-workflows.ts", ".github/workflows", "--stack"),
        script("plan-stack.ts", "dev", "--root="),
        // A stack name becomes part of a file path: refused before anything is planned.
        script("estimate-makespan.ts", "../dev"),
    ]);
    assert.equal(makespanName.status, 2);
    assert.match(makespanName.stderr, /^invalid stack name "\.\.\/dev": /);
    assert.equal(plan.status, 2);
    assert.equal(plan.stderr, "usage: npm run plan -- <stack...> | --all  [--json] [--graph] [--diff <git-ref>] [--root <dir>] [--secrets <file>] [--organization <org>] [--policy] [--destroy] [--jobs <n>]\n");
    assert.equal(makespan.status, 2);
    assert.equal(makespan.stderr, "usage: npm run estimate-makespan -- <stack...> | --all  [--json]\n");
    assert.equal(workflows.status, 2);
    assert.equal(workflows.stderr, "usage: npm run check-workflows -- <workflows folder> --stack <stack> [--stacks-dir <dir>]\n");
    assert.equal(stack.status, 2);
    assert.equal(stack.stderr, "usage: plan-stack.ts <stack> [--root <dir>] [--secrets <file>] [--organization <org>]\n");
    for (const r of [plan, makespan, workflows, stack, makespanName]) assert.equal(r.stdout, "");
});
