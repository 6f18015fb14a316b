// The stack's `cluster.delivery: git`: what its platform folder holds (from the config alone, so that
// the checks across stacks see the same folder and vault secrets the program writes), the GitDelivery
// that writes it, and the rules that span stacks: one owner per platform folder and per vault secret, and
// no other stack's kustomization overlapping a platform folder.
import * as pulumi from "@pulumi/pulumi";
import type * as github from "@pulumi/github";
import { checkedAlertAddress, defaultAlertKinds } from "../components/alerts.ts";
import { fluxObjects } from "../components/flux.ts";
import { GitDelivery, overlapsPlatformFolder, PLATFORM_DEFAULTS, platformManifests, withPlatformKustomization, type PlatformManifestsArgs } from "../components/git-delivery.ts";
import { alertTargets } from "./alerts.ts";
import { governancePlan, sameRepo, syncedPaths } from "./config/checks-github.ts";
import { connectorTarget, type OwnerStackConfig, type StackConfig } from "./config/resolve.ts";

type GitStack = OwnerStackConfig & { readonly cluster: { readonly delivery: "git" } };

/** The platform folder of a stack with delivery git. */
export function platformFolder(c: Pick<OwnerStackConfig, "cluster">): string {
    return c.cluster.gitDelivery?.folder ?? PLATFORM_DEFAULTS.folder(c.cluster.name);
}

/** The vault the stack writes into, by name (lowercase: vault names are case-insensitive). */
export function platformVaultName(c: Pick<OwnerStackConfig, "cluster">): string | undefined {
    const kv = c.cluster.gitDelivery?.keyVault;
    if (kv === undefined) return undefined;
    return ("name" in kv ? kv.name : kv.resourceId.split("/").pop()!).toLowerCase();
}

/**
 * What the platform folder holds, from the stack config: the connector, the alert targets (which also
 * watch the platform kustomization: a broken platform folder is theirs to hear of; the connector relays
 * the app's kustomizations only, as with delivery api), and on Arc the pull secret wiring.
 */
export function platformManifestsArgs(c: Pick<OwnerStackConfig, "cluster" | "manifests" | "flux" | "connector">): PlatformManifestsArgs {
    const cc = c.cluster;
    const host = c.manifests.configuration;
    const folder = platformFolder(c);
    const objects = Object.fromEntries(c.flux.configurations.map((fc) => [fc.name, fluxObjects(fc.name === host.name ? withPlatformKustomization(fc, folder) : fc)]));
    const kinds = defaultAlertKinds(c.flux.extension.controllers);
    const alerts = c.flux.alerts ?? [];
    const ct = c.connector;
    return {
        cluster: cc.name,
        configurationNamespace: host.namespace,
        connector: ct.enabled
            ? {
                  namespace: ct.namespace,
                  target: connectorTarget(c),
                  chartVersion: ct.chartVersion,
                  chartRepo: ct.chartRepo,
                  subscribers: Object.keys(ct.subscribers),
                  logReaders: ct.logReaders,
                  watched: fluxObjects(host),
              }
            : undefined,
        alerts:
            alerts.length > 0
                ? {
                      targets: alerts.map((a) => ({
                          name: a.name, type: a.type, severity: a.severity, kinds: a.kinds ?? kinds, configurations: a.configurations, hasToken: a.tokenSecret !== undefined,
                      })),
                      configurations: objects,
                      appNamespaces: cc.appNamespaces,
                  }
                : undefined,
        // Arc has no kubelet identity: the registry's pull credential goes into the app namespaces.
        pullSecretNamespaces: cc.mode === "arc" ? cc.appNamespaces : undefined,
        secretSync: cc.mode === "arc" ? "secretStore" : "csiDriver",
        secretSyncImage: cc.gitDelivery?.secretSyncImage,
    };
}

export interface GitDeliveryInputs {
    readonly resourceGroupName: pulumi.Input<string>;
    /** The OIDC issuer the platform identity's federated credentials trust. */
    readonly issuerUrl: pulumi.Input<string>;
    readonly readSecret: (key: string) => pulumi.Output<string>;
    readonly provider: github.Provider | undefined;
    /** On Arc: the registry's pull credential, as `.dockerconfigjson`. */
    readonly pullSecret: pulumi.Output<string> | undefined;
}

/**
 * Delivery git: the platform folder in the connector configuration's repository and branch (validated to
 * be a github.com branch of the github provider's owner), the secrets in Key Vault, read by an identity
 * federated with the cluster's OIDC issuer. On AKS the kubelet identity pulls images; on Arc the pull
 * credential is one of the secrets.
 */
