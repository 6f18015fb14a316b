// The pack's policies as CrossGuard policies (@pulumi/policy), for `pulumi preview --policy-pack policy`.
// The checks are the same functions the offline plan runs (scripts/lib/plan-policy.ts); this file only
// hands them what the engine sends and reports what they find.
import type {
    PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";
import { isNotApplicable, type PolicyDefinition, type PolicySettings, type Subject } from "./model.ts";

/**
 * A resource as the engine sends it. No `isSecret`: CrossGuard unwraps secrets before a validation sees
 * them (pulumi/pulumi-policy#241). Reading a value unknown during preview throws the framework's
 * UnknownValueError, which it reports as "can't run during preview" at advisory level.
 */
function subjectOf(r: ResourceValidationArgs | PolicyResource): Subject {
    // urn:pulumi:<stack>::<project>::<parent type>$…$<type>::<name>
    const components = (r.urn.split("::")[2] ?? "").split("$").slice(0, -1);
    return { type: r.type, name: r.name, props: r.props, protect: r.opts.protect, components };
}

export function toCrossGuard(p: PolicyDefinition): ResourceValidationPolicy | StackValidationPolicy {
    const base = {
        name: p.name,
        description: p.description,
        enforcementLevel: p.enforcementLevel,
        ...(p.settings?.length ? { configSchema: { properties: Object.fromEntries(p.settings.map((s) => [s, { type: "boolean" as const, default: false }])) } } : {}),
    };
    if (p.kind === "resource") {
        return {
            ...base,
            validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
                if (!p.appliesTo(args.type)) args.notApplicable(`${p.name} doesn't check ${args.type}`);
                const verdict = p.check(subjectOf(args), args.getConfig<PolicySettings>());
                if (isNotApplicable(verdict)) args.notApplicable(verdict.notApplicable);
                for (const message of verdict) reportViolation(message);
            },
        };
    }
    return {
        ...base,
        validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
            const urns = new Map<Subject, string>();
            const subjects = args.resources.map((r) => {
                const s = subjectOf(r);
                urns.set(s, r.urn);
                return s;
            });
            const verdict = p.checkStack(subjects, args.getConfig<PolicySettings>());
            if (isNotApplicable(verdict)) args.notApplicable(verdict.notApplicable);
            for (const v of verdict) reportViolation(v.message, urns.get(v.resource));
        },
    };
}
