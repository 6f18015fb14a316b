// The GitHub side of the tutorial: Actions secrets at repository and environment scope, environments
// with their protection rules, the repository settings the CI/CD flow depends on, and a read-only
// deploy key for Flux.
import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import * as tls from "@pulumi/tls";
import { forwardedDependsOn } from "./options.ts";
import { at, oneOfProblem, patternProblem, refuseInvalidArgs, under, type PatternRule, type Problem } from "./problems.ts";

/** Actions secret names: upper-case letters, digits and `_`; and GitHub reserves the GITHUB_ prefix. */
export const SECRET_NAME_RULE: PatternRule = { pattern: /^[A-Z_][A-Z0-9_]*$/, message: "expected an Actions secret name" };
export const RESERVED_SECRET_PREFIX = { prefix: "GITHUB_", message: "names starting with GITHUB_ are reserved by GitHub" } as const;
/** A GitHub user or organization name, as the provider's `owner` takes it. */
export const GITHUB_OWNER_RULE: PatternRule = { pattern: /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, message: "expected a GitHub user or organization" };
/** A GitHub login, as a reviewer. */
export const GITHUB_LOGIN_RULE: PatternRule = { pattern: /^[A-Za-z0-9-]{1,39}$/, message: "expected a GitHub login" };
/** A team slug, as a reviewer. */
export const TEAM_SLUG_RULE: PatternRule = { pattern: /^[a-z0-9][a-z0-9_-]*$/, message: "expected a team slug" };

/** Every reason an Actions secret name is refused, in the order a schema reports them. */
export function secretNameProblems(name: string): string[] {
    const problems: string[] = [];
    const invalid = patternProblem(SECRET_NAME_RULE, name);
    if (invalid !== undefined) problems.push(invalid);
    if (name.startsWith(RESERVED_SECRET_PREFIX.prefix)) problems.push(RESERVED_SECRET_PREFIX.message);
    return problems;
}

/** The first reason an Actions secret name is refused, or undefined. */
export function secretNameProblem(name: string): string | undefined {
    return secretNameProblems(name)[0];
}

export function githubOwnerProblem(owner: string): string | undefined {
    return patternProblem(GITHUB_OWNER_RULE, owner);
}

export function githubLoginProblem(login: string): string | undefined {
    return patternProblem(GITHUB_LOGIN_RULE, login);
}

export function teamSlugProblem(slug: string): string | undefined {
    return patternProblem(TEAM_SLUG_RULE, slug);
}

/** Problems of a secrets map's names, at `secrets.<name>`. */
function secretsProblems(secrets: Readonly<Record<string, unknown>>): Problem[] {
    return Object.keys(secrets).flatMap((n) => secretNameProblems(n).map((message) => ({ path: ["secrets", n], message })));
}

/** One child resource name per secret: the secret name in lower case, `_` as `-`. */
function childName(component: string, secret: string): string {
    return `${component}-${secret.toLowerCase().replace(/_/g, "-")}`;
}

export interface RepositorySecretsArgs {
    /** The repository name (without owner; the provider carries the owner). */
    readonly repository: string;
    /** Secret name -> value. Every value is stored as a Pulumi secret, marked or not. */
    readonly secrets: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Repository-level Actions secrets: visible to every job, with or without an environment. */
export class RepositorySecrets extends pulumi.ComponentResource {
    public readonly secrets: Readonly<Record<string, github.ActionsSecret>>;

