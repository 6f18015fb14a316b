// AKS for production stacks, and GitHub environments that gate deployments.
import { ofTypes, type PolicySettings, type ResourcePolicy, type Subject, type Verdict } from "./model.ts";

const MANAGED_CLUSTER = /^azure-native:containerservice(\/v[0-9a-z]+)?:ManagedCluster$/;
const NOT_PRODUCTION: Verdict = { notApplicable: "the stack is not marked production (policy config: production: true)" };

export function aksLocalAccountsOffEntraOn(r: Subject, settings: PolicySettings): Verdict {
    if (settings.production !== true) return NOT_PRODUCTION;
    const out: string[] = [];
    if (r.props.disableLocalAccounts !== true) {
        out.push("disableLocalAccounts is not true: the cluster-admin certificate from az aks get-credentials --admin bypasses Entra ID and can't be revoked per user");
    }
    if (r.props.aadProfile?.managed !== true) out.push("aadProfile.managed is not true: sign-in must go through Entra ID (aks.entraId.enabled)");
    return out;
}

export function aksProtected(r: Subject, settings: PolicySettings): Verdict {
    if (settings.production !== true) return NOT_PRODUCTION;
    return r.protect ? [] : ["the cluster is not protected: a pulumi destroy or a replacing change would delete it; set cluster.protect: true"];
}

/** Whether a GitHub environment has any protection rule (reviewers, a wait timer, a branch policy, …). */
export function hasProtection(p: Record<string, any>): boolean {
    const reviewers: any[] = Array.isArray(p.reviewers) ? p.reviewers : [];
    const anyReviewer = reviewers.some((x) => (x?.users?.length ?? 0) + (x?.teams?.length ?? 0) > 0);
    return anyReviewer || (p.waitTimer ?? 0) > 0 || p.deploymentBranchPolicy != null || p.preventSelfReview === true;
}

export function protectedEnvironmentComplete(r: Subject): Verdict {
    const p = r.props;
    if (!hasProtection(p)) return { notApplicable: "the environment has no protection rules" };
    const out: string[] = [];
    const reviewers: any[] = Array.isArray(p.reviewers) ? p.reviewers : [];
    if (!reviewers.some((x) => (x?.users?.length ?? 0) + (x?.teams?.length ?? 0) > 0)) {
        out.push("no required reviewers: a protected environment without reviewers lets any workflow run deploy");
    }
    // GitHub's default is to let administrators bypass the rules: only an explicit false closes it.
    if (p.canAdminsBypass !== false) out.push("canAdminsBypass is not false: repository admins can deploy past the reviewers (github.environment.canAdminsBypass: false)");
    const branches = p.deploymentBranchPolicy;
    if (!branches || (branches.protectedBranches !== true && branches.customBranchPolicies !== true)) {
        out.push("no deployment branch policy: a workflow on any branch could deploy (github.environment.branches)");
    }
    return out;
}

export const PLATFORM_POLICIES: readonly ResourcePolicy[] = [
    {
        name: "aks-production-local-accounts-off-entra-on",
        description: "A production AKS cluster has local accounts disabled and Entra ID on, so every access is a revocable, audited identity.",
        group: "aks",
        enforcementLevel: "advisory",
        settings: ["production"],
        kind: "resource",
        appliesTo: (type) => MANAGED_CLUSTER.test(type),
        check: aksLocalAccountsOffEntraOn,
    },
    {
        name: "aks-production-protected",
        description: "A production AKS cluster is protected (Pulumi's protect), so no destroy or replacing change deletes it and what runs on it.",
        group: "aks",
        enforcementLevel: "advisory",
        settings: ["production"],
        kind: "resource",
        appliesTo: (type) => MANAGED_CLUSTER.test(type),
        check: aksProtected,
    },
    {
        name: "github-protected-environment-complete",
        description: "A GitHub environment with any protection has required reviewers, no admin bypass and a deployment branch policy; one rule alone leaves a way around the others.",
        group: "github",
        enforcementLevel: "advisory",
        kind: "resource",
        appliesTo: ofTypes("github:index/repositoryEnvironment:RepositoryEnvironment"),
        check: protectedEnvironmentComplete,
    },
];