export function createGitDelivery(c: OwnerStackConfig, i: GitDeliveryInputs): GitDelivery {
    const cc = c.cluster;
    const gd = cc.gitDelivery;
    const host = c.manifests.configuration;
    if (gd === undefined || host.repo?.kind !== "github" || host.branch === undefined || i.provider === undefined) {
        throw new Error("unreachable: delivery git was validated against gitDelivery, a github.com branch and the github section");
    }
    const ct = c.connector;
    const targets = alertTargets(c, i.readSecret);
    return new GitDelivery(
        `${cc.name}-platform`,
        {
            manifests: platformManifestsArgs(c),
            stack: c.stack,
            repository: host.repo.repo,
            branch: host.branch,
            folder: platformFolder(c),
            keyVault:
                "name" in gd.keyVault
                    ? { mode: "create", name: gd.keyVault.name, resourceGroupName: i.resourceGroupName, location: c.azure.location }
                    : { mode: "existing", resourceId: gd.keyVault.resourceId },
            resourceGroupName: i.resourceGroupName,
            location: c.azure.location,
            issuerUrl: i.issuerUrl,
            secrets: {
                pullSecret: i.pullSecret,
                connectorPat: ct.enabled ? i.readSecret(ct.patSecret) : undefined,
                subscribers: Object.fromEntries(Object.entries(ct.subscribers).map(([n, k]) => [n, i.readSecret(k)])),
                alerts: Object.fromEntries(
                    targets.map((t) => [t.name, { address: pulumi.output(t.address).apply((v) => checkedAlertAddress(t.name, v)), token: t.token }]),
                ),
            },
        },
        { providers: { github: i.provider } },
    );
}

const isGitStack = (c: StackConfig): c is GitStack => c.kind === "owner" && c.cluster.delivery === "git";

/**
 * What git delivery needs across stacks, one message each:
 * - no kustomization of another stack (a fleet's included) and no other platform folder on the same
 *   repository and branch overlapping a platform folder: it would apply, or prune, that cluster's objects;
 * - no other stack governing the branch without a bypass actor: its ruleset would refuse the commits;
 * - each Key Vault secret written by one stack only (names compare case-insensitively, as Key Vault
 *   does): two clusters sharing a vault under names that meet would overwrite each other's credentials.
 * The platform folder's own owner is checked with the other owned objects (crossStackProblems).
 */
export function gitDeliveryLayoutProblems(configs: readonly StackConfig[]): string[] {
    const problems: string[] = [];
    const secrets = new Map<string, string[]>();
    const git = configs.filter(isGitStack);
    for (const g of git) {
        const host = g.manifests.configuration;
        const repo = host.repo;
        const folder = platformFolder(g);
        if (repo?.kind === "github" && host.branch !== undefined) {
            const where = `on branch ${host.branch} of ${repo.owner}/${repo.repo}`;
            for (const other of configs) {
                if (other.stack === g.stack) continue;
                // Every kustomization it syncs from a github.com branch, a fleet's too.
                for (const k of syncedPaths(other)) {
                    if (!sameRepo(k.repo, repo) || k.branch !== host.branch || !overlapsPlatformFolder(k.folder, folder)) continue;
                    problems.push(`stack ${other.stack}: ${k.key} '${k.folder}' overlaps the platform folder ${folder} of stack ${g.stack} ${where}; give each its own folder`);
                }
                const plan = other.kind === "owner" ? governancePlan(other) : undefined;
                if (plan !== undefined && sameRepo(plan, repo) && plan.branches.some((b) => b.branch === host.branch) && plan.settings.bypassActors.length === 0) {
                    problems.push(
                        `stack ${g.stack}: git delivery commits its platform folder ${where}, which stack ${other.stack} governs with no bypass actor, so its ruleset refuses the commits; ` +
                            `add the identity that runs pulumi up for ${g.stack} to ${other.stack}'s github.gitopsRepo.governance.bypassActors, or sync the platform from an ungoverned branch`,
                    );
                }
            }
            // One platform folder inside another's (the exact same one is an owner conflict, reported as such).
            for (const h of git) {
                if (h.stack >= g.stack) continue;
                const hHost = h.manifests.configuration;
                const hFolder = platformFolder(h);
                if (hHost.repo?.kind !== "github" || !sameRepo(hHost.repo, repo) || hHost.branch !== host.branch || hFolder === folder) continue;
                if (overlapsPlatformFolder(hFolder, folder)) {
                    problems.push(`stack ${g.stack}: its platform folder ${folder} and stack ${h.stack}'s ${hFolder} overlap ${where}; each cluster needs a folder of its own`);
                }
            }
        }
        const vault = platformVaultName(g);
        for (const s of platformManifests(platformManifestsArgs(g)).vaultSecrets) {
            const what = `the Key Vault secret ${s.name.toLowerCase()} in vault ${vault}`;
            secrets.set(what, [...(secrets.get(what) ?? []), g.stack]);
        }
    }
    for (const [what, stacks] of secrets) if (stacks.length > 1) problems.push(`${what}: written by stacks ${stacks.join(", ")}; exactly one stack may own it`);
    return problems;
}