    constructor(name: string, args: RepositorySecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs("RepositorySecrets", name, secretsProblems(args.secrets));
        super("gitops:github:RepositorySecrets", name, {}, opts);
        this.secrets = Object.fromEntries(
            Object.entries(args.secrets).map(([secretName, value]) => [
                secretName,
                new github.ActionsSecret(
                    childName(name, secretName),
                    { repository: args.repository, secretName, plaintextValue: pulumi.secret(value) },
                    { parent: this, dependsOn: forwardedDependsOn(opts) },
                ),
            ]),
        );
        this.registerOutputs({ names: Object.keys(this.secrets) });
    }
}

export const ENVIRONMENT_BRANCH_RULES = ["all", "protected"] as const;

/** The protection rules an environment gets when unset, shared with the stack config schema. */
export const ENVIRONMENT_DEFAULTS = {
    waitTimer: 0,
    branches: "all",
    preventSelfReview: false,
    canAdminsBypass: true,
} as const satisfies { waitTimer: number; branches: (typeof ENVIRONMENT_BRANCH_RULES)[number]; preventSelfReview: boolean; canAdminsBypass: boolean };

export interface EnvironmentProtection {
    /** GitHub logins that can approve a deployment (at most 6 reviewers in all). */
    readonly reviewerUsers?: readonly string[];
    /** Team slugs that can approve a deployment. */
    readonly reviewerTeams?: readonly string[];
    /** Minutes to wait before a job may proceed. Default 0. */
    readonly waitTimer?: number;
    /** Which branches may deploy: `protected` branches, a list of branch patterns, or any (`all`). Default `all`. */
    readonly branches?: "all" | "protected" | readonly string[];
    /**
     * Keep the person who triggered a deployment from approving it. Default false: CD_Stage is triggered
     * by the connector's repository_dispatch, i.e. by the PAT's owner, often the only reviewer.
     */
    readonly preventSelfReview?: boolean;
    /** Let repository admins bypass the protection rules. Default true (GitHub's default). */
    readonly canAdminsBypass?: boolean;
}

export interface EnvironmentArgs {
    readonly repository: string;
    /** The environment's name, e.g. `az-vote-app-dev`. */
    readonly environment: string;
    /** Secret name -> value, visible only to jobs that declare this environment. */
    readonly secrets: Readonly<Record<string, pulumi.Input<string>>>;
    /** Default: no protection rules. */
    readonly protection?: EnvironmentProtection;
}

/** The reviewer block GitHub wants: numeric IDs, looked up from logins and team slugs. */
function reviewers(protection: EnvironmentProtection | undefined, parent: pulumi.Resource): pulumi.Input<github.types.input.RepositoryEnvironmentReviewer>[] | undefined {
    const users = protection?.reviewerUsers ?? [];
    const teams = protection?.reviewerTeams ?? [];
    if (users.length === 0 && teams.length === 0) return undefined;
    return [
        {
            users: users.map((username) => github.getUserOutput({ username }, { parent }).id.apply(Number)),
            teams: teams.map((slug) => github.getTeamOutput({ slug }, { parent }).id.apply(Number)),
        },
    ];
}

/** GitHub's limits on an environment's protection rules (REST API "Create or update an environment"). */
export const ENVIRONMENT_LIMITS = { maxReviewers: 6, maxWaitTimerMinutes: 43200 } as const;

/**
 * What GitHub would refuse in an environment's protection rules, by argument. The stack config reports
 * these against its key paths; the component refuses them when used from code.
 */
export function environmentProtectionProblems(p: EnvironmentProtection | undefined): Problem[] {
    const problems: Problem[] = [];
    const users = p?.reviewerUsers ?? [];
    const teams = p?.reviewerTeams ?? [];
    users.forEach((u, i) => problems.push(...at(["reviewerUsers", i], githubLoginProblem(u))));
    teams.forEach((t, i) => problems.push(...at(["reviewerTeams", i], teamSlugProblem(t))));
    if (users.length + teams.length > ENVIRONMENT_LIMITS.maxReviewers) {
        problems.push({ path: ["reviewers"], message: `at most ${ENVIRONMENT_LIMITS.maxReviewers} reviewers (users and teams together), got ${users.length + teams.length}` });
    }
    users.forEach((u, i) => {
        if (users.indexOf(u) !== i) problems.push({ path: ["reviewerUsers", i], message: `'${u}' is listed twice` });
    });
    teams.forEach((t, i) => {
        if (teams.indexOf(t) !== i) problems.push({ path: ["reviewerTeams", i], message: `'${t}' is listed twice` });
    });
    const wait = p?.waitTimer ?? ENVIRONMENT_DEFAULTS.waitTimer;
    if (!Number.isInteger(wait) || wait < 0 || wait > ENVIRONMENT_LIMITS.maxWaitTimerMinutes) {
        problems.push({ path: ["waitTimer"], message: `expected 0-${ENVIRONMENT_LIMITS.maxWaitTimerMinutes} minutes` });
    }
    if (Array.isArray(p?.branches)) {
        (p.branches as readonly string[]).forEach((b, i) => {
            if (b.trim() === "") problems.push({ path: ["branches", i], message: "expected a branch name pattern" });
        });
    } else if (p?.branches !== undefined) {
        problems.push(...at(["branches"], oneOfProblem(ENVIRONMENT_BRANCH_RULES, p.branches)));
    }
    return problems;
}

/** What GitHub would refuse in an environment's arguments: its secret names and protection rules. */
export function environmentProblems(args: Pick<EnvironmentArgs, "secrets" | "protection">): Problem[] {
    return [...secretsProblems(args.secrets), ...under(["protection"], environmentProtectionProblems(args.protection))];
}

/** A GitHub environment with its secrets and protection rules. */
export class Environment extends pulumi.ComponentResource {
    public readonly environment: github.RepositoryEnvironment;
    public readonly secrets: Readonly<Record<string, github.ActionsEnvironmentSecret>>;

    constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs("Environment", name, environmentProblems(args));
        super("gitops:github:Environment", name, {}, opts);
        const p = args.protection;
        const after = (...more: pulumi.Resource[]) => forwardedDependsOn(opts, ...more);

        const branches = p?.branches ?? ENVIRONMENT_DEFAULTS.branches;
        this.environment = new github.RepositoryEnvironment(
            `${name}-environment`,
            {
                repository: args.repository,
                environment: args.environment,
                reviewers: reviewers(p, this),
                waitTimer: p?.waitTimer ?? ENVIRONMENT_DEFAULTS.waitTimer,
                preventSelfReview: p?.preventSelfReview ?? ENVIRONMENT_DEFAULTS.preventSelfReview,
                canAdminsBypass: p?.canAdminsBypass ?? ENVIRONMENT_DEFAULTS.canAdminsBypass,
                deploymentBranchPolicy:
                    branches === "all"
                        ? undefined
                        : branches === "protected"
                          ? { protectedBranches: true, customBranchPolicies: false }
                          : { protectedBranches: false, customBranchPolicies: true },
            },
            { parent: this, dependsOn: after() },
        );
        if (Array.isArray(branches)) {
            branches.forEach((pattern, i) => {
                new github.RepositoryEnvironmentDeploymentPolicy(
                    `${name}-branch-${i}`,
                    { repository: args.repository, environment: args.environment, branchPattern: pattern },
                    // The policy belongs to the environment, which must exist with custom policies enabled.
                    { parent: this, dependsOn: after(this.environment) },
                );
            });
        }
        this.secrets = Object.fromEntries(
            Object.entries(args.secrets).map(([secretName, value]) => [
                secretName,
                new github.ActionsEnvironmentSecret(
                    childName(name, secretName),
                    { repository: args.repository, environment: args.environment, secretName, plaintextValue: pulumi.secret(value) },
                    { parent: this, dependsOn: after(this.environment) },
                ),
            ]),
        );
        this.registerOutputs({ environment: args.environment, names: Object.keys(this.secrets) });
    }
}

/**
 * The app repo's default GITHUB_TOKEN permissions: `read`, GitHub's hardening guidance (contents and
 * packages read, nothing else). The sample workflows need more in one place only: CD_Stage's
 * dawidd6/action-download-artifact steps list and download another run's artifacts, which needs
 * `actions: read`; add `permissions: {contents: read, actions: read}` to its Deploy_to_Stage job, or set
 * `write` for the unmodified sample.
 */
export const WORKFLOW_PERMISSIONS_DEFAULT = "read";
export const WORKFLOW_PERMISSIONS = ["read", "write"] as const;
export const ALLOWED_ACTIONS = ["all", "local_only", "selected"] as const;

/** Settings the app repository gets when unset, shared with the stack config schema. */
export const APP_REPOSITORY_DEFAULTS = {
    workflowPermissions: WORKFLOW_PERMISSIONS_DEFAULT,
    actionsEnabled: true,
} as const satisfies { workflowPermissions: (typeof WORKFLOW_PERMISSIONS)[number]; actionsEnabled: boolean };

export interface AppRepositorySettingsArgs {
    readonly repository: string;
    /** The default GITHUB_TOKEN permissions. Default `read` (see WORKFLOW_PERMISSIONS_DEFAULT). */
    readonly workflowPermissions?: (typeof WORKFLOW_PERMISSIONS)[number];
    /** Actions is disabled on new forks; the sample workflows need it on. Default true. */
    readonly actionsEnabled?: boolean;
    /**
     * Which actions may run (`all`, `local_only`, `selected`). Default: left as the repository (or its
     * organization's policy) has it.
     */
    readonly allowedActions?: (typeof ALLOWED_ACTIONS)[number];
}

/** What GitHub would refuse in the repository settings; only JavaScript callers can pass these. */
export function appRepositorySettingsProblems(args: AppRepositorySettingsArgs): Problem[] {
    return [
        ...(args.workflowPermissions === undefined ? [] : at(["workflowPermissions"], oneOfProblem(WORKFLOW_PERMISSIONS, args.workflowPermissions))),
        ...(args.allowedActions === undefined ? [] : at(["allowedActions"], oneOfProblem(ALLOWED_ACTIONS, args.allowedActions))),
    ];
}

