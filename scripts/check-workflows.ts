// npm run check-workflows -- <workflows folder> --stack <stack> [--stacks-dir <dir>]
//
// Reads real GitHub Actions workflow files and reports every `secrets.X` a job reads that the stacks
// would not make visible to that job: repository-level secrets are visible to every job, environment
// secrets only to jobs that declare that environment. The stack named with --stack, the stack that owns
// the repository level, and every stack owning an environment on the same app repo are taken together.
// It also reports GitHub objects (or connector dispatches) more than one stack claims. Warnings (reads
// it can't judge, such as `secrets: inherit` to a reusable workflow) go to stderr and don't fail it.
// Exits 1 when anything is missing or claimed twice, 2 on bad input, including a workflows folder in
// which no file has any job (a wrong path would otherwise pass, having checked nothing).
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { ConfigError, type StackConfig } from "../infra/config.ts";
import { crossStackProblems, repositoryStack, secretLayout } from "../infra/github-layout.ts";
import { loadStacks } from "../infra/stack-files.ts";
import { parseCommandLine } from "./lib/cli.ts";

/** What one job reads. */
export interface JobSecrets {
    readonly file: string;
    readonly job: string;
    /** The environment's name; undefined for none; `null` when it is an expression we can't resolve. */
    readonly environment: string | undefined | null;
    /** Secret names read, upper-cased (GitHub matches them case-insensitively). */
    readonly secrets: readonly string[];
    /** The job reads secrets by a computed name or all at once (`toJSON(secrets)`), which can't be checked. */
    readonly dynamic: boolean;
    /** The reusable workflow (`uses:`) the job passes `secrets: inherit` to; what that one reads isn't checked. */
    readonly inheritsTo?: string;
}

/** Secrets GitHub provides itself. */
const BUILT_IN = new Set(["GITHUB_TOKEN"]);

