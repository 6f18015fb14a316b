// A stack plan for people: the text `npm run plan` prints, and the dependency graph as Mermaid and DOT.
import YAML from "yaml";
import { setSecretCommand } from "../../infra/config.ts";
import { describeKeyVaultReference } from "../../infra/config/secret-sources.ts";
import { COMPUTED, SECRET, type PlannedResource, type StackPlan } from "./plan-model.ts";

const short = (type: string) => type.split(":").pop()!;

function indent(text: string, by: string): string {
    return text.trimEnd().split("\n").map((l) => by + l).join("\n");
}

/**
 * The resources as a tree, depth first in plan order: `enter` for each resource (depth 0 at stack
 * level) before its children, `leave` after them. The text plan and both graphs nest the same way.
 */
function walkTree(
    resources: readonly PlannedResource[],
    on: { enter(r: PlannedResource, depth: number, hasChildren: boolean): void; leave?(r: PlannedResource, depth: number): void },
): void {
    const children = new Map<string | null, PlannedResource[]>();
    for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const visit = (parent: string | null, depth: number) => {
        for (const r of children.get(parent) ?? []) {
            const kids = children.has(r.key);
            on.enter(r, depth, kids);
            visit(r.key, depth + 1);
            if (kids) on.leave?.(r, depth);
        }
    };
    visit(null, 0);
}

export function renderText(plan: StackPlan): string {
    const out: string[] = [];
    out.push(`Offline plan for stack ${plan.stack}: ${plan.resources.length} resources`);
    out.push(`(no Pulumi CLI, cloud or credentials; secret values print as ${SECRET}, cloud-computed values as ${COMPUTED};`);
    out.push(` stack references assume the organization '${plan.organization}', a local backend's; set --organization for Pulumi Cloud)`);
    out.push("", "Resources");
    const platformFiles = new Set((plan.platformFiles ?? []).map((f) => f.key));
    walkTree(plan.resources, {
        enter(r, depth) {
            const pad = "  ".repeat(depth + 1);
            out.push(`${pad}+ ${r.type}  ${r.name}`);
            // A platform file's text is shown once, under "Platform folder".
            const inputs = platformFiles.has(r.key) ? { ...r.inputs, content: "(see Platform folder below)" } : r.inputs;
            if (Object.keys(inputs).length > 0 && !r.type.startsWith("gitops:")) out.push(indent(YAML.stringify(inputs), `${pad}    `));
            if (r.provider) out.push(`${pad}    (provider: ${r.provider})`);
            if (r.ignoreChanges.length > 0) out.push(`${pad}    (after creation, changes to ${r.ignoreChanges.join(", ")} are left alone)`);
            const deps = r.dependsOn.filter((d) => d !== r.parent);
            if (deps.length > 0) out.push(`${pad}    (after: ${deps.join(", ")})`);
        },
    });

    if (plan.kubernetes.length > 0) {
        out.push("", "Kubernetes objects");
        for (const m of plan.kubernetes) out.push("---", YAML.stringify(m).trimEnd());
    }
    if ((plan.platformFiles ?? []).length > 0) {
        const [first] = plan.platformFiles!;
        out.push("", `Platform folder (delivery git): committed to ${first.repository}, branch ${first.branch}; Flux applies it before the other kustomizations`);
        for (const f of plan.platformFiles!) {
            out.push(`  ${f.file}`);
            out.push(typeof f.content === "string" && f.content !== COMPUTED ? indent(f.content.trimEnd(), "    | ") : `    ${String(f.content)}: it names the platform identity's client ID`);
        }
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
                    : s.status === "keyVault" && s.keyVault
                      ? `${describeKeyVaultReference(s.keyVault)}, read at deploy time`
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
    const pad = (depth: number) => "  ".repeat(depth + 1);
    walkTree(plan.resources, {
        enter: (r, depth, group) => lines.push(group ? `${pad(depth)}subgraph ${ids.get(r.key)}[${label(r)}]` : `${pad(depth)}${ids.get(r.key)}[${label(r)}]`),
        leave: (_, depth) => lines.push(`${pad(depth)}end`),
    });
    for (const [from, to] of edges(plan)) lines.push(`  ${ids.get(from)} --> ${ids.get(to)}`);
    return lines.join("\n") + "\n";
}

export function renderDot(plan: StackPlan): string {
    const ids = nodeIds(plan);
    const lines = [`digraph "${plan.stack}" {`, "  rankdir=LR;", '  node [shape=box, fontsize=10];'];
    const pad = (depth: number) => "  ".repeat(depth + 1);
    walkTree(plan.resources, {
        enter(r, depth, group) {
            const text = `${short(r.type)}\\n${r.name}`;
            const p = pad(depth);
            if (!group) lines.push(`${p}"${ids.get(r.key)}" [label="${text}"];`);
            else lines.push(`${p}subgraph "cluster_${ids.get(r.key)}" {`, `${p}  label="${text}";`, `${p}  "${ids.get(r.key)}" [label="${text}", shape=folder];`);
        },
        leave: (_, depth) => lines.push(`${pad(depth)}}`),
    });
    for (const [from, to] of edges(plan)) lines.push(`  "${ids.get(from)}" -> "${ids.get(to)}";`);
    lines.push("}");
    return lines.join("\n") + "\n";
}
