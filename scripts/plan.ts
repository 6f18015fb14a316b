// npm run plan -- <stack...> | --all   [--json] [--graph] [--diff <git-ref>] [--root <dir>] [--secrets <file>]
//
// The desired state of a stack with nothing but Node.js: the real program (infra/index.ts) evaluated
// under Pulumi's mock runtime, no CLI, cloud or credentials. Secrets never appear: secret config gets
// placeholders and every secret value prints as [secret]; what the cloud computes prints as
// (known after apply). `--root` plans another checkout of this project; `--secrets` takes the output of
// `pulumi config --show-secrets --json` to evaluate with real secret values, which stay unprinted.
// Exits 1 on a missing or invalid stack file (not YAML, or the config error); with --all, also when
// stacks claim the same GitHub object or app repo. Exits 2 on bad usage or input, before anything is
// evaluated: a stack name that isn't a plain name, a --secrets file that isn't a JSON object, a --diff
// ref git can't archive. --diff's temporary checkout is removed on every way out.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { setSecretCommand } from "../infra/config.ts";
import { crossStackProblems } from "../infra/github-layout.ts";
import { listStacks, loadStacks } from "../infra/stack-files.ts";
import { randomBytes } from "node:crypto";
import { COMPUTED, SECRET, stripFingerprints, type PlannedResource, type StackPlan } from "./lib/plan-model.ts";
import { readSecretsFile, SecretsFileError, stackNameProblem } from "./plan-stack.ts";

const REPO = path.join(__dirname, "..");

export class PlanError extends Error {}
/** Bad usage or input: exit 2. */
export class InputError extends Error {}
/** A step was stopped by a signal (Ctrl-C): exit 130. */
class Interrupted extends Error {}

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
        "--import", "tsx", path.join(REPO, "scripts", "plan-stack.ts"), stack, "--root", root,
        ...(o.secretsFile ? ["--secrets", o.secretsFile] : []),
        ...(o.organization ? ["--organization", o.organization] : []),
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

// ---------------------------------------------------------------------------------------------
// Text.
// ---------------------------------------------------------------------------------------------

const short = (type: string) => type.split(":").pop()!;

function indent(text: string, by: string): string {
    return text.trimEnd().split("\n").map((l) => by + l).join("\n");
}

