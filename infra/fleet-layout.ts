// What must hold between fleet stacks and the other stacks of a project, which no single stack can see:
// one fleet per scope, no cluster both in a fleet's scope and owned by a stack of its own (each would
// manage its Flux extension), and no stack sharing a fleet's "cluster". Only what the stack files say can be checked: which subscription a cluster
// or resource group is in, and which subscriptions a management group holds, are Azure's to know.
import type { FleetScope } from "../components/fleet.ts";
import { describeScope } from "../components/fleet.ts";
import type { StackConfig } from "./config.ts";

/** A scope as ARM compares it: case-insensitive, a resource group's subscription unknown when not named. */
function scopeKey(s: FleetScope): string {
    switch (s.kind) {
        case "managementGroup":
            return `mg/${s.managementGroupId}`.toLowerCase();
        case "subscription":
            return `sub/${s.subscriptionId}`.toLowerCase();
        case "resourceGroup":
            return `rg/${s.subscriptionId ?? "(deploying subscription)"}/${s.resourceGroupName}`.toLowerCase();
    }
}

export function fleetLayoutProblems(configs: readonly StackConfig[]): string[] {
    const problems: string[] = [];
    const fleets = configs.filter((c) => c.kind === "fleet");
    const byScope = new Map<string, { scope: FleetScope; stacks: string[] }>();
    for (const f of fleets) {
        const k = scopeKey(f.scope);
        byScope.set(k, { scope: byScope.get(k)?.scope ?? f.scope, stacks: [...(byScope.get(k)?.stacks ?? []), f.stack] });
    }
    for (const { scope, stacks } of byScope.values()) {
        if (stacks.length > 1) problems.push(`the Flux policy assignments at ${describeScope(scope)}: claimed by stacks ${stacks.join(", ")}; exactly one fleet stack may assign Flux there`);
    }
    // A resource group that names its subscription is inside a fleet at that subscription.
    for (const inner of fleets) {
        if (inner.scope.kind !== "resourceGroup" || inner.scope.subscriptionId === undefined) continue;
        const sub = inner.scope.subscriptionId.toLowerCase();
        for (const outer of fleets) {
            if (outer.scope.kind === "subscription" && outer.scope.subscriptionId.toLowerCase() === sub) {
                problems.push(`stack ${inner.stack}: its scope (${describeScope(inner.scope)}) is inside the scope of fleet stack ${outer.stack} (${describeScope(outer.scope)}); both would assign Flux to the same clusters`);
            }
        }
    }
    for (const c of configs) {
        if (c.kind === "shared" && fleets.some((f) => f.stack === c.clusterStack.short)) {
            problems.push(`stack ${c.stack}: cluster.stack names fleet stack ${c.clusterStack.short}, which owns no cluster to share; name a stack with a cluster of its own`);
        }
    }
    for (const f of fleets) {
        if (f.scope.kind !== "resourceGroup") continue;
        const rg = f.scope.resourceGroupName.toLowerCase();
        for (const c of configs) {
            if (c.kind !== "owner") continue;
            const type = c.cluster.mode === "arc" ? "connectedClusters" : "managedClusters";
            const group = (c.cluster.mode === "aks" ? undefined : c.cluster.resourceGroup) ?? c.azure.resourceGroup;
            if (group.toLowerCase() !== rg || !f.fleet.clusterTypes.includes(type)) continue;
            problems.push(
                `stack ${c.stack}: its cluster ${group}/${c.cluster.name} is in the scope of fleet stack ${f.stack} (${describeScope(f.scope)}); ` +
                    `both would manage its Flux extension: move the cluster, or leave ${type} out of ${f.stack}'s fleet.clusterTypes`,
            );
        }
    }
    return problems;
}
