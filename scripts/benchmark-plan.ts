// npm run benchmark-plan -- [--sizes 16,32] [--repeat 3] [--jobs <n>]
//
// What each stack adds to `npm run plan -- --all`, measured: for each size N, a scratch copy of this
// project holding N Arc stacks made from stacks/Pulumi.edge.yaml (each its own cluster and app repo, so the fleet passes
// the cross-stack checks), planned with `--all` at each size, against one stack planned alone. Prints
// the wall time of each run (the median of --repeat runs), the cost of each added stack between
// consecutive sizes, and that cost as a fraction of the single-stack plan. Nothing is deployed; the
// scratch copies are removed on exit.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import YAML from "yaml";
import { parseCommandLine } from "./lib/cli.ts";

const REPO = path.join(__dirname, "..");
const USAGE = "usage: npm run benchmark-plan -- [--sizes 16,32] [--repeat 3] [--jobs <n>]";

/** A copy of the program (not its stacks) with `count` Arc stacks fleet-01 … made from the edge stack. */
function scratchProject(count: number): string {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-benchmark-"));
    for (const f of ["infra", "components", "Pulumi.yaml", "package.json", "tsconfig.json"]) cpSync(path.join(REPO, f), path.join(dir, f), { recursive: true });
    symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
    mkdirSync(path.join(dir, "stacks"));
    const edge = YAML.parse(readFileSync(path.join(REPO, "stacks", "Pulumi.edge.yaml"), "utf8"));
    for (let i = 1; i <= count; i++) {
        const n = String(i).padStart(2, "0");
        const doc = structuredClone(edge);
        doc.config["gitops-platform:cluster"].name = `arc-fleet-${n}`;
        doc.config["gitops-platform:connector"].github.appRepo = `fleet-app-${n}`;
        writeFileSync(path.join(dir, "stacks", `Pulumi.fleet-${n}.yaml`), YAML.stringify(doc));
    }
    return dir;
}

/** Seconds of wall time for one `npm run plan` (the script itself, as npm runs it), which must succeed. */
function timePlan(root: string, args: string[]): number {
    const start = performance.now();
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(REPO, "scripts", "plan.ts"), `--root=${root}`, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const seconds = (performance.now() - start) / 1000;
    if (r.status !== 0) throw new Error(`plan ${args.join(" ")} exited ${r.status}:\n${r.stderr}`);
    return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(argv: string[]): number {
    const line = parseCommandLine(argv, { sizes: "string", repeat: "string", jobs: "string" });
    const sizes = (line?.values.sizes ?? "16,32").split(",").map(Number);
    const repeat = Number(line?.values.repeat ?? "3");
    const jobs = line?.values.jobs;
    if (!line || line.positionals.length > 0 || sizes.some((s) => !Number.isInteger(s) || s < 1 || s > 99) || !Number.isInteger(repeat) || repeat < 1 || (jobs !== undefined && !/^[1-9]\d*$/.test(jobs))) {
        console.error(USAGE);
        return 2;
    }
    // One project per size, so that each run is a real `--all`, cross-stack checks included.
    const roots = new Map(sizes.map((n) => [n, scratchProject(n)]));
    const cleanUp = () => {
        for (const dir of roots.values()) rmSync(dir, { recursive: true, force: true });
    };
    // Ctrl-C stops the plan being timed with this process; the scratch copies go either way.
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
        process.on(signal, () => {
            cleanUp();
            process.exit(code);
        });
    }
    try {
        const jobsArg = jobs === undefined ? [] : [`--jobs=${jobs}`];
        const root = roots.get(sizes[0])!;
        // Once untimed: the first run fills tsx's and Node's compile caches, which every later run reads.
        timePlan(root, ["fleet-01"]);
        const single = median(Array.from({ length: repeat }, () => timePlan(root, ["fleet-01"])));
        console.log(`machine: ${availableParallelism()} cores; --jobs ${jobs ?? "default (one per core)"}; median of ${repeat} runs`);
        console.log(`1 stack alone: ${single.toFixed(2)} s`);
        let previous: { n: number; t: number } | undefined;
        for (const n of [...sizes].sort((a, b) => a - b)) {
            const t = median(Array.from({ length: repeat }, () => timePlan(roots.get(n)!, ["--all", ...jobsArg])));
            const added = previous ? ` ; each stack from ${previous.n} to ${n}: ${((t - previous.t) / (n - previous.n)).toFixed(3)} s = ${((t - previous.t) / (n - previous.n) / single).toFixed(3)}x a single-stack plan` : "";
            console.log(`${n} stacks: ${t.toFixed(2)} s${added}`);
            previous = { n, t };
        }
        return 0;
    } finally {
        cleanUp();
    }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
