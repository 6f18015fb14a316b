// The GitOps Connector chart's own rules, for checking values offline wherever the program sets them
// (a Helm release through the API, a Flux HelmRelease in the platform folder).

/**
 * The values gitops-connector chart 1.2.1 knows (values.yaml) and the `required` checks its
 * templates/deployment.yaml makes, by gitRepositoryType / ciCdOrchestratorType. Helm isn't available
 * offline, so the rules are transcribed here from the chart at tag v1.2.1.
 */
export const CHART_KEYS = new Set([
    "imageName", "imageTag", "containerPort", "gitRepositoryType", "ciCdOrchestratorType", "gitOpsOperatorType", "gitOpsAppURL",
    "azdoGitOpsRepoName", "azdoPrRepoName", "azdoOrgUrl", "orchestratorPAT", "gitHubGitOpsRepoName", "gitHubGitOpsManifestsRepoName",
    "gitHubOrgUrl", "subscribers", "tolerations", "nodeSelector",
]);
export function chartProblems(v: Record<string, unknown>): string[] {
    const problems = Object.keys(v).filter((k) => !CHART_KEYS.has(k)).map((k) => `unknown value ${k}`);
    const need = (k: string) => {
        if (v[k] === undefined || v[k] === "") problems.push(`Provide a value for ${k}`);
    };
    ["gitRepositoryType", "ciCdOrchestratorType", "gitOpsOperatorType", "gitOpsAppURL"].forEach(need);
    if (v.gitRepositoryType === "AZDO") need("azdoGitOpsRepoName");
    if (v.gitRepositoryType === "AZDO" || v.ciCdOrchestratorType === "AZDO") need("azdoOrgUrl");
    if (v.ciCdOrchestratorType === "GITHUB") need("gitHubGitOpsRepoName");
    if (v.gitRepositoryType === "GITHUB") need("gitHubGitOpsManifestsRepoName");
    if (v.gitRepositoryType === "GITHUB" || v.ciCdOrchestratorType === "GITHUB") need("gitHubOrgUrl");
    return problems;
}
