// What the schema can't express about the github section: who owns the repository level, whether the
// app's contract can be met by the GitOps repo, the environment's protection rules, and what the GitOps
// repo's governance protects and validates (in one stack, and across the stacks syncing that repo).
import { parseGitRepoUrl } from "../../components/git.ts";
import { environmentProtectionProblems } from "../../components/github.ts";
import { apisRemovedBy, NEWEST_FLUX_EXTENSION_VERSION } from "../../components/flux-versions.ts";
import { bypassActorProblems, type GovernedBranch } from "../../components/gitops-repo.ts";
import { patternProblem } from "../../components/problems.ts";
import { kustomizationFolder, VALIDATION_CHECK_NAME, WORKFLOW_BRANCH_RULE, WORKFLOW_PATH_RULE } from "../../components/validation-workflow.ts";
import { APP } from "../app-profile.ts";
import { key, shortStack } from "./names.ts";
import { resolveEnvironment, type FluxConfigurationConfig, type ManifestsConfig, type OwnerStackConfig, type StackConfig } from "./resolve.ts";
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
        if (g.gitopsRepo?.governance !== undefined) {
            problems.push(
                `${key(...GOVERNANCE)}: a stack sharing another stack's cluster syncs no Flux configuration, so it has no branch to govern; set it in a stack whose flux.configurations sync the GitOps repo`,
            );
        }
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
    problems.push(...governanceProblems(g, c.configurations, c.manifests));
    return problems;
}

/** Where the governance settings live in the stack file. */
const GOVERNANCE = ["github", "gitopsRepo", "governance"] as const;

type GitHubRepoRef = { readonly owner: string; readonly repo: string };
/** Whether two github.com repositories are one: GitHub compares owner and name case-insensitively. */
export const sameRepo = (a: GitHubRepoRef, b: GitHubRepoRef) => a.owner.toLowerCase() === b.owner.toLowerCase() && a.repo.toLowerCase() === b.repo.toLowerCase();

/**
 * The GitOps repo (the repo of the configuration the connector serves) and this stack's configurations
 * that sync it, by index; undefined when that repo isn't on github.com.
 */
function governedSources(configurations: readonly FluxConfigurationConfig[], manifests: ManifestsConfig) {
    const target = manifests.configuration.repo;
    if (target?.kind !== "github") return undefined;
    const sources = configurations.flatMap((fc, i) => (fc.repo?.kind === "github" && sameRepo(fc.repo, target) ? [{ fc, i }] : []));
    return { repo: { owner: target.owner, repo: target.repo }, sources };
}

