// One stack file -> one validated, resolved object. Nothing here registers a resource:
// parseStackConfig() either returns a StackConfig or throws a ConfigError that names the stack file, the
// key path and what was expected, before the program creates anything.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { credentialFindings, looksLikeSecretValue } from "../../components/credentials.ts";
import { keyVaultSecret, keyVaultToken } from "../../components/keyvault-secret.ts";
import { checkGitHub, type OwnerNamespaces } from "./checks-github.ts";
import { checkOwnerStack } from "./checks.ts";
import { ConfigError, key, PROJECT, setSecretCommand, shortStack, stackFileName } from "./names.ts";
import { connectorAppRepo, resolveFluxConfiguration, resolveGitHub, resolveManifests, stackName, type StackConfig } from "./resolve.ts";
import { checkFleet, fleetScope } from "./checks-fleet.ts";
import { encryptedReferenceProblem, keyVaultReference, type SecretSource } from "./secret-sources.ts";
import { ClusterSchema, FLEET_KEYS, FleetSchema, GitHubSchema, OwnerStackSchema, SHARED_KEYS, TOP_LEVEL_KEYS, type ParsedFluxConfiguration, type ParsedGitHub, type ParsedOwnerStack } from "./schema.ts";

/** What names secret config keys: any StackConfig, or the parsed config before it is resolved. */
export type SecretSources = { readonly github?: Pick<ParsedGitHub, "tokenSecret" | "repository"> } & (
    | { readonly kind: "shared" }
    // Nothing of a fleet stack is secret: its keys stay in Key Vault or on the clusters.
    | { readonly kind: "fleet" }
    | ({ readonly kind: "owner" } & Pick<ParsedOwnerStack, "cluster" | "connector"> & {
          readonly flux: { readonly configurations: readonly ParsedFluxConfiguration[]; readonly alerts?: ParsedOwnerStack["flux"]["alerts"] };
      })
);

/** The secret config keys a stack's config refers to, with what each is for. */
export function requiredSecrets(c: SecretSources): { key: string; purpose: string }[] {
    const out: { key: string; purpose: string }[] = [];
    if (c.github?.tokenSecret) out.push({ key: c.github.tokenSecret, purpose: "GitHub token for the github provider" });
    if (c.github?.repository) out.push({ key: c.github.repository.patSecret, purpose: "the PAT secret the app workflows use to open PRs on the GitOps repo" });
    if (c.kind === "shared" || c.kind === "fleet") return out;
    // Pull-only (delivery git), nothing reads the kubeconfig.
    if (c.cluster.mode === "arc" && c.cluster.delivery !== "git") out.push({ key: c.cluster.kubeconfigSecret, purpose: "kubeconfig of the Arc cluster" });
    for (const fc of c.flux.configurations) {
        if (fc.auth.type === "https") out.push({ key: fc.auth.passwordSecret, purpose: `HTTPS token for Flux configuration '${fc.name}'` });
        if (fc.auth.type === "ssh") out.push({ key: fc.auth.privateKeySecret, purpose: `SSH private key for Flux configuration '${fc.name}'` });
        if (fc.auth.type === "githubApp") out.push({ key: fc.auth.privateKeySecret, purpose: `GitHub App private key for Flux configuration '${fc.name}'` });
        if (fc.auth.type === "accessKey") out.push({ key: fc.auth.secretKeySecret, purpose: `bucket secret key for Flux configuration '${fc.name}'` });
        if (fc.auth.type === "sasToken") out.push({ key: fc.auth.sasTokenSecret, purpose: `Azure Blob SAS token for Flux configuration '${fc.name}'` });
        if (fc.auth.type === "accountKey") out.push({ key: fc.auth.accountKeySecret, purpose: `storage account key for Flux configuration '${fc.name}'` });
    }
    if (c.connector.enabled) {
        out.push({ key: c.connector.patSecret, purpose: "the GitOps Connector's orchestratorPAT" });
        for (const [name, k] of Object.entries(c.connector.subscribers)) out.push({ key: k, purpose: `the URL of the connector's subscriber '${name}'` });
    }
    // flux.alerts (infra/alerts.ts): each target's address, and generic-hmac's HMAC key.
    for (const a of c.flux.alerts ?? []) {
        out.push({ key: a.addressSecret, purpose: `the address (webhook URL or connection string) of Flux alert target '${a.name}'` });
        if (a.tokenSecret !== undefined) out.push({ key: a.tokenSecret, purpose: `the HMAC key of Flux alert target '${a.name}'` });
    }
    return out;
}

