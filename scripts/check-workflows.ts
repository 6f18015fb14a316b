// npm run check-workflows -- <workflows folder> --stack <stack> [--stacks-dir <dir>]
//
// Reads real GitHub Actions workflow files and reports every `secrets.X` a job reads that the stacks
// would not make visible to that job: repository-level secrets are visible to every job, environment
// secrets only to jobs that declare that environment. The stack named with --stack, the stack that owns
// the repository level, and every stack owning an environment on the same app repo are taken together.
// Exits 1 when any secret is missing, 2 on bad input.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { ConfigError, parseStackConfig, type StackConfig } from "../infra/config.ts";
import { secretLayout, shortStack } from "../infra/github-layout.ts";
import { engineConfig, listStacks, readStackFile } from "../infra/stack-files.ts";

/** What one job reads. */
export interface JobSecrets {
    readonly file: string;
    readonly job: string;
    /** The environment's name; undefined for none; `null` when it is an expression we can't resolve. */
    readonly environment: string | undefined | null;
    readonly secrets: readonly string[];
}

/** Secrets GitHub provides itself. */
const BUILT_IN = new Set(["GITHUB_TOKEN"]);

function secretsIn(value: unknown, into: Set<string>): void {
    if (typeof value === "string") {
        for (const m of value.matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g)) into.add(m[1]);
        for (const m of value.matchAll(/\bsecrets\[\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\]/g)) into.add(m[1]);
    } else if (Array.isArray(value)) {
        for (const v of value) secretsIn(v, into);
    } else if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            secretsIn(k, into);
            secretsIn(v, into);
        }
    }
}

/** Every job of one workflow file, with its environment and the secrets it reads. */
export function jobSecrets(file: string, text: string): JobSecrets[] {
    const doc = YAML.parse(text) as { env?: unknown; jobs?: Record<string, Record<string, unknown>> } | null;
    if (!doc || typeof doc.jobs !== "object" || doc.jobs === null) return [];
    // Workflow-level env is evaluated for every job.
    const shared = new Set<string>();
    secretsIn(doc.env, shared);
    return Object.entries(doc.jobs).map(([job, body]) => {
        const read = new Set(shared);
        secretsIn(body, read);
        const env = body?.environment;
        const name = typeof env === "string" ? env : env && typeof env === "object" ? (env as { name?: unknown }).name : undefined;
        const environment = typeof name === "string" ? (name.includes("${{") ? null : name) : undefined;
        return { file, job, environment, secrets: [...read].filter((s) => !BUILT_IN.has(s)).sort() };
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
    const repoStackName = own.github.repository ? stack : own.github.repositoryStack && shortStack(own.github.repositoryStack);
    const repoStack = sameRepo.find((c) => c.stack === repoStackName);
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

/** One line per secret a job reads but can't see, saying why. */
export function missingSecrets(jobs: readonly JobSecrets[], v: Visibility): string[] {
    const problems: string[] = [];
    for (const j of jobs) {
        const env = j.environment ? v.environments[j.environment] : undefined;
        const visible = new Set([...v.repositorySecrets, ...(env?.secrets ?? [])]);
        const where = j.environment ? `environment ${j.environment}` : j.environment === null ? "an environment given by an expression" : "no environment";
        for (const s of j.secrets) {
            if (visible.has(s)) continue;
            const elsewhere = Object.entries(v.environments).filter(([, e]) => e.secrets.includes(s)).map(([name]) => name);
            let why: string;
            if (j.environment && !env) why = `no stack manages environment ${j.environment}`;
            else if (elsewhere.length > 0) why = `it is an environment secret of ${elsewhere.join(", ")}, which this job doesn't declare`;
            else why = "no stack manages it";
            problems.push(`${j.file}: job ${j.job} (${where}) reads secrets.${s}, which it can't see: ${why}`);
        }
    }
    return problems;
}

/** Load every stack in `stacksDir` (secrets are not needed to know names and scopes). */
export function loadStacks(stacksDir: string): StackConfig[] {
    return listStacks(stacksDir).map((s) => {
        const file = readStackFile(stacksDir, s);
        const raw = engineConfig(file.values);
        for (const k of file.secureKeys) raw[k] = "[secure]";
        return parseStackConfig(s, raw, () => "secret", () => "organization");
    });
}

export function readWorkflows(dir: string): JobSecrets[] {
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    return files.flatMap((f) => jobSecrets(f, readFileSync(path.join(dir, f), "utf8")));
}

function main(argv: string[]): number {
    const args = [...argv];
    const option = (name: string) => {
        const i = args.indexOf(name);
        if (i < 0) return undefined;
        const [, value] = args.splice(i, 2);
        return value;
    };
    const stack = option("--stack");
    const stacksDir = option("--stacks-dir") ?? path.join(__dirname, "..", "stacks");
    const [dir] = args;
    if (!dir || !stack) {
        console.error("usage: npm run check-workflows -- <workflows folder> --stack <stack> [--stacks-dir <dir>]");
        return 2;
    }
    let configs: StackConfig[];
    let v: Visibility;
    let jobs: JobSecrets[];
    try {
        configs = loadStacks(stacksDir);
        if (!configs.some((c) => c.stack === stack)) throw new Error(`no stack file ${path.join(stacksDir, `Pulumi.${stack}.yaml`)}`);
        v = visibility(stack, configs);
        jobs = readWorkflows(dir);
    } catch (e) {
        console.error(e instanceof ConfigError || e instanceof Error ? e.message : String(e));
        return 2;
    }
    console.log(`${v.repository}: repository secrets from stack ${v.repositoryStack ?? "(none)"}; environments ${Object.entries(v.environments).map(([e, x]) => `${e} (${x.stack})`).join(", ") || "(none)"}`);
    for (const j of jobs.filter((x) => x.environment === null)) {
        console.log(`warning: ${j.file}: job ${j.job} picks its environment with an expression; only repository secrets are counted as visible`);
    }
    const problems = missingSecrets(jobs, v);
    for (const p of problems) console.log(p);
    const read = jobs.reduce((n, j) => n + j.secrets.length, 0);
    console.log(`${jobs.length} jobs, ${read} secret reads checked: ${problems.length === 0 ? "every secret is visible to the job that reads it" : `${problems.length} not visible`}`);
    return problems.length === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
