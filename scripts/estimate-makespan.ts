// npm run estimate-makespan -- <stack...> | --all   [--json]
//
// How long a first `pulumi up` of a stack takes at best, estimated from the offline plan's dependency
// graph (scripts/plan.ts) and typical create times per resource type: the makespan (critical path) of a
// schedule in which every resource starts as soon as everything it waits for is done, with unlimited
// parallelism. Compared with the unavoidable chain (resource group -> cluster -> flux extension ->
// longest chain of Flux configurations), which no dependency graph can beat. A deterministic estimate:
// nothing is deployed or timed.
import * as path from "node:path";
import { parseCommandLine, stackNameProblem } from "./lib/cli.ts";
import type { StackPlan } from "./lib/plan-model.ts";
import { TYPES } from "./lib/resource-types.ts";

/**
 * Typical create times in seconds, by exact type, then by the longest matching type prefix, then the
 * default. These are typical figures from experience with these resource types, not measured here; the
 * estimate is only as good as they are. Components (a resource with children, or a `gitops:` type)
 * always take 0.
 */
export const TYPICAL_CREATE_SECONDS: DurationTable = {
    byType: {
        [TYPES.managedCluster]: 6 * 60,
        [TYPES.extension]: 3 * 60,
        [TYPES.fluxConfiguration]: 90,
        [TYPES.helmRelease]: 40,
        // A read of another stack's outputs.
        [TYPES.stackReference]: 1,
    },
    byPrefix: {
        // Providers are configured, not created; they still wait for what they depend on.
        "pulumi:providers:": 0,
        // Plain Kubernetes objects: one API call each.
        "kubernetes:": 2,
        // Generated locally.
        "tls:": 1,
    },
    // Everything else: Azure, Entra ID and GitHub objects created by one API call.
    default: 5,
};

export interface DurationTable {
    readonly byType: Readonly<Record<string, number>>;
    readonly byPrefix: Readonly<Record<string, number>>;
    readonly default: number;
}

/** What the estimate needs of a resource: PlannedResource has all of it. */
export interface GraphResource {
    /** `type::name`, unique in the graph. */
    readonly key: string;
    readonly type: string;
    /** Key of the parent component, or null at stack level. */
    readonly parent: string | null;
    /** Keys this resource waits for; a component's key means all of that component's descendants. */
    readonly dependsOn: readonly string[];
    /** Key of its explicit provider, if any: a resource waits for its provider too. */
    readonly provider?: string | null;
}

export interface Scheduled {
    readonly key: string;
    readonly type: string;
    readonly component: boolean;
    /** Seconds from the start of `pulumi up`. */
    readonly start: number;
    readonly finish: number;
}

export interface PathStep {
    readonly key: string;
    readonly type: string;
    readonly start: number;
    readonly finish: number;
    /** When this step waited for the previous one through a dependency on a component: that component. */
    readonly via?: string;
}

export interface Schedule {
    readonly makespan: number;
    readonly resources: ReadonlyMap<string, Scheduled>;
    /** The resources the makespan runs through, first to last (components resolved to their descendants). */
    readonly criticalPath: readonly PathStep[];
}

export function typicalSeconds(type: string, table: DurationTable = TYPICAL_CREATE_SECONDS): number {
    if (type in table.byType) return table.byType[type];
    const prefix = Object.keys(table.byPrefix)
        .filter((p) => type.startsWith(p))
        .sort((a, b) => b.length - a.length)[0];
    return prefix !== undefined ? table.byPrefix[prefix] : table.default;
}

/**
 * The earliest-start schedule of a graph with unlimited parallelism. A resource starts when everything
 * it depends on (and its provider) has finished, and takes its typical time. A component takes 0: it
 * starts when its own dependencies have finished and finishes when it and all its descendants have, so
 * depending on a component means waiting for its whole subtree. A resource does not wait for its
 * parent's dependencies unless the graph says so; a dependency on one of its own ancestors means only
 * that ancestor's start (its registration), never its subtree, which includes the resource itself.
 */
