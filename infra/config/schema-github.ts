// The stack file's `github` section: the app repo's secrets, environments, CI identity and settings.
import { z } from "zod";
import { CI_IDENTITY_DEFAULTS, CI_IDENTITY_MODES, CI_REF_RULE, SECRET_LIFETIME_RULE } from "../../components/ci-identity.ts";
import {
    ALLOWED_ACTIONS, APP_REPOSITORY_DEFAULTS, ENVIRONMENT_BRANCH_RULES, ENVIRONMENT_DEFAULTS, GITHUB_LOGIN_RULE, GITHUB_OWNER_RULE, RESERVED_SECRET_PREFIX, SECRET_NAME_RULE, TEAM_SLUG_RULE, WORKFLOW_PERMISSIONS,
} from "../../components/github.ts";
import { BYPASS_ACTOR_TYPES, BYPASS_MODES, GOVERNANCE_DEFAULTS, MAX_REQUIRED_APPROVALS } from "../../components/gitops-repo.ts";
import { VALIDATION_CHECK_NAME, WORKFLOW_BRANCH_RULE, WORKFLOW_FILE_RULE, WORKFLOW_PATH_RULE } from "../../components/validation-workflow.ts";
import { APP } from "../app-profile.ts";
import { dnsLabel, ruled, secretKey, stackName } from "./fields.ts";

const GitHubRepositoryScopeSchema = z
    .strictObject({
        ciIdentity: z
            .strictObject({
                mode: z
                    .enum(CI_IDENTITY_MODES)
                    .default(CI_IDENTITY_DEFAULTS.mode)
                    .describe(
                        "`clientSecret`: AZURE_CREDENTIALS for azure/login `creds`. `oidc`: federated credentials, no secret; publishes AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_SUBSCRIPTION_ID instead, and the workflows must log in with client-id/tenant-id/subscription-id and `permissions: id-token: write`.",
                    ),
                secretLifetime: ruled(SECRET_LIFETIME_RULE)
                    .default(CI_IDENTITY_DEFAULTS.secretLifetime)
                    .describe("Lifetime of the client secret (azuread endDateRelative). Nothing rotates it by itself: replace the ApplicationPassword before it expires (`pulumi up --target-replace <its URN>`)."),
                refs: z
                    .array(ruled(CI_REF_RULE))
                    .default([...CI_IDENTITY_DEFAULTS.refs])
                    .describe("With oidc: refs whose jobs without an environment may log in. Entra ID matches subjects exactly: list every branch the CI workflow runs on."),
                environments: z
                    .array(z.string().min(1))
                    .optional()
                    .describe("With oidc: every GitHub environment whose jobs log in to Azure; the identity's stack owns its federated credentials. Default: this stack's environment only."),
            })
            .prefault({})
            .describe("The Entra ID identity the app repo's workflows sign in with."),
        patSecret: secretKey.default("appRepoPat").describe("Secret config key holding the PAT the workflows use to open PRs on the GitOps repo (the PAT secret)."),
        voteAppTitle: z.string().min(1).default(APP.voteAppTitle).describe("VOTE_APP_TITLE."),
        demoAppUrl: z.string().min(1).default(APP.demoAppUrl).describe("DEMO_APP_URL."),
        systemLabel: z.string().min(1).default(APP.systemLabel).describe("SYSTEM_LABEL."),
        manifestsFolder: z
            .string()
            .regex(/^[^/\s][^\s]*[^/\s]$|^[^/\s]$/, "expected a folder path without leading or trailing /")
            .refine((f) => !f.split("/").includes(".."), "expected a folder inside the repository, without '..' segments")
            .optional()
            .describe(`MANIFESTS_FOLDER: the sample writes to <folder>/${APP.manifestsSubfolder}, which Flux must sync. Default: the kustomization path without its trailing /${APP.manifestsSubfolder}.`),
        imageRepository: z
            .string()
            .regex(/^[a-z0-9][a-z0-9._/-]*$/, "expected a lowercase repository name")
            .default(APP.imageRepository)
            .describe("Repository inside the registry that the CI build pushes to: the suffix of AZURE_VOTE_IMAGE_REPO."),
        workflowPermissions: z
            .enum(WORKFLOW_PERMISSIONS)
            .default(APP_REPOSITORY_DEFAULTS.workflowPermissions)
            .describe(
                "The app repo's default GITHUB_TOKEN permissions; `read` is GitHub's hardening guidance. The sample's CD_Stage Deploy_to_Stage job downloads another run's artifacts, which needs `actions: read`: add that permission to the job, or keep `write` for the unmodified sample.",
            ),
        actionsEnabled: z.boolean().default(APP_REPOSITORY_DEFAULTS.actionsEnabled).describe("Actions is disabled on new forks; the sample workflows need it on."),
        allowedActions: z.enum(ALLOWED_ACTIONS).optional().describe("Which actions may run on the app repo. Unset: left as it is."),
        requireMergeCommits: z
            .boolean()
            .default(true)
            .describe("Fail when the GitOps repo disallows merge commits or retitles them (the connector parses them); a warning instead when the token can't see those settings."),
    })
    .describe("Set in exactly one stack, which owns the repository-level secrets, the CI identity and the repo settings; needs a cluster of its own.");