/** Secret reads inside `${{ }}` expressions of every string value (keys and plain text don't count). */
function secretsIn(value: unknown, into: Set<string>, dynamic: { found: boolean }): void {
    if (typeof value === "string") {
        for (const [, expr] of value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
            for (const m of expr.matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g)) into.add(m[1].toUpperCase());
            for (const m of expr.matchAll(/\bsecrets\[\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\]/g)) into.add(m[1].toUpperCase());
            if (/\bsecrets\[\s*[^'"\s]/.test(expr) || /\bsecrets\b(?!\s*[.[])/.test(expr)) dynamic.found = true;
        }
    } else if (Array.isArray(value)) {
        for (const v of value) secretsIn(v, into, dynamic);
    } else if (value && typeof value === "object") {
        for (const v of Object.values(value)) secretsIn(v, into, dynamic);
    }
}

/** Every job of one workflow file, with its environment and the secrets it reads. */
export function jobSecrets(file: string, text: string): JobSecrets[] {
    const doc = YAML.parse(text) as { on?: unknown; env?: unknown; jobs?: Record<string, Record<string, unknown>> } | null;
    if (!doc || typeof doc.jobs !== "object" || doc.jobs === null) return [];
    // A reusable workflow's declared secrets are its caller's to pass, not repository secrets.
    const on = doc.on as { workflow_call?: { secrets?: Record<string, unknown> } } | undefined;
    const passedIn = new Set(Object.keys((typeof on === "object" && on?.workflow_call?.secrets) || {}).map((k) => k.toUpperCase()));
    // Workflow-level env is evaluated for every job.
    const shared = new Set<string>();
    const sharedDynamic = { found: false };
    secretsIn(doc.env, shared, sharedDynamic);
    return Object.entries(doc.jobs).map(([job, body]) => {
        const read = new Set(shared);
        const dynamic = { found: sharedDynamic.found };
        secretsIn(body, read, dynamic);
        const env = body?.environment;
        const name = typeof env === "string" ? env : env && typeof env === "object" ? (env as { name?: unknown }).name : undefined;
        const environment = typeof name === "string" ? (name.includes("${{") ? null : name) : undefined;
        const uses = body?.uses;
        return {
            file,
            job,
            environment,
            secrets: [...read].filter((x) => !BUILT_IN.has(x) && !passedIn.has(x)).sort(),
            dynamic: dynamic.found,
            ...(body?.secrets === "inherit" ? { inheritsTo: typeof uses === "string" ? uses : "(no uses:)" } : {}),
        };
    });
}

export interface Visibility {
    readonly repository: string;
    /** Repository-level secret names, and which stack manages them. */
    readonly repositorySecrets: readonly string[];
    readonly repositoryStack: string | undefined;
    /** Environment -> its secret names and the stack that manages it. */
    readonly environments: Readonly<Record<string, { readonly secrets: readonly string[]; readonly stack: string }>>;
}

/** What the stacks together make visible on the app repo of `stack`. */
export function visibility(stack: string, configs: readonly StackConfig[]): Visibility {
    const own = configs.find((c) => c.stack === stack);
    if (!own?.github) throw new Error(`stack ${stack} has no github section, so it manages no secrets`);
    const repository = `${own.github.owner}/${own.github.appRepo}`;
    const sameRepo = configs.filter((c) => c.github && `${c.github.owner}/${c.github.appRepo}` === repository);
    const repoStack = sameRepo.find((c) => c.stack === repositoryStack(own));
    const environments: Record<string, { secrets: readonly string[]; stack: string }> = {};
    for (const c of sameRepo) {
        const env = secretLayout(c).environment;
        if (env) environments[env.name] = { secrets: env.secrets, stack: c.stack };
    }
    return {
        repository,
        repositorySecrets: repoStack ? secretLayout(repoStack).repository : [],
        repositoryStack: repoStack?.stack,
        environments,
    };
}

/** One line per secret a job reads but can't see, saying why. Names compare case-insensitively, as on GitHub. */
export function missingSecrets(jobs: readonly JobSecrets[], v: Visibility): string[] {
    const problems: string[] = [];
    const upper = (names: readonly string[]) => names.map((n) => n.toUpperCase());
    const environments = new Map(Object.entries(v.environments).map(([name, e]) => [name.toLowerCase(), { name, secrets: upper(e.secrets) }]));
    for (const j of jobs) {
        // An environment picked by an expression could be any of them: count what any would give.
        const env = j.environment === null ? undefined : j.environment ? environments.get(j.environment.toLowerCase()) : undefined;
        const anyEnv = j.environment === null ? [...environments.values()].flatMap((e) => e.secrets) : [];
        const visible = new Set([...upper(v.repositorySecrets), ...(env?.secrets ?? []), ...anyEnv]);
        const where = j.environment ? `environment ${j.environment}` : j.environment === null ? "an environment given by an expression" : "no environment";
        for (const s of j.secrets) {
            if (visible.has(s)) continue;
            const elsewhere = [...environments.values()].filter((e) => e.secrets.includes(s)).map((e) => e.name);
            let why: string;
            if (j.environment && !env) why = `no stack manages environment ${j.environment}`;
            else if (elsewhere.length > 0) why = `it is an environment secret of ${elsewhere.join(", ")}, which this job doesn't declare`;
            else why = "no stack manages it";
            problems.push(`${j.file}: job ${j.job} (${where}) reads secrets.${s}, which it can't see: ${why}`);
        }
    }
    return problems;
}

/** Reads the check can't judge, to print as warnings. */
export function warnings(jobs: readonly JobSecrets[]): string[] {
    return jobs.flatMap((j) => [
        ...(j.environment === null ? [`${j.file}: job ${j.job} picks its environment with an expression; a secret counts as visible if any managed environment has it`] : []),
        ...(j.dynamic ? [`${j.file}: job ${j.job} reads secrets by a computed name or all at once; those reads can't be checked`] : []),
        ...(j.inheritsTo !== undefined
            ? [`${j.file}: job ${j.job} passes secrets: inherit to ${j.inheritsTo}; can't verify which secrets the called workflow reads`]
            : []),
    ]);
}

export function readWorkflows(dir: string): JobSecrets[] {
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    return files.flatMap((f) => jobSecrets(f, readFileSync(path.join(dir, f), "utf8")));
}

function main(argv: string[]): number {
    const line = parseCommandLine(argv, { stack: "string", "stacks-dir": "string" });
    const [dir] = line?.positionals ?? [];
    const stack = line?.values.stack;
    if (!dir || !stack) {
        console.error("usage: npm run check-workflows -- <workflows folder> --stack <stack> [--stacks-dir <dir>]");
        return 2;
    }
    const stacksDir = line?.values["stacks-dir"] ?? path.join(__dirname, "..", "stacks");
    let configs: StackConfig[];
    let v: Visibility;
    let jobs: JobSecrets[];
    try {
        configs = loadStacks(stacksDir);
        if (!configs.some((c) => c.stack === stack)) throw new Error(`no stack file ${path.join(stacksDir, `Pulumi.${stack}.yaml`)}`);
        v = visibility(stack, configs);
        jobs = readWorkflows(dir);
        // Nothing to check is no pass: most likely the wrong folder.
        if (jobs.length === 0) throw new Error(`no jobs found in ${dir}: no .yml or .yaml file there defines any under jobs:, so nothing was checked`);
    } catch (e) {
        console.error(e instanceof ConfigError || e instanceof Error ? e.message : String(e));
        return 2;
    }
    console.log(`${v.repository}: repository secrets from stack ${v.repositoryStack ?? "(none)"}; environments ${Object.entries(v.environments).map(([e, x]) => `${e} (${x.stack})`).join(", ") || "(none)"}`);
    for (const w of warnings(jobs)) console.error(`warning: ${w}`);
    // Ownership the stacks must agree on: two owners of a secret would overwrite each other.
    const problems = [...crossStackProblems(configs), ...missingSecrets(jobs, v)];
    for (const p of problems) console.log(p);
    const read = jobs.reduce((n, j) => n + j.secrets.length, 0);
    console.log(`${jobs.length} jobs, ${read} secret reads checked: ${problems.length === 0 ? "every secret is visible to the job that reads it" : `${problems.length} not visible`}`);
    return problems.length === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