export function computeSchedule(resources: readonly GraphResource[], table: DurationTable = TYPICAL_CREATE_SECONDS): Schedule {
    const byKey = new Map<string, GraphResource>();
    for (const r of resources) {
        if (byKey.has(r.key)) throw new Error(`duplicate resource ${r.key}`);
        byKey.set(r.key, r);
    }
    const children = new Map<string, GraphResource[]>();
    for (const r of resources) {
        if (r.parent === null) continue;
        if (!byKey.has(r.parent)) throw new Error(`${r.key}: unknown parent ${r.parent}`);
        children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    }
    const isComponent = (r: GraphResource) => children.has(r.key) || r.type.startsWith("gitops:");
    const ancestors = (r: GraphResource): Set<string> => {
        const out = new Set<string>();
        for (let p = r.parent; p !== null; p = byKey.get(p)!.parent) {
            if (out.has(p)) throw new Error(`${r.key}: parent cycle through ${p}`);
            out.add(p);
        }
        return out;
    };
    /** What a resource waits for before it starts, and whether only the start of each is meant. */
    const prerequisites = (r: GraphResource): { key: string; startOnly: boolean }[] => {
        const up = ancestors(r);
        const keys = [...new Set([...r.dependsOn, ...(r.provider ? [r.provider] : [])])];
        return keys.map((k) => {
            if (!byKey.has(k)) throw new Error(`${r.key} depends on unknown resource ${k}`);
            if (k === r.key) throw new Error(`${r.key} depends on itself`);
            return { key: k, startOnly: up.has(k) };
        });
    };

    const start = new Map<string, number>();
    const finish = new Map<string, number>();
    const visiting = new Set<string>();
    const visitStart = (key: string, trail: string[]): number => {
        const known = start.get(key);
        if (known !== undefined) return known;
        if (visiting.has(key)) throw new Error(`dependency cycle: ${[...trail, key].join(" -> ")}`);
        visiting.add(key);
        const r = byKey.get(key)!;
        let s = 0;
        for (const p of prerequisites(r)) s = Math.max(s, p.startOnly ? visitStart(p.key, [...trail, key]) : visitFinish(p.key, [...trail, key]));
        visiting.delete(key);
        start.set(key, s);
        return s;
    };
    const visitFinish = (key: string, trail: string[]): number => {
        const known = finish.get(key);
        if (known !== undefined) return known;
        const r = byKey.get(key)!;
        let f = visitStart(key, trail);
        if (isComponent(r)) {
            if (visiting.has(`subtree:${key}`)) throw new Error(`dependency cycle: ${[...trail, key].join(" -> ")}`);
            visiting.add(`subtree:${key}`);
            for (const c of children.get(key) ?? []) f = Math.max(f, visitFinish(c.key, [...trail, key]));
            visiting.delete(`subtree:${key}`);
        } else {
            f += typicalSeconds(r.type, table);
        }
        finish.set(key, f);
        return f;
    };

    const scheduled = new Map<string, Scheduled>();
    for (const r of resources) {
        const f = visitFinish(r.key, []);
        scheduled.set(r.key, { key: r.key, type: r.type, component: isComponent(r), start: start.get(r.key)!, finish: f });
    }
    const makespan = Math.max(0, ...[...scheduled.values()].map((s) => s.finish));

    // Walk back from the last resource to finish: each step's start is the finish of one prerequisite
    // (a component resolved to the descendant that finishes last). Ties go to the earlier key.
    const byOrder = (a: string, b: string) => a.localeCompare(b);
    /** The non-component resource that makes `key` finish when it does (key itself for a resource). */
    const lastIn = (key: string): string => {
        const s = scheduled.get(key)!;
        if (!s.component) return key;
        const kid = (children.get(key) ?? []).map((c) => c.key).sort(byOrder).find((c) => scheduled.get(c)!.finish === s.finish);
        if (kid !== undefined) return lastIn(kid);
        // Finishes at its own start: what it waited for.
        return culprit(key)?.key ?? key;
    };
    /** The prerequisite that determines `key`'s start, resolved to a non-component resource. */
    const culprit = (key: string): { key: string; via?: string } | undefined => {
        const s = scheduled.get(key)!;
        if (s.start === 0) return undefined;
        const p = prerequisites(byKey.get(key)!)
            .sort((a, b) => byOrder(a.key, b.key))
            .find((q) => (q.startOnly ? scheduled.get(q.key)!.start : scheduled.get(q.key)!.finish) === s.start);
        if (p === undefined) return undefined;
        if (p.startOnly) return culprit(p.key);
        const last = lastIn(p.key);
        return scheduled.get(p.key)!.component ? { key: last, via: p.key } : { key: last };
    };
    const path: PathStep[] = [];
    const end = [...scheduled.values()].filter((s) => s.finish === makespan).map((s) => s.key).sort(byOrder)[0];
    let key: string | undefined = end === undefined ? undefined : lastIn(end);
    while (key !== undefined) {
        const s = scheduled.get(key)!;
        const before = culprit(key);
        path.unshift({ key: s.key, type: s.type, start: s.start, finish: s.finish, ...(before?.via ? { via: before.via } : {}) });
        key = before?.key;
    }
    // A graph in which nothing takes time has no critical path.
    return { makespan, resources: scheduled, criticalPath: makespan === 0 ? [] : path };
}

