// Field types several sections of the stack file share.
import { z } from "zod";
import { looksLikeSecretValue } from "../../components/credentials.ts";
import type { PatternRule } from "../../components/problems.ts";

export const dnsLabel = z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a lowercase DNS label (a-z, 0-9, '-')")
    .max(63);

/** The name of another config key that holds a secret (set with `pulumi config set --secret`). */
export const secretKey = z
    .string()
    // Checked first, and reported without the value: a pasted token must not reach any message.
    .refine((n) => !looksLikeSecretValue(n), "looks like a credential, not the name of a secret config key; put the value in secret config and name its key here (value not shown)")
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/, "expected the name of a secret config key, such as connectorPat");

export const azureName = z
    .string()
    .min(1)
    .max(63)
    .regex(/^[A-Za-z0-9][-A-Za-z0-9_]*$/, "expected letters, digits, '-' or '_'");

export const stackName = z.string().regex(/^([\w.-]+\/){0,2}[\w.-]+$/, "expected a stack name such as dev or org/project/dev");

/**
 * A string field checked by a component's rule, so the rule is written once: a pattern rule stays a
 * pattern (and so reaches the JSON Schema); any other rule says what is wrong, or nothing.
 */
export function ruled(rule: PatternRule | ((value: string) => string | undefined)) {
    if (typeof rule !== "function") return z.string().regex(rule.pattern, rule.message);
    return z.string().refine((v) => rule(v) === undefined, { error: (i) => rule(String(i.input)) });
}
