// What every component reports about bad arguments, in one shape: the stack config maps each problem
// to its key path, and a component used from code refuses them before it registers anything.
import * as pulumi from "@pulumi/pulumi";

/** A problem with an argument: where it is, relative to the args (or the value checked), and what's wrong. */
export interface Problem {
    readonly path: readonly (string | number)[];
    readonly message: string;
}

/** The problems with their paths moved under `prefix`, for a rule checked on part of a component's args. */
export function under(prefix: readonly (string | number)[], problems: readonly Problem[]): Problem[] {
    return problems.map((p) => ({ path: [...prefix, ...p.path], message: p.message }));
}

/** A one-value rule's answer as a problem list: a message at `path`, or nothing. */
export function at(path: readonly (string | number)[], message: string | undefined): Problem[] {
    return message === undefined ? [] : [{ path, message }];
}

/**
 * Throws pulumi.InputPropertiesError naming each property (`a.b.0.c`) when there are problems. Called
 * before `super()`, so that invalid arguments register nothing, not even the component.
 */
export function refuseInvalidArgs(component: string, name: string, problems: readonly Problem[]): void {
    if (problems.length === 0) return;
    const errors = problems.map((p) => ({ propertyPath: p.path.join("."), reason: p.message }));
    // The reasons go into the message too: a program's run error shows the message, not `errors`.
    throw new pulumi.InputPropertiesError({
        message: `${component} ${name} has invalid arguments:\n${errors.map((e) => `  - ${e.propertyPath}: ${e.reason}`).join("\n")}`,
        errors,
    });
}

/** `value` isn't one of `allowed`: what JavaScript callers, who get no types, may pass. */
export function oneOfProblem<T extends string>(allowed: readonly T[], value: unknown): string | undefined {
    return allowed.includes(value as T) ? undefined : `expected one of ${allowed.join(", ")}`;
}

/**
 * A rule a single string must match, kept as a pattern so that a schema can carry it (a JSON Schema
 * `pattern`, a zod `.regex(pattern, message)`) with the same message the component reports.
 */
export interface PatternRule {
    readonly pattern: RegExp;
    readonly message: string;
}

export function patternProblem(rule: PatternRule, value: string): string | undefined {
    return rule.pattern.test(value) ? undefined : rule.message;
}

/**
 * A lifetime in whole hours, as azuread's `endDateRelative` takes it (e.g. `8760h`); `example` is the
 * component's default, which the message offers.
 */
export function hoursRule(example: string): PatternRule {
    return { pattern: /^\d+h$/, message: `expected hours, such as ${example}` };
}
