// npm run estimate-makespan: the critical path of `pulumi up` over the offline plan's dependency graph,
// with typical create times. Exact numbers on hand-made graphs, then the target on the shipped
// dev and edge stacks: an estimated makespan within 5% of the unavoidable chain.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
    computeSchedule,
    estimatePlan,
    renderCriticalPath,
    typicalSeconds,
    unavoidableChain,
    type DurationTable,
    type GraphResource,
} from "../scripts/estimate-makespan.ts";

const RG = "azure-native:resources:ResourceGroup";
const AKS = "azure-native:containerservice:ManagedCluster";
const EXT = "azure-native:kubernetesconfiguration:Extension";
const FC = "azure-native:kubernetesconfiguration:FluxConfiguration";
const HELM = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
const K8S = "pulumi:providers:kubernetes";
const COMPONENT = "gitops:test:Thing";

/** A resource of a hand-made graph: the key is `type::name`. */
function r(type: string, name: string, dependsOn: string[] = [], more: { parent?: string; provider?: string } = {}): GraphResource {
    return { key: `${type}::${name}`, type, parent: more.parent ?? null, dependsOn, provider: more.provider ?? null };
}
const k = (type: string, name: string) => `${type}::${name}`;

// Round numbers, so every expected figure can be checked by hand.
const TABLE: DurationTable = {
    byType: { [AKS]: 300, [EXT]: 100, [FC]: 50, [HELM]: 20 },
    byPrefix: { "pulumi:providers:": 0, "kubernetes:": 2 },
    default: 5,
};

test("typical times: exact type, then longest prefix, then the default", () => {
    assert.equal(typicalSeconds(AKS), 360);
    assert.equal(typicalSeconds(EXT), 180);
    assert.equal(typicalSeconds(FC), 90);
    assert.equal(typicalSeconds(HELM), 40);
    assert.equal(typicalSeconds(SECRET), 2);
    assert.equal(typicalSeconds(K8S), 0);
    assert.equal(typicalSeconds(RG), 5);
    assert.equal(typicalSeconds("github:index/actionsSecret:ActionsSecret"), 5);
});

test("a chain and a parallel branch: the makespan is the longest path", () => {
    const s = computeSchedule(
        [
            r(RG, "rg"),
            r(AKS, "aks", [k(RG, "rg")]),
            r("github:index/actionsSecret:ActionsSecret", "name", [k(RG, "rg")]),
            r(EXT, "ext", [k(AKS, "aks")]),
        ],
        TABLE,
    );
    assert.equal(s.makespan, 405);
    assert.deepEqual(
        s.criticalPath.map((p) => [p.key, p.start, p.finish]),
        [
            [k(RG, "rg"), 0, 5],
            [k(AKS, "aks"), 5, 305],
            [k(EXT, "ext"), 305, 405],
        ],
    );
    assert.deepEqual(s.resources.get("github:index/actionsSecret:ActionsSecret::name"), {
        key: "github:index/actionsSecret:ActionsSecret::name",
        type: "github:index/actionsSecret:ActionsSecret",
        component: false,
        start: 5,
        finish: 10,
    });
});

test("depending on a component waits for its whole subtree; the component itself takes 0", () => {
    const flux = k(COMPONENT, "flux");
    const s = computeSchedule(
        [
            r(EXT, "ext"),
            r(COMPONENT, "flux"),
            // The slow child finishes last; the quick one doesn't matter.
            r(FC, "config", [k(EXT, "ext")], { parent: flux }),
            r(SECRET, "quick", [], { parent: flux }),
            // Waits for the component: that is, for the configuration.
            r(HELM, "release", [flux]),
        ],
        TABLE,
    );
    assert.equal(s.resources.get(flux)!.component, true);
    assert.equal(s.resources.get(flux)!.start, 0);
    assert.equal(s.resources.get(flux)!.finish, 150);
    assert.equal(s.resources.get(k(SECRET, "quick"))!.finish, 2);
    assert.equal(s.resources.get(k(HELM, "release"))!.start, 150);
    assert.equal(s.makespan, 170);
    assert.deepEqual(
        s.criticalPath.map((p) => [p.key, p.start, p.finish, p.via]),
        [
            [k(EXT, "ext"), 0, 100, undefined],
            [k(FC, "config"), 100, 150, undefined],
            [k(HELM, "release"), 150, 170, flux],
        ],
    );
});

test("a component's own dependencies hold back dependents of the component, not its children", () => {
    const c = k(COMPONENT, "c");
    const s = computeSchedule(
        [
            r(AKS, "aks"),
            r(COMPONENT, "c", [k(AKS, "aks")]),
            // No edge of its own to the cluster: it starts at once.
            r(SECRET, "child", [], { parent: c }),
            // An edge to its own parent is no cycle: it means the parent's registration, which waits
            // for the parent's dependencies.
            r(SECRET, "child-on-parent", [c], { parent: c }),
            r(HELM, "after", [c]),
        ],
        TABLE,
    );
    assert.equal(s.resources.get(k(SECRET, "child"))!.start, 0);
    assert.equal(s.resources.get(k(SECRET, "child-on-parent"))!.start, 300);
    assert.equal(s.resources.get(c)!.finish, 302);
    assert.equal(s.resources.get(k(HELM, "after"))!.start, 302);
    assert.equal(s.makespan, 322);
});

