// node --import tsx scripts/plan-stack.ts <stack> [--root <dir>] [--secrets <file>] [--organization <org>]
//
// Evaluates infra/index.ts for one stack under the SDK's mock runtime in preview mode, with no Pulumi
// CLI, cloud or credentials, and prints the plan as JSON (scripts/lib/plan-model.ts). One stack per
// process: the program's entry module runs once. `--root` evaluates another checkout of this project
// (used by `plan --diff`). `--secrets` takes `pulumi config --show-secrets --json` output and uses those
// values instead of placeholders (still secrets: never printed). A key pointing at Key Vault keeps its
// reference: its value is a lookup answered at deploy time, unknown here. Exit 0 with the plan; 3 with the
// config error (or a stack file that isn't YAML, or a bad --secrets file) on stderr; 2 on bad usage.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseCommandLine, stackNameProblem } from "./lib/cli.ts";
import { unknownResult } from "./lib/invokes.ts";
import { installRecorder, settle } from "./lib/mock-runtime.ts";
import { buildPlan, fingerprintedSecret, plainSecret, type PlanTarget, type SecretStatus } from "./lib/plan-model.ts";
import type { StackConfig } from "../infra/config.ts";
import { keyVaultReference } from "../infra/config/secret-sources.ts";
import { describeScope } from "../components/fleet.ts";
import * as pulumi from "@pulumi/pulumi";

/**
 * Outputs that share a name with an input but hold more than it (the cloud fills in the rest): echoing
 * the input back would show them as known and incomplete, so they are unknown.
 */
const COMPUTED_OVER_INPUTS: Record<string, readonly string[]> = {
    "azure-native:containerservice:ManagedCluster": ["oidcIssuerProfile", "identityProfile"],
    // The identity's principalId comes from ARM.
    "azure-native:authorization:PolicyAssignment": ["identity"],
};

export class SecretsFileError extends Error {}

/** What the stack deploys to, for the fleet summary. */
function planTarget(c: StackConfig): PlanTarget {
    switch (c.kind) {
        case "owner":
            return {
                // Pull-only clusters say so: nothing of theirs goes through the Kubernetes API.
                mode: c.cluster.delivery === "git" ? `${c.cluster.mode} (git)` : c.cluster.mode,
                cluster: `${("resourceGroup" in c.cluster ? c.cluster.resourceGroup : undefined) ?? c.azure.resourceGroup}/${c.cluster.name}`,
            };
        case "shared":
            return { mode: "shared", cluster: `stack ${c.clusterStack.short}'s` };
        case "fleet":
            return { mode: "fleet", cluster: `${c.fleet.clusterTypes.map((t) => (t === "connectedClusters" ? "Arc" : "AKS")).join(" and ")} clusters in ${describeScope(c.scope)}` };
    }
}

const kindOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "string" ? "a string" : `a ${typeof v}`);

/**
 * The output of `pulumi config --show-secrets --json`: {"<project>:<key>": {value, secret}}. The file
 * holds secrets, so no error quotes it (JSON.parse's own messages quote the text around the error).
 */
