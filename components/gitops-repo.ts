// A governed GitOps repo: a ruleset on each branch Flux syncs (pull requests with reviews, the validation
// workflow's check, no force-push, no deletion, merge commits only), the validation workflow itself on
// each of those branches, and the merge settings the GitOps Connector depends on, adopted from the
// existing repository and never deleted with it.
import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import { forwardedDependsOn } from "./options.ts";
import { at, oneOfProblem, patternProblem, refuseInvalidArgs, under, type Problem } from "./problems.ts";
import {
    GITHUB_ACTIONS_APP_ID, VALIDATION_CHECK_NAME, VALIDATION_WORKFLOW_PATH, validationCommitMessage, validationWorkflow, validationWorkflowProblems, WORKFLOW_FILE_RULE,
} from "./validation-workflow.ts";

// The workflow generator is part of this component's public API.
export * from "./validation-workflow.ts";

export const BYPASS_ACTOR_TYPES = ["RepositoryRole", "Team", "Integration", "OrganizationAdmin", "DeployKey", "EnterpriseOwner", "User"] as const;
/** Actor types GitHub identifies without an ID (there is one of each per repository or organization). */
export const BYPASS_ACTOR_TYPES_WITHOUT_ID: readonly (typeof BYPASS_ACTOR_TYPES)[number][] = ["OrganizationAdmin", "DeployKey", "EnterpriseOwner"];
export const BYPASS_MODES = ["always", "pull_request", "exempt"] as const;

/** GitHub's limit on a ruleset's required approving reviews. */
export const MAX_REQUIRED_APPROVALS = 10;

/** What governance applies when unset, shared with the stack config schema. */
export const GOVERNANCE_DEFAULTS = {
    requiredApprovals: 1,
    manageMergeSettings: true,
    workflowPath: VALIDATION_WORKFLOW_PATH,
} as const;

/** The ruleset's name on GitHub: one per repository. */
export const GOVERNANCE_RULESET_NAME = "gitops-governance";

/**
 * The merge settings the GitOps Connector needs (it parses run ID and image tag out of GitHub's default
 * merge-commit message, Azure/gitops-connector#37): merge commits allowed, titled `Merge pull request
 * #N from …` (MERGE_MESSAGE) with the PR title as body, which GitHub calls "Default message".
 */
export const CONNECTOR_MERGE_SETTINGS = { allowMergeCommit: true, mergeCommitTitle: "MERGE_MESSAGE", mergeCommitMessage: "PR_TITLE" } as const;

/**
 * Every github.Repository input except the three merge settings above, left as the repository has them:
 * the resource adopts a repository someone else created and owns, and governs only what the connector
 * needs. `name` included: a GitOps repo is never renamed from here (another repo is another resource,
 * named after it). The provider sends the whole repository on each update; with these ignored, it sends
 * back what it read, so nothing else changes. A test checks this list against the SDK's RepositoryArgs,
 * so that an input a new SDK adds is never managed by accident.
 */
export const UNMANAGED_REPOSITORY_INPUTS = [
    "allowAutoMerge", "allowForking", "allowRebaseMerge", "allowSquashMerge", "allowUpdateBranch", "archiveOnDestroy", "archived", "autoInit",
    "defaultBranch", "deleteBranchOnMerge", "description", "etag", "fork", "gitignoreTemplate", "hasDiscussions", "hasDownloads", "hasIssues",
    "hasProjects", "hasWiki", "homepageUrl", "ignoreVulnerabilityAlertsDuringRead", "isTemplate", "licenseTemplate", "name", "pages", "private",
    "securityAndAnalysis", "sourceOwner", "sourceRepo", "squashMergeCommitMessage", "squashMergeCommitTitle", "template", "topics", "visibility",
    "vulnerabilityAlerts", "webCommitSignoffRequired",
] as const;

/** Who may bypass the ruleset, as GitHub's ruleset API names them. */
export interface BypassActor {
    readonly actorType: (typeof BYPASS_ACTOR_TYPES)[number];
    /** Role, team, app or user ID; none for OrganizationAdmin, DeployKey and EnterpriseOwner. Repository roles: 2 maintain, 4 write, 5 admin. */
    readonly actorId?: number;
    /** Default `always`. */
    readonly bypassMode?: (typeof BYPASS_MODES)[number];
}

/** A branch Flux syncs, with the kustomization paths it syncs from it. */
export interface GovernedBranch {
    readonly branch: string;
    /** Kustomization paths as Flux takes them; each is built and validated on every pull request to the branch. */
    readonly paths: readonly string[];
}

