import * as pulumi from "@pulumi/pulumi";

/**
 * The caller's `dependsOn`, to forward to a component's children. The engine orders a resource after
 * its own dependencies; a component's dependsOn doesn't hold back its children's creates by itself.
 */
export function forwardedDependsOn(opts: pulumi.ComponentResourceOptions | undefined, ...more: pulumi.Resource[]): pulumi.Resource[] {
    const d = opts?.dependsOn;
    const given = d === undefined ? [] : Array.isArray(d) ? d : [d];
    for (const r of given) {
        if (!pulumi.Resource.isInstance(r)) throw new Error("dependsOn must list resources directly, not Outputs or Promises of them");
    }
    return [...(given as pulumi.Resource[]), ...more];
}