/** The app repository's Actions settings the sample workflows depend on. */
export class AppRepositorySettings extends pulumi.ComponentResource {
    constructor(name: string, args: AppRepositorySettingsArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs("AppRepositorySettings", name, appRepositorySettingsProblems(args));
        super("gitops:github:AppRepositorySettings", name, {}, opts);
        const actions = new github.ActionsRepositoryPermissions(
            `${name}-actions`,
            { repository: args.repository, enabled: args.actionsEnabled ?? APP_REPOSITORY_DEFAULTS.actionsEnabled, allowedActions: args.allowedActions },
            { parent: this, dependsOn: forwardedDependsOn(opts) },
        );
        new github.WorkflowRepositoryPermissions(
            `${name}-workflow-token`,
            {
                repository: args.repository,
                defaultWorkflowPermissions: args.workflowPermissions ?? APP_REPOSITORY_DEFAULTS.workflowPermissions,
                canApprovePullRequestReviews: false,
            },
            { parent: this, dependsOn: forwardedDependsOn(opts, actions) },
        );
        this.registerOutputs({ repository: args.repository });
    }
}

/** The GitOps repo's merge settings as the github provider reports them. */
export interface MergeSettings {
    readonly fullName: string;
    readonly allowMergeCommit: boolean | undefined;
    readonly mergeCommitTitle: string | undefined;
}

/**
 * Whether a GitOps repo can carry the connector's promotion: the connector parses run ID and image tag
 * out of GitHub's default merge-commit message (Azure/gitops-connector#37).
 *
 * GitHub leaves `allow_merge_commit` and `merge_commit_title` out of the repository for tokens without
 * push access (integrations/terraform-provider-github#679), and the provider reports them as `false` and
 * `""`. The title is never empty when GitHub shows it (`PR_TITLE` or `MERGE_MESSAGE`), so an empty or
 * missing one means the token can't see these settings: that is `unknown`, never a failure.
 */
export function mergeCommitCheck(repo: MergeSettings): { readonly kind: "ok" } | { readonly kind: "unknown" | "problem"; readonly message: string } {
    if (repo.mergeCommitTitle === undefined || repo.mergeCommitTitle === "") {
        return {
            kind: "unknown",
            message:
                `can't check that ${repo.fullName} allows merge commits with GitHub's default message (the GitOps Connector parses it): ` +
                `GitHub shows these settings only to tokens with push access. Give the GitHub token Contents: write on ${repo.fullName} ` +
                `(classic: repo) to have it checked, or check "Allow merge commits" and "Default message" by hand.`,
        };
    }
    if (!repo.allowMergeCommit) {
        return {
            kind: "problem",
            message:
                `${repo.fullName} doesn't allow merge commits; the GitOps Connector reads the run ID from the merge-commit message, so squash or rebase ` +
                `merges break promotion to stage. Enable "Allow merge commits".`,
        };
    }
    if (repo.mergeCommitTitle !== "MERGE_MESSAGE") {
        return { kind: "problem", message: `${repo.fullName} titles merge commits ${repo.mergeCommitTitle}; the GitOps Connector needs GitHub's default merge message (MERGE_MESSAGE).` };
    }
    return { kind: "ok" };
}

export interface DeployKeyArgs {
    /** The repository Flux reads. */
    readonly repository: string;
    /** The key's title on GitHub. */
    readonly title: string;
}

/**
 * A read-only SSH deploy key for Flux: generated here (ECDSA P-384, as `flux bootstrap` does), its public
 * half registered on the repository, its private half exposed as a secret for Flux's protected settings.
 */
export class DeployKey extends pulumi.ComponentResource {
    /** PEM private key, secret. */
    public readonly privateKeyPem: pulumi.Output<string>;
    public readonly deployKey: github.RepositoryDeployKey;

    constructor(name: string, args: DeployKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:github:DeployKey", name, {}, opts);
        const key = new tls.PrivateKey(`${name}-key`, { algorithm: "ECDSA", ecdsaCurve: "P384" }, { parent: this, dependsOn: forwardedDependsOn(opts) });
        this.deployKey = new github.RepositoryDeployKey(
            `${name}-deploy-key`,
            // Flux only reads; a writable key would let anyone holding the cluster's secret push.
            { repository: args.repository, title: args.title, key: key.publicKeyOpenssh, readOnly: true },
            { parent: this, dependsOn: forwardedDependsOn(opts) },
        );
        this.privateKeyPem = pulumi.secret(key.privateKeyPem);
        this.registerOutputs({ privateKeyPem: this.privateKeyPem, deployKey: this.deployKey });
    }
}
