// What `cluster.delivery: git` needs of the rest of the stack file, by key path. The rules on the Flux
// configuration that applies the platform folder are the GitDelivery component's
// (platformConfigurationProblems); this maps them, and adds what spans sections.
import { overlapsPlatformFolder, platformConfigurationProblems, platformManifestsProblems } from "../../components/git-delivery.ts";
import { platformFolder, platformManifestsArgs } from "../git-delivery.ts";
import { sameRepo } from "./checks-github.ts";
import { key } from "./names.ts";
import { connectorAppRepo, resolveManifests, type FluxConfigurationConfig } from "./resolve.ts";
import type { ParsedOwnerStack } from "./schema.ts";

const CLUSTER = ["cluster"] as const;

export function checkDelivery(c: ParsedOwnerStack, configs: readonly FluxConfigurationConfig[]): string[] {
    const cc = c.cluster;
    if (cc.delivery !== "git") {
        const problems: string[] = [];
        if (cc.gitDelivery !== undefined) problems.push(`${key(...CLUSTER, "gitDelivery")}: applies to delivery git only; set cluster.delivery: git or drop gitDelivery`);
        if (cc.mode === "aks" && cc.aks.privateCluster) {
            // Its API server is reachable only from its network, and delivery api goes through it.
            problems.push(
                `${key(...CLUSTER, "aks", "privateCluster")}: a private cluster's API server has no public endpoint, and delivery api applies the connector, alerts and pull secrets through it; ` +
                    `set cluster.delivery: git (docs/git-delivery.md)`,
            );
        }
        return problems;
    }
    const problems: string[] = [];
    if (cc.gitDelivery === undefined) {
        problems.push(`${key(...CLUSTER, "gitDelivery")}: missing (expected the platform's Key Vault, as { keyVault: { name } } or { keyVault: { resourceId } }, for delivery git)`);
    }
    if (cc.mode === "arc") {
        if (cc.gitDelivery !== undefined && cc.gitDelivery.oidcIssuerUrl === undefined) {
            problems.push(
                `${key(...CLUSTER, "gitDelivery", "oidcIssuerUrl")}: missing (expected the Arc cluster's OIDC issuer URL, from az connectedk8s show --query oidcIssuerProfile.issuerUrl; the platform identity trusts it)`,
            );
        }
        if (cc.keyVaultSecretsProvider?.enabled === true) {
            problems.push(
                `${key(...CLUSTER, "keyVaultSecretsProvider", "enabled")}: on Arc, git delivery installs the Secret Store extension, Microsoft's replacement for the Key Vault Secrets Provider extension ` +
                    `(it authenticates with a service principal only); turn this off`,
            );
        }
    } else if (cc.gitDelivery?.oidcIssuerUrl !== undefined) {
        problems.push(`${key(...CLUSTER, "gitDelivery", "oidcIssuerUrl")}: applies to Arc clusters only; an AKS cluster reports its own issuer`);
    }
    if (cc.mode === "aks" && cc.keyVaultSecretsProvider?.enabled !== true) {
        problems.push(
            `${key(...CLUSTER, "keyVaultSecretsProvider", "enabled")}: git delivery syncs the platform's secrets from Key Vault through the Key Vault Secrets Provider; set it true`,
        );
    }
    const hostName = c.connector.configuration ?? configs[0]?.name;
    const i = configs.findIndex((fc) => fc.name === hostName);
    if (i < 0) return problems;
    const fc = configs[i];
    const at = (...p: (string | number)[]) => key("flux", "configurations", i, ...p);
    const folder = platformFolder(c);
    if (fc.repo?.kind !== "github" || fc.branch === undefined) {
        problems.push(
            `${at("url")}: git delivery commits the platform folder to the repository and branch of '${fc.name}' (connector.configuration, else the first configuration): expected a github.com repository followed by branch, got ${fc.url}${fc.branch === undefined ? " without a branch" : ""}`,
        );
    } else if (c.github === undefined) {
        problems.push(`${key("github")}: git delivery commits the platform folder with the github provider; add the github section (owner ${fc.repo.owner})`);
    } else if (c.github.owner.toLowerCase() !== fc.repo.owner.toLowerCase()) {
        problems.push(
            `${at("url")}: git delivery commits to ${fc.repo.owner}/${fc.repo.repo}, but the github provider acts for github.owner '${c.github.owner}'; the repository must be the owner's`,
        );
    } else if (c.github.gitopsRepo?.governance !== undefined && c.github.gitopsRepo.governance.bypassActors.length === 0) {
        problems.push(
            `${key("github", "gitopsRepo", "governance", "bypassActors")}: the ruleset takes only reviewed pull requests on branch '${fc.branch}', where git delivery commits the platform folder; ` +
                `add the identity pulumi up runs as to bypassActors, or sync the platform from an ungoverned branch`,
        );
    }
    for (const p of platformConfigurationProblems(fc, folder)) problems.push(`${at(...p.path)}: ${p.message}`);
    // The stack's other configurations on the same repository and branch must keep out of the folder too.
    configs.forEach((x, j) => {
        if (j === i || x.repo?.kind !== "github" || fc.repo?.kind !== "github" || x.branch !== fc.branch || !sameRepo(x.repo, fc.repo)) return;
        x.kustomizations.forEach((k, n) => {
            if (overlapsPlatformFolder(k.path, folder)) {
                problems.push(`${key("flux", "configurations", j, "kustomizations", n, "path")}: overlaps the platform folder ${folder}, which git delivery writes and prunes; give each its own folder`);
            }
        });
    });
    // What GitDelivery itself would refuse once the cluster exists, here by key path: the secret sync
    // image, a vault secret name over Key Vault's limit, more namespaces than one identity's credentials.
    // (With the configuration's repository recognised: the connector's part of the folder names it.)
    if (cc.gitDelivery !== undefined && fc.repo !== undefined) {
        const partial = {
            cluster: cc,
            flux: { ...c.flux, configurations: configs },
            connector: { ...c.connector, appRepo: connectorAppRepo(c.connector, c.github) },
            manifests: resolveManifests(configs, c.connector, c.github),
        };
        for (const p of platformManifestsProblems(platformManifestsArgs(partial))) {
            const where = p.path[0] === "secretSyncImage" ? key(...CLUSTER, "gitDelivery", "secretSyncImage") : p.path[0] === "cluster" ? key(...CLUSTER, "name") : key(...CLUSTER, "gitDelivery");
            problems.push(`${where}: ${p.message}`);
        }
    }
    configs.forEach((x, j) => {
        // The App's Secret is what Flux reads Git with: it can't come from Git.
        if (x.auth.type === "githubApp") {
            problems.push(`${key("flux", "configurations", j, "auth", "type")}: a GitHub App's Secret is applied through the Kubernetes API, which git delivery never calls; use githubDeployKey or https`);
        }
    });
    return problems;
}