/** What github.gitopsRepo.governance can't be applied to in this stack, by key path. */
function governanceProblems(g: ParsedGitHub, configurations: readonly FluxConfigurationConfig[], manifests: ManifestsConfig): string[] {
    const gov = g.gitopsRepo?.governance;
    if (gov === undefined) return [];
    const fc = manifests.configuration;
    const url = key("flux", "configurations", configurations.findIndex((x) => x.name === fc.name), "url");
    const governed = governedSources(configurations, manifests);
    if (governed === undefined) {
        return [
            `${key(...GOVERNANCE)}: the GitOps repo (${url}, the Flux configuration '${fc.name}' the connector serves) is not a github.com repository; rulesets and Actions workflows need one`,
        ];
    }
    const { repo, sources } = governed;
    const full = `${repo.owner}/${repo.repo}`;
    if (repo.owner.toLowerCase() !== g.owner.toLowerCase()) {
        return [
            `${key(...GOVERNANCE)}: the GitOps repo ${full} (${url}) belongs to '${repo.owner}', but the github provider acts for github.owner '${g.owner}'; govern it from a stack whose github.owner is its owner`,
        ];
    }
    const problems: string[] = [];
    const branched = sources.filter((s) => s.fc.branch !== undefined);
    if (branched.length === 0) {
        problems.push(
            `${key(...GOVERNANCE)}: no Flux configuration of this stack follows a branch of ${full} (${sources.map((s) => `'${s.fc.name}'`).join(", ")} pin a tag or semver range); a ruleset protects branches`,
        );
    }
    for (const { fc: f, i } of branched) {
        const branchProblem = patternProblem(WORKFLOW_BRANCH_RULE, f.branch!);
        if (branchProblem !== undefined) problems.push(`${key("flux", "configurations", i, "branch")}: ${branchProblem}`);
        f.kustomizations.forEach((k, j) => {
            const pathProblem = patternProblem(WORKFLOW_PATH_RULE, k.path);
            if (pathProblem !== undefined) problems.push(`${key("flux", "configurations", i, "kustomizations", j, "path")}: ${pathProblem}`);
        });
    }
    const synced = [...new Set(branched.map((s) => s.fc.branch!))];
    for (const b of Object.keys(gov.alsoValidate)) {
        if (!synced.includes(b)) {
            problems.push(
                `${key(...GOVERNANCE, "alsoValidate", b)}: this stack syncs nothing from branch '${b}' of ${full} (it syncs ${synced.join(", ") || "no branch"}); ` +
                    `the workflow on a branch checks only pull requests to that branch, so govern '${b}' from a stack that syncs it`,
            );
        }
    }
    gov.bypassActors.forEach((a, i) => {
        for (const p of bypassActorProblems(a)) problems.push(`${key(...GOVERNANCE, "bypassActors", i, ...p.path)}: ${p.message}`);
    });
    if (gov.manageMergeSettings && g.repository?.requireMergeCommits === false) {
        problems.push(
            `${key(...GOVERNANCE, "manageMergeSettings")}: github.repository.requireMergeCommits is false, so this stack needs no merge commits and has no reason to own the GitOps repo's settings; ` +
                `set manageMergeSettings: false, or drop requireMergeCommits: false`,
        );
    }
    return problems;
}

/** What a stack's github.gitopsRepo.governance applies to, resolved. */
export interface GovernancePlan {
    readonly owner: string;
    readonly repo: string;
    /** Each branch this stack syncs from the repo, with its own kustomization paths and then alsoValidate's. */
    readonly branches: readonly GovernedBranch[];
    /** The pinned extension version; undefined for auto-upgrade. */
    readonly extensionVersion: string | undefined;
    readonly settings: NonNullable<NonNullable<ParsedGitHub["gitopsRepo"]>["governance"]>;
}

/** The governance a validated stack config asks for, or undefined. Only called once the checks have passed. */
export function governancePlan(c: OwnerStackConfig): GovernancePlan | undefined {
    const settings = c.github?.gitopsRepo?.governance;
    if (settings === undefined) return undefined;
    const governed = governedSources(c.flux.configurations, c.manifests);
    if (governed === undefined) throw new Error("unreachable: github.gitopsRepo.governance was validated against a github.com repo");
    const paths = new Map<string, string[]>();
    for (const { fc } of governed.sources) {
        if (fc.branch === undefined) continue;
        paths.set(fc.branch, [...(paths.get(fc.branch) ?? []), ...fc.kustomizations.map((k) => k.path)]);
    }
    for (const [branch, extra] of Object.entries(settings.alsoValidate)) paths.set(branch, [...(paths.get(branch) ?? []), ...extra]);
    return {
        ...governed.repo,
        branches: [...paths].map(([branch, p]) => ({ branch, paths: p })),
        extensionVersion: c.flux.extension.version,
        settings,
    };
}

/** One kustomization some stack syncs from a github.com repo's branch, with where the stack file says so. */
export interface SyncedPath {
    readonly stack: string;
    readonly repo: GitHubRepoRef;
    readonly branch: string;
    readonly folder: string;
    readonly key: string;
    /** The removed APIs of the extension the syncing cluster runs (the newest release's when it auto-upgrades). */
    readonly removedApis: readonly string[];
}

