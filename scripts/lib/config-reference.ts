// The configuration reference and the stack files' JSON Schema, both generated from the zod schema the
// program validates with, so neither can drift from it. `npm run config-reference` writes them;
// test/config-reference.test.ts fails when the committed copies are stale.
import { z } from "zod";
import { KEY_VAULT_NAME_RULE, KEY_VAULT_SECRET_NAME_RULE, KEY_VAULT_SECRET_VERSION_RULE } from "../../components/keyvault-secret.ts";
import { FLEET_KEYS, PROJECT, SECTION_SCHEMAS, SHARED_KEYS, TOP_LEVEL_KEYS } from "../../infra/config.ts";

type Json = Record<string, any>;

/** Where the generated files live, relative to the repository root. */
export const REFERENCE_FILE = "docs/configuration.md";
export const SCHEMA_FILE = "docs/stack-file.schema.json";
/** The first line of every stack file: editors that run yaml-language-server validate and complete with it. */
export const SCHEMA_COMMENT = `# yaml-language-server: $schema=../${SCHEMA_FILE}`;

function sectionSchema(k: (typeof TOP_LEVEL_KEYS)[number]): Json {
    // Input side: what a person writes, where every defaulted field is optional.
    const { $schema: _, ...json } = z.toJSONSchema(SECTION_SCHEMAS[k], { io: "input", unrepresentable: "any" }) as Json;
    return json;
}

/** The JSON Schema of a stack file, stacks/Pulumi.<stack>.yaml. */
export function stackFileSchema(): Json {
    const sections = Object.fromEntries(TOP_LEVEL_KEYS.map((k) => [`${PROJECT}:${k}`, sectionSchema(k)]));
    return {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        title: `${PROJECT} stack file (stacks/Pulumi.<stack>.yaml)`,
        description: `Generated from the program's config schema by npm run config-reference; see ${REFERENCE_FILE}.`,
        type: "object",
        properties: {
            config: {
                type: "object",
                properties: sections,
                patternProperties: {
                    // Any other key of this project is a secret the config names (connectorPat, …).
                    [`^${PROJECT}:(?!(${TOP_LEVEL_KEYS.join("|")})$)[A-Za-z][A-Za-z0-9_]*$`]: {
                        description:
                            "A secret config key named by the config: set with `pulumi config set --secret <key> < <file>`, or pointed at a Key Vault secret (docs/keyvault.md).",
                        oneOf: [
                            { type: "object", properties: { secure: { type: "string" } }, required: ["secure"], additionalProperties: false },
                            {
                                type: "object",
                                properties: {
                                    keyVault: {
                                        type: "object",
                                        properties: {
                                            vaultName: { type: "string", pattern: KEY_VAULT_NAME_RULE.pattern.source },
                                            secretName: { type: "string", pattern: KEY_VAULT_SECRET_NAME_RULE.pattern.source },
                                            version: { type: "string", pattern: KEY_VAULT_SECRET_VERSION_RULE.pattern.source },
                                        },
                                        required: ["vaultName", "secretName"],
                                        additionalProperties: false,
                                    },
                                },
                                required: ["keyVault"],
                                additionalProperties: false,
                            },
                        ],
                    },
                    [`^(?!${PROJECT}:)[A-Za-z0-9_.-]+:.+$`]: { description: "Another package's config, e.g. azure-native:location." },
                },
                additionalProperties: false,
                allOf: [
                    // A stack on another stack's cluster sets only what SHARED_KEYS lists; the owner sets the rest.
                    {
                        if: { properties: { [`${PROJECT}:cluster`]: { properties: { mode: { const: "shared" } }, required: ["mode"] } }, required: [`${PROJECT}:cluster`] },
                        then: { propertyNames: { not: { enum: TOP_LEVEL_KEYS.filter((k) => !SHARED_KEYS.includes(k)).map((k) => `${PROJECT}:${k}`) } } },
                    },
                    // A fleet stack sets only what FLEET_KEYS lists.
                    {
                        if: { required: [`${PROJECT}:fleet`] },
                        then: { propertyNames: { not: { enum: TOP_LEVEL_KEYS.filter((k) => !FLEET_KEYS.includes(k)).map((k) => `${PROJECT}:${k}`) } } },
                    },
                ],
            },
            secretsprovider: { type: "string" },
            encryptedkey: { type: "string" },
            encryptionsalt: { type: "string" },
            environment: { type: "array", items: { type: "string" } },
        },
        additionalProperties: false,
    };
}

// ---------------------------------------------------------------------------------------------
// Markdown.
// ---------------------------------------------------------------------------------------------

const code = (v: unknown) => `\`${typeof v === "string" && v !== "" ? v : JSON.stringify(v)}\``;
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function typeName(s: Json): string {
    if (s.const !== undefined) return code(s.const);
    if (s.enum) return s.enum.map(code).join(" | ");
    const alternatives = s.oneOf ?? s.anyOf;
    if (alternatives) return alternatives.map(typeName).join(" or ");
    if (s.type === "array") return `list of ${typeName(s.items ?? {})}`;
    if (s.type === "object") {
        if (s.properties) return "object";
        const keys = s.propertyNames?.enum ? `${s.propertyNames.enum.map(code).join(" | ")}` : "name";
        return `map ${keys} → ${typeName(s.additionalProperties ?? {})}`;
    }
    if (s.format) return `${s.type} (${s.format})`;
    if (s.pattern && s.type === "string") return "string";
    return s.type ?? "any";
}

interface Row {
    readonly key: string;
    readonly type: string;
    readonly dflt: string;
    readonly description: string;
}

