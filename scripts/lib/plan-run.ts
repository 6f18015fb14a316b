// Planning one stack: scripts/plan-stack.ts in a child process, and the errors the plan command maps to
// exit codes.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { StackPlan } from "./plan-model.ts";

const REPO = path.join(__dirname, "..", "..");

/** Planning failed: a stack file missing, not YAML or invalid, or the --diff checkout failing. Exit 1. */
export class PlanError extends Error {}
/** Bad usage or input: exit 2. */
export class InputError extends Error {}
/** A step was stopped by a signal (Ctrl-C): exit 130. */
export class Interrupted extends Error {}

/** Evaluate one stack in its own process (the entry module runs once per process). */
export interface PlanOptions {
    readonly root?: string;
    readonly secretsFile?: string;
    readonly organization?: string;
    /** Set for the two sides of a diff: secrets become fingerprints comparable between them. */
    readonly diffKey?: string;
}

export function planStack(stack: string, o: PlanOptions = {}): StackPlan {
    const root = o.root ?? REPO;
    const args = [
        // `--name=value` and `--` before the stack: a value or name starting with '-' (`plan
        // --organization=-x` is accepted) can't be taken for an option by plan-stack's parser.
        "--import", "tsx", path.join(REPO, "scripts", "plan-stack.ts"), `--root=${root}`,
        ...(o.secretsFile ? [`--secrets=${o.secretsFile}`] : []),
        ...(o.organization ? [`--organization=${o.organization}`] : []),
        "--", stack,
    ];
    const env = { ...process.env, GITOPS_PLAN_DIFF_KEY: o.diffKey ?? "" };
    const r = spawnSync(process.execPath, args, { encoding: "utf8", cwd: root, env, maxBuffer: 64 * 1024 * 1024 });
    // An error first: spawnSync also kills a child whose output overflows maxBuffer.
    if (r.error) throw new Error(`planning stack ${stack} failed: ${r.error.message}`);
    if (r.signal) throw new Interrupted(`planning stack ${stack} stopped by ${r.signal}`);
    if (r.status === 3) throw new PlanError(r.stderr.trim());
    if (r.status !== 0) throw new Error(`planning stack ${stack} failed:\n${r.stderr}`);
    return JSON.parse(r.stdout) as StackPlan;
}