function zodProblems(error: z.ZodError, under: string[] = []): string[] {
    return error.issues.map((issue) => {
        const at = key(...under, ...issue.path.map((p) => (typeof p === "number" ? p : String(p))));
        const missing = /^Invalid input: expected (.+), received undefined$/.exec(issue.message);
        return `${at}: ${missing ? `missing (expected ${missing[1]})` : issue.message}`;
    });
}

/** The structured keys' values, JSON-decoded as the engine encodes them; any other key is noted, its value untouched. */
function structuredValues(raw: Record<string, string>): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const fullKey of Object.keys(raw)) {
        if (!fullKey.startsWith(`${PROJECT}:`)) continue; // provider config, e.g. azure-native:location
        const k = fullKey.slice(PROJECT.length + 1);
        if (!(TOP_LEVEL_KEYS as readonly string[]).includes(k)) {
            values[k] = undefined;
            continue;
        }
        try {
            values[k] = JSON.parse(raw[fullKey]);
        } catch {
            values[k] = raw[fullKey];
        }
    }
    return values;
}

/**
 * Parse and validate one stack's configuration.
 *
 * @param stack    the stack name (pulumi.getStack())
 * @param raw      the stack's config as the engine gives it: `<project>:<key>` -> string
 * @param secretState whether a secret config key is set (checked without reading its value); a key set
 *                 in plain text is read from `raw`, as it may be a Key Vault reference
 * @param organization the organization stack references resolve in
 * @param ownerNamespaces for a stack sharing a cluster: the owner's appNamespaces, when its stack file is at hand
 */
