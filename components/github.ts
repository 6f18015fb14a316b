// The GitHub side of the tutorial: Actions secrets at repository and environment scope, environments
// with their protection rules, the repository settings the CI/CD flow depends on, and a read-only
// deploy key for Flux.
import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import * as tls from "@pulumi/tls";

/** Actions secret names: upper-case letters, digits and underscores, not starting with GITHUB_. */
export function secretNameProblem(name: string): string | undefined {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) return `'${name}' is not a valid Actions secret name (A-Z, 0-9, _)`;
    if (name.startsWith("GITHUB_")) return `'${name}' starts with GITHUB_, which GitHub reserves`;
    return undefined;
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
        const problems = Object.keys(args.secrets).map(secretNameProblem).filter((p) => p !== undefined);
        if (problems.length > 0) throw new Error(`RepositorySecrets ${name}: ${problems.join("; ")}`);
        super("gitops:github:RepositorySecrets", name, {}, opts);
        this.secrets = Object.fromEntries(
            Object.entries(args.secrets).map(([secretName, value]) => [
                secretName,
                new github.ActionsSecret(
                    childName(name, secretName),
                    { repository: args.repository, secretName, plaintextValue: pulumi.secret(value) },
                    { parent: this },
                ),
            ]),
        );
        this.registerOutputs({ names: Object.keys(this.secrets) });
    }
}

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
export function environmentProtectionProblems(p: EnvironmentProtection | undefined): { path: (string | number)[]; message: string }[] {
    const problems: { path: (string | number)[]; message: string }[] = [];
    const users = p?.reviewerUsers ?? [];
    const teams = p?.reviewerTeams ?? [];
    if (users.length + teams.length > ENVIRONMENT_LIMITS.maxReviewers) {
        problems.push({ path: ["reviewers"], message: `at most ${ENVIRONMENT_LIMITS.maxReviewers} reviewers (users and teams together), got ${users.length + teams.length}` });
    }
    users.forEach((u, i) => {
        if (users.indexOf(u) !== i) problems.push({ path: ["reviewerUsers", i], message: `'${u}' is listed twice` });
    });
    teams.forEach((t, i) => {
        if (teams.indexOf(t) !== i) problems.push({ path: ["reviewerTeams", i], message: `'${t}' is listed twice` });
    });
    const wait = p?.waitTimer ?? 0;
    if (!Number.isInteger(wait) || wait < 0 || wait > ENVIRONMENT_LIMITS.maxWaitTimerMinutes) {
        problems.push({ path: ["waitTimer"], message: `expected 0-${ENVIRONMENT_LIMITS.maxWaitTimerMinutes} minutes` });
    }
    if (Array.isArray(p?.branches)) {
        (p.branches as readonly string[]).forEach((b, i) => {
            if (b.trim() === "") problems.push({ path: ["branches", i], message: "expected a branch name pattern" });
        });
    }
    return problems;
}

/** A GitHub environment with its secrets and protection rules. */
export class Environment extends pulumi.ComponentResource {
    public readonly environment: github.RepositoryEnvironment;
    public readonly secrets: Readonly<Record<string, github.ActionsEnvironmentSecret>>;

    constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        const p = args.protection;
        const problems = [
            ...Object.keys(args.secrets).map(secretNameProblem).filter((x) => x !== undefined),
            ...environmentProtectionProblems(p).map((x) => `protection.${x.path.join(".")}: ${x.message}`),
        ];
        if (problems.length > 0) throw new Error(`Environment ${name}: ${problems.join("; ")}`);
        super("gitops:github:Environment", name, {}, opts);

        const branches = p?.branches ?? "all";
        this.environment = new github.RepositoryEnvironment(
            `${name}-environment`,
            {
                repository: args.repository,
                environment: args.environment,
                reviewers: reviewers(p, this),
                waitTimer: p?.waitTimer ?? 0,
                preventSelfReview: p?.preventSelfReview ?? false,
                canAdminsBypass: p?.canAdminsBypass ?? true,
                deploymentBranchPolicy:
                    branches === "all"
                        ? undefined
                        : branches === "protected"
                          ? { protectedBranches: true, customBranchPolicies: false }
                          : { protectedBranches: false, customBranchPolicies: true },
            },
            { parent: this },
        );
        if (Array.isArray(branches)) {
            branches.forEach((pattern, i) => {
                new github.RepositoryEnvironmentDeploymentPolicy(
                    `${name}-branch-${i}`,
                    { repository: args.repository, environment: args.environment, branchPattern: pattern },
                    // The policy belongs to the environment, which must exist with custom policies enabled.
                    { parent: this, dependsOn: [this.environment] },
                );
            });
        }
        this.secrets = Object.fromEntries(
            Object.entries(args.secrets).map(([secretName, value]) => [
                secretName,
                new github.ActionsEnvironmentSecret(
                    childName(name, secretName),
                    { repository: args.repository, environment: args.environment, secretName, plaintextValue: pulumi.secret(value) },
                    { parent: this, dependsOn: [this.environment] },
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

export interface AppRepositorySettingsArgs {
    readonly repository: string;
    /** The default GITHUB_TOKEN permissions. Default `read` (see WORKFLOW_PERMISSIONS_DEFAULT). */
    readonly workflowPermissions?: "read" | "write";
    /** Actions is disabled on new forks; the sample workflows need it on. Default true. */
    readonly actionsEnabled?: boolean;
    /**
     * Which actions may run (`all`, `local_only`, `selected`). Default: left as the repository (or its
     * organization's policy) has it.
     */
    readonly allowedActions?: "all" | "local_only" | "selected";
}

/** The app repository's Actions settings the sample workflows depend on. */
export class AppRepositorySettings extends pulumi.ComponentResource {
    constructor(name: string, args: AppRepositorySettingsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:github:AppRepositorySettings", name, {}, opts);
        const actions = new github.ActionsRepositoryPermissions(
            `${name}-actions`,
            { repository: args.repository, enabled: args.actionsEnabled ?? true, allowedActions: args.allowedActions },
            { parent: this },
        );
        new github.WorkflowRepositoryPermissions(
            `${name}-workflow-token`,
            { repository: args.repository, defaultWorkflowPermissions: args.workflowPermissions ?? WORKFLOW_PERMISSIONS_DEFAULT, canApprovePullRequestReviews: false },
            { parent: this, dependsOn: [actions] },
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
        const key = new tls.PrivateKey(`${name}-key`, { algorithm: "ECDSA", ecdsaCurve: "P384" }, { parent: this });
        this.deployKey = new github.RepositoryDeployKey(
            `${name}-deploy-key`,
            // Flux only reads; a writable key would let anyone holding the cluster's secret push.
            { repository: args.repository, title: args.title, key: key.publicKeyOpenssh, readOnly: true },
            { parent: this },
        );
        this.privateKeyPem = pulumi.secret(key.privateKeyPem);
        this.registerOutputs({ privateKeyPem: this.privateKeyPem, deployKey: this.deployKey });
    }
}
