// What the schema can't express about the github section: who owns the repository level, whether the
// app's contract can be met by the GitOps repo, and the environment's protection rules.
import { environmentProtectionProblems } from "../../components/github.ts";
import { APP } from "../app-profile.ts";
import { key, shortStack } from "./names.ts";
import { resolveEnvironment, type FluxConfigurationConfig, type ManifestsConfig } from "./resolve.ts";
import type { ParsedGitHub, ParsedOwnerStack } from "./schema.ts";

/** The appNamespaces of the stack that owns a shared cluster, if its stack file is at hand. */
export type OwnerNamespaces = (ownerStack: string) => readonly string[] | undefined;

/** Where each of the Environment component's protection arguments lives in the stack file. */
const PROTECTION_KEYS: Record<string, readonly string[]> = {
    reviewers: ["reviewers"],
    reviewerUsers: ["reviewers", "users"],
    reviewerTeams: ["reviewers", "teams"],
    waitTimer: ["waitTimer"],
    branches: ["branches"],
};

/** What checkGitHub knows of the rest of the stack. */
export type GitHubContext =
    | { readonly kind: "shared"; readonly stack: string; readonly ownerStack: string; readonly ownerNamespaces?: OwnerNamespaces }
    | {
          readonly kind: "owner";
          readonly stack: string;
          readonly parsed: ParsedOwnerStack;
          readonly configurations: readonly FluxConfigurationConfig[];
          readonly manifests: ManifestsConfig;
      };

export function checkGitHub(g: ParsedGitHub, c: GitHubContext): string[] {
    const problems: string[] = [];
    const e = resolveEnvironment(g.environment, shortStack(c.stack));
    const protection = { reviewerUsers: e.reviewers.users, reviewerTeams: e.reviewers.teams, waitTimer: e.waitTimer, branches: e.branches };
    for (const p of environmentProtectionProblems(protection)) {
        problems.push(`${key("github", "environment", ...(PROTECTION_KEYS[String(p.path[0])] ?? []), ...p.path.slice(1))}: ${p.message}`);
    }
    if (g.repository !== undefined && g.repositoryStack !== undefined) {
        problems.push(`${key("github", "repositoryStack")}: this stack owns the repository level (github.repository); drop repositoryStack`);
    }
    if (g.repository === undefined && g.repositoryStack === undefined) {
        problems.push(`${key("github", "repository")}: expected github.repository in the one stack that owns the repository-level secrets, or github.repositoryStack naming that stack`);
    }
    if (g.repositoryStack !== undefined && shortStack(g.repositoryStack) === c.stack) {
        problems.push(`${key("github", "repositoryStack")}: names this stack; set github.repository instead`);
    }
    const renamed = new Map<string, string[]>();
    for (const k of APP.secretKeys) {
        const n = g.secretNames[k] ?? k;
        renamed.set(n, [...(renamed.get(n) ?? []), k]);
    }
    for (const [n, keys] of renamed) {
        if (keys.length > 1) problems.push(`${key("github", "secretNames")}: ${keys.join(" and ")} would both be called ${n}`);
    }
    if (c.kind === "shared") {
        if (g.repository !== undefined) {
            problems.push(`${key("github", "repository")}: the repository level needs the GitOps repo and registry of a stack that owns a cluster`);
        }
        // The owner's namespaces are known here when its stack file is in this project; otherwise only
        // its outputs at deploy time tell (checked there too).
        const served = c.ownerNamespaces?.(c.ownerStack);
        if (served !== undefined && !served.includes(e.namespace)) {
            problems.push(
                `${key("github", "environment", "namespace")}: '${e.namespace}' is not one of the appNamespaces of the cluster this stack shares (${served.join(", ")}, in stack ${shortStack(c.ownerStack)})`,
            );
        }
        return problems;
    }
    const appNamespaces = c.parsed.cluster.appNamespaces;
    if (!appNamespaces.includes(e.namespace)) {
        problems.push(`${key("github", "environment", "namespace")}: '${e.namespace}' is not one of this cluster's appNamespaces (${appNamespaces.join(", ")})`);
    }
    if (g.repository !== undefined) {
        const fc = c.manifests.configuration;
        if (fc.repo?.kind !== "github") {
            problems.push(`${key("github", "repository")}: MANIFESTS_REPO comes from the Flux configuration '${fc.name}', which must sync a github.com repo`);
        }
        if (fc.branch === undefined) {
            problems.push(`${key("github", "repository")}: MANIFESTS_BRANCH comes from the Flux configuration '${fc.name}', which must follow a branch`);
        }
        if (c.manifests.folder === undefined) {
            problems.push(
                `${key("github", "repository", "manifestsFolder")}: the sample workflows write to <folder>/${APP.manifestsSubfolder}, but '${fc.name}' syncs ` +
                    `'${fc.kustomizations[0].path}'; sync <folder>/${APP.manifestsSubfolder} or set manifestsFolder`,
            );
        }
    }
    const connectorRepo = c.parsed.connector.github.appRepo;
    if (connectorRepo !== undefined && connectorRepo !== g.appRepo) {
        problems.push(`${key("connector", "github", "appRepo")}: '${connectorRepo}' differs from github.appRepo '${g.appRepo}'; set it once, in github.appRepo`);
    }
    c.configurations.forEach((fc, i) => {
        if (fc.auth.type === "githubDeployKey" && fc.repo?.kind === "github" && fc.repo.owner !== g.owner) {
            problems.push(`${key("flux", "configurations", i, "url")}: the deploy key is created with github.owner '${g.owner}', but the repo belongs to '${fc.repo.owner}'`);
        }
    });
    return problems;
}