export function parseStackConfig(
    stack: string,
    raw: Record<string, string>,
    secretState: (key: string) => "secret" | "plaintext" | "missing",
    organization: () => string,
    ownerNamespaces?: OwnerNamespaces,
): StackConfig {
    const stackFile = stackFileName(stack);
    const problems: string[] = [];
    const values = structuredValues(raw);

    // Before anything else can quote a value: a credential pasted into any field (a token as a name, a
    // URL with userinfo) is reported by key path alone, and nothing else is checked.
    const leaks = credentialFindings(Object.fromEntries(TOP_LEVEL_KEYS.filter((k) => values[k] !== undefined).map((k) => [k, values[k]])));
    if (leaks.length > 0) throw new ConfigError(stackFile, leaks.map((f) => `${key(...f.path)}: ${f.message}`));

    const self = stackName(stack, organization);
    const cluster = ClusterSchema.safeParse(values.cluster);
    // Every problem is collected before anything is resolved, so one run reports them all.
    let sources: SecretSources;
    let resolve: () => StackConfig;
    if (values.fleet !== undefined) {
        for (const k of Object.keys(values)) {
            if ((TOP_LEVEL_KEYS as readonly string[]).includes(k) && !FLEET_KEYS.includes(k)) {
                problems.push(`${PROJECT}:${k}: a fleet stack sets only fleet (Azure Policy reaches the clusters through ARM); ${k} belongs in a stack per cluster`);
            }
        }
        const fleet = FleetSchema.safeParse(values.fleet);
        if (!fleet.success) problems.push(...zodProblems(fleet.error, ["fleet"]));
        else problems.push(...checkFleet(fleet.data));
        if (problems.length > 0) throw new ConfigError(stackFile, problems);
        const f = fleet.data!;
        sources = { kind: "fleet" };
        // checkFleet has found the scope well-formed.
        const scope = fleetScope(f.scope)!;
        resolve = () => ({ kind: "fleet", stack, stackFile, self, fleet: f, scope });
    } else if (cluster.success && cluster.data.mode === "shared") {
        for (const k of Object.keys(values)) {
            if ((TOP_LEVEL_KEYS as readonly string[]).includes(k) && !SHARED_KEYS.includes(k)) {
                problems.push(`${PROJECT}:${k}: this stack uses the cluster owned by stack '${cluster.data.stack}'; ${k} is configured there, not here`);
            }
        }
        const gh = values.github === undefined ? undefined : GitHubSchema.safeParse(values.github);
        if (gh && !gh.success) problems.push(...zodProblems(gh.error, ["github"]));
        if (shortStack(cluster.data.stack) === stack) problems.push(`${PROJECT}:cluster.stack: a stack can't share its own cluster`);
        if (problems.length > 0) throw new ConfigError(stackFile, problems);
        const owner = stackName(cluster.data.stack, organization);
        const github = gh?.success ? gh.data : undefined;
        if (github) problems.push(...checkGitHub(github, { kind: "shared", stack, ownerStack: owner.qualified, ownerNamespaces }));
        sources = { kind: "shared", github };
        resolve = () => ({ kind: "shared", stack, stackFile, self, ownerStack: owner.qualified, clusterStack: owner, github: github && resolveGitHub(github, self, organization, undefined) });
    } else {
        // The fleet section isn't an owner's (a stack setting it took the branch above).
        const parsed = OwnerStackSchema.safeParse(Object.fromEntries(TOP_LEVEL_KEYS.filter((k) => !FLEET_KEYS.includes(k)).map((k) => [k, values[k]])));
        if (!parsed.success) {
            // Cluster problems are reported against every mode, `shared` included, not just the owner modes.
            const found = cluster.success
                ? zodProblems(parsed.error)
                : [...zodProblems(parsed.error).filter((p) => !p.startsWith(`${PROJECT}:cluster`)), ...zodProblems(cluster.error, ["cluster"])];
            const order = (p: string) => TOP_LEVEL_KEYS.findIndex((k) => p.startsWith(`${PROJECT}:${k}`));
            problems.push(...found.map((p, i) => ({ p, i })).sort((a, b) => order(a.p) - order(b.p) || a.i - b.i).map((x) => x.p));
            throw new ConfigError(stackFile, problems);
        }
        const p = parsed.data;
        const configurations = p.flux.configurations.map(resolveFluxConfiguration);
        const manifests = resolveManifests(configurations, p.connector, p.github);
        problems.push(...checkOwnerStack(p, configurations));
        if (p.github) problems.push(...checkGitHub(p.github, { kind: "owner", stack, parsed: p, configurations, manifests }));
        sources = { ...p, kind: "owner" };
        resolve = () => ({
            ...p,
            kind: "owner",
            stack,
            stackFile,
            self,
            clusterStack: self,
            flux: { ...p.flux, configurations },
            connector: { ...p.connector, appRepo: connectorAppRepo(p.connector, p.github) },
            manifests,
            github: p.github && resolveGitHub(p.github, self, organization, manifests),
        });
    }

    const secrets = requiredSecrets(sources);
    const known = new Set<string>([...TOP_LEVEL_KEYS, ...secrets.map((s) => s.key)]);
    for (const k of Object.keys(values)) {
        if (known.has(k)) continue;
        // A value set without its key (`pulumi config set --secret <token>`) becomes a key name: never repeat it.
        problems.push(
            looksLikeSecretValue(k)
                ? `${PROJECT}:<name not shown>: a config key whose name looks like a credential; remove it with pulumi config rm`
                : `${PROJECT}:${k}: unknown key (expected one of ${TOP_LEVEL_KEYS.join(", ")}, or a secret the config names)`,
        );
    }
    for (const s of secrets) {
        const state = secretState(s.key);
        if (state === "missing") {
            problems.push(`${PROJECT}:${s.key}: missing secret (${s.purpose}); set it with: ${setSecretCommand(s.key, stack)}`);
        } else if (state === "plaintext") {
            // A plain value may be a Key Vault reference: it names the secret, so it isn't one itself.
            const ref = keyVaultReference(s.key, raw[`${PROJECT}:${s.key}`]);
            if (ref === undefined) {
                problems.push(`${PROJECT}:${s.key}: stored in plain text in the stack file (${s.purpose}); re-set it with: ${setSecretCommand(s.key, stack)}`);
            } else if (ref.problems) {
                problems.push(...ref.problems);
            }
        }
    }
    if (problems.length > 0) throw new ConfigError(stackFile, problems);
    return resolve();
}