/** The discriminator of a union of objects: the property every variant fixes with a const. */
function discriminator(variants: Json[]): string | undefined {
    const first = variants[0]?.properties ?? {};
    return Object.keys(first).find((p) => variants.every((v) => v.properties?.[p]?.const !== undefined));
}

function rows(s: Json, path: string, into: Row[], when = ""): void {
    const required: string[] = s.required ?? [];
    for (const [name, sub] of Object.entries<Json>(s.properties ?? {})) {
        const key = path ? `${path}.${name}` : name;
        const variants: Json[] | undefined = sub.oneOf ?? (sub.anyOf?.every((v: Json) => v.type === "object") ? sub.anyOf : undefined);
        const tag = variants ? discriminator(variants) : undefined;
        const dflt = sub.default !== undefined ? code(sub.default) : required.includes(name) ? "required" : "unset";
        into.push({ key, type: tag ? `object, by \`${tag}\`` : typeName(sub), dflt, description: `${when}${sub.description ?? ""}` });
        if (variants && tag) {
            for (const v of variants) {
                const label = `${tag}: ${v.properties[tag].const}`;
                if (v.description) into.push({ key: `${key}.${tag}`, type: code(v.properties[tag].const), dflt: "", description: v.description });
                rows({ ...v, properties: Object.fromEntries(Object.entries<Json>(v.properties).filter(([p]) => p !== tag)) }, key, into, `(${label}) `);
            }
        } else if (sub.type === "object" && sub.properties) {
            rows(sub, key, into, when);
        } else if (sub.type === "array" && sub.items?.type === "object" && sub.items.properties) {
            rows(sub.items, `${key}[]`, into, when);
        }
    }
}

function table(list: readonly Row[]): string[] {
    return ["| Key | Type | Default | Meaning |", "| --- | --- | --- | --- |", ...list.map((r) => `| \`${r.key}\` | ${cell(r.type)} | ${cell(r.dflt)} | ${cell(r.description)} |`)];
}

/** docs/configuration.md. */
export function renderReference(): string {
    const out = [
        "# Configuration reference",
        "",
        `<!-- Generated from infra/config/ by npm run config-reference; edit the schema's descriptions, not this file. -->`,
        "",
        `Every key lives under the project namespace \`${PROJECT}:\` in \`stacks/Pulumi.<stack>.yaml\`. The stack file is validated before`,
        "anything is registered; an error names the stack file, the key path and what was expected. Unknown keys are errors too.",
        `Editors that run yaml-language-server validate and complete stack files against [the JSON Schema](stack-file.schema.json),`,
        `named on each stack file's first line (\`${SCHEMA_COMMENT}\`).`,
        "",
        "Secret values never go in the stack file: keys whose names end in `Secret` (and the values of `connector.subscribers`) name",
        "a secret config key; see [Secrets](#secrets).",
    ];
    for (const k of TOP_LEVEL_KEYS) {
        const s = sectionSchema(k);
        out.push("", `## \`${k}\``, "");
        if (s.description) out.push(s.description, "");
        const variants: Json[] | undefined = s.oneOf;
        const tag = variants ? discriminator(variants) : undefined;
        if (variants && tag) {
            for (const v of variants) {
                const list: Row[] = [];
                rows(v, "", list);
                out.push(`### \`${tag}: ${v.properties[tag].const}\``, "", ...(v.description ? [v.description, ""] : []), ...table(list.filter((r) => r.key !== tag)), "");
            }
            out.pop();
        } else {
            const list: Row[] = [];
            rows(s, "", list);
            out.push(...table(list));
        }
    }
    out.push("", ...SECRETS_SECTION);
    return out.join("\n") + "\n";
}

const SECRETS_SECTION = [
    "## Secrets",
    "",
    "Secrets are never written in clear, and never typed on a command line, where shell history and `ps` would keep them: set each",
    "from a file or a pipe, `pulumi config set --secret <key> --stack <stack> < <file>` (`pulumi config set` reads the value from",
    "standard input; multi-line values such as a kubeconfig work the same way). The program refuses a secret key stored in plain",
    "text or missing, naming the key and that command. The names are chosen in the config (the `*Secret` keys above, and the values",
    "of `connector.subscribers`); the shipped stacks use `connectorPat`, `appRepoPat`, `gitopsRepoPat` and `arcKubeconfig`. Every",
    "one stays a Pulumi secret into the resource input that uses it: Flux protected settings, the connector's Secret and subscriber",
    "URLs, the Kubernetes provider's kubeconfig, the pull secret, the GitHub Actions secrets.",
    "",
    "Any of these keys can instead point at a secret in Azure Key Vault: the same key holds a plain object",
    "`{ keyVault: { vaultName, secretName, version? } }`, set with `pulumi config set --path <key>.keyVault.vaultName <vault>` and",
    "`… <key>.keyVault.secretName <name>` (without `--secret`: a reference names a secret and isn't one). The program reads the value",
    "from the vault's data plane on every preview and update, as a secret, with a token from the provider's sign-in, which needs",
    "the Key Vault Secrets User role on the vault or the secret; the offline plan lists the key as from Key Vault and fetches",
    "nothing. See [keyvault.md](keyvault.md).",
    "",
    "A credential pasted where a name or a plain value belongs is refused before anything registers, by key path alone, its value",
    "never repeated: a GitHub, GitLab or Slack token, a private key, a JSON Web Token or an Entra ID client secret in any field of",
    "the stack file; a URL with userinfo anywhere (only SSH's `git@` and Azure DevOps' organisation name are allowed); and a secret",
    "key *name* that looks like a token or a long base64 string. Generated credentials (the CI identity's client secret, the deploy",
    "key's private half) are secrets too, and live only in the (encrypted) state.",
];
