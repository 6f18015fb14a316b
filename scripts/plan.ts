// npm run plan -- <stack...> | --all   [--json] [--graph] [--diff <git-ref>] [--root <dir>] [--secrets <file>]
//
// The desired state of a stack with nothing but Node.js: the real program (infra/index.ts) evaluated
// under Pulumi's mock runtime, no CLI, cloud or credentials. Secrets never appear: secret config gets
// placeholders and every secret value prints as [secret]; what the cloud computes prints as
// (known after apply). `--root` plans another checkout of this project; `--secrets` takes the output of
// `pulumi config --show-secrets --json` to evaluate with real secret values, which stay unprinted.
// Exits 1 on an invalid stack file, with the config error; with --all, also when stacks claim the same
// GitHub object or app repo.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { crossStackProblems } from "../infra/github-layout.ts";
import { listStacks, loadStacks } from "../infra/stack-files.ts";
import { COMPUTED, SECRET, type PlannedResource, type StackPlan } from "./lib/plan-model.ts";

const REPO = path.join(__dirname, "..");

export class PlanError extends Error {}

/** Evaluate one stack in its own process (the entry module runs once per process). */
export function planStack(stack: string, root: string = REPO, secretsFile?: string): StackPlan {
    const args = ["--import", "tsx", path.join(REPO, "scripts", "plan-stack.ts"), stack, "--root", root, ...(secretsFile ? ["--secrets", secretsFile] : [])];
    const r = spawnSync(process.execPath, args, { encoding: "utf8", cwd: root, maxBuffer: 64 * 1024 * 1024 });
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
    out.push(`(no Pulumi CLI, cloud or credentials; secret values print as ${SECRET}, cloud-computed values as ${COMPUTED})`);
    out.push("", "Resources");
    const children = new Map<string | null, PlannedResource[]>();
    for (const r of plan.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const walk = (parent: string | null, depth: number) => {
        for (const r of children.get(parent) ?? []) {
            const pad = "  ".repeat(depth + 1);
            out.push(`${pad}+ ${r.type}  ${r.name}`);
            if (Object.keys(r.inputs).length > 0 && !r.type.startsWith("gitops:")) out.push(indent(YAML.stringify(r.inputs), `${pad}    `));
            if (r.provider) out.push(`${pad}    (provider: ${r.provider})`);
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
                      : `not set: pulumi config set --secret ${s.key} <value> --stack ${plan.stack}`;
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

export interface ResourceChange {
    readonly key: string;
    /** Changed fields: `inputs.<path>`, `parent`, `provider`, `dependsOn`, with the values on each side. */
    readonly changes: readonly { readonly path: string; readonly before: unknown; readonly after: unknown }[];
}

export interface PlanDiff {
    readonly stack: string;
    readonly ref: string;
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly ResourceChange[];
}

function flatten(v: unknown, prefix: string, into: Map<string, unknown>): void {
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) {
        for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, into);
    } else if (Array.isArray(v) && v.length > 0) {
        v.forEach((x, i) => flatten(x, `${prefix}[${i}]`, into));
    } else {
        into.set(prefix, v);
    }
}

export function diffPlans(stack: string, ref: string, before: StackPlan | undefined, after: StackPlan): PlanDiff {
    const old = new Map((before?.resources ?? []).map((r) => [r.key, r]));
    const now = new Map(after.resources.map((r) => [r.key, r]));
    const changed: ResourceChange[] = [];
    for (const [key, r] of now) {
        const o = old.get(key);
        if (!o) continue;
        const a = new Map<string, unknown>();
        const b = new Map<string, unknown>();
        flatten({ inputs: o.inputs, parent: o.parent, provider: o.provider, dependsOn: o.dependsOn }, "", a);
        flatten({ inputs: r.inputs, parent: r.parent, provider: r.provider, dependsOn: r.dependsOn }, "", b);
        const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
        const changes = paths.filter((p) => JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p))).map((p) => ({ path: p, before: a.get(p), after: b.get(p) }));
        if (changes.length > 0) changed.push({ key, changes });
    }
    return {
        stack,
        ref,
        added: [...now.keys()].filter((k) => !old.has(k)).sort(),
        removed: [...old.keys()].filter((k) => !now.has(k)).sort(),
        changed,
    };
}

export function renderDiff(d: PlanDiff): string {
    const out = [`Plan diff for stack ${d.stack}: ${d.ref} -> working tree: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed`];
    for (const k of d.added) out.push(`  + ${k}`);
    for (const k of d.removed) out.push(`  - ${k}`);
    for (const c of d.changed) {
        out.push(`  ~ ${c.key}`);
        for (const x of c.changes) out.push(`      ${x.path}: ${JSON.stringify(x.before) ?? "(none)"} -> ${JSON.stringify(x.after) ?? "(none)"}`);
    }
    return out.join("\n") + "\n";
}

/** A checkout of `ref` in a temporary folder, sharing this checkout's node_modules. */
function checkout(root: string, ref: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), "gitops-plan-"));
    const archive = spawnSync("git", ["archive", "--format=tar", ref], { cwd: root, maxBuffer: 512 * 1024 * 1024 });
    if (archive.status !== 0) throw new PlanError(`git archive ${ref} failed: ${archive.stderr.toString().trim()}`);
    const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`extracting ${ref} failed: ${untar.stderr.toString()}`);
    if (!existsSync(path.join(dir, "node_modules"))) symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
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
    const secretsFile = option("--secrets");
    const json = flag("--json");
    const graph = flag("--graph");
    const all = flag("--all");
    const stacks = all ? listStacks(path.join(root, "stacks")) : args;
    if (stacks.length === 0 || args.some((a) => a.startsWith("--")) || ref === "" || secretsFile === "") {
        console.error("usage: npm run plan -- <stack...> | --all  [--json] [--graph] [--diff <git-ref>] [--root <dir>] [--secrets <file>]");
        return 2;
    }
    try {
        const plans = stacks.map((s) => planStack(s, root, secretsFile));
        if (ref !== undefined) {
            const dir = checkout(root, ref);
            try {
                const before = (s: string) => (listStacks(path.join(dir, "stacks")).includes(s) ? planStack(s, dir) : undefined);
                const diffs = plans.map((p) => diffPlans(p.stack, ref, before(p.stack), p));
                process.stdout.write(json ? JSON.stringify(diffs.length === 1 ? diffs[0] : diffs, null, 2) + "\n" : diffs.map(renderDiff).join("\n"));
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
            return 0;
        }
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
        if (e instanceof PlanError) {
            console.error(e.message);
            return 1;
        }
        throw e;
    }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