export interface ChainStep {
    readonly key: string;
    readonly type: string;
    readonly seconds: number;
}

export interface Chain {
    readonly seconds: number;
    readonly steps: readonly ChainStep[];
}

const { resourceGroup: RESOURCE_GROUP, managedCluster: MANAGED_CLUSTER, extension: EXTENSION, fluxConfiguration: FLUX_CONFIGURATION, helmRelease: HELM_RELEASE } = TYPES;

/**
 * The chain no dependency graph can shorten, because Azure itself orders it: the resource group (if the
 * stack creates one), then the AKS cluster (if the stack creates one), then the longer of two: the
 * microsoft.flux extension followed by the longest chain of Flux configurations that wait for one
 * another (the graph decides which can run side by side) and a Helm release the design orders after them
 * (the connector on a cluster the stack doesn't delete, so that destroy removes it before the
 * configurations: docs/teardown.md); or every extension of the cluster, one after another, as ARM runs
 * them. The physical stages count even when the graph forgets an edge between them: a makespan below the
 * chain means the graph is missing a required ordering.
 */
export function unavoidableChain(resources: readonly GraphResource[], table: DurationTable = TYPICAL_CREATE_SECONDS): Chain {
    const first = (type: string) => resources.filter((r) => r.type === type).map((r) => r.key).sort()[0];
    const prefix: ChainStep[] = [];
    for (const type of [RESOURCE_GROUP, MANAGED_CLUSTER]) {
        const key = first(type);
        if (key !== undefined) prefix.push({ key, type, seconds: typicalSeconds(type, table) });
    }
    // The Flux component's extension first; others (monitoring, the Key Vault provider) after it.
    const isFlux = (r: GraphResource) => r.parent?.startsWith("gitops:flux:Flux::") === true;
    const extensions = resources.filter((r) => r.type === EXTENSION).sort((a, b) => Number(isFlux(b)) - Number(isFlux(a)) || a.key.localeCompare(b.key)).map((r) => r.key);
    const viaFlux: ChainStep[] = [...prefix];
    if (extensions.length > 0) viaFlux.push({ key: extensions[0], type: EXTENSION, seconds: typicalSeconds(EXTENSION, table) });
    // The longest chain of Flux configurations: the schedule of the same graph in which nothing but a
    // Flux configuration takes time.
    const fluxOnly: DurationTable = {
        byType: { [FLUX_CONFIGURATION]: typicalSeconds(FLUX_CONFIGURATION, table), [HELM_RELEASE]: typicalSeconds(HELM_RELEASE, table) },
        byPrefix: {},
        default: 0,
    };
    const flux = computeSchedule(resources, fluxOnly);
    let afterConfiguration = false;
    for (const s of flux.criticalPath) {
        // A release counts only behind a configuration: one beside them runs in parallel with the chain.
        const counts = s.type === FLUX_CONFIGURATION || (s.type === HELM_RELEASE && afterConfiguration);
        if (s.type === FLUX_CONFIGURATION) afterConfiguration = true;
        if (counts) viaFlux.push({ key: s.key, type: s.type, seconds: s.finish - s.start });
    }
    // ARM runs one extension operation at a time on a cluster ("another operation is in progress",
    // Azure/AKS-Construction#385): a cluster with several extensions waits for all of them in turn.
    const viaExtensions: ChainStep[] = [...prefix, ...extensions.map((key) => ({ key, type: EXTENSION, seconds: typicalSeconds(EXTENSION, table) }))];
    const total = (c: readonly ChainStep[]) => c.reduce((t, x) => t + x.seconds, 0);
    const steps = total(viaExtensions) > total(viaFlux) ? viaExtensions : viaFlux;
    return { seconds: total(steps), steps };
}

