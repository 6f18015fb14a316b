// The contract between this platform and the app whose workflows it serves: which Actions secrets the
// workflows read, at which scope, under which names, and the defaults of the values they carry. Today
// there is one app, the tutorial's Azure Vote sample (Azure/arc-cicd-demo-src); another app's contract
// is a second profile of the same shape.

/** The secrets the sample app's workflows read, by their tutorial names; each name is configurable. */
const AZURE_VOTE_SECRETS = [
    "AZURE_CREDENTIALS", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AZ_ACR_NAME", "AZURE_VOTE_IMAGE_REPO",
    "MANIFESTS_REPO", "MANIFESTS_BRANCH", "MANIFESTS_FOLDER", "VOTE_APP_TITLE", "DEMO_APP_URL", "SYSTEM_LABEL", "PAT",
    "AKS_RESOURCE_GROUP", "AKS_NAME", "ENVIRONMENT_NAME", "TARGET_NAMESPACE",
] as const;
export type SecretKey = (typeof AZURE_VOTE_SECRETS)[number];

export interface AppProfile {
    /** The profile's name, as docs and messages call it. */
    readonly name: string;
    /** Every Actions secret the app's workflows read, by its default name (github.secretNames renames them). */
    readonly secretKeys: typeof AZURE_VOTE_SECRETS;
    /** The app repo's name in the tutorial (forked under github.owner). */
    readonly appRepo: string;
    /** Repository inside the registry that the CI build pushes to (`az acr build -t <repo>/...`). */
    readonly imageRepository: string;
    /** The GitHub environment a stack's deploy job declares, from the stack's short name. */
    readonly environment: (stack: string) => string;
    /** Defaults of the values the workflows show. */
    readonly voteAppTitle: string;
    readonly demoAppUrl: string;
    readonly systemLabel: string;
    /** The folder under which the workflows write `<folder>/manifests`. */
    readonly manifestsSubfolder: string;
    /** Secrets at repository level: read by jobs without an environment, or the same in every environment. */
    readonly repositorySecretKeys: (ciMode: "clientSecret" | "oidc") => SecretKey[];
    /**
     * Secrets at environment level: what differs per environment, plus the cluster's name and resource
     * group when the environment runs on another cluster than the repository-level values name.
     */
    readonly environmentSecretKeys: (otherCluster: boolean) => SecretKey[];
}

/** Azure/arc-cicd-demo-src, the tutorial's app: its workflows and what each job reads. */
export const AZURE_VOTE: AppProfile = {
    name: "azure-vote",
    secretKeys: AZURE_VOTE_SECRETS,
    appRepo: "arc-cicd-demo-src",
    imageRepository: "azvote",
    environment: (stack) => `az-vote-app-${stack}`,
    voteAppTitle: "Voting Application",
    demoAppUrl: "/",
    systemLabel: "VOTE-APP",
    manifestsSubfolder: "manifests",
    repositorySecretKeys: (ciMode) => [
        // The CI build job has no environment, so the Azure login and the registry must be repo-level.
        ...(ciMode === "clientSecret" ? (["AZURE_CREDENTIALS"] as const) : (["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID"] as const)),
        "AZ_ACR_NAME",
        "AZURE_VOTE_IMAGE_REPO",
        "MANIFESTS_REPO",
        "MANIFESTS_BRANCH",
        "MANIFESTS_FOLDER",
        "VOTE_APP_TITLE",
        "DEMO_APP_URL",
        "SYSTEM_LABEL",
        "PAT",
        "AKS_RESOURCE_GROUP",
        "AKS_NAME",
    ],
    environmentSecretKeys: (otherCluster) => ["ENVIRONMENT_NAME", "TARGET_NAMESPACE", ...(otherCluster ? (["AKS_NAME", "AKS_RESOURCE_GROUP"] as const) : [])],
};

/** The app profile every stack uses. */
export const APP = AZURE_VOTE;
