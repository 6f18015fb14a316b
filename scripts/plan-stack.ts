// node --import tsx scripts/plan-stack.ts <stack> [--root <dir>] [--secrets <file>] [--organization <org>]
//
// Evaluates infra/index.ts for one stack under the SDK's mock runtime in preview mode, with no Pulumi
// CLI, cloud or credentials, and prints the plan as JSON (scripts/lib/plan-model.ts). One stack per
// process: the program's entry module runs once. `--root` evaluates another checkout of this project
// (used by `plan --diff`). `--secrets` takes `pulumi config --show-secrets --json` output and uses those
// values instead of placeholders (still secrets: never printed). Exit 0 with the plan; 3 with the
// config error on stderr.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { installRecorder, settle } from "./lib/mock-runtime.ts";
import { buildPlan, fingerprintedSecret, plainSecret, type SecretStatus } from "./lib/plan-model.ts";
import * as pulumi from "@pulumi/pulumi";

/**
 * What each invoke the program makes returns offline: every field is computed by the cloud, so it is
 * unknown, as it would be in a preview of resources that don't exist yet.
 */
const INVOKE_FIELDS: Record<string, readonly string[]> = {
    "azure-native:authorization:getClientConfig": ["clientId", "objectId", "subscriptionId", "tenantId"],
    "azure-native:containerservice:listManagedClusterUserCredentials": ["kubeconfigs"],
    "azure-native:containerservice:listManagedClusterAdminCredentials": ["kubeconfigs"],
    "azure-native:containerservice:getManagedCluster": ["id", "name", "location", "identityProfile", "oidcIssuerProfile"],
    "azure-native:kubernetes:getConnectedCluster": ["id", "name", "location"],
    "azure-native:containerregistry:getRegistry": ["id", "name", "loginServer"],
    "github:index/getRepository:getRepository": ["id", "fullName", "name", "allowMergeCommit", "mergeCommitTitle"],
    "github:index/getUser:getUser": ["id", "login"],
    "github:index/getTeam:getTeam": ["id", "slug"],
};

/**
 * Outputs that share a name with an input but hold more than it (the cloud fills in the rest): echoing
 * the input back would show them as known and incomplete, so they are unknown.
 */
const COMPUTED_OVER_INPUTS: Record<string, readonly string[]> = {
    "azure-native:containerservice:ManagedCluster": ["oidcIssuerProfile", "identityProfile"],
};

async function main(argv: string[]): Promise<number> {
    const rootAt = argv.indexOf("--root");
    const root = rootAt >= 0 ? path.resolve(argv[rootAt + 1]) : path.join(__dirname, "..");
    const secretsAt = argv.indexOf("--secrets");
    const orgAt = argv.indexOf("--organization");
    const organization = orgAt >= 0 ? argv[orgAt + 1] : "organization";
    const stack = argv.find((a, i) => !a.startsWith("--") && !["--root", "--secrets", "--organization"].includes(argv[i - 1]));
    if (!stack) {
        process.stderr.write("usage: plan-stack.ts <stack> [--root <dir>]\n");
        return 2;
    }
    // The evaluated checkout's own modules: its schema and its stack files.
    const { PROJECT, parseStackConfig, requiredSecrets, ConfigError } = require(path.join(root, "infra", "config.ts")) as typeof import("../infra/config.ts");
    const { readStackFile, engineConfig } = require(path.join(root, "infra", "stack-files.ts")) as typeof import("../infra/stack-files.ts");

    let file;
    try {
        file = readStackFile(path.join(root, "stacks"), stack);
    } catch {
        process.stderr.write(`no stack file stacks/Pulumi.${stack}.yaml\n`);
        return 3;
    }
    const raw = engineConfig(file.values);
    // Which secrets the stack needs, so each gets a placeholder: `secure:` values can't be decrypted
    // offline, and unset ones don't exist yet. The placeholders are secret config, so the program
    // treats them exactly as real secrets, and the plan never prints them.
    let secrets: SecretStatus[];
    try {
        const parsed = parseStackConfig(stack, raw, () => "secret", () => organization);
        secrets = requiredSecrets(parsed).map((s) => ({
            key: s.key,
            purpose: s.purpose,
            status: file.secureKeys.includes(`${PROJECT}:${s.key}`) ? "secure" : "unset",
        }));
    } catch (e) {
        if (e instanceof ConfigError) {
            process.stderr.write(`${e.message}\n`);
            return 3;
        }
        throw e;
    }
    const config = { ...raw };
    for (const s of secrets) config[`${PROJECT}:${s.key}`] = `placeholder-for-${s.key}`;
    for (const k of file.secureKeys) if (!(k in config)) config[k] = "placeholder-for-secure-value";
    // Real values, as `pulumi config --show-secrets --json` prints them: {"<project>:<key>": {value, secret}}.
    let given: Record<string, { value?: unknown; secret?: boolean }> = {};
    if (secretsAt >= 0) {
        try {
            given = JSON.parse(readFileSync(argv[secretsAt + 1], "utf8"));
        } catch {
            // JSON.parse quotes the text around the error, which would print part of a secret.
            process.stderr.write(`--secrets ${argv[secretsAt + 1]}: not readable as the JSON of pulumi config --show-secrets --json (contents not shown)\n`);
            return 3;
        }
    }
    // Only for the secrets this stack reads: one file can serve `--all`.
    const needed = new Set([...secrets.map((s) => `${PROJECT}:${s.key}`), ...file.secureKeys]);
    const givenSecrets = Object.entries(given).filter(([k, v]) => needed.has(k) && v.secret && typeof v.value === "string");
    for (const [k, v] of givenSecrets) config[k] = v.value as string;
    secrets = secrets.map((s) => (givenSecrets.some(([k]) => k === `${PROJECT}:${s.key}`) ? { ...s, status: "given" } : s));

    const rec = installRecorder({
        project: PROJECT,
        stack,
        organization,
        preview: true,
        config,
        secretKeys: [...new Set([...secrets.map((s) => `${PROJECT}:${s.key}`), ...file.secureKeys, ...givenSecrets.map(([k]) => k)])],
        call: (token) => {
            const fields = INVOKE_FIELDS[token];
            if (!fields) throw new Error(`the offline plan doesn't know what invoke ${token} returns; add it to INVOKE_FIELDS`);
            return Object.fromEntries(fields.map((f) => [f, pulumi.runtime.unknownValue]));
        },
        // Nothing exists yet: no ID, and only the inputs are known.
        resource: ({ type, inputs }) => ({
            id: undefined,
            state: { ...inputs, ...Object.fromEntries((COMPUTED_OVER_INPUTS[type] ?? []).map((k) => [k, pulumi.runtime.unknownValue])) },
        }),
    });

    let outputs: Record<string, unknown>;
    try {
        const mod = require(path.join(root, "infra", "index.ts"));
        outputs = (mod.default ?? mod) as Record<string, unknown>;
    } catch (e) {
        if (e instanceof ConfigError || (e as Error)?.name === "ConfigError") {
            process.stderr.write(`${(e as Error).message}\n`);
            return 3;
        }
        throw e;
    }
    await settle();
    // Set only by `plan --diff`, for both sides: secrets become comparable fingerprints.
    const diffKey = process.env.GITOPS_PLAN_DIFF_KEY;
    const plan = await buildPlan(stack, organization, rec, outputs, secrets, diffKey ? fingerprintedSecret(diffKey) : plainSecret);
    process.stdout.write(JSON.stringify(plan, null, 2) + "\n");
    return 0;
}

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (e) => {
        process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
        process.exitCode = 1;
    },
);
