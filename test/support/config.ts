// Validating stack config in tests the way the program does: top-level values or a shipped stack file
// in, a StackConfig or the ConfigError's problems out.
import assert from "node:assert/strict";
import * as path from "node:path";
import { ConfigError, parseStackConfig, PROJECT, type OwnerNamespaces, type StackConfig } from "../../infra/config.ts";
import { engineConfig, listStacks, readStackFile } from "../../infra/stack-files.ts";
import { REPO_ROOT } from "./fixtures.ts";

/** Top-level keys as a stack file would give them: `<project>:<key>` -> the string the engine passes. */
export function projectConfig(values: Record<string, unknown>): Record<string, string> {
    return engineConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`${PROJECT}:${k}`, v])));
}

/** The stacks that ship in stacks/, by file name. */
export function shippedStacks(): string[] {
    return listStacks(path.join(REPO_ROOT, "stacks"));
}

/**
 * A stack file's config as the engine would hand it to the program: `<project>:<key>` -> value.
 * `secure:` values can't be decrypted without the CLI, so they are dropped; tests supply secrets.
 */
export function stackFileConfig(stack: string): Record<string, unknown> {
    return readStackFile(path.join(REPO_ROOT, "stacks"), stack).values;
}

/** Whether each secret config key is set: listed ones as given, others missing; `all`: every key set as a secret. */
export type SecretStates = Readonly<Record<string, "secret" | "plaintext">> | "all";

export interface ParseOptions {
    readonly secrets?: SecretStates;
    readonly organization?: string;
    readonly ownerNamespaces?: OwnerNamespaces;
}

/** parseStackConfig on top-level values (`azure`, `cluster`, …, without the project prefix). */
export function parseStack(stack: string, values: Record<string, unknown>, o: ParseOptions = {}): StackConfig {
    return parseStackConfig(stack, projectConfig(values), secretState(o.secrets ?? "all"), () => o.organization ?? "organization", o.ownerNamespaces);
}

/** A shipped stack file, validated as the program does; by default every secret it names counts as set. */
export function parseShippedStack(stack: string, secrets: SecretStates = "all"): StackConfig {
    return parseStackConfig(stack, engineConfig(stackFileConfig(stack)), secretState(secrets), () => "organization");
}

function secretState(secrets: SecretStates): (key: string) => "secret" | "plaintext" | "missing" {
    return (k) => (secrets === "all" ? "secret" : (secrets[k] ?? "missing"));
}

/** The problems of a config that must be refused, checking the ConfigError names the stack file. */
export function configProblems(stack: string, values: Record<string, unknown>, o: ParseOptions = {}): readonly string[] {
    try {
        parseStack(stack, values, o);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
        assert.equal(e.stackFile, `stacks/Pulumi.${stack}.yaml`);
        assert.ok(e.message.startsWith(`Invalid stack configuration in stacks/Pulumi.${stack}.yaml:`));
        return e.problems;
    }
    assert.fail("expected the config to be rejected");
}

/** The smallest valid stack that owns a cluster: AKS, a new registry, one public GitOps repo. */
export function minimalStack(): Record<string, any> {
    return {
        azure: { location: "westeurope", resourceGroup: "rg" },
        cluster: { mode: "aks", name: "arc-cicd-cluster", appNamespaces: ["dev", "stage"] },
        registry: { mode: "create", name: "arccicddemoacr" },
        flux: {
            configurations: [
                {
                    name: "cluster-config",
                    url: "https://github.com/org/arc-cicd-demo-gitops",
                    branch: "master",
                    kustomizations: [{ name: "cluster-config", path: "arc-cicd-cluster/manifests", prune: true }],
                },
            ],
        },
    };
}

// The config tests' conventions: stack `t`, organization `acme`, only the connector's PAT set.
const TEST_SECRETS = { connectorPat: "secret" } as const;

export function parseTestStack(values: Record<string, unknown>, secrets: SecretStates = TEST_SECRETS, stack = "t"): StackConfig {
    return parseStack(stack, values, { secrets, organization: "acme" });
}

export function testStackProblems(values: Record<string, unknown>, secrets: SecretStates = TEST_SECRETS, stack = "t"): readonly string[] {
    return configProblems(stack, values, { secrets, organization: "acme" });
}