export interface GitOpsRepoGovernanceArgs {
    /** The GitOps repo's name (without owner: the provider carries it). It must exist; it is adopted, never created. */
    readonly repository: string;
    /** The branches to protect and validate: at least one. */
    readonly branches: readonly GovernedBranch[];
    /** The pinned microsoft.flux version whose removed APIs the workflow refuses; undefined (auto-upgrade): the newest release's. */
    readonly extensionVersion?: string;
    /** Who manages the files, for their header and commit messages, e.g. `Pulumi stack prod (project gitops-platform)`. */
    readonly managedBy: string;
    /** Approving reviews a pull request needs. Default 1; GitHub allows 0 to 10. */
    readonly requiredApprovals?: number;
    /** Who may bypass the ruleset. Default: nobody, admins included. */
    readonly bypassActors?: readonly BypassActor[];
    /**
     * Manage the connector's merge settings on the repository (adopted with `import`, kept on delete).
     * Default true. Set false where another stack or a person owns the repository's settings.
     */
    readonly manageMergeSettings?: boolean;
    /** Where the workflow goes. Default `.github/workflows/gitops-validate.yml`. */
    readonly workflowPath?: string;
    /** Adopt this existing ruleset (its ID, from the repository's Settings > Rules URL) instead of creating one. */
    readonly rulesetId?: number;
}

/** The child name part for a branch: `release/1.x` -> `release-1-x`. */
export function branchSlug(branch: string): string {
    return branch.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** What GitHub or the workflow generator would refuse, by argument. */
export function gitOpsRepoGovernanceProblems(args: GitOpsRepoGovernanceArgs): Problem[] {
    const problems: Problem[] = [];
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(args.repository)) problems.push({ path: ["repository"], message: "expected a repository name" });
    if (args.branches.length === 0) problems.push({ path: ["branches"], message: "expected at least one branch" });
    const slugs = new Map<string, string>();
    args.branches.forEach((b, i) => {
        problems.push(...under(["branches", i], validationWorkflowProblems(b)));
        const slug = branchSlug(b.branch);
        const seen = slugs.get(slug);
        if (seen !== undefined) problems.push({ path: ["branches", i, "branch"], message: seen === b.branch ? `'${b.branch}' is listed twice` : `'${b.branch}' and '${seen}' would name the same workflow file resource` });
        slugs.set(slug, b.branch);
    });
    const n = args.requiredApprovals ?? GOVERNANCE_DEFAULTS.requiredApprovals;
    if (!Number.isInteger(n) || n < 0 || n > MAX_REQUIRED_APPROVALS) problems.push({ path: ["requiredApprovals"], message: `expected 0 to ${MAX_REQUIRED_APPROVALS} approving reviews` });
    (args.bypassActors ?? []).forEach((a, i) => problems.push(...under(["bypassActors", i], bypassActorProblems(a))));
    if (args.workflowPath !== undefined) problems.push(...at(["workflowPath"], patternProblem(WORKFLOW_FILE_RULE, args.workflowPath)));
    if (args.rulesetId !== undefined && !(Number.isInteger(args.rulesetId) && args.rulesetId > 0)) problems.push({ path: ["rulesetId"], message: "expected a ruleset ID (a positive integer)" });
    return problems;
}

/** A bypass actor's problems: its type and mode, and an ID exactly where GitHub takes one. */
export function bypassActorProblems(a: BypassActor): Problem[] {
    const problems = [...at(["actorType"], oneOfProblem(BYPASS_ACTOR_TYPES, a.actorType)), ...(a.bypassMode === undefined ? [] : at(["bypassMode"], oneOfProblem(BYPASS_MODES, a.bypassMode)))];
    if (problems.length > 0) return problems;
    const takesId = !BYPASS_ACTOR_TYPES_WITHOUT_ID.includes(a.actorType);
    if (takesId && a.actorId === undefined) problems.push({ path: ["actorId"], message: `required for actorType ${a.actorType}` });
    if (!takesId && a.actorId !== undefined) problems.push({ path: ["actorId"], message: `actorType ${a.actorType} takes no ID (GitHub ignores it)` });
    if (a.actorId !== undefined && !(Number.isInteger(a.actorId) && a.actorId > 0)) problems.push({ path: ["actorId"], message: "expected a positive integer" });
    return problems;
}

/** The ruleset's rules: the same on every governed branch. */
export function governanceRules(requiredApprovals: number): github.types.input.RepositoryRulesetRules {
    return {
        deletion: true,
        nonFastForward: true,
        pullRequest: {
            requiredApprovingReviewCount: requiredApprovals,
            // An approval covers what was reviewed: a later push needs a new one.
            dismissStaleReviewsOnPush: true,
            requireCodeOwnerReview: false,
            requireLastPushApproval: false,
            requiredReviewThreadResolution: false,
            // Squash and rebase merges leave no merge commit, and the connector promotes from its message.
            allowedMergeMethods: ["merge"],
        },
        requiredStatusChecks: {
            requiredChecks: [{ context: VALIDATION_CHECK_NAME, integrationId: GITHUB_ACTIONS_APP_ID }],
            // Not "up to date before merging": the app's CI opens a pull request per build, and each would
            // need rebasing after every merge; the check runs on the merge result anyway.
            strictRequiredStatusChecksPolicy: false,
        },
    };
}

