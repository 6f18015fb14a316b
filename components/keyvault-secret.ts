// Reading a secret's value from Azure Key Vault, for credentials the program itself needs (a PAT, a Git
// token, a kubeconfig) kept in a vault rather than in a stack file. azure-native's keyvault.getSecret is
// the management plane, which never returns the value ("Users should use the data-plane REST service"),
// so this reads the data plane: a token for https://vault.azure.net from the provider's own sign-in
// (azure-native:authorization:getClientToken), then GET https://<vault>.vault.azure.net/secrets/<name>.
// The token and the value stay Pulumi secrets; no error message carries either.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { looksLikeSecretValue } from "./credentials.ts";
import { at, patternProblem, refuseInvalidArgs, type PatternRule, type Problem } from "./problems.ts";

/** A secret in Azure Key Vault, by vault and secret name, as `az keyvault secret show --vault-name --name --version` takes them. */
export interface KeyVaultSecretReference {
    /** The vault's name: the secret is read from https://<vaultName>.vault.azure.net (Azure's public cloud). */
    readonly vaultName: string;
    /** The secret's name in the vault. */
    readonly secretName: string;
    /** One version of the secret (32 hex digits, the last part of its id). Default: the current version, read on every run. */
    readonly version?: string;
}

/** The token audience of Key Vault's data plane: getClientToken's `endpoint` (the provider asks for `<endpoint>/.default`). */
export const KEY_VAULT_AUDIENCE = "https://vault.azure.net";

/**
 * The data-plane API version. Get Secret is unchanged from 7.4 to 2025-07-01
 * (https://learn.microsoft.com/rest/api/keyvault/secrets/get-secret/get-secret); 7.6 is what the Azure SDK
 * for JavaScript's @azure/keyvault-secrets sends by default.
 */
export const KEY_VAULT_API_VERSION = "7.6";

/** The built-in role that may read secret values (Microsoft.KeyVault/vaults/secrets/getSecret/action) on an Azure RBAC vault. */
export const KEY_VAULT_SECRETS_USER = { name: "Key Vault Secrets User", id: "4633458b-17de-408a-b874-0445c86b69e6" } as const;

/** How long one read may take before it fails, rather than hang `pulumi up`. */
const READ_TIMEOUT_MS = 60_000;

/** A Key Vault secret's name, as ARM and the data plane take it. */
export const KEY_VAULT_SECRET_NAME_RULE: PatternRule = { pattern: /^[0-9a-zA-Z-]{1,127}$/, message: "expected a Key Vault secret name: 1-127 letters, digits and '-'" };
/** A vault's resource ID, as ARM Key Vault references (and the fleet's policy parameters) take it. */
export const KEY_VAULT_ID_RULE: PatternRule = {
    pattern: /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[a-zA-Z0-9-]{3,24}$/i,
    message: "expected a Key Vault resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>",
};
export const KEY_VAULT_NAME_RULE: PatternRule = {
    pattern: /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/,
    message: "expected a vault name: 3-24 letters, digits and '-', starting with a letter, ending with a letter or digit, without '--'",
};
export const KEY_VAULT_SECRET_VERSION_RULE: PatternRule = {
    pattern: /^[0-9a-fA-F]{32}$/,
    message: "expected a secret version: 32 hexadecimal digits, the last part of the secret's id",
};

const FIELDS: readonly { readonly name: keyof KeyVaultSecretReference; readonly rule: PatternRule; readonly missing?: string }[] = [
    { name: "vaultName", rule: KEY_VAULT_NAME_RULE, missing: "missing (expected the vault's name, as in https://<name>.vault.azure.net)" },
    { name: "secretName", rule: KEY_VAULT_SECRET_NAME_RULE, missing: "missing (expected the name of the secret in the vault)" },
    { name: "version", rule: KEY_VAULT_SECRET_VERSION_RULE },
];

/**
 * What is wrong with a reference, by field. Values are never quoted: a token pasted where the secret's
 * name belongs is the likeliest mistake, and is named as such.
 */
export function keyVaultSecretProblems(ref: unknown): Problem[] {
    const expected = "expected { vaultName, secretName } and optionally version";
    if (ref === null || typeof ref !== "object" || Array.isArray(ref)) return [{ path: [], message: expected }];
    const problems: Problem[] = [];
    for (const f of Object.keys(ref)) {
        if (FIELDS.some((x) => x.name === f)) continue;
        problems.push({ path: [], message: looksLikeSecretValue(f) ? "a field name here looks like a credential (name not shown)" : `unknown field '${f}' (${expected})` });
    }
    const fields = ref as Record<string, unknown>;
    for (const f of FIELDS) {
        const v = fields[f.name];
        if (v === undefined) {
            if (f.missing !== undefined) problems.push({ path: [f.name], message: f.missing });
        } else if (typeof v === "string" && looksLikeSecretValue(v)) {
            problems.push({ path: [f.name], message: "looks like a credential, not a name: the reference names the secret, whose value stays in the vault (value not shown)" });
        } else {
            problems.push(...at([f.name], typeof v === "string" ? patternProblem(f.rule, v) : f.rule.message));
        }
    }
    return problems;
}

/** The data-plane URL of the secret (or of its version). */
export function keyVaultSecretUrl(ref: KeyVaultSecretReference): string {
    const version = ref.version === undefined ? "" : `/${ref.version}`;
    return `https://${ref.vaultName}.vault.azure.net/secrets/${ref.secretName}${version}?api-version=${KEY_VAULT_API_VERSION}`;
}

