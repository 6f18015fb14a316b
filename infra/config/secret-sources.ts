// Where a secret config key's value comes from. Either the stack file holds it encrypted (`pulumi config
// set --secret`), or the key points at a secret in Azure Key Vault: the same key, holding instead a plain
// object `{ keyVault: { vaultName, secretName, version? } }`. A reference is not a secret (it names one),
// so it is stored and shown in clear; the value it names is read at deploy time and stays a secret.
import { looksLikeSecretValue } from "../../components/credentials.ts";
import { keyVaultSecretProblems, type KeyVaultSecretReference } from "../../components/keyvault-secret.ts";
import { key } from "./names.ts";

/** The field of a secret key's value that makes it a Key Vault reference. */
export const KEY_VAULT_FIELD = "keyVault";

/** What a secret key's plain value says: a valid reference, or the problems of one meant as a reference. */
export type KeyVaultReferenceResult =
    | { readonly reference: KeyVaultSecretReference; readonly problems?: undefined }
    | { readonly reference?: undefined; readonly problems: readonly string[] };

/**
 * Read a secret key's plain (not encrypted) value, as the engine passes it: JSON text for an object.
 * Undefined when it isn't meant as a reference (not an object with `keyVault`): a value stored in plain
 * text, which the caller refuses as before. Problems name their key path; values are never quoted.
 */
export function keyVaultReference(secretKey: string, value: string | undefined): KeyVaultReferenceResult | undefined {
    if (value === undefined) return undefined;
    let decoded: unknown;
    try {
        decoded = JSON.parse(value);
    } catch {
        return undefined;
    }
    if (decoded === null || typeof decoded !== "object" || Array.isArray(decoded) || !(KEY_VAULT_FIELD in decoded)) return undefined;
    // Offline, a reference set with --secret shows its encrypted leaves ({ secure: … }).
    if (hasEncryptedLeaf((decoded as Record<string, unknown>)[KEY_VAULT_FIELD])) return { problems: [encryptedReferenceProblem(secretKey)] };
    const problems: string[] = [];
    for (const f of Object.keys(decoded)) {
        if (f === KEY_VAULT_FIELD) continue;
        problems.push(
            `${key(secretKey)}: ${looksLikeSecretValue(f) ? "a field name here looks like a credential (name not shown)" : `unknown field '${f}'`}; a Key Vault reference holds only keyVault: { vaultName, secretName, version? }`,
        );
    }
    const ref = (decoded as Record<string, unknown>)[KEY_VAULT_FIELD];
    // `pulumi config set --path` stores a value of digits as a number (and a long one loses digits).
    const isNumber = (path: readonly (string | number)[]) => path.length === 1 && typeof (ref as Record<string, unknown>)[path[0]] === "number";
    problems.push(
        ...keyVaultSecretProblems(ref).map(
            (p) => `${key(secretKey, KEY_VAULT_FIELD, ...p.path)}: ${p.message}${isNumber(p.path) ? "; a value of digits is stored as a number: set it again with pulumi config set --path --type string" : ""}`,
        ),
    );
    return problems.length > 0 ? { problems } : { reference: ref as KeyVaultSecretReference };
}

/** Whether a stack file's value holds a `secure:` leaf, as `pulumi config set --secret --path` writes it. */
function hasEncryptedLeaf(v: unknown): boolean {
    if (v === null || typeof v !== "object") return false;
    if (!Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { secure?: unknown }).secure === "string") return true;
    return Object.values(v).some(hasEncryptedLeaf);
}

/** A reference set with `pulumi config set --secret --path`: refused, offline and at deploy time alike. */
export function encryptedReferenceProblem(secretKey: string): string {
    return `${key(secretKey)}: a Key Vault reference set with --secret; a reference names a secret and isn't one: remove it (pulumi config rm ${secretKey}) and set it again without --secret`;
}

/** Where a secret config key's value comes from, for a key the stack config names. */
export type SecretSource = { readonly kind: "config" } | { readonly kind: "keyVault"; readonly reference: KeyVaultSecretReference };

/** "from Key Vault <vault>/<secret>[/<version>]", as the plan and the docs say it. */
export function describeKeyVaultReference(ref: KeyVaultSecretReference): string {
    return `from Key Vault ${ref.vaultName}/${ref.secretName}${ref.version === undefined ? "" : `/${ref.version}`}`;
}
