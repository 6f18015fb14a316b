// `npm run plan -- <stack> --policy`: the policy pack's checks (policy/) over a stack's offline plan, with
// no Pulumi CLI. The plan keeps what CrossGuard hides: which inputs are secrets (they print as
// "[secret]"). A value the cloud computes ("(known after apply)") can't be judged offline, as in a
// `pulumi preview`: a check that needs one is reported as not checked, never as passed.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { isNotApplicable, type EnforcementLevel, type Subject } from "../../policy/model.ts";
import { policyConfigFile, PolicyConfigError, resolvePolicies } from "../../policy/policies.ts";
import { COMPUTED, SECRET, type PlannedResource, type StackPlan } from "./plan-model.ts";

export { PolicyConfigError };

/** Thrown on reading a value that is known only after apply. */
class KnownAfterApply extends Error {
    constructor(readonly path: string) {
        super(`${path} is known only after apply`);
    }
}

export interface PolicyFinding {
    readonly policy: string;
    readonly level: Exclude<EnforcementLevel, "disabled">;
    /** `type::name` of the resource. */
    readonly resource: string;
    /** `violation`: the policy failed; `unchecked`: it needs a value known only after apply. */
    readonly kind: "violation" | "unchecked";
    readonly message: string;
}

export interface PolicyReport {
    readonly stack: string;
    /** The config file read, or undefined when the stack has none (every policy at its default). */
    readonly configFile: string | undefined;
    readonly findings: readonly PolicyFinding[];
    /** How many (policy, resource) pairs were checked and passed. */
    readonly passed: number;
}

const isSecretMarker = (v: unknown) => typeof v === "string" && (v === SECRET || /^\[secret [0-9a-f]{16}\]$/.test(v));

/** Secret as a whole, or an object or array whose every value is: that is how the plan shows a secret. */
function allSecret(v: unknown): boolean {
    if (isSecretMarker(v)) return true;
    if (v !== null && typeof v === "object") {
        const values = Object.values(v);
        return values.length > 0 && values.every(allSecret);
    }
    return false;
}

/** The inputs as a policy reads them: a computed value throws where it is read, with its path. */
function guarded(v: unknown, at: string): any {
    if (v === null || typeof v !== "object") return v;
    return new Proxy(v as object, {
        get(target, key, receiver) {
            const x = Reflect.get(target, key, receiver);
            if (typeof key === "symbol") return x;
            const here = `${at}.${key}`;
            if (x === COMPUTED) throw new KnownAfterApply(here);
            return guarded(x, here);
        },
    });
}

/** `components`: the types of the components `r` is nested in, outermost first. */
export function subjectOf(r: PlannedResource, components: readonly string[] = []): Subject {
    return {
        type: r.type,
        name: r.name,
        props: guarded(r.inputs, r.type.split(":").pop()!),
        protect: r.protect === true,
        components,
        isSecret: (p) => {
            let v: unknown = r.inputs;
            for (const step of p) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[step] : undefined;
            return allSecret(v);
        },
    };
}

/** The stack's policy config (policy/config/<stack>.json), if it has one, refused if invalid. */
export function readPolicyConfig(root: string, stack: string): { file: string | undefined; config: unknown } {
    const file = policyConfigFile(stack);
    if (!existsSync(path.join(root, file))) return { file: undefined, config: undefined };
    let config: unknown;
    try {
        config = JSON.parse(readFileSync(path.join(root, file), "utf8"));
    } catch (e) {
        throw new PolicyConfigError(`${file}: not valid JSON (${(e as Error).message.split("\n")[0]})`);
    }
    resolvePolicies(config, file);
    return { file, config };
}

export function checkPlan(plan: StackPlan, config: unknown, configFile: string | undefined): PolicyReport {
    const findings: PolicyFinding[] = [];
    let passed = 0;
    const byKey = new Map(plan.resources.map((r) => [r.key, r]));
    const ancestors = (r: PlannedResource): string[] => {
        const parent = r.parent === null ? undefined : byKey.get(r.parent);
        return parent === undefined ? [] : [...ancestors(parent), parent.type];
    };
    const subjects = plan.resources.map((r) => ({ key: r.key, subject: subjectOf(r, ancestors(r)) }));
    const keyOf = new Map(subjects.map((s) => [s.subject, s.key]));
    for (const { policy, level, settings } of resolvePolicies(config, configFile ?? `${policyConfigFile(plan.stack)} (none: defaults)`)) {
        if (level === "disabled") continue;
        const record = (resource: string, kind: PolicyFinding["kind"], message: string) => findings.push({ policy: policy.name, level, resource, kind, message });
        if (policy.kind === "stack") {
            try {
                const verdict = policy.checkStack(subjects.map((s) => s.subject), settings);
                if (isNotApplicable(verdict)) continue;
                for (const v of verdict) record(keyOf.get(v.resource)!, "violation", v.message);
                if (verdict.length === 0) passed++;
            } catch (e) {
                if (!(e instanceof KnownAfterApply)) throw e;
                record(`stack ${plan.stack}`, "unchecked", e.message);
            }
            continue;
        }
        for (const { key, subject } of subjects) {
            if (!policy.appliesTo(subject.type)) continue;
            try {
                const verdict = policy.check(subject, settings);
                if (isNotApplicable(verdict)) continue;
                for (const message of verdict) record(key, "violation", message);
                if (verdict.length === 0) passed++;
            } catch (e) {
                if (!(e instanceof KnownAfterApply)) throw e;
                record(key, "unchecked", e.message);
            }
        }
    }
    return { stack: plan.stack, configFile, findings, passed };
}

export const mandatoryViolations = (r: PolicyReport) => r.findings.filter((f) => f.kind === "violation" && f.level === "mandatory");

export function renderPolicyReport(r: PolicyReport): string {
    const violations = r.findings.filter((f) => f.kind === "violation");
    const unchecked = r.findings.filter((f) => f.kind === "unchecked");
    const mandatory = mandatoryViolations(r).length;
    const out = [
        `Policies for stack ${r.stack} (${r.configFile ?? "no policy config: default levels"}): ${r.passed} passed, ` +
            `${mandatory} mandatory and ${violations.length - mandatory} advisory violations, ${unchecked.length} not checkable offline`,
    ];
    for (const f of violations) {
        out.push(`  ${f.level === "mandatory" ? "error" : "warning"}: [${f.level}] ${f.policy}: ${f.resource}`, `      ${f.message}`);
    }
    for (const f of unchecked) out.push(`  not checked: ${f.policy}: ${f.resource}: ${f.message} (checked by the pack at pulumi up)`);
    return out.join("\n") + "\n";
}