const GitHubEnvironmentSchema = z
    .strictObject({
        name: z.string().regex(/^[^\s/][^/]{0,254}$/, "expected an environment name").optional().describe(`The GitHub environment this stack owns. Default: ${APP.environment("<stack>")}.`),
        environmentName: z
            .string()
            .regex(/^\S+$/, "expected no spaces (the sample workflows pass it unquoted)")
            .optional()
            .describe("ENVIRONMENT_NAME. Default: the stack name capitalised."),
        namespace: dnsLabel.optional().describe(
            "TARGET_NAMESPACE; one of the cluster's appNamespaces. For a stack sharing a cluster, checked against the owner's stack file before anything registers (an owner in another project, against its outputs at deploy time). Default: the stack name.",
        ),
        reviewers: z
            .strictObject({
                users: z.array(ruled(GITHUB_LOGIN_RULE)).default([]),
                teams: z.array(ruled(TEAM_SLUG_RULE)).default([]),
            })
            .prefault({})
            .describe("Required reviewers: at most 6 in all, none listed twice."),
        waitTimer: z.number().int().default(ENVIRONMENT_DEFAULTS.waitTimer).describe("Minutes a deployment waits before it may proceed."),
        branches: z
            .union([z.enum(ENVIRONMENT_BRANCH_RULES), z.array(z.string().min(1)).min(1)])
            .default(ENVIRONMENT_DEFAULTS.branches)
            .describe("Branches that may deploy: `all`, `protected`, or a list of patterns."),
        preventSelfReview: z
            .boolean()
            .default(ENVIRONMENT_DEFAULTS.preventSelfReview)
            .describe("Keep whoever triggered a deployment from approving it. Off by default: CD_Stage is triggered by the connector's PAT owner, often the only reviewer."),
        canAdminsBypass: z.boolean().default(ENVIRONMENT_DEFAULTS.canAdminsBypass).describe("Let repository admins bypass the rules (GitHub's default)."),
    })
    .describe("The GitHub environment this stack owns, with its secrets and protection rules.");

const BypassActorSchema = z
    .strictObject({
        actorType: z.enum(BYPASS_ACTOR_TYPES),
        actorId: z.number().int().positive().optional().describe("Role, team, app or user ID; none for OrganizationAdmin, DeployKey and EnterpriseOwner. Repository roles: 2 maintain, 4 write, 5 admin."),
        bypassMode: z.enum(BYPASS_MODES).default("always"),
    })
    .describe("Who may bypass the ruleset, as GitHub's ruleset API names them.");

const GovernanceSchema = z
    .strictObject({
        requiredApprovals: z
            .number()
            .int()
            .min(0)
            .max(MAX_REQUIRED_APPROVALS)
            .default(GOVERNANCE_DEFAULTS.requiredApprovals)
            .describe("Approving reviews a pull request to a synced branch needs."),
        bypassActors: z
            .array(BypassActorSchema)
            .default([])
            .describe(
                "Who may bypass the ruleset. Default nobody, admins included, and so not the token `pulumi up` runs with either: a later change to the validation workflow then can't be committed. See docs/governance.md.",
            ),
        manageMergeSettings: z
            .boolean()
            .default(GOVERNANCE_DEFAULTS.manageMergeSettings)
            .describe(
                "Manage the GitOps repo's merge settings (merge commits with GitHub's default message, which the connector parses): adopted by import, never deleted, everything else on the repository left alone. Refused where github.repository.requireMergeCommits is false.",
            ),
        workflowPath: ruled(WORKFLOW_FILE_RULE).default(GOVERNANCE_DEFAULTS.workflowPath).describe(`Where the validation workflow goes; its job's check is ${VALIDATION_CHECK_NAME}.`),
        alsoValidate: z
            .record(ruled(WORKFLOW_BRANCH_RULE), z.array(ruled(WORKFLOW_PATH_RULE)).min(1))
            .default({})
            .describe(
                "Branch -> kustomization paths other stacks sync from that branch of the GitOps repo: the ruleset requires the check on every pull request, so the workflow must validate their folders too (`npm run plan -- --all` lists any missing). Only branches this stack syncs.",
            ),
        rulesetId: z.number().int().positive().optional().describe("Adopt this existing ruleset (the number in its Settings > Rules URL) instead of creating one."),
    })
    .describe(
        "Govern the GitOps repo (the repo of the Flux configuration the connector serves): a ruleset on every branch a configuration of this stack syncs from it (reviewed pull requests, the validation workflow's check, no force-push or deletion, merge commits only), the validation workflow on each of those branches, and its merge settings. In at most one stack per repo.",
    );

export const GitHubSchema = z
    .strictObject({
        owner: ruled(GITHUB_OWNER_RULE).describe("User or organization of the app repo; the GitHub provider's owner."),
        appRepo: z
            .string()
            .regex(/^[A-Za-z0-9._-]{1,100}$/, "expected a repository name")
            .default(APP.appRepo)
            .describe("The repo whose workflows read the secrets (and receive the connector's dispatch)."),
        tokenSecret: secretKey.optional().describe("Secret config key with a GitHub token for the provider. Unset: the GITHUB_TOKEN environment variable."),
        repository: GitHubRepositoryScopeSchema.optional(),
        repositoryStack: stackName.optional().describe("In every other stack: the stack that owns the repository level."),
        gitopsRepo: z
            .strictObject({ governance: GovernanceSchema.optional() })
            .optional()
            .describe("The GitOps repo Flux syncs. Without governance, nothing on it is managed (github.repository.requireMergeCommits only checks it)."),
        environment: GitHubEnvironmentSchema.prefault({}),
        secretNames: z
            .partialRecord(
                z.enum(APP.secretKeys),
                ruled(SECRET_NAME_RULE).refine((n) => !n.startsWith(RESERVED_SECRET_PREFIX.prefix), RESERVED_SECRET_PREFIX.message),
            )
            .default({})
            .describe("Rename any secret the workflows read, e.g. {AZ_ACR_NAME: ACR_NAME}; keep it the same in every stack."),
    })
    .describe("Optional: without it a stack touches nothing on GitHub.");