// The SDK marks which config keys the engine decrypted (`secure:` values) but keeps the
// predicate out of its typings; without it we can still tell set from unset.
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;

/** Whether the engine's config sets a key, and encrypted or not. */
function engineSecretState(all: Record<string, string>, k: string): "secret" | "plaintext" | "missing" {
    const full = `${PROJECT}:${k}`;
    if (!(full in all)) return "missing";
    return isConfigSecret === undefined || isConfigSecret(full) ? "secret" : "plaintext";
}

/** Read the current stack's config from the engine and validate it. */
export function loadStackConfig(ownerNamespaces?: OwnerNamespaces): StackConfig {
    const project = pulumi.getProject();
    if (project !== PROJECT) {
        // Every key is read under the project's namespace: another name would make every key unknown.
        throw new ConfigError(stackFileName(pulumi.getStack()), [`Pulumi.yaml: the project is named '${project}'; this program's config keys live under '${PROJECT}:'`]);
    }
    const all = pulumi.runtime.allConfig();
    // A reference set with `--secret --path` arrives decrypted, as if plain; the offline plan sees its
    // encrypted leaves. Both refuse it alike.
    const encrypted = Object.keys(all)
        .filter((full) => full.startsWith(`${PROJECT}:`))
        .map((full) => full.slice(PROJECT.length + 1))
        .filter((k) => engineSecretState(all, k) === "secret" && keyVaultReference(k, all[`${PROJECT}:${k}`]) !== undefined);
    if (encrypted.length > 0) throw new ConfigError(stackFileName(pulumi.getStack()), encrypted.map(encryptedReferenceProblem));
    return parseStackConfig(pulumi.getStack(), all, (k) => engineSecretState(all, k), () => pulumi.getOrganization(), ownerNamespaces);
}

/** Where the engine's config says a secret key's value comes from: its encrypted value, or a Key Vault secret. */
function secretSource(all: Record<string, string>, k: string): SecretSource {
    if (engineSecretState(all, k) !== "plaintext") return { kind: "config" };
    const ref = keyVaultReference(k, all[`${PROJECT}:${k}`]);
    if (ref?.problems) throw new ConfigError(stackFileName(pulumi.getStack()), ref.problems);
    return ref ? { kind: "keyVault", reference: ref.reference } : { kind: "config" };
}

/**
 * Reads a secret config key as a Pulumi secret; the stack config names which keys. A key pointing at
 * Key Vault is read from the vault (one token for every such key); any other with requireSecret.
 */
export function secretReader(): (key: string) => pulumi.Output<string> {
    const config = new pulumi.Config(PROJECT);
    const all = pulumi.runtime.allConfig();
    let token: pulumi.Output<string> | undefined;
    return (k) => {
        const source = secretSource(all, k);
        if (source.kind === "config") return config.requireSecret(k);
        token ??= keyVaultToken();
        return keyVaultSecret(source.reference, { source: key(k), token });
    };
}
