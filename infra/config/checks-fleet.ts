// A fleet stack's config as the FleetPolicy component's arguments, and what the schema can't say about
// it: the scope's shape, and the component's own rules (what the built-in definitions can't express),
// each reported against its key path in the stack file.
import { GITHUB_KNOWN_HOSTS, gitHost } from "../../components/flux.ts";
import { fleetPolicyProblems, type FleetGitAuth, type FleetPolicyArgs, type FleetScope } from "../../components/fleet.ts";
import { key } from "./names.ts";
import type { ParsedFleet, ParsedFleetConfiguration } from "./schema-fleet.ts";

/** The scope the section names; undefined when it names none or an impossible mix (reported by checkFleet). */
export function fleetScope(s: ParsedFleet["scope"]): FleetScope | undefined {
    if (s.managementGroup !== undefined) {
        return s.subscription === undefined && s.resourceGroup === undefined ? { kind: "managementGroup", managementGroupId: s.managementGroup } : undefined;
    }
    if (s.resourceGroup !== undefined) return { kind: "resourceGroup", resourceGroupName: s.resourceGroup, subscriptionId: s.subscription };
    if (s.subscription !== undefined) return { kind: "subscription", subscriptionId: s.subscription };
    return undefined;
}

function fleetAuth(fc: ParsedFleetConfiguration): FleetGitAuth {
    const a = fc.auth;
    switch (a.type) {
        case "none":
            return a;
        case "https":
            return { type: "https", username: a.username, key: { vaultId: a.keyVault.id, secretName: a.keyVault.secretName }, caCertificate: a.caCertificate };
        case "ssh":
            // GitHub's published host keys for github.com, as for a single cluster; any other host must name its own.
            return { type: "ssh", key: { vaultId: a.keyVault.id, secretName: a.keyVault.secretName }, knownHosts: a.knownHosts ?? (gitHost(fc.url) === "github.com" ? GITHUB_KNOWN_HOSTS : []) };
        case "localSecret":
            return a;
    }
}

/** The component's arguments; `scope` must have passed checkFleet. */
export function fleetPolicyArgs(f: ParsedFleet, scope: FleetScope): FleetPolicyArgs {
    return {
        scope,
        location: f.location,
        clusterTypes: f.clusterTypes,
        extension: f.extension,
        configurations: f.configurations.map((fc) => ({ ...fc, auth: fleetAuth(fc) })),
        remediate: f.remediation.enabled,
        resourceDiscoveryMode: f.remediation.resourceDiscoveryMode,
        remediationRound: f.remediation.round,
        enforcementMode: f.enforcementMode,
    };
}

/** Component paths that are named differently in the stack file. */
function configPath(path: readonly (string | number)[]): (string | number)[] {
    const p = [...path];
    if (p[0] === "remediate") return ["remediation", "enabled"];
    if (p[0] === "resourceDiscoveryMode") return ["remediation", "resourceDiscoveryMode"];
    if (p[0] === "remediationRound") return ["remediation", "round"];
    if (p[0] === "configurations" && p[3] === "key") return [...p.slice(0, 3), "keyVault", p[4] === "vaultId" ? "id" : (p[4] as string)];
    return p;
}

export function checkFleet(f: ParsedFleet): string[] {
    const scope = fleetScope(f.scope);
    if (scope === undefined) {
        const given = Object.keys(f.scope);
        return [
            given.length === 0
                ? `${key("fleet", "scope")}: expected managementGroup, subscription or resourceGroup`
                : `${key("fleet", "scope")}: a management group scope names nothing else; set managementGroup alone, or subscription and/or resourceGroup`,
        ];
    }
    return fleetPolicyProblems(fleetPolicyArgs(f, scope)).map((p) => `${key("fleet", ...configPath(p.path))}: ${p.message}`);
}