export interface Estimate {
    readonly stack: string;
    /** Seconds. */
    readonly makespan: number;
    readonly chain: Chain;
    /** makespan / chain; null when the stack has no chain (it creates no cluster, extension or configuration). */
    readonly ratio: number | null;
    readonly criticalPath: readonly PathStep[];
}

export function estimate(stack: string, resources: readonly GraphResource[], table: DurationTable = TYPICAL_CREATE_SECONDS): Estimate {
    const schedule = computeSchedule(resources, table);
    const chain = unavoidableChain(resources, table);
    return {
        stack,
        makespan: schedule.makespan,
        chain,
        ratio: chain.seconds > 0 ? schedule.makespan / chain.seconds : null,
        criticalPath: schedule.criticalPath,
    };
}

export function estimatePlan(plan: StackPlan, table: DurationTable = TYPICAL_CREATE_SECONDS): Estimate {
    return estimate(plan.stack, plan.resources, table);
}

// ---------------------------------------------------------------------------------------------
// Text.
// ---------------------------------------------------------------------------------------------

export function duration(seconds: number): string {
    const s = Math.round(seconds * 10) / 10;
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60);
    const rest = Math.round((s - m * 60) * 10) / 10;
    return rest === 0 ? `${m} min` : `${m} min ${rest} s`;
}

export function renderCriticalPath(path: readonly PathStep[]): string {
    const width = Math.max(0, ...path.map((p) => `${p.finish}`.length));
    return path
        .map((p) => `  ${`${p.start}`.padStart(width)} s -> ${`${p.finish}`.padStart(width)} s  ${p.key}${p.via ? `  (waits for ${p.via})` : ""}`)
        .join("\n");
}

export function renderEstimate(e: Estimate): string {
    const out = [`Estimated pulumi up for stack ${e.stack} (typical create times, not measured; unlimited parallelism)`];
    const both = (seconds: number) => (seconds < 60 ? duration(seconds) : `${duration(seconds)} (${seconds} s)`);
    out.push(`  makespan:          ${both(e.makespan)}`);
    if (e.chain.steps.length === 0) {
        out.push("  unavoidable chain: none (the stack creates no resource group, cluster, extension or Flux configuration)");
    } else {
        out.push(`  unavoidable chain: ${both(e.chain.seconds)}: ${e.chain.steps.map((s) => `${s.type.split(":").pop()} ${s.key.split("::").slice(1).join("::")} ${s.seconds} s`).join(" -> ")}`);
    }
    out.push(`  ratio:             ${e.ratio === null ? "n/a" : `${e.ratio.toFixed(3)}x`}`);
    if (e.ratio !== null && e.ratio < 1) out.push("  (below 1: the graph lets part of the chain run in parallel, which Azure would not; an ordering is missing)");
    out.push("  critical path (start -> finish):");
    out.push(e.criticalPath.length === 0 ? "    (nothing takes time)" : renderCriticalPath(e.criticalPath).replace(/^/gm, "  "));
    return out.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// CLI.
// ---------------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<number> {
    // Loaded here, not at the top: the estimate itself needs none of the program's modules.
    const { listStacks } = await import("../infra/stack-files.ts");
    const { PlanError, planStack } = await import("./lib/plan-run.ts");
    const line = parseCommandLine(argv, { json: "boolean", all: "boolean" });
    const stacks = !line ? [] : line.values.all ? listStacks(path.join(__dirname, "..", "stacks")) : line.positionals;
    if (stacks.length === 0) {
        console.error("usage: npm run estimate-makespan -- <stack...> | --all  [--json]");
        return 2;
    }
    // A stack name becomes part of a file path: only plain names, before anything is planned.
    const badName = stacks.map(stackNameProblem).find((p) => p !== undefined);
    if (badName !== undefined) {
        console.error(badName);
        return 2;
    }
    const json = line?.values.json;
    try {
        const estimates = stacks.map((s) => estimatePlan(planStack(s)));
        process.stdout.write(json ? JSON.stringify(estimates.length === 1 ? estimates[0] : estimates, null, 2) + "\n" : estimates.map(renderEstimate).join("\n"));
        return 0;
    } catch (e) {
        if (e instanceof PlanError) {
            console.error(e.message);
            return 1;
        }
        throw e;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (e) => {
            process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
            process.exitCode = 1;
        },
    );
}
