// The pack's policies, and the policy config that sets their levels and settings per stack: the JSON a
// `pulumi preview --policy-pack-config <file>` takes, `{ "<policy>": "<level>" | { enforcementLevel, … } }`.
import { CREDENTIAL_POLICIES } from "./credentials.ts";
import { FLUX_POLICIES } from "./flux.ts";
import { ENFORCEMENT_LEVELS, type EnforcementLevel, type PolicyDefinition, type PolicySettings } from "./model.ts";
import { PLATFORM_POLICIES } from "./platform.ts";

export const POLICY_PACK_NAME = "gitops-platform";

export const POLICIES: readonly PolicyDefinition[] = [...CREDENTIAL_POLICIES, ...FLUX_POLICIES, ...PLATFORM_POLICIES];

/** Where a stack's policy config lives, relative to the repository root. */
export const policyConfigFile = (stack: string) => `policy/config/${stack}.json`;

export interface ResolvedPolicy {
    readonly policy: PolicyDefinition;
    readonly level: EnforcementLevel;
    readonly settings: PolicySettings;
}

export class PolicyConfigError extends Error {}

const kindOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "string" ? `"${v}"` : `a ${typeof v}`);

/**
 * Each policy with its level and settings: the config's where it sets them, the policy's defaults
 * otherwise. `file` names the config in errors; anything the CLI would not take is refused.
 */
export function resolvePolicies(config: unknown, file: string): ResolvedPolicy[] {
    const entries: Record<string, unknown> = config === undefined ? {} : (config as Record<string, unknown>);
    if (config !== undefined && (config === null || typeof config !== "object" || Array.isArray(config))) {
        throw new PolicyConfigError(`${file}: expected a JSON object of policy names, found ${kindOf(config)}`);
    }
    const problems: string[] = [];
    for (const key of Object.keys(entries)) {
        if (!POLICIES.some((p) => p.name === key)) problems.push(`${key}: not a policy of this pack; expected one of ${POLICIES.map((p) => p.name).join(", ")}`);
    }
    const resolved = POLICIES.map((policy): ResolvedPolicy => {
        const entry = entries[policy.name];
        const given = typeof entry === "string" ? { enforcementLevel: entry } : entry;
        if (given === undefined) return { policy, level: policy.enforcementLevel, settings: {} };
        if (given === null || typeof given !== "object" || Array.isArray(given)) {
            problems.push(`${policy.name}: expected an enforcement level (${ENFORCEMENT_LEVELS.join(", ")}) or an object, found ${kindOf(given)}`);
            return { policy, level: policy.enforcementLevel, settings: {} };
        }
        const { enforcementLevel, ...rest } = given as Record<string, unknown>;
        if (enforcementLevel !== undefined && !ENFORCEMENT_LEVELS.includes(enforcementLevel as EnforcementLevel)) {
            problems.push(`${policy.name}.enforcementLevel: expected one of ${ENFORCEMENT_LEVELS.join(", ")}, found ${kindOf(enforcementLevel)}`);
        }
        for (const [k, v] of Object.entries(rest)) {
            if (!(policy.settings ?? []).includes(k as keyof PolicySettings)) {
                problems.push(`${policy.name}.${k}: not a setting of this policy${policy.settings?.length ? `; expected ${policy.settings.join(", ")}` : " (it takes enforcementLevel only)"}`);
            } else if (typeof v !== "boolean") {
                problems.push(`${policy.name}.${k}: expected true or false, found ${kindOf(v)}`);
            }
        }
        return { policy, level: (enforcementLevel as EnforcementLevel | undefined) ?? policy.enforcementLevel, settings: rest as PolicySettings };
    });
    if (problems.length > 0) throw new PolicyConfigError(`Invalid policy config in ${file}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    return resolved;
}
