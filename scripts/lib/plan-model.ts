// The offline plan of one stack, as data: what `pulumi preview` would register, with every secret value
// replaced by "[secret]" and everything the cloud computes marked as such. Built from a recorded
// mock-runtime run; rendered by scripts/lib/plan-render.ts and compared by scripts/lib/plan-diff.ts.
import { createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { Recorder, Registration } from "./mock-runtime.ts";
import { byUrn, isSecretValue, providerOf } from "./mock-runtime.ts";

/** How a value the cloud computes (known only after `pulumi up`) appears in the plan. */
export const COMPUTED = "(known after apply)";
export const SECRET = "[secret]";

export interface PlannedResource {
    /** `type::name`, unique in a stack. */
    readonly key: string;
    readonly type: string;
    readonly name: string;
    /** Key of the parent component, or null at stack level. */
    readonly parent: string | null;
    /** Key of the explicit provider, or null for the default one. */
    readonly provider: string | null;
    /** Keys of the resources this one waits for. */
    readonly dependsOn: readonly string[];
    /** Input paths Pulumi leaves alone after creation. */
    readonly ignoreChanges: readonly string[];
    /** Present (true) when Pulumi's `protect` is on: the engine refuses to delete or replace it. */
    readonly protect?: true;
    /** Present (true) with Pulumi's `retainOnDelete`: a delete only drops it from the state. */
    readonly retainOnDelete?: true;
    /**
     * Key of the resource it is deleted with (Pulumi `deletedWith`): when both go in one operation, its
     * own delete is skipped. Absent when not set.
     */
    readonly deletedWith?: string;
    readonly inputs: Record<string, unknown>;
}

/** A lookup the program makes, answered by the cloud at deploy time. */
export interface Lookup {
    readonly token: string;
    readonly inputs: Record<string, unknown>;
}

export interface SecretStatus {
    readonly key: string;
    readonly purpose: string;
    /**
     * `secure`: encrypted in the stack file, not decrypted offline (a placeholder is used); `unset`: not in
     * the stack file (a placeholder is used); `given`: its value came from `--secrets`; `keyVault`: the key
     * points at a Key Vault secret, read at deploy time (unknown offline, no placeholder).
     */
    readonly status: "secure" | "unset" | "given" | "keyVault";
    /** For `keyVault`: the secret the key names (names only, never a value). */
    readonly keyVault?: { readonly vaultName: string; readonly secretName: string; readonly version?: string };
}

/** What the stack deploys to, from its config: the cluster (or a fleet's policy scope) and the mode. */
export interface PlanTarget {
    readonly mode: string;
    readonly cluster: string;
}

export interface StackPlan {
    readonly stack: string;
    /** Absent in plans of checkouts older than the field (a `--diff` base). */
    readonly target?: PlanTarget;
    /** The organization stack references assume (a local backend's is `organization`). */
    readonly organization: string;
    readonly resources: readonly PlannedResource[];
    /** Objects applied to Kubernetes, as manifests. */
    readonly kubernetes: readonly Record<string, unknown>[];
    /** GitHub Actions secret names by scope. */
    readonly github: {
        readonly repository: Readonly<Record<string, readonly string[]>>;
        readonly environments: Readonly<Record<string, readonly string[]>>;
    };
    readonly outputs: Record<string, unknown>;
    /** Lookups (invokes) answered at deploy time, such as reviewer logins resolved to GitHub IDs. */
    readonly lookups: readonly Lookup[];
    /** The secret config keys the stack needs, and the placeholder the plan used for each. */
    readonly secrets: readonly SecretStatus[];
    /** Delivery git: the platform folder's files as committed. Absent in plans of older checkouts. */
    readonly platformFiles?: readonly PlatformFilePlan[];
}

/** A file GitDelivery commits to the GitOps repo. */
export interface PlatformFilePlan {
    readonly key: string;
    readonly repository: string;
    readonly branch: string;
    readonly file: string;
    /** The text, or "(known after apply)" for a file naming what the cloud computes (a SecretProviderClass). */
    readonly content: unknown;
}

/** The GitDelivery component's type token: its RepositoryFiles are the platform folder. */
export const GIT_DELIVERY_TYPE = "gitops:delivery:GitDelivery";
export const REPOSITORY_FILE_TYPE = "github:index/repositoryFile:RepositoryFile";

/**
 * How a secret is shown. Plain: "[secret]". For `plan --diff`, "[secret <fingerprint>]": an HMAC of the
 * value under a key that exists only for that one run (passed from the parent to both sides of the
 * diff, never printed), so a changed secret shows as changed without the value being guessable.
 */
export type SecretShape = (value: unknown) => string;

export const plainSecret: SecretShape = () => SECRET;

export function fingerprintedSecret(key: string): SecretShape {
    return (value) => `[secret ${createHmac("sha256", key).update(JSON.stringify(value ?? null)).digest("hex").slice(0, 16)}]`;
}

/** "[secret <fingerprint>]" back to "[secret]", for output. */
export function stripFingerprints<T>(v: T): T {
    if (v === undefined) return v;
    return JSON.parse(JSON.stringify(v).replace(/\[secret [0-9a-f]{16}\]/g, SECRET)) as T;
}

/** Replace secrets and unknowns ("(known after apply)"), recursively. */
export function redact(v: unknown, secret: SecretShape = plainSecret): unknown {
    if (isSecretValue(v)) return secret(v.value);
    if (pulumi.isUnknown(v) || v === pulumi.runtime.unknownValue) return COMPUTED;
    if (Array.isArray(v)) return v.map((x) => redact(x, secret));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redact(x, secret)]));
    return v;
}