/** The ruleset, the validation workflow on each governed branch, and the repository's merge settings. */
export class GitOpsRepoGovernance extends pulumi.ComponentResource {
    public readonly ruleset: github.RepositoryRuleset;
    /** The validation workflow file, by branch. */
    public readonly workflows: Readonly<Record<string, github.RepositoryFile>>;
    /** The adopted repository, when its merge settings are managed. */
    public readonly repository?: github.Repository;
    /** The check context the ruleset requires: the workflow job's name. */
    public readonly checkContext: string = VALIDATION_CHECK_NAME;

    constructor(name: string, args: GitOpsRepoGovernanceArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs("GitOpsRepoGovernance", name, gitOpsRepoGovernanceProblems(args));
        super("gitops:github:GitOpsRepoGovernance", name, {}, opts);
        const after = (...more: pulumi.Resource[]) => forwardedDependsOn(opts, ...more);

        if (args.manageMergeSettings ?? GOVERNANCE_DEFAULTS.manageMergeSettings) {
            this.repository = new github.Repository(
                `${name}-repository`,
                { name: args.repository, ...CONNECTOR_MERGE_SETTINGS },
                {
                    parent: this,
                    dependsOn: after(),
                    // Adopt the repository by name. An import whose inputs differ from what it reads is
                    // imported, then updated to them in the same run (pulumi/pulumi#19339).
                    import: args.repository,
                    // Never delete it: not on `pulumi destroy`, not when governance is turned off or the
                    // resource renamed, not when a replacement would be planned. Pulumi only forgets it.
                    retainOnDelete: true,
                    // Everything but the merge settings stays as the repository's owner set it (see
                    // UNMANAGED_REPOSITORY_INPUTS); fork/sourceOwner/sourceRepo and template among them
                    // are the inputs that would otherwise force a replacement.
                    ignoreChanges: [...UNMANAGED_REPOSITORY_INPUTS],
                },
            );
        }

        const path = args.workflowPath ?? GOVERNANCE_DEFAULTS.workflowPath;
        this.workflows = Object.fromEntries(
            args.branches.map((b) => {
                const w = { branch: b.branch, paths: b.paths, extensionVersion: args.extensionVersion, managedBy: args.managedBy };
                const file = new github.RepositoryFile(
                    `${name}-workflow-${branchSlug(b.branch)}`,
                    {
                        repository: args.repository,
                        branch: b.branch,
                        file: path,
                        content: validationWorkflow(w),
                        commitMessage: validationCommitMessage(w),
                        // A workflow already at that path is someone's: refuse it rather than replace it
                        // (docs/governance.md says how to adopt one).
                        overwriteOnCreate: false,
                    },
                    // The provider reads the message back from the last commit: once a workflow change has
                    // been merged by pull request (the ruleset refuses direct commits), a refresh must find
                    // no difference, whatever that commit's message says.
                    { parent: this, dependsOn: after(), ignoreChanges: ["commitMessage"] },
                );
                return [b.branch, file];
            }),
        );

        this.ruleset = new github.RepositoryRuleset(
            `${name}-ruleset`,
            {
                repository: args.repository,
                name: GOVERNANCE_RULESET_NAME,
                target: "branch",
                enforcement: "active",
                conditions: { refName: { includes: args.branches.map((b) => `refs/heads/${b.branch}`), excludes: [] } },
                bypassActors: (args.bypassActors ?? []).map((a) => ({ actorType: a.actorType, actorId: a.actorId, bypassMode: a.bypassMode ?? "always" })),
                rules: governanceRules(args.requiredApprovals ?? GOVERNANCE_DEFAULTS.requiredApprovals),
            },
            {
                parent: this,
                // The files are committed straight to the branches, which the ruleset then closes to
                // anything but reviewed pull requests; and merge-only pull requests need merge commits allowed.
                dependsOn: after(...Object.values(this.workflows), ...(this.repository ? [this.repository] : [])),
                import: args.rulesetId === undefined ? undefined : `${args.repository}:${args.rulesetId}`,
            },
        );
        this.registerOutputs({ checkContext: this.checkContext, rulesetName: GOVERNANCE_RULESET_NAME, workflowPath: path, branches: args.branches.map((b) => b.branch) });
    }
}