export function renderText(plan: StackPlan): string {
    const out: string[] = [];
    out.push(`Offline plan for stack ${plan.stack}: ${plan.resources.length} resources`);
    out.push(`(no Pulumi CLI, cloud or credentials; secret values print as ${SECRET}, cloud-computed values as ${COMPUTED};`);
    out.push(` stack references assume the organization '${plan.organization}', a local backend's; set --organization for Pulumi Cloud)`);
    out.push("", "Resources");
    const children = new Map<string | null, PlannedResource[]>();
    for (const r of plan.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const walk = (parent: string | null, depth: number) => {
        for (const r of children.get(parent) ?? []) {
            const pad = "  ".repeat(depth + 1);
            out.push(`${pad}+ ${r.type}  ${r.name}`);
            if (Object.keys(r.inputs).length > 0 && !r.type.startsWith("gitops:")) out.push(indent(YAML.stringify(r.inputs), `${pad}    `));
            if (r.provider) out.push(`${pad}    (provider: ${r.provider})`);
            if (r.ignoreChanges.length > 0) out.push(`${pad}    (after creation, changes to ${r.ignoreChanges.join(", ")} are left alone)`);
            const deps = r.dependsOn.filter((d) => d !== r.parent);
            if (deps.length > 0) out.push(`${pad}    (after: ${deps.join(", ")})`);
            walk(r.key, depth + 1);
        }
    };
    walk(null, 0);

    if (plan.kubernetes.length > 0) {
        out.push("", "Kubernetes objects");
        for (const m of plan.kubernetes) out.push("---", YAML.stringify(m).trimEnd());
    }
    const repos = Object.entries(plan.github.repository);
    const envs = Object.entries(plan.github.environments);
    if (repos.length + envs.length > 0) {
        out.push("", "GitHub Actions secrets (values are secrets)");
        for (const [repo, names] of repos) out.push(`  repository ${repo}: ${names.join(", ")}`);
        for (const [env, names] of envs) out.push(`  environment ${env}: ${names.join(", ")}`);
    }
    if (plan.lookups.length > 0) {
        out.push("", "Lookups answered at deploy time");
        for (const l of plan.lookups) out.push(`  ${l.token}(${Object.entries(l.inputs).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ")})`);
    }
    out.push("", "Outputs");
    out.push(indent(YAML.stringify(plan.outputs), "  "));
    if (plan.secrets.length > 0) {
        out.push("", "Secret config (a placeholder is used for any value not given)");
        for (const s of plan.secrets) {
            const how =
                s.status === "given"
                    ? "value from --secrets"
                    : s.status === "secure"
                      ? "set (secure: in the stack file, not decrypted offline)"
                      : `not set: ${setSecretCommand(s.key, plan.stack)}`;
            out.push(`  ${s.key}: ${s.purpose}; ${how}`);
        }
    }
    return out.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Graph: resources as nodes inside their components, dependency edges from prerequisite to dependent.
// ---------------------------------------------------------------------------------------------

function nodeIds(plan: StackPlan): Map<string, string> {
    return new Map(plan.resources.map((r, i) => [r.key, `n${i}`]));
}

/** Edges `from -> to` where `to` waits for `from`, without the implicit child-on-parent ones. */
function edges(plan: StackPlan): [string, string][] {
    return plan.resources.flatMap((r) => r.dependsOn.filter((d) => d !== r.parent).map((d): [string, string] => [d, r.key]));
}

export function renderMermaid(plan: StackPlan): string {
    const ids = nodeIds(plan);
    const lines = ["flowchart LR"];
    const label = (r: PlannedResource) => `"${short(r.type)}<br/>${r.name}"`;
    const children = (parent: string | null) => plan.resources.filter((r) => r.parent === parent);
    const emit = (r: PlannedResource, depth: number) => {
        const pad = "  ".repeat(depth);
        const kids = children(r.key);
        if (kids.length === 0) {
            lines.push(`${pad}${ids.get(r.key)}[${label(r)}]`);
            return;
        }
        lines.push(`${pad}subgraph ${ids.get(r.key)}[${label(r)}]`);
        for (const k of kids) emit(k, depth + 1);
        lines.push(`${pad}end`);
    };
    for (const r of children(null)) emit(r, 1);
    for (const [from, to] of edges(plan)) lines.push(`  ${ids.get(from)} --> ${ids.get(to)}`);
    return lines.join("\n") + "\n";
}

export function renderDot(plan: StackPlan): string {
    const ids = nodeIds(plan);
    const lines = [`digraph "${plan.stack}" {`, "  rankdir=LR;", '  node [shape=box, fontsize=10];'];
    const children = (parent: string | null) => plan.resources.filter((r) => r.parent === parent);
    const emit = (r: PlannedResource, depth: number) => {
        const pad = "  ".repeat(depth);
        const kids = children(r.key);
        const text = `${short(r.type)}\\n${r.name}`;
        if (kids.length === 0) {
            lines.push(`${pad}"${ids.get(r.key)}" [label="${text}"];`);
            return;
        }
        lines.push(`${pad}subgraph "cluster_${ids.get(r.key)}" {`, `${pad}  label="${text}";`, `${pad}  "${ids.get(r.key)}" [label="${text}", shape=folder];`);
        for (const k of kids) emit(k, depth + 1);
        lines.push(`${pad}}`);
    };
    for (const r of children(null)) emit(r, 1);
    for (const [from, to] of edges(plan)) lines.push(`  "${ids.get(from)}" -> "${ids.get(to)}";`);
    lines.push("}");
    return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Diff against another git ref.
// ---------------------------------------------------------------------------------------------

export interface FieldChange {
    readonly path: string;
    /** Secret values show as "[secret]" on both sides; `secretChanged` says the value differs. */
    readonly before: unknown;
    readonly after: unknown;
    readonly secretChanged?: true;
}

export interface ResourceChange {
    readonly key: string;
    /** Changed fields: `inputs.<path>`, `parent`, `provider`, `dependsOn`, `ignoreChanges`. */
    readonly changes: readonly FieldChange[];
}

export interface PlanDiff {
    readonly stack: string;
    readonly ref: string;
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly ResourceChange[];
    /** Stack outputs that differ. */
    readonly outputs: readonly FieldChange[];
}

/** Leaf paths of a value: objects by key, arrays of objects by index; scalars and lists of scalars whole. */
function flatten(v: unknown, prefix: string, into: Map<string, unknown>): void {
    const isObject = (x: unknown) => x !== null && typeof x === "object";
    if (isObject(v) && !Array.isArray(v) && Object.keys(v as object).length > 0) {
        for (const [k, x] of Object.entries(v as object)) flatten(x, prefix ? `${prefix}.${k}` : k, into);
    } else if (Array.isArray(v) && v.some(isObject)) {
        v.forEach((x, i) => flatten(x, `${prefix}[${i}]`, into));
    } else {
        into.set(prefix, v);
    }
}

function fieldChanges(before: unknown, after: unknown): FieldChange[] {
    const a = new Map<string, unknown>();
    const b = new Map<string, unknown>();
    flatten(before, "", a);
    flatten(after, "", b);
    const fingerprint = (v: unknown) => typeof v === "string" && /^\[secret [0-9a-f]{16}\]$/.test(v);
    return [...new Set([...a.keys(), ...b.keys()])]
        .sort()
        .filter((p) => JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p)))
        .map((p) => {
            const secretChanged = fingerprint(a.get(p)) && fingerprint(b.get(p));
            return { path: p, before: stripFingerprints(a.get(p)), after: stripFingerprints(b.get(p)), ...(secretChanged ? { secretChanged: true as const } : {}) };
        });
}

/** The plan of `after` against `before`; either side may be missing (a stack added or removed). */
export function diffPlans(stack: string, ref: string, before: StackPlan | undefined, after: StackPlan | undefined): PlanDiff {
    const old = new Map((before?.resources ?? []).map((r) => [r.key, r]));
    const now = new Map((after?.resources ?? []).map((r) => [r.key, r]));
    const shape = (r: PlannedResource) => ({ inputs: r.inputs, parent: r.parent, provider: r.provider, dependsOn: r.dependsOn, ignoreChanges: r.ignoreChanges });
    const changed: ResourceChange[] = [];
    for (const [key, r] of now) {
        const o = old.get(key);
        if (!o) continue;
        const changes = fieldChanges(shape(o), shape(r));
        if (changes.length > 0) changed.push({ key, changes });
    }
    return {
        stack,
        ref,
        added: [...now.keys()].filter((k) => !old.has(k)).sort(),
        removed: [...old.keys()].filter((k) => !now.has(k)).sort(),
        changed,
        outputs: fieldChanges(before?.outputs ?? {}, after?.outputs ?? {}),
    };
}

export function renderDiff(d: PlanDiff): string {
    const out = [`Plan diff for stack ${d.stack}: ${d.ref} -> working tree: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed`];
    const line = (x: FieldChange) =>
        x.secretChanged ? `${x.path}: ${SECRET} changed` : `${x.path}: ${JSON.stringify(x.before) ?? "(none)"} -> ${JSON.stringify(x.after) ?? "(none)"}`;
    for (const k of d.added) out.push(`  + ${k}`);
    for (const k of d.removed) out.push(`  - ${k}`);
    for (const c of d.changed) {
        out.push(`  ~ ${c.key}`);
        for (const x of c.changes) out.push(`      ${line(x)}`);
    }
    if (d.outputs.length > 0) {
        out.push("  outputs:");
        for (const x of d.outputs) out.push(`      ${line(x)}`);
    }
    return out.join("\n") + "\n";
}

/** A command's stderr as one line. */
const oneLine = (b: Buffer | null | undefined) => (b?.toString() ?? "").trim().split(/\s*\n\s*/).filter(Boolean).join("; ");

/** A checkout of `ref` in the temporary folder `dir`, sharing this checkout's node_modules. */
function checkout(root: string, ref: string, dir: string): void {
    const archive = spawnSync("git", ["archive", "--format=tar", ref], { cwd: root, maxBuffer: 512 * 1024 * 1024 });
    if (archive.error) throw new PlanError(`--diff ${ref}: git archive failed: ${archive.error.message}`);
    if (archive.signal) throw new Interrupted(`git archive stopped by ${archive.signal}`);
    if (archive.status !== 0) throw new InputError(`--diff ${ref}: git archive failed: ${oneLine(archive.stderr) || `exit ${archive.status}`}`);
    const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout, maxBuffer: 64 * 1024 * 1024 });
    if (untar.signal && !untar.error) throw new Interrupted(`tar stopped by ${untar.signal}`);
    if (untar.error || untar.status !== 0) throw new PlanError(`--diff ${ref}: extracting the checkout failed: ${untar.error?.message ?? oneLine(untar.stderr)}`);
    if (!existsSync(path.join(dir, "node_modules"))) symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
}

