// A fleet stack: the Flux extension and configurations assigned by Azure Policy at one scope, for every
// AKS or Arc cluster in it, now and later (components/fleet.ts). Nothing reaches a cluster's API.
import * as pulumi from "@pulumi/pulumi";
import { describeScope, FleetPolicy } from "../components/fleet.ts";
import { fleetPolicyArgs, type FleetStackConfig } from "./config.ts";

export interface FleetOutputs {
    readonly ownerStack: string;
    /** `fleet`: what a stack reading this one finds in place of a cluster kind. */
    readonly clusterKind: "fleet";
    readonly fleetScope: string;
    readonly fleetScopeId: pulumi.Output<string>;
    /** Assignment IDs: the extension's and each configuration's by name. */
    readonly policyAssignments: pulumi.Output<Record<string, string>>;
    /** Each assignment's identity, which its role assignments name. */
    readonly policyPrincipals: pulumi.Output<Record<string, string>>;
}

export function createFleet(c: FleetStackConfig): FleetOutputs {
    const fleet = new FleetPolicy(c.stack, fleetPolicyArgs(c.fleet, c.scope));
    const all = { extension: fleet.extension, ...fleet.configurations };
    return {
        ownerStack: c.self.qualified,
        clusterKind: "fleet",
        fleetScope: describeScope(c.scope),
        fleetScopeId: fleet.scopeId,
        policyAssignments: pulumi.output(Object.fromEntries(Object.entries(all).map(([n, a]) => [n, a.assignment.id]))),
        policyPrincipals: pulumi.output(Object.fromEntries(Object.entries(all).map(([n, a]) => [n, a.assignment.identity.apply((i) => i?.principalId ?? "")]))),
    };
}
