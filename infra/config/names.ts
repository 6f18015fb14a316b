// Names the configuration is addressed by: the project namespace of its keys, stack files and stack
// references, and the error that reports a stack file's problems.
import * as pulumi from "@pulumi/pulumi";

/** The project name in Pulumi.yaml; stack config keys live under this namespace. Read nowhere else. */
export const PROJECT = "gitops-platform";

/** A RunError, so `pulumi up` prints the message alone, without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly stackFile: string, readonly problems: readonly string[]) {
        super(`Invalid stack configuration in ${stackFile}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

export function stackFileName(stack: string): string {
    return `stacks/Pulumi.${stack}.yaml`;
}

/** The short name of a stack reference: `org/project/dev` -> `dev`. */
export function shortStack(name: string): string {
    const parts = name.split("/");
    return parts[parts.length - 1];
}

/** A stack reference as StackReference wants it: `dev` -> `<org>/<project>/dev`, `org/dev` -> `org/<project>/dev`. */
export function qualifiedStack(name: string, organization: () => string, project: string = PROJECT): string {
    const parts = name.split("/");
    return parts.length === 3 ? name : parts.length === 2 ? `${parts[0]}/${project}/${parts[1]}` : `${organization()}/${project}/${name}`;
}

/** A config key path as users write it: `gitops-platform:flux.configurations[0].url`. */
export function key(...path: (string | number)[]): string {
    return `${PROJECT}:${path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("")}`;
}

/**
 * How to set a secret config key without typing its value on a command line, where shell history and
 * `ps` would see it: `pulumi config set` reads the value from standard input.
 */
export function setSecretCommand(secretKey: string, stack: string): string {
    return `pulumi config set --secret ${secretKey} --stack ${stack} < <file holding the value>`;
}