const keyOf = (r: Registration) => `${r.type}::${r.name}`;

function kubernetesManifest(r: Registration, secret: SecretShape): Record<string, unknown> | undefined {
    if (!r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:helm.sh/")) return undefined;
    const inputs = redact(r.inputs, secret) as Record<string, unknown>;
    const [, apiVersion, kind] = /^kubernetes:([^:]+):(.+)$/.exec(r.type) ?? [];
    const group = apiVersion.replace(/^core\//, "");
    const { apiVersion: a, kind: k, metadata, ...rest } = inputs;
    return { apiVersion: a ?? group, kind: k ?? kind, metadata, ...rest };
}

/** Settle an output for display: computed, secret, or its value. */
async function outputValue(o: unknown, secret: SecretShape): Promise<unknown> {
    if (!pulumi.Output.isInstance(o)) return redact(o, secret);
    const out = o as pulumi.Output<unknown> & { isKnown: Promise<boolean>; promise(): Promise<unknown> };
    if (!(await out.isKnown)) return COMPUTED;
    if (await pulumi.isSecret(out)) return secret(await out.promise());
    return redact(await out.promise(), secret);
}

export async function buildPlan(
    stack: string,
    organization: string,
    rec: Recorder,
    outputs: Record<string, unknown>,
    secrets: readonly SecretStatus[],
    secret: SecretShape = plainSecret,
): Promise<StackPlan> {
    const resources = rec.registrations.map((r): PlannedResource => {
        const parent = r.parent === "" ? undefined : byUrn(rec, r.parent);
        const provider = providerOf(rec, r);
        const deletedWith = r.deletedWith === "" ? undefined : byUrn(rec, r.deletedWith);
        if (r.deletedWith !== "" && deletedWith === undefined) throw new Error(`${keyOf(r)}: deletedWith names ${r.deletedWith}, which the program never registered`);
        return {
            key: keyOf(r),
            type: r.type,
            name: r.name,
            parent: parent ? keyOf(parent) : null,
            provider: provider ? keyOf(provider) : null,
            dependsOn: [...new Set(r.dependencies.map((d) => byUrn(rec, d)).filter((d): d is Registration => d !== undefined).map(keyOf))].sort(),
            ignoreChanges: [...r.ignoreChanges],
            ...(r.protect ? { protect: true as const } : {}),
            ...(r.retainOnDelete ? { retainOnDelete: true as const } : {}),
            ...(deletedWith ? { deletedWith: keyOf(deletedWith) } : {}),
            inputs: redact(r.inputs, secret) as Record<string, unknown>,
        };
    });
    resources.sort((a, b) => a.key.localeCompare(b.key));

    const repository: Record<string, string[]> = {};
    const environments: Record<string, string[]> = {};
    for (const r of rec.registrations) {
        if (r.type === "github:index/actionsSecret:ActionsSecret") (repository[r.inputs.repository] ??= []).push(r.inputs.secretName);
        if (r.type === "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret") {
            (environments[`${r.inputs.repository}/${r.inputs.environment}`] ??= []).push(r.inputs.secretName);
        }
    }
    for (const names of [...Object.values(repository), ...Object.values(environments)]) names.sort();

    const platformFiles: PlatformFilePlan[] = rec.registrations
        .filter((r) => r.type === REPOSITORY_FILE_TYPE && r.parent !== "" && byUrn(rec, r.parent)?.type === GIT_DELIVERY_TYPE)
        .map((r) => ({ key: keyOf(r), repository: r.inputs.repository, branch: r.inputs.branch, file: r.inputs.file, content: redact(r.inputs.content, secret) }))
        .sort((a, b) => a.file.localeCompare(b.file));

    const resolved: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(outputs)) resolved[k] = await outputValue(v, secret);

    return {
        stack,
        organization,
        resources,
        kubernetes: rec.registrations.map((r) => kubernetesManifest(r, secret)).filter((m): m is Record<string, unknown> => m !== undefined),
        github: { repository, environments },
        outputs: resolved,
        lookups: rec.invocations.map((i) => ({ token: i.token, inputs: redact(i.inputs, secret) as Record<string, unknown> })),
        secrets,
        // Only a stack with delivery git has them: every other plan keeps its shape.
        ...(platformFiles.length > 0 ? { platformFiles } : {}),
    };
}