/** A failed read: names what asked for it, the vault and the secret, and what to do; never the token or a value. */
export class KeyVaultSecretError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "KeyVaultSecretError";
    }
}

function describe(ref: KeyVaultSecretReference): string {
    return `secret ${ref.secretName}${ref.version === undefined ? "" : ` (version ${ref.version})`} in Key Vault ${ref.vaultName}`;
}

/** Key Vault's error codes (`Forbidden`, `ForbiddenByRbac`, `SecretNotFound` …); its messages are not repeated. */
async function errorCodes(response: Response): Promise<string[]> {
    try {
        const body = (await response.json()) as { error?: { code?: unknown; innererror?: { code?: unknown } } };
        return [body.error?.code, body.error?.innererror?.code].filter((c): c is string => typeof c === "string" && /^[A-Za-z]{1,64}$/.test(c));
    } catch {
        return [];
    }
}

/**
 * Read the secret's value with a token for KEY_VAULT_AUDIENCE. `source` says what asked for it (a config
 * key), for the error messages. Uses the global fetch.
 */
export async function fetchKeyVaultSecret(ref: KeyVaultSecretReference, token: string, source: string): Promise<string> {
    const what = `${source}: reading ${describe(ref)}`;
    let response: Response;
    try {
        response = await fetch(keyVaultSecretUrl(ref), {
            headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
            signal: AbortSignal.timeout(READ_TIMEOUT_MS),
        });
    } catch (e) {
        // undici's TypeError("fetch failed") keeps the reason (ENOTFOUND, ECONNREFUSED …) in its cause. Its
        // own messages are not repeated: one refusing a header value quotes the header, token and all.
        const err = e as Error & { cause?: { code?: unknown } };
        const reason =
            err.name === "TimeoutError" ? `no answer within ${READ_TIMEOUT_MS / 1000} s` : typeof err.cause?.code === "string" ? err.cause.code : err.name;
        throw new KeyVaultSecretError(
            `${what} failed: can't reach https://${ref.vaultName}.vault.azure.net (${reason}); check the vault's name, and that this machine may reach it (the vault's firewall, a private endpoint)`,
        );
    }
    if (response.ok) {
        let value: unknown;
        try {
            value = ((await response.json()) as { value?: unknown }).value;
        } catch {
            value = undefined;
        }
        if (typeof value !== "string") throw new KeyVaultSecretError(`${what}: Key Vault answered ${response.status} without a value`);
        // `az keyvault secret set --file` keeps the file's last newline, which would end up inside a token
        // (and its Authorization header); one is dropped, as a file read by `pulumi config set` has none.
        return value.replace(/\r?\n$/, "");
    }
    const codes = await errorCodes(response);
    const status = `${response.status}${codes.length > 0 ? ` ${codes.join("/")}` : ""}`;
    if (response.status === 404) {
        throw new KeyVaultSecretError(
            `${what}: not found (${status}); check the names with: az keyvault secret show --vault-name ${ref.vaultName} --name ${ref.secretName}${ref.version === undefined ? "" : ` --version ${ref.version}`} --query id`,
        );
    }
    if (response.status === 403 && codes.includes("ForbiddenByFirewall")) {
        throw new KeyVaultSecretError(`${what}: refused by the vault's network rules (${status}); allow this machine's address, or deploy from a network that reaches the vault`);
    }
    if (response.status === 403 && codes.includes("SecretDisabled")) {
        throw new KeyVaultSecretError(`${what}: the secret is disabled (${status}); enable it, or name an enabled version`);
    }
    if (response.status === 403) {
        throw new KeyVaultSecretError(
            `${what}: access denied (${status}). The identity running pulumi needs the ${KEY_VAULT_SECRETS_USER.name} role (${KEY_VAULT_SECRETS_USER.id}) ` +
                `on the vault or on the secret, if the vault uses Azure RBAC; or an access policy granting Get on secrets, if it uses access policies`,
        );
    }
    if (response.status === 401) {
        throw new KeyVaultSecretError(`${what}: the vault refused the sign-in (${status}); the vault must be in the tenant the provider signs in to`);
    }
    throw new KeyVaultSecretError(`${what}: Key Vault answered ${status}`);
}

/** A token for Key Vault's data plane from the provider's sign-in, as a secret. One per program is enough. */
export function keyVaultToken(opts?: pulumi.InvokeOutputOptions): pulumi.Output<string> {
    return pulumi.secret(authorization.getClientTokenOutput({ endpoint: KEY_VAULT_AUDIENCE }, opts).token);
}

export interface KeyVaultSecretArgs {
    /** What the value is for, named in errors: e.g. the config key `gitops-platform:connectorPat`. */
    readonly source: string;
    /** A token from keyVaultToken(), shared by several reads. Default: one obtained for this read. */
    readonly token?: pulumi.Input<string>;
}

/**
 * The secret's value, a Pulumi secret. It is read whenever the token is known, `pulumi preview`
 * included, so a preview shows what `up` will do; with the token unknown (the offline plan answers every
 * lookup unknown) nothing is fetched and the value is unknown too. Refuses an invalid reference at once.
 */
export function keyVaultSecret(ref: KeyVaultSecretReference, args: KeyVaultSecretArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<string> {
    refuseInvalidArgs("keyVaultSecret", args.source, keyVaultSecretProblems(ref));
    const token = args.token ?? keyVaultToken(opts);
    return pulumi.secret(pulumi.output(token).apply((t) => fetchKeyVaultSecret(ref, t, args.source)));
}
