// Composition of the GitHub side: the app repo's secrets and environments, the CI identity, the repo
// settings, and the GitOps repo's governance when the stack opts in. Every value comes from the
// platform's outputs or the validated config, never retyped.
import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import { azureCredentialsJson, CiClusterAccess, CiIdentity, environmentSubject, refSubject } from "../components/ci-identity.ts";
import { GitOpsRepoGovernance } from "../components/gitops-repo.ts";
import { AppRepositorySettings, Environment, mergeCommitCheck, RepositorySecrets } from "../components/github.ts";
import { governancePlan } from "./config/checks-github.ts";
import { PROJECT } from "./config/names.ts";
import type { GitHubConfig, GitHubRepositoryConfig, OwnerStackConfig, SecretKey, StackConfig, StackName } from "./config.ts";
import { APP } from "./app-profile.ts";
import { grantsClusterAccess, onOtherCluster, secretName } from "./github-layout.ts";

/** What the GitHub wiring reads from the platform: this stack's cluster and registry. */
export interface ClusterFacts {
    readonly clusterName: pulumi.Input<string>;
    readonly clusterResourceGroup: pulumi.Input<string>;
    readonly clusterId: pulumi.Input<string>;
    readonly appNamespaces: pulumi.Input<string[]>;
    readonly registryName: pulumi.Input<string>;
    readonly registryLoginServer: pulumi.Input<string>;
    readonly registryId: pulumi.Input<string>;
}

export interface GitHubOutputs {
    readonly githubRepository: string;
    readonly githubEnvironment: string;
    /** The CI identity (set by the stack that owns it; read by the others through a StackReference). */
    readonly ciClientId?: pulumi.Input<string>;
    readonly ciPrincipalId?: pulumi.Input<string>;
    readonly ciMode?: string;
}

export interface GitHubWiringArgs {
    readonly config: StackConfig & { readonly github: GitHubConfig };
    readonly facts: ClusterFacts;
    readonly provider: github.Provider;
    readonly readSecret: (key: string) => pulumi.Output<string>;
    /** One StackReference per stack, shared with the rest of the program. */
    readonly stackReference: (name: StackName) => pulumi.StackReference;
}

export function createGitHubWiring(args: GitHubWiringArgs): GitHubOutputs {
    const c = args.config;
    const g = c.github;
    const repo = g.appRepo;
    const opts = { providers: { github: args.provider } };
    const name = (key: SecretKey) => secretName(g, key);
    const outputs: { -readonly [K in keyof GitHubOutputs]: GitHubOutputs[K] } = {
        githubRepository: `${g.owner}/${repo}`,
        githubEnvironment: g.environment.name,
    };

    // The environment this stack owns. TARGET_NAMESPACE must be a namespace the cluster serves; for a
    // stack on a shared cluster that is only known from the owner's outputs, so it is checked there.
    const namespace = g.environment.namespace;
    const envValues: Partial<Record<SecretKey, pulumi.Input<string>>> = {
        ENVIRONMENT_NAME: g.environment.environmentName,
        TARGET_NAMESPACE: pulumi.output(args.facts.appNamespaces).apply((served) => {
            if (!served.includes(namespace)) {
                throw new Error(`${c.stackFile}: github.environment.namespace '${namespace}' is not served by the cluster (${served.join(", ")})`);
            }
            return namespace;
        }),
        AKS_NAME: args.facts.clusterName,
        AKS_RESOURCE_GROUP: args.facts.clusterResourceGroup,
    };
    const e = g.environment;
    new Environment(
        `${repo}-${e.name}`,
        {
            repository: repo,
            environment: e.name,
            secrets: secretValues(g, APP.environmentSecretKeys(onOtherCluster(c)), envValues),
            protection: {
                reviewerUsers: e.reviewers.users,
                reviewerTeams: e.reviewers.teams,
                waitTimer: e.waitTimer,
                branches: e.branches,
                preventSelfReview: e.preventSelfReview,
                canAdminsBypass: e.canAdminsBypass,
            },
        },
        opts,
    );

    // Governance before the repository level: when it owns the GitOps repo's merge settings, the
    // read-only check of those settings there has nothing left to check.
    const governance = c.kind === "owner" ? governancePlan(c) : undefined;
    if (governance !== undefined) {
        const s = governance.settings;
        new GitOpsRepoGovernance(
            `${governance.repo}-governance`,
            {
                repository: governance.repo,
                branches: governance.branches,
                extensionVersion: governance.extensionVersion,
                managedBy: `Pulumi stack ${c.stack} (project ${PROJECT})`,
                requiredApprovals: s.requiredApprovals,
                bypassActors: s.bypassActors,
                manageMergeSettings: s.manageMergeSettings,
                workflowPath: s.workflowPath,
                rulesetId: s.rulesetId,
            },
            opts,
        );
    }
    const mergeSettingsManaged = governance?.settings.manageMergeSettings === true;

    if (g.repository !== undefined && c.kind === "owner") {
        Object.assign(outputs, repositoryLevel(c, g, g.repository, args, opts, mergeSettingsManaged));
    } else if (grantsClusterAccess(c)) {
        // This stack owns a cluster other than the one the repository-level AKS_NAME names: the smoke
        // test needs its user credentials too, and this stack owns that grant.
        const identityStack = args.stackReference(g.repositoryLevel);
        new CiClusterAccess(`${repo}-ci-${e.name}`, { principalId: identityStack.requireOutput("ciPrincipalId") as pulumi.Output<string>, clusterId: args.facts.clusterId });
    }
    return outputs;
}

