// Which GitHub Actions secrets a stack manages, at which scope, under which names. Pure: the program
// fills in values from the platform's outputs, and `npm run check-workflows` compares the same layout
// with what real workflow files read.
import { APP, type SecretKey } from "./app-profile.ts";
import type { GitHubConfig, StackConfig } from "./config.ts";
import { gitopsGovernanceProblems } from "./config/checks-github.ts";
import { fleetLayoutProblems } from "./fleet-layout.ts";
import { gitDeliveryLayoutProblems, platformFolder, platformVaultName } from "./git-delivery.ts";

/** The Actions secret name for a logical secret, after the stack's renames. */
export function secretName(g: Pick<GitHubConfig, "secretNames">, key: SecretKey): string {
    return g.secretNames[key] ?? key;
}

/** The stack whose cluster this stack deploys to; a fleet stack deploys to no cluster of a stack. */
export function clusterStack(c: StackConfig): string | undefined {
    return c.kind === "fleet" ? undefined : c.clusterStack.short;
}

/** The stack that owns the repository level, as this stack's config names it. */
export function repositoryStack(c: StackConfig): string | undefined {
    return c.github?.repositoryLevel.short;
}

/** Whether this stack's environment runs on another cluster than the repository level names. */
export function onOtherCluster(c: StackConfig): boolean {
    const repo = repositoryStack(c);
    return repo !== undefined && repo !== c.stack && clusterStack(c) !== repo;
}

/**
 * Whether this stack grants the CI identity access to its cluster: a stack owning a cluster other than
 * the repository level's. Stacks sharing that cluster rely on the owner's grant (two identical role
 * assignments would collide in Azure).
 */
export function grantsClusterAccess(c: StackConfig): boolean {
    return c.kind === "owner" && onOtherCluster(c);
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
        repository: g.repository ? APP.repositorySecretKeys(g.repository.ciIdentity.mode).map((k) => secretName(g, k)) : [],
        environment: { name: g.environment.name, secrets: APP.environmentSecretKeys(onOtherCluster(c)).map((k) => secretName(g, k)) },
    };
}

/**
 * What must hold across all the stacks of a project, which no single stack can see at deploy time:
 * one owner per cluster, per GitHub object and per platform folder, one connector dispatching to each app repo, a CI grant
 * on every cluster an environment runs on, and protection on a registry other stacks pull from.
 * Returns one message per violation.
 */
export function crossStackProblems(configs: readonly StackConfig[]): string[] {
    const problems: string[] = [];
    const owners = new Map<string, string[]>();
    const own = (what: string, stack: string) => owners.set(what, [...(owners.get(what) ?? []), stack]);
    const byName = new Map(configs.map((c) => [c.stack, c]));
    // Azure names are case-insensitive: a cluster is named as the first stack that claims it spells it.
    const clusters = new Map<string, string>();
    for (const c of configs) {
        if (c.kind === "owner") {
            // Whatever the mode (creating it, adopting it, or Arc), an owner installs the extension, the
            // Flux configurations and the connector on its cluster: a second owner would fight over them,
            // and a destroy of either would take them from the other.
            const resourceGroup = (c.cluster.mode === "aks" ? undefined : c.cluster.resourceGroup) ?? c.azure.resourceGroup;
            // An AKS and an Arc cluster are different ARM resources even under one group and name.
            const id = `${c.cluster.mode === "arc" ? "Arc cluster" : "AKS cluster"} ${resourceGroup}/${c.cluster.name}`;
            if (!clusters.has(id.toLowerCase())) clusters.set(id.toLowerCase(), id);
            own(clusters.get(id.toLowerCase())!, c.stack);
        }
        if (c.kind === "owner" && c.cluster.delivery === "git") {
            // Delivery git: two stacks writing one platform folder would overwrite each other's files, and
            // two creating one vault name would collide (names are global).
            const host = c.manifests.configuration;
            if (host.repo?.kind === "github") {
                own(`the platform folder ${platformFolder(c)} on branch ${host.branch} of ${host.repo.owner.toLowerCase()}/${host.repo.repo.toLowerCase()}`, c.stack);
            }
            const kv = c.cluster.gitDelivery?.keyVault;
            if (kv !== undefined && "name" in kv) own(`the Key Vault ${platformVaultName(c)} (created)`, c.stack);
        }
        const g = c.github;
        if (c.kind === "owner" && c.connector.enabled && c.connector.mode === "GITHUB") {
            // Every connector dispatches sync-success to its app repo on each reconciliation: two would
            // start the promotion workflow twice per merge.
            const gitops = c.manifests.configuration.repo;
            if (gitops?.kind === "github") own(`the GitOps Connector's sync-success dispatches to ${gitops.owner}/${c.connector.appRepo}`, c.stack);
        }
        if (!g) continue;
        const repo = `${g.owner}/${g.appRepo}`;
        if (g.repository) own(`the repository-level secrets of ${repo}`, c.stack);
        own(`environment ${g.environment.name} of ${repo}`, c.stack);
        const repoStack = repositoryStack(c);
        if (repoStack !== undefined && !byName.has(repoStack)) problems.push(`stack ${c.stack}: github.repositoryStack '${repoStack}' has no stack file`);
        if (repoStack !== undefined && repoStack !== c.stack && !byName.get(repoStack)?.github?.repository) {
            if (byName.has(repoStack)) problems.push(`stack ${c.stack}: stack ${repoStack} named in github.repositoryStack doesn't own the repository level (no github.repository)`);
        }
        const level = repoStack !== undefined && repoStack !== c.stack ? byName.get(repoStack)?.github : undefined;
        if (level?.repository && `${level.owner}/${level.appRepo}`.toLowerCase() !== repo.toLowerCase()) {
            // The environment's workflows read the repository-level secrets and the CI identity of their own repo.
            problems.push(
                `stack ${c.stack}: github.repositoryStack '${repoStack}' owns the repository level of ${level.owner}/${level.appRepo}, but this stack's environment is in ${repo}; ` +
                    `name the stack owning ${repo}'s repository level, or give this stack github.repository`,
            );
        }
        if (onOtherCluster(c) && c.kind === "shared") {
            const owner = byName.get(c.clusterStack.short);
            if (owner && !(owner.github && grantsClusterAccess(owner))) {
                problems.push(
                    `stack ${c.stack}: its environment runs on the cluster of stack ${owner.stack}, which grants the CI identity no access to it (give ${owner.stack} a github section naming the same repository stack)`,
                );
            }
        }
    }
    // A registry other stacks pull from must survive the owner's `pulumi destroy`.
    for (const c of configs) {
        if (c.kind !== "owner" || c.registry.mode !== "create" || c.registry.protect) continue;
        const name = c.registry.name.toLowerCase();
        const pullers = configs.filter((o) => o.kind === "owner" && o.registry.mode === "existing" && o.registry.name.toLowerCase() === name).map((o) => o.stack);
        if (pullers.length > 0) {
            problems.push(`stack ${c.stack}: registry.protect must be true: stacks ${pullers.join(", ")} pull from its registry ${c.registry.name}`);
        }
    }
    problems.push(...fleetLayoutProblems(configs));
    problems.push(...gitopsGovernanceProblems(configs));
    problems.push(...gitDeliveryLayoutProblems(configs));
    for (const [what, stacks] of owners) {
        if (stacks.length > 1) problems.push(`${what}: claimed by stacks ${stacks.join(", ")}; exactly one stack may own it`);
    }
    return problems;
}

