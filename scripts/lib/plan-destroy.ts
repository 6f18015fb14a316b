// `npm run plan -- <stack> --destroy`: the order `pulumi destroy` deletes a stack in, worked out from the
// offline plan's graph. Pulumi deletes a resource only once everything that depends on it is gone: what
// lists it in dependsOn, its children, what uses it as provider, and what is deleted with it. Each step
// gets the typical time of its type (the table scripts/estimate-makespan.ts uses for creates; deletes are
// of the same order, except an extension whose delete job can't run, see docs/teardown.md). A resource
// whose `deletedWith` target goes in the same destroy is skipped: Pulumi never calls its delete.
import { duration, typicalSeconds, TYPICAL_CREATE_SECONDS, type DurationTable } from "../estimate-makespan.ts";
import type { PlannedResource, StackPlan } from "./plan-model.ts";
import { TYPES } from "./resource-types.ts";

/** What the order needs of a resource: PlannedResource has all of it. */
export type DestroyResource = Pick<PlannedResource, "key" | "type" | "parent" | "provider" | "dependsOn" | "deletedWith" | "protect" | "retainOnDelete">;

export interface DestroyStep {
    readonly key: string;
    readonly type: string;
    /** Seconds from the start of `pulumi destroy`, with unlimited parallelism. */
    readonly start: number;
    readonly finish: number;
}

/** A resource whose delete Pulumi skips, because the resource it is deleted with goes too. */
export interface SkippedDelete {
    readonly key: string;
    readonly type: string;
    /** Key of the resource it goes with. */
    readonly with: string;
}

export interface DestroyPlan {
    readonly stack: string;
    /** Estimated seconds until the last delete finishes. */
    readonly seconds: number;
    /** The deletes Pulumi runs, first to last (by start, then finish, then key); components left out. */
    readonly steps: readonly DestroyStep[];
    readonly skipped: readonly SkippedDelete[];
    /** Protected resources: `pulumi destroy` stops in its preview, before deleting anything, until lifted. */
    readonly protected: readonly string[];
    /** Keys of resources with `retainOnDelete`: dropped from the state, left in place. */
    readonly retained: readonly string[];
}


export function destroyOrder(stack: string, resources: readonly DestroyResource[], table: DurationTable = TYPICAL_CREATE_SECONDS): DestroyPlan {
    const byKey = new Map<string, DestroyResource>();
    for (const r of resources) {
        if (byKey.has(r.key)) throw new Error(`duplicate resource ${r.key}`);
        byKey.set(r.key, r);
    }
    const known = (from: string, k: string, what: string) => {
        if (!byKey.has(k)) throw new Error(`${from}: unknown ${what} ${k}`);
        return k;
    };
    // before.get(x): what Pulumi deletes before x, i.e. everything that needs x.
    const before = new Map<string, Set<string>>();
    const needs = (dependent: string, x: string) => (before.get(x) ?? before.set(x, new Set()).get(x)!).add(dependent);
    const hasChildren = new Set<string>();
    for (const r of resources) {
        for (const d of r.dependsOn) if (d !== r.key) needs(r.key, known(r.key, d, "dependency"));
        if (r.parent !== null) {
            needs(r.key, known(r.key, r.parent, "parent"));
            hasChildren.add(r.parent);
        }
        if (r.provider) needs(r.key, known(r.key, r.provider, "provider"));
        if (r.deletedWith !== undefined) needs(r.key, known(r.key, r.deletedWith, "deletedWith target"));
    }
    // A destroy deletes every resource, so every deletedWith target goes too.
    const skipped = (r: DestroyResource) => r.deletedWith !== undefined;
    const isComponent = (r: DestroyResource) => hasChildren.has(r.key) || r.type.startsWith("gitops:");
    // A stack reference is a read: its create takes a moment, its delete only drops it from state. (Providers
    // take no time either way, as the table says.)
    // So is a retained resource (retainOnDelete): the object stays where it is.
    const stateOnly = (r: DestroyResource) => r.type === TYPES.stackReference || r.retainOnDelete === true;
    const seconds = (r: DestroyResource) => (isComponent(r) || skipped(r) || stateOnly(r) ? 0 : typicalSeconds(r.type, table));

    const start = new Map<string, number>();
    const finish = new Map<string, number>();
    const visiting = new Set<string>();
    const visit = (key: string, trail: readonly string[]): number => {
        const done = finish.get(key);
        if (done !== undefined) return done;
        if (visiting.has(key)) throw new Error(`dependency cycle: ${[...trail, key].join(" <- ")}`);
        visiting.add(key);
        let s = 0;
        for (const d of before.get(key) ?? []) s = Math.max(s, visit(d, [...trail, key]));
        visiting.delete(key);
        start.set(key, s);
        finish.set(key, s + seconds(byKey.get(key)!));
        return finish.get(key)!;
    };
    for (const r of resources) visit(r.key, []);

    const steps = resources
        .filter((r) => !isComponent(r) && !skipped(r) && r.retainOnDelete !== true)
        .map((r): DestroyStep => ({ key: r.key, type: r.type, start: start.get(r.key)!, finish: finish.get(r.key)! }))
        .sort((a, b) => a.start - b.start || a.finish - b.finish || a.key.localeCompare(b.key));
    return {
        stack,
        seconds: Math.max(0, ...finish.values()),
        steps,
        skipped: resources
            .filter((r) => !isComponent(r) && skipped(r))
            .map((r): SkippedDelete => ({ key: r.key, type: r.type, with: r.deletedWith! }))
            .sort((a, b) => a.key.localeCompare(b.key)),
        protected: resources.filter((r) => r.protect === true).map((r) => r.key).sort(),
        retained: resources.filter((r) => r.retainOnDelete === true).map((r) => r.key).sort(),
    };
}

export function destroyPlan(plan: StackPlan, table: DurationTable = TYPICAL_CREATE_SECONDS): DestroyPlan {
    return destroyOrder(plan.stack, plan.resources, table);
}

export function renderDestroy(d: DestroyPlan): string {
    const out = [`Destroy order for stack ${d.stack} (pulumi destroy; typical times, not measured; unlimited parallelism)`];
    const width = Math.max(1, ...d.steps.map((s) => `${s.finish}`.length));
    for (const s of d.steps) out.push(`  ${`${s.start}`.padStart(width)} s -> ${`${s.finish}`.padStart(width)} s  ${s.key}`);
    if (d.steps.length === 0) out.push("  (nothing to delete)");
    out.push(`  estimated: ${d.seconds < 60 ? duration(d.seconds) : `${duration(d.seconds)} (${d.seconds} s)`}`);
    if (d.steps.some((s) => s.type === TYPES.extension)) {
        out.push("  the extension's delete runs a job on the cluster: a pool it can't schedule on (a tainted system pool) blocks it, and deletes of 30 minutes or more are reported (docs/teardown.md)");
    }
    out.push(d.skipped.length === 0 ? "  skipped (deletedWith): none" : "  skipped, deleted with the resource named (deletedWith):");
    for (const s of d.skipped) out.push(`    ${s.key}  (with ${s.with})`);
    if (d.retained.length > 0) {
        out.push("  retained (retainOnDelete): dropped from the stack's state, never deleted:");
        for (const r of d.retained) out.push(`    ${r}`);
    }
    if (d.protected.length > 0) {
        out.push("  protected: pulumi destroy stops in its preview, before deleting anything, until the protection is lifted (docs/deploying.md#protected-resources):");
        for (const p of d.protected) out.push(`    ${p}`);
    }
    return out.join("\n") + "\n";
}
