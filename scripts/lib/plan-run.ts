// Planning stacks: scripts/plan-stack.ts in a child process per stack, as many at once as the machine
// has cores, and the errors the plan command maps to exit codes.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { availableParallelism, freemem, tmpdir } from "node:os";
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

/**
 * A compile cache only this user can write: the children load code from it, and they may hold
 * `--secrets` values, so a folder another user of a shared TMPDIR created first is not used.
 */
function compileCache(): string | undefined {
    const uid = process.getuid?.();
    const dir = path.join(tmpdir(), `gitops-platform-node-compile-cache-${uid ?? "user"}`);
    try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const st = statSync(dir);
        if (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0)) return undefined;
        return dir;
    } catch {
        return undefined;
    }
}

/** The child's command line and environment. */
function command(stack: string, o: PlanOptions) {
    const root = o.root ?? REPO;
    const args = [
        // `--name=value` and `--` before the stack: a value or name starting with '-' (`plan
        // --organization=-x` is accepted) can't be taken for an option by plan-stack's parser.
        // Not tsx: a child needs only its .ts files compiled (ts-require.cjs says why).
        "--require", path.join(__dirname, "ts-require.cjs"), path.join(REPO, "scripts", "plan-stack.ts"), `--root=${root}`,
        ...(o.secretsFile ? [`--secrets=${o.secretsFile}`] : []),
        ...(o.organization ? [`--organization=${o.organization}`] : []),
        "--", stack,
    ];
    // Node's compile cache: most of a child's time is compiling the same SDK modules every stack loads,
    // and a fleet plans dozens of stacks. A cache the user set is left alone.
    const cache = compileCache();
    const env = { ...(cache ? { NODE_COMPILE_CACHE: cache } : {}), ...process.env, GITOPS_PLAN_DIFF_KEY: o.diffKey ?? "" };
    return { args, env, cwd: root };
}

type Outcome = Pick<SpawnSyncReturns<string>, "status" | "signal" | "stdout" | "stderr"> & { readonly error?: Error };

function result(stack: string, r: Outcome): StackPlan {
    // An error first: spawnSync also kills a child whose output overflows maxBuffer.
    if (r.error) throw new Error(`planning stack ${stack} failed: ${r.error.message}`);
    if (r.signal) throw new Interrupted(`planning stack ${stack} stopped by ${r.signal}`);
    if (r.status === 3) throw new PlanError(r.stderr.trim());
    if (r.status !== 0) throw new Error(`planning stack ${stack} failed:\n${r.stderr}`);
    return JSON.parse(r.stdout) as StackPlan;
}

export function planStack(stack: string, o: PlanOptions = {}): StackPlan {
    const { args, env, cwd } = command(stack, o);
    return result(stack, spawnSync(process.execPath, args, { encoding: "utf8", cwd, env, maxBuffer: 64 * 1024 * 1024 }));
}

/** Children still running: ended with this process, so an interrupted plan leaves none behind. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
    for (const child of running) child.kill();
});

function planStackAsync(stack: string, o: PlanOptions): Promise<Outcome> {
    const { args, env, cwd } = command(stack, o);
    return new Promise((resolve) => {
        const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        running.add(child);
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let error: Error | undefined;
        child.stdout.on("data", (b: Buffer) => out.push(b));
        child.stderr.on("data", (b: Buffer) => err.push(b));
        // A child that can't start reports only this; one that started ends with "close".
        child.on("error", (e) => {
            error = e;
            if (child.pid === undefined) {
                running.delete(child);
                resolve({ status: null, signal: null, error, stdout: "", stderr: "" });
            }
        });
        child.on("close", (status, signal) => {
            running.delete(child);
            resolve({ status, signal, error, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
        });
    });
}

/** What one plan child uses at most, measured (about 230 MB) with room to spare. */
const CHILD_MEMORY_BYTES = 300 * 1024 * 1024;

/**
 * How many stacks are planned at once by default: one per core (each child is single-threaded work),
 * but no more than the free memory holds, or the container's limit where there is one.
 */
export const DEFAULT_JOBS = (() => {
    const limit = process.constrainedMemory?.() || Infinity;
    const memory = Math.min(freemem(), limit);
    return Math.max(1, Math.min(availableParallelism(), Math.floor(memory / CHILD_MEMORY_BYTES)));
})();

/**
 * Plan each `{stack, options}` in its own process, up to `jobs` at once, and return the plans in the
 * order given. A failure stops new stacks from starting; once the running ones end, the error thrown is
 * that of the first failing stack in the given order, the one planning them one by one would report.
 */
export async function planStacks(work: readonly { readonly stack: string; readonly options: PlanOptions }[], jobs = DEFAULT_JOBS): Promise<StackPlan[]> {
    const outcomes: (Outcome | undefined)[] = new Array(work.length).fill(undefined);
    let next = 0;
    let failed = false;
    const worker = async () => {
        while (!failed && next < work.length) {
            const i = next++;
            const outcome = await planStackAsync(work[i].stack, work[i].options);
            outcomes[i] = outcome;
            if (outcome.error || outcome.signal || outcome.status !== 0) failed = true;
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, work.length)) }, worker));
    // In order: every stack before a failure was started before it, so has an outcome.
    return outcomes.flatMap((o, i) => (o === undefined ? [] : [result(work[i].stack, o)]));
}