export function readSecretsFile(file: string): Record<string, unknown> {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new SecretsFileError(`--secrets ${file}: ${code === "ENOENT" ? "no such file" : `can't read it (${code ?? (e as Error).message})`}`);
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        throw new SecretsFileError(`--secrets ${file}: not readable as the JSON of pulumi config --show-secrets --json (contents not shown)`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new SecretsFileError(`--secrets ${file}: expected the JSON object pulumi config --show-secrets --json prints, found ${kindOf(value)} (contents not shown)`);
    }
    return value as Record<string, unknown>;
}

/** One line for a stack file the YAML parser refuses: where, and why, without quoting the file. */
function yamlProblem(file: string, e: unknown): string | undefined {
    const err = e as { name?: string; message?: string; linePos?: { line: number; col: number }[] };
    if (err?.name !== "YAMLParseError" && err?.name !== "YAMLError") return undefined;
    const reason = String(err.message ?? "").split("\n")[0].replace(/ at line \d+, column \d+:?$/, "").replace(/:$/, "");
    const at = err.linePos?.[0];
    return `${file}: not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ""}: ${reason}`;
}

async function main(argv: string[]): Promise<number> {
    const line = parseCommandLine(argv, { root: "string", secrets: "string", organization: "string" });
    if (line?.positionals.length !== 1) {
        process.stderr.write("usage: plan-stack.ts <stack> [--root <dir>] [--secrets <file>] [--organization <org>]\n");
        return 2;
    }
    const [stack] = line.positionals;
    const root = line.values.root === undefined ? path.join(__dirname, "..") : path.resolve(line.values.root);
    const organization = line.values.organization ?? "organization";
    const badName = stackNameProblem(stack);
    if (badName) {
        process.stderr.write(`${badName}\n`);
        return 2;
    }
    // The evaluated checkout's own modules: its schema and its stack files.
    const { PROJECT, parseStackConfig, requiredSecrets, ConfigError } = require(path.join(root, "infra", "config.ts")) as typeof import("../infra/config.ts");
    const { readStackFile, engineConfig } = require(path.join(root, "infra", "stack-files.ts")) as typeof import("../infra/stack-files.ts");

    const relative = `stacks/Pulumi.${stack}.yaml`;
    if (!existsSync(path.join(root, relative))) {
        process.stderr.write(`no stack file ${relative}\n`);
        return 3;
    }
    let file;
    try {
        file = readStackFile(path.join(root, "stacks"), stack);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        process.stderr.write(`${yamlProblem(relative, e) ?? `${relative}: can't read it (${code ?? (e as Error).message})`}\n`);
        return 3;
    }
    const raw = engineConfig(file.values);
    // Which secrets the stack needs, so each gets a placeholder: `secure:` values can't be decrypted
    // offline, and unset ones don't exist yet. The placeholders are secret config, so the program
    // treats them exactly as real secrets, and the plan never prints them. A key set in plain text is
    // checked as the engine would (it may be a Key Vault reference); an unset one counts as set.
    const secretState = (k: string) => (file.secureKeys.includes(`${PROJECT}:${k}`) || !(`${PROJECT}:${k}` in raw) ? "secret" : "plaintext");
    let secrets: SecretStatus[];
    let target: PlanTarget;
    try {
        const parsed = parseStackConfig(stack, raw, secretState, () => organization);
        target = planTarget(parsed);
        secrets = requiredSecrets(parsed).map((s): SecretStatus => {
            const full = `${PROJECT}:${s.key}`;
            const reference = secretState(s.key) === "plaintext" ? keyVaultReference(s.key, raw[full])?.reference : undefined;
            if (reference) return { key: s.key, purpose: s.purpose, status: "keyVault", keyVault: reference };
            return { key: s.key, purpose: s.purpose, status: file.secureKeys.includes(full) ? "secure" : "unset" };
        });
    } catch (e) {
        if (e instanceof ConfigError) {
            process.stderr.write(`${e.message}\n`);
            return 3;
        }
        throw e;
    }
    const config = { ...raw };
    // A Key Vault reference stays as it is: the program reads it as it would at deploy time, through the
    // token lookup, which the plan answers unknown, so nothing is fetched and the value is unknown.
    const placeheld = secrets.filter((s) => s.status !== "keyVault");
    for (const s of placeheld) config[`${PROJECT}:${s.key}`] = `placeholder-for-${s.key}`;
    for (const k of file.secureKeys) if (!(k in config)) config[k] = "placeholder-for-secure-value";
    // Real values, as `pulumi config --show-secrets --json` prints them: {"<project>:<key>": {value, secret}}.
    let given: Record<string, unknown> = {};
    if (line.values.secrets !== undefined) {
        try {
            given = readSecretsFile(line.values.secrets);
        } catch (e) {
            if (!(e instanceof SecretsFileError)) throw e;
            process.stderr.write(`${e.message}\n`);
            return 3;
        }
    }
    // Only for the secrets this stack reads: one file can serve `--all`.
    const needed = new Set([...placeheld.map((s) => `${PROJECT}:${s.key}`), ...file.secureKeys]);
    const entry = (v: unknown) => (v !== null && typeof v === "object" ? (v as { value?: unknown; secret?: unknown }) : {});
    const givenSecrets = Object.entries(given)
        .map(([k, v]) => [k, entry(v)] as const)
        .filter(([k, v]) => needed.has(k) && v.secret && typeof v.value === "string");
    for (const [k, v] of givenSecrets) config[k] = v.value as string;
    secrets = secrets.map((s) => (givenSecrets.some(([k]) => k === `${PROJECT}:${s.key}`) ? { ...s, status: "given" } : s));

    const rec = installRecorder({
        project: PROJECT,
        stack,
        organization,
        preview: true,
        config,
        secretKeys: [...new Set([...placeheld.map((s) => `${PROJECT}:${s.key}`), ...file.secureKeys, ...givenSecrets.map(([k]) => k)])],
        call: (token) => unknownResult(token),
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
    process.stdout.write(JSON.stringify({ ...plan, target }, null, 2) + "\n");
    return 0;
}

if (require.main === module) main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (e) => {
        process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
        process.exitCode = 1;
    },
);