export function syncedPaths(c: StackConfig): SyncedPath[] {
    const sections =
        c.kind === "owner"
            ? { section: "flux", configurations: c.flux.configurations, version: c.flux.extension.version }
            : c.kind === "fleet"
              ? { section: "fleet", configurations: c.fleet.configurations, version: c.fleet.extension.version }
              : undefined;
    if (sections === undefined) return [];
    const removedApis = apisRemovedBy(sections.version ?? NEWEST_FLUX_EXTENSION_VERSION);
    return sections.configurations.flatMap((fc, i) => {
        const repo = parseGitRepoUrl(fc.url);
        if (repo?.kind !== "github" || fc.branch === undefined) return [];
        const branch = fc.branch;
        return fc.kustomizations.map((k, j) => ({
            stack: c.stack,
            repo,
            branch,
            folder: kustomizationFolder(k.path),
            key: key(sections.section, "configurations", i, "kustomizations", j, "path"),
            removedApis,
        }));
    });
}

/**
 * What must hold across the stacks syncing a governed GitOps repo, which no single stack can see: one
 * stack owns its governance; the ruleset requires the validation check on every pull request to a
 * governed branch, so the governing stack's workflow validates every folder any stack syncs from it
 * (its own kustomizations and github.gitopsRepo.governance.alsoValidate), no folder that none does (a
 * missing one fails every check), and refuses every API any of those clusters no longer serves.
 * For crossStackProblems (infra/github-layout.ts); one message per violation.
 */
export function gitopsGovernanceProblems(configs: readonly StackConfig[]): string[] {
    const problems: string[] = [];
    const governing = configs.flatMap((c) => {
        const plan = c.kind === "owner" ? governancePlan(c) : undefined;
        return plan === undefined ? [] : [{ stack: c.stack, plan }];
    });
    const byRepo = new Map<string, { full: string; stacks: string[] }>();
    for (const { stack, plan } of governing) {
        const id = `${plan.owner}/${plan.repo}`.toLowerCase();
        const entry = byRepo.get(id) ?? { full: `${plan.owner}/${plan.repo}`, stacks: [] };
        entry.stacks.push(stack);
        byRepo.set(id, entry);
    }
    for (const { full, stacks } of byRepo.values()) {
        if (stacks.length > 1) {
            problems.push(
                `the governance of ${full} (ruleset ${VALIDATION_CHECK_NAME} check, validation workflow, merge settings): claimed by stacks ${stacks.join(", ")}; exactly one stack may set github.gitopsRepo.governance for it`,
            );
        }
    }
    const synced = configs.flatMap(syncedPaths);
    for (const { stack, plan } of governing) {
        const checked = new Set(apisRemovedBy(plan.extensionVersion ?? NEWEST_FLUX_EXTENSION_VERSION));
        for (const b of plan.branches) {
            const here = synced.filter((s) => sameRepo(s.repo, plan) && s.branch === b.branch);
            const unchecked = new Map<string, string[]>();
            // A folder another stack syncs that the workflow doesn't validate is allowed: a new stack's
            // folder can only be listed in alsoValidate once that stack exists (listing a folder nobody
            // syncs is refused below). docs/governance.md says to add it then.
            for (const s of here) {
                const missing = s.removedApis.filter((a) => !checked.has(a));
                if (missing.length > 0) unchecked.set(s.stack, missing);
            }
            for (const [other, missing] of unchecked) {
                problems.push(
                    `stack ${other}: its extension no longer serves ${missing.join(", ")}, which the ${VALIDATION_CHECK_NAME} workflow of stack ${stack} doesn't refuse on ${b.branch}; ` +
                        `pin stack ${stack}'s flux.extension.version to a release at least as new as ${other}'s (or unpin it)`,
                );
            }
            const syncedFolders = new Set(here.map((s) => s.folder));
            for (const extra of plan.settings.alsoValidate[b.branch] ?? []) {
                if (!syncedFolders.has(kustomizationFolder(extra))) {
                    problems.push(
                        `stack ${stack}: github.gitopsRepo.governance.alsoValidate.${b.branch} lists '${extra}', which no stack syncs from ${b.branch}; ` +
                            `a folder missing from the branch fails every pull request's ${VALIDATION_CHECK_NAME} check: remove it`,
                    );
                }
            }
        }
    }
    return [...new Set(problems)];
}
