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

/** A GitHub environment with its secrets and protection rules. */
export class Environment extends pulumi.ComponentResource {
    public readonly environment: github.RepositoryEnvironment;
    public readonly secrets: Readonly<Record<string, github.ActionsEnvironmentSecret>>;

    constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        const p = args.protection;
        const problems = Object.keys(args.secrets).map(secretNameProblem).filter((x) => x !== undefined);
        const reviewerCount = (p?.reviewerUsers?.length ?? 0) + (p?.reviewerTeams?.length ?? 0);
        if (reviewerCount > 6) problems.push(`at most 6 reviewers, got ${reviewerCount}`);
        if ((p?.waitTimer ?? 0) < 0 || (p?.waitTimer ?? 0) > 43200) problems.push(`waitTimer must be 0-43200 minutes`);
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

export interface AppRepositorySettingsArgs {
    readonly repository: string;
    /**
     * The default GITHUB_TOKEN permissions. The sample's CD_Stage downloads another run's artifacts with
     * it and declares no `permissions:`, which needs `write` (or `actions: read` added to the workflow).
     * Default `write`.
     */
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
            { repository: args.repository, defaultWorkflowPermissions: args.workflowPermissions ?? "write", canApprovePullRequestReviews: false },
            { parent: this, dependsOn: [actions] },
        );
        this.registerOutputs({ repository: args.repository });
    }
}

/**
 * Why a GitOps repo can't carry the connector's promotion, or undefined if it can: the connector parses
 * run ID and image tag out of GitHub's default merge-commit message (Azure/gitops-connector#37).
 */
export function mergeCommitProblem(repo: { allowMergeCommit: boolean; mergeCommitTitle: string; fullName: string }): string | undefined {
    if (!repo.allowMergeCommit) {
        return (
            `${repo.fullName} doesn't allow merge commits; the GitOps Connector reads the run ID from the merge-commit message, so squash or rebase ` +
            `merges break promotion to stage. Enable "Allow merge commits". (GitHub only shows this setting to tokens with push access: if it is ` +
            `enabled, give the GitHub token push access to ${repo.fullName}.)`
        );
    }
    if (repo.mergeCommitTitle !== "MERGE_MESSAGE") {
        return `${repo.fullName} titles merge commits ${repo.mergeCommitTitle}; the GitOps Connector needs GitHub's default merge message (MERGE_MESSAGE).`;
    }
    return undefined;
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