/**
 * Runs `work` with a fresh temporary folder and removes the folder on every way out: a result, an
 * error, or a signal. Without a listener, Ctrl-C would kill this process at once along with the step
 * it waits for, leaving the folder; with one, the step dies, its error reaches `finally`, and the
 * listener ends the process afterwards (`work` is synchronous, so listeners only run once it is over).
 */
function withTemporaryFolder<T>(work: (dir: string) => T): T {
    const dir = mkdtempSync(path.join(tmpdir(), "gitops-plan-"));
    const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
    for (const [signal, code] of Object.entries(codes)) {
        process.on(signal, () => {
            rmSync(dir, { recursive: true, force: true });
            process.exit(code);
        });
    }
    try {
        return work(dir);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

// ---------------------------------------------------------------------------------------------
// CLI.
// ---------------------------------------------------------------------------------------------

function main(argv: string[]): number {
    const args = [...argv];
    const flag = (name: string) => {
        const i = args.indexOf(name);
        if (i >= 0) args.splice(i, 1);
        return i >= 0;
    };
    const option = (name: string) => {
        const i = args.indexOf(name);
        return i >= 0 ? (args.splice(i, 2)[1] ?? "") : undefined;
    };
    const ref = option("--diff");
    const root = path.resolve(option("--root") ?? REPO);
    const secretsOption = option("--secrets");
    const organization = option("--organization");
    const json = flag("--json");
    const graph = flag("--graph");
    const all = flag("--all");
    // A ref starting with '-' would reach git as an option.
    if ((!all && args.length === 0) || args.some((a) => a.startsWith("--")) || ref === "" || ref?.startsWith("-") || secretsOption === "" || organization === "") {
        console.error("usage: npm run plan -- <stack...> | --all  [--json] [--graph] [--diff <git-ref>] [--root <dir>] [--secrets <file>] [--organization <org>]");
        return 2;
    }
    // A stack name becomes part of a file path: only plain names, checked before any file is read.
    for (const s of all ? [] : args) {
        const problem = stackNameProblem(s);
        if (problem) {
            console.error(problem);
            return 2;
        }
    }
    // Absolute: the sides of a diff are evaluated in other folders.
    const secretsFile = secretsOption === undefined ? undefined : path.resolve(secretsOption);
    try {
        // Once, before any stack is evaluated; it holds secrets, so no error quotes it.
        if (secretsOption !== undefined) readSecretsFile(secretsOption);
        if (all && !existsSync(path.join(root, "stacks"))) throw new InputError(`no stacks folder in ${root}`);
        const stacks = all ? listStacks(path.join(root, "stacks")) : args;
        for (const s of stacks) {
            const problem = stackNameProblem(s);
            if (problem) throw new InputError(`stacks/Pulumi.${s}.yaml: ${problem}`);
        }
        if (stacks.length === 0) throw new InputError(`no stack files in ${path.join(root, "stacks")}`);
        if (ref !== undefined) {
            // One key for both sides of this diff only: secret fingerprints compare, and mean nothing later.
            const o = { secretsFile, organization, diffKey: randomBytes(32).toString("hex") };
            const diffs = withTemporaryFolder((dir) => {
                checkout(root, ref, dir);
                const exists = (r: string, s: string) => listStacks(path.join(r, "stacks")).includes(s);
                return stacks.map((s) => {
                    if (!exists(root, s) && !exists(dir, s)) throw new PlanError(`no stack file stacks/Pulumi.${s}.yaml at ${ref} or in the working tree`);
                    const before = exists(dir, s) ? planStack(s, { ...o, root: dir }) : undefined;
                    const after = exists(root, s) ? planStack(s, { ...o, root }) : undefined;
                    return diffPlans(s, ref, before, after);
                });
            });
            process.stdout.write(json ? JSON.stringify(diffs.length === 1 ? diffs[0] : diffs, null, 2) + "\n" : diffs.map(renderDiff).join("\n"));
            return 0;
        }
        const plans = stacks.map((s) => planStack(s, { root, secretsFile, organization }));
        if (json) {
            const withGraph = (p: StackPlan) => (graph ? { ...p, graph: { mermaid: renderMermaid(p), dot: renderDot(p) } } : p);
            process.stdout.write(JSON.stringify(plans.length === 1 ? withGraph(plans[0]) : plans.map(withGraph), null, 2) + "\n");
        } else if (graph) {
            for (const p of plans) process.stdout.write(`Dependency graph for stack ${p.stack}\n\n\`\`\`mermaid\n${renderMermaid(p)}\`\`\`\n\n\`\`\`dot\n${renderDot(p)}\`\`\`\n`);
        } else {
            process.stdout.write(plans.map(renderText).join("\n"));
        }
        // With every stack in view, check what no single stack can: one owner per GitHub object, one
        // connector per app repo, a CI grant on every cluster an environment runs on.
        const problems = all ? crossStackProblems(loadStacks(path.join(root, "stacks"))) : [];
        for (const p of problems) console.error(`across stacks: ${p}`);
        return problems.length === 0 ? 0 : 1;
    } catch (e) {
        if (e instanceof InputError || e instanceof SecretsFileError) {
            console.error(e.message);
            return 2;
        }
        if (e instanceof PlanError) {
            console.error(e.message);
            return 1;
        }
        if (e instanceof Interrupted) {
            console.error(`interrupted: ${e.message}`);
            return 130;
        }
        throw e;
    }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
