// What a policy of this pack is, and what it looks at, independent of who runs it: the Pulumi CLI
// (policy/crossguard.ts, through @pulumi/policy) or the offline plan (scripts/lib/plan-policy.ts). Each
// policy is a pure check over resources as the engine sees their inputs, so both runners apply the
// same rules to the same data.

/** How a violation is treated: `mandatory` stops the deployment, `advisory` warns. */
export const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "disabled"] as const;
export type EnforcementLevel = (typeof ENFORCEMENT_LEVELS)[number];

/** A resource as a policy sees it: its inputs, with the options and secret-ness the runner knows. */
export interface Subject {
    /** `azure-native:containerservice:ManagedCluster`, `kubernetes:core/v1:Secret`, … */
    readonly type: string;
    readonly name: string;
    /**
     * The inputs, as plain values. A value known only after apply throws when read (both runners): a
     * policy that needs it can't decide during a preview, and says so instead of passing.
     */
    readonly props: Record<string, any>;
    /** Pulumi's `protect` option. */
    readonly protect: boolean;
    /** The types of the components it is nested in, outermost first (from its URN, or the plan's parents). */
    readonly components?: readonly string[];
    /**
     * Whether the input at `path` is a Pulumi secret (encrypted in state, hidden in previews), or
     * undefined where the runner can't tell: CrossGuard hands validations plain values without saying
     * which were secret (pulumi/pulumi-policy#241); the offline plan keeps them marked.
     */
    readonly isSecret?: (path: readonly string[]) => boolean;
}

/** A check that doesn't apply to this resource or stack, with the reason (shown by both runners). */
export interface NotApplicable {
    readonly notApplicable: string;
}

/** Violation messages (none: the resource passes), or why the policy doesn't apply. */
export type Verdict = readonly string[] | NotApplicable;

export const isNotApplicable = (v: Verdict | StackVerdict): v is NotApplicable => !Array.isArray(v);

/** A stack policy's violations, each against one resource. */
export type StackVerdict = readonly { readonly resource: Subject; readonly message: string }[] | NotApplicable;

/** Settings a policy reads from the policy config, beside its enforcement level. */
export interface PolicySettings {
    /** The stack is a production one: the AKS policies apply. Default false. */
    readonly production?: boolean;
}

interface PolicyBase {
    /** Unique in the pack; the key of its entry in a policy config file. */
    readonly name: string;
    /** Why the policy exists, shown with every violation. */
    readonly description: string;
    readonly group: "credentials" | "flux" | "aks" | "github";
    /** The level when the policy config doesn't set one. */
    readonly enforcementLevel: Exclude<EnforcementLevel, "disabled">;
    /** Settings it reads, beyond `enforcementLevel` (see PolicySettings). */
    readonly settings?: readonly (keyof PolicySettings)[];
}

/** A policy over one resource at a time, of the listed types. */
export interface ResourcePolicy extends PolicyBase {
    readonly kind: "resource";
    /** The resource types it checks (type tokens, or patterns for versioned tokens). */
    readonly appliesTo: (type: string) => boolean;
    readonly check: (r: Subject, settings: PolicySettings) => Verdict;
}

/** A policy over the whole stack, for rules that relate resources to each other. */
export interface StackPolicy extends PolicyBase {
    readonly kind: "stack";
    readonly checkStack: (resources: readonly Subject[], settings: PolicySettings) => StackVerdict;
}

export type PolicyDefinition = ResourcePolicy | StackPolicy;

/** `types` as an appliesTo test. */
export const ofTypes = (...types: string[]) => (type: string): boolean => types.includes(type);

/** The value at `path` in `props`, or undefined where a step is missing. */
export function valueAt(props: Record<string, any>, path: readonly string[]): any {
    let v: any = props;
    for (const step of path) {
        if (v === null || typeof v !== "object") return undefined;
        v = v[step];
    }
    return v;
}