test("a provider takes 0 but waits for its dependencies, and its resources wait for it", () => {
    const provider = k(K8S, "k8s");
    const s = computeSchedule(
        [
            r(AKS, "aks"),
            r(K8S, "k8s", [k(AKS, "aks")]),
            // No dependsOn of its own: only its provider orders it after the cluster.
            r(SECRET, "pat", [], { provider }),
            r(HELM, "release", [k(SECRET, "pat")], { provider }),
        ],
        TABLE,
    );
    assert.deepEqual([s.resources.get(provider)!.start, s.resources.get(provider)!.finish], [300, 300]);
    assert.equal(s.makespan, 322);
    assert.deepEqual(
        s.criticalPath.map((p) => [p.key, p.start, p.finish]),
        [
            [k(AKS, "aks"), 0, 300],
            [provider, 300, 300],
            [k(SECRET, "pat"), 300, 302],
            [k(HELM, "release"), 302, 322],
        ],
    );
});

test("an empty graph takes 0; a cycle or an unknown dependency is an error", () => {
    assert.deepEqual(computeSchedule([], TABLE).makespan, 0);
    assert.deepEqual(computeSchedule([], TABLE).criticalPath, []);
    assert.throws(() => computeSchedule([r(SECRET, "a", [k(SECRET, "b")]), r(SECRET, "b", [k(SECRET, "a")])], TABLE), /dependency cycle/);
    assert.throws(() => computeSchedule([r(SECRET, "a", [k(SECRET, "missing")])], TABLE), /unknown resource/);
});

test("the unavoidable chain: resource group, cluster, extension, then the longest chain of Flux configurations, or every extension in turn", () => {
    const apps = k(COMPONENT, "apps");
    const graph = [
        r(RG, "rg"),
        r(AKS, "aks", [k(RG, "rg")]),
        r(EXT, "ext", [k(AKS, "aks")]),
        r(FC, "cluster-config", [k(EXT, "ext")]),
        // Waits for the first configuration through a component: a chain of two.
        r(COMPONENT, "apps"),
        r(SECRET, "apps-secret", [k(FC, "cluster-config")], { parent: apps }),
        r(FC, "apps-config", [apps]),
        // Side by side with the others: not on the chain.
        r(FC, "side", [k(EXT, "ext")]),
    ];
    const chain = unavoidableChain(graph, TABLE);
    assert.equal(chain.seconds, 5 + 300 + 100 + 50 + 50);
    assert.deepEqual(
        chain.steps.map((s) => s.key),
        [k(RG, "rg"), k(AKS, "aks"), k(EXT, "ext"), k(FC, "cluster-config"), k(FC, "apps-config")],
    );
    // The makespan adds the 2 s secret between the two configurations.
    assert.equal(computeSchedule(graph, TABLE).makespan, 507);

    // An Arc stack: no resource group or cluster of its own.
    const arc = unavoidableChain([r(EXT, "ext"), r(FC, "config", [k(EXT, "ext")])], TABLE);
    assert.equal(arc.seconds, 150);
    // Several extensions on one cluster: ARM runs them one at a time, a chain longer than Flux's here.
    const three = unavoidableChain([r("gitops:flux:Flux", "f"), r(EXT, "monitoring"), r(EXT, "flux", [], { parent: k("gitops:flux:Flux", "f") }), r(EXT, "akv"), r(FC, "config", [k(EXT, "flux")])], TABLE);
    assert.equal(three.seconds, 300);
    assert.deepEqual(three.steps.map((s) => s.key), [k(EXT, "flux"), k(EXT, "akv"), k(EXT, "monitoring")]);
    // A stack that creates none of it has no chain.
    assert.deepEqual(unavoidableChain([r(RG.replace("ResourceGroup", "Other"), "x")], TABLE), { seconds: 0, steps: [] });
});

// ---------------------------------------------------------------------------------------------
// The shipped stacks. Loaded lazily: the tests above need none of the program.
// ---------------------------------------------------------------------------------------------

const TARGET = 1.05;

async function shippedEstimate(stack: string) {
    const { planStack } = await import("../scripts/lib/plan-run.ts");
    return estimatePlan(planStack(stack));
}

for (const stack of ["dev", "edge"]) {
    test(`stack ${stack}: the estimated makespan is within ${Math.round((TARGET - 1) * 100)}% of the unavoidable chain, and never below it`, async () => {
        const e = await shippedEstimate(stack);
        const chain = e.chain.steps.map((s) => `${s.key} (${s.seconds} s)`).join(" -> ");
        const detail = `makespan ${e.makespan} s, unavoidable chain ${e.chain.seconds} s: ${chain}\ncritical path:\n${renderCriticalPath(e.criticalPath)}`;
        assert.ok(e.chain.seconds > 0, `stack ${stack} has no unavoidable chain\n${detail}`);
        assert.ok(
            e.makespan >= e.chain.seconds,
            `stack ${stack}: the makespan is below the unavoidable chain, so the graph lets Azure-ordered steps overlap (a required dependency is missing)\n${detail}`,
        );
        assert.ok(
            e.ratio! <= TARGET,
            `stack ${stack}: estimated makespan is ${e.ratio!.toFixed(3)}x the unavoidable chain (target <= ${TARGET})\n${detail}`,
        );
    });
}
