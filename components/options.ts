import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { Problem } from "./problems.ts";

/**
 * The caller's `dependsOn`, to forward to a component's children, so that each child carries the edge
 * itself: the delete order and the offline plan's graph see it on the resource that needs it.
 */
export function forwardedDependsOn(opts: pulumi.ComponentResourceOptions | undefined, ...more: pulumi.Resource[]): pulumi.Resource[] {
    const d = opts?.dependsOn;
    const given = d === undefined ? [] : Array.isArray(d) ? d : [d];
    for (const r of given) {
        if (!pulumi.Resource.isInstance(r)) throw new Error("dependsOn must list resources directly, not Outputs or Promises of them");
    }
    return [...(given as pulumi.Resource[]), ...more];
}

/**
 * The component's own options without the caller's `dependsOn`, for a component whose `dependsOn`
 * concerns only some of its children. The SDK registers a component only once its dependsOn exist, and a
 * child only once its parent is registered, so a component registered with the caller's dependsOn holds
 * back every child. Registered without it, the other children start at once; the ones it concerns get
 * it through forwardedDependsOn.
 */
export function withoutDependsOn(opts: pulumi.ComponentResourceOptions | undefined): pulumi.ComponentResourceOptions | undefined {
    return opts === undefined ? undefined : { ...opts, dependsOn: undefined };
}

/**
 * Why a component that creates Kubernetes objects can't: no Kubernetes provider in its options (its own
 * `provider`, one in `providers`, or its parent's). Without one, its objects would go to whatever cluster
 * the local kubeconfig names, never the cluster the program means.
 */
export function kubernetesProviderProblems(opts: pulumi.ComponentResourceOptions | undefined): Problem[] {
    const given = [opts?.provider, ...(Array.isArray(opts?.providers) ? opts.providers : Object.values(opts?.providers ?? {}))];
    if (given.some((p) => k8s.Provider.isInstance(p))) return [];
    if (opts?.parent?.getProvider("kubernetes::") !== undefined) return [];
    return [{ path: ["opts", "provider"], message: "expected a Kubernetes provider (opts.provider or opts.providers): the cluster's, e.g. Cluster.provider" }];
}