/** What the one stack that owns the repository level creates. */
function repositoryLevel(
    c: OwnerStackConfig,
    g: GitHubConfig,
    r: GitHubRepositoryConfig,
    args: GitHubWiringArgs,
    opts: pulumi.ComponentResourceOptions,
    mergeSettingsManaged: boolean,
): Partial<GitHubOutputs> {
    const repo = g.appRepo;
    const ci = r.ciIdentity;
    const subjects: Record<string, string> = {};
    if (ci.mode === "oidc") {
        for (const env of ci.environments ?? [g.environment.name]) subjects[`env-${env}`] = environmentSubject(g.owner, repo, env);
        for (const ref of ci.refs) subjects[ref.replace(/^refs\//, "").replace(/[^A-Za-z0-9-]/g, "-")] = refSubject(g.owner, repo, ref);
    }
    const identity = new CiIdentity(`${repo}-ci`, {
        displayName: `github-${g.owner}-${repo}`,
        registryId: args.facts.registryId,
        clusters: { [c.cluster.name]: args.facts.clusterId },
        ...(ci.mode === "clientSecret" ? { mode: "clientSecret" as const, secretLifetime: ci.secretLifetime } : { mode: "oidc" as const, federatedSubjects: subjects }),
    });

    const m = r.manifests;
    // The connector promotes to stage only from GitHub's default merge-commit message; check the repo
    // now rather than after the first release silently stalls. Where this stack's governance manages
    // those settings (the same repo: both follow the configuration the connector serves), the update
    // sets them instead, and a check would fail the very run that fixes them.
    const checkedManifestsRepo = r.requireMergeCommits && !mergeSettingsManaged
        ? github
              .getRepositoryOutput({ fullName: `${m.owner}/${m.repo}` }, { provider: args.provider })
              .apply((info) => {
                  const check = mergeCommitCheck({ allowMergeCommit: info.allowMergeCommit, mergeCommitTitle: info.mergeCommitTitle, fullName: info.fullName });
                  // Data the token can't see is a warning, never a failure: the recommended preview token is read-only.
                  if (check.kind === "unknown") pulumi.log.warn(`${c.stackFile}: ${check.message}`);
                  if (check.kind === "problem") throw new Error(`${c.stackFile}: ${check.message} (or set github.repository.requireMergeCommits: false)`);
                  return m.url;
              })
        : pulumi.output(m.url);

    const values: Partial<Record<SecretKey, pulumi.Input<string>>> = {
        AZURE_CREDENTIALS:
            identity.clientSecret &&
            pulumi.secret(
                pulumi
                    .all([identity.clientId, identity.clientSecret, identity.subscriptionId, identity.tenantId])
                    .apply(([clientId, clientSecret, subscriptionId, tenantId]) => azureCredentialsJson({ clientId, clientSecret, subscriptionId, tenantId })),
            ),
        AZURE_CLIENT_ID: identity.clientId,
        AZURE_TENANT_ID: identity.tenantId,
        AZURE_SUBSCRIPTION_ID: identity.subscriptionId,
        AZ_ACR_NAME: args.facts.registryName,
        AZURE_VOTE_IMAGE_REPO: pulumi.interpolate`${args.facts.registryLoginServer}/${r.imageRepository}`,
        MANIFESTS_REPO: checkedManifestsRepo,
        MANIFESTS_BRANCH: m.branch,
        MANIFESTS_FOLDER: m.folder,
        VOTE_APP_TITLE: r.voteAppTitle,
        DEMO_APP_URL: r.demoAppUrl,
        SYSTEM_LABEL: r.systemLabel,
        PAT: args.readSecret(r.patSecret),
        AKS_RESOURCE_GROUP: args.facts.clusterResourceGroup,
        AKS_NAME: args.facts.clusterName,
    };
    new RepositorySecrets(
        `${repo}-secrets`,
        { repository: repo, secrets: secretValues(g, APP.repositorySecretKeys(ci.mode), values) },
        opts,
    );
    new AppRepositorySettings(
        `${repo}-settings`,
        { repository: repo, workflowPermissions: r.workflowPermissions, actionsEnabled: r.actionsEnabled, allowedActions: r.allowedActions },
        opts,
    );
    return { ciClientId: identity.clientId, ciPrincipalId: identity.principalId, ciMode: ci.mode };
}

/** The Actions secrets for `keys`, under their configured names; every key the app reads has a value here. */
function secretValues(g: GitHubConfig, keys: readonly SecretKey[], values: Partial<Record<SecretKey, pulumi.Input<string>>>): Record<string, pulumi.Input<string>> {
    return Object.fromEntries(
        keys.map((k) => {
            const value = values[k];
            if (value === undefined) throw new Error(`the ${APP.name} profile's secret ${k} has no value at this scope`);
            return [secretName(g, k), value];
        }),
    );
}
