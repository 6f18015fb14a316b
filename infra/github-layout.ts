// Which GitHub Actions secrets a stack manages, at which scope, under which names. Pure: the program
// fills in values from the platform's outputs, and `npm run check-workflows` compares the same layout
// with what real workflow files read.
import type { GitHubConfig, SecretKey, StackConfig } from "./config.ts";

/** The secrets at repository level: read by jobs without an environment, or the same in every environment. */
export function repositorySecretKeys(mode: "clientSecret" | "oidc"): SecretKey[] {
    return [
        // The CI build job has no environment, so the Azure login and the registry must be repo-level.
        ...(mode === "clientSecret" ? (["AZURE_CREDENTIALS"] as const) : (["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID"] as const)),
        "AZ_ACR_NAME",
        "AZURE_VOTE_IMAGE_REPO",
        "MANIFESTS_REPO",
        "MANIFESTS_BRANCH",
        "MANIFESTS_FOLDER",
        "VOTE_APP_TITLE",
        "DEMO_APP_URL",
        "SYSTEM_LABEL",
        "PAT",
        "AKS_RESOURCE_GROUP",
        "AKS_NAME",
    ];
}

/**
 * The secrets at environment level: what differs per environment, plus the cluster's name and resource
 * group when the environment runs on another cluster than the repository-level values name.
 */
export function environmentSecretKeys(otherCluster: boolean): SecretKey[] {
    return ["ENVIRONMENT_NAME", "TARGET_NAMESPACE", ...(otherCluster ? (["AKS_NAME", "AKS_RESOURCE_GROUP"] as const) : [])];
}

/** The Actions secret name for a logical secret, after the stack's renames. */
export function secretName(g: Pick<GitHubConfig, "secretNames">, key: SecretKey): string {
    return g.secretNames[key] ?? key;
}

/** The short name of a stack reference (`org/project/dev` -> `dev`). */
export function shortStack(name: string): string {
    return name.split("/").pop()!;
}

/** The stack whose cluster this stack deploys to. */
export function clusterStack(c: StackConfig): string {
    return c.kind === "shared" ? shortStack(c.ownerStack) : c.stack;
}

/** The stack that owns the repository level, as this stack's config names it. */
export function repositoryStack(c: StackConfig): string | undefined {
    const g = c.github;
    if (g === undefined) return undefined;
    return g.repository !== undefined ? c.stack : g.repositoryStack && shortStack(g.repositoryStack);
}

/** Whether this stack's environment runs on another cluster than the repository level names. */
export function onOtherCluster(c: StackConfig): boolean {
    const repo = repositoryStack(c);
    return repo !== undefined && repo !== c.stack && clusterStack(c) !== repo;
}

export interface SecretLayout {
    /** Secret names at repository level (empty unless this stack owns that level). */
    readonly repository: readonly string[];
    /** The environment this stack owns and its secret names. */
    readonly environment: { readonly name: string; readonly secrets: readonly string[] } | undefined;
}

/** What one stack manages on the app repo. */
export function secretLayout(c: StackConfig): SecretLayout {
    const g = c.github;
    if (g === undefined) return { repository: [], environment: undefined };
    return {
        repository: g.repository ? repositorySecretKeys(g.repository.ciIdentity.mode).map((k) => secretName(g, k)) : [],
        environment: { name: g.environment.name, secrets: environmentSecretKeys(onOtherCluster(c)).map((k) => secretName(g, k)) },
    };
}
