// One stack file -> one validated, typed object. Nothing here registers a resource:
// loadStackConfig() either returns a StackConfig or throws a ConfigError that names the
// stack file, the key path and what was expected, before the program creates anything.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AKS_DEFAULTS, PRINCIPAL_TYPES } from "../components/cluster.ts";
import { CONNECTOR_DEFAULTS, connectorProblems } from "../components/connector.ts";
import { credentialFindings, looksLikeSecretValue } from "../components/credentials.ts";
import { EXTENSION_NAMESPACE, FLUX_DEFAULTS, fluxConfigurationProblems, gitHost, gitUrlProblem, parseGitRepoUrl, type GitRepo } from "../components/flux.ts";
import { environmentProtectionProblems, WORKFLOW_PERMISSIONS_DEFAULT } from "../components/github.ts";

export { gitHost, parseGitRepoUrl, type GitRepo };

/** The project name in Pulumi.yaml; stack config keys live under this namespace. */
export const PROJECT = "gitops-platform";

/** A RunError, so `pulumi up` prints the message alone, without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly stackFile: string, readonly problems: readonly string[]) {
        super(`Invalid stack configuration in ${stackFile}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

export function stackFileName(stack: string): string {
    return `stacks/Pulumi.${stack}.yaml`;
}

/** The short name of a stack reference: `org/project/dev` -> `dev`. */
export function shortStack(name: string): string {
    return name.split("/").pop()!;
}

/** A stack reference as StackReference wants it: `dev` -> `<org>/<project>/dev`, `org/dev` -> `org/<project>/dev`. */
export function qualifiedStack(name: string, organization: () => string, project: string = PROJECT): string {
    const parts = name.split("/");
    return parts.length === 3 ? name : parts.length === 2 ? `${parts[0]}/${project}/${parts[1]}` : `${organization()}/${project}/${name}`;
}

// ---------------------------------------------------------------------------------------------
// Schema. Field names follow `az k8s-configuration flux create`, the ARM API and the chart, so a
// reader who knows the tutorial recognises them. Defaults live here (not in Pulumi.yaml) because
// the same defaults must hold under the mock runtime, where project-level defaults don't apply.
// ---------------------------------------------------------------------------------------------

const dnsLabel = z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a lowercase DNS label (a-z, 0-9, '-')")
    .max(63);

/** The name of another config key that holds a secret (set with `pulumi config set --secret`). */
const secretKey = z
    .string()
    // Checked first, and reported without the value: a pasted token must not reach any message.
    .refine((n) => !looksLikeSecretValue(n), "looks like a credential, not the name of a secret config key; put the value in secret config and name its key here (value not shown)")
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/, "expected the name of a secret config key, such as connectorPat");

const azureName = z
    .string()
    .min(1)
    .max(63)
    .regex(/^[A-Za-z0-9][-A-Za-z0-9_]*$/, "expected letters, digits, '-' or '_'");

const AzureSchema = z.strictObject({
    /** Azure region for everything this stack creates. */
    location: z.string().min(1),
    /** Resource group that holds the cluster and the registry. */
    resourceGroup: z.string().min(1).max(90),
    /** Create the resource group (true) or use an existing one (false). */
    createResourceGroup: z.boolean().default(false),
    /** Pulumi `protect` on the created resource group: `pulumi destroy` refuses until it is lifted. */
    protect: z.boolean().default(false),
});

const KubeconfigSchema = z.strictObject({
    /**
     * Which AKS credential the Kubernetes provider uses. `user` works with Entra ID clusters through
     * kubelogin; `admin` uses the local cluster-admin certificate and fails when local accounts are
     * disabled.
     */
    credentials: z.enum(["user", "admin"]).default("user"),
    /**
     * For Entra ID clusters: the `kubelogin --login` mode written into the kubeconfig. The AKS default
     * is `devicecode`, which blocks a non-interactive `pulumi up`.
     */
    kubeloginMode: z.enum(["azurecli", "workloadidentity", "spn", "msi", "devicecode"]).default("azurecli"),
});

const AksSchema = z.strictObject({
    kubernetesVersion: z.string().regex(/^\d+\.\d+(\.\d+)?$/, "expected a version such as 1.33").optional(),
    dnsPrefix: z.string().regex(/^[a-zA-Z0-9][-a-zA-Z0-9]{0,52}$/, "expected 1-54 letters, digits or '-'").optional(),
    skuTier: z.enum(["Free", "Standard", "Premium"]).default(AKS_DEFAULTS.skuTier),
    systemPool: z
        .strictObject({
            vmSize: z.string().default(AKS_DEFAULTS.vmSize),
            count: z.number().int().min(1).max(1000).default(AKS_DEFAULTS.count),
            /** Enables the cluster autoscaler between min and max; `count` is then the initial size. */
            autoscale: z.strictObject({ min: z.number().int().min(1), max: z.number().int().min(1) }).optional(),
            availabilityZones: z.array(z.enum(["1", "2", "3"])).default([]),
            osSku: z.enum(["AzureLinux", "Ubuntu"]).default(AKS_DEFAULTS.osSku),
        })
        .prefault({}),
    entraId: z
        .strictObject({
            /** Entra ID (AAD) integration with Azure RBAC for Kubernetes authorization. */
            enabled: z.boolean().default(AKS_DEFAULTS.entraId),
            adminGroupObjectIds: z.array(z.uuid()).default([]),
            /**
             * Grant the identity running `pulumi up` "Azure Kubernetes Service RBAC Cluster Admin" on the
             * cluster, so that the program's own Kubernetes provider is authorised.
             */
            grantDeployerClusterAdmin: z.boolean().default(AKS_DEFAULTS.grantDeployerClusterAdmin),
            /**
             * Principals granted "Azure Kubernetes Service RBAC Cluster Admin", each with its directory
             * type (ARM refuses a grant whose type doesn't match: UnmatchedPrincipalType). Stable, unlike
             * the deployer grant, which follows whoever runs `pulumi up`.
             */
            clusterAdmins: z.array(z.strictObject({ objectId: z.uuid(), type: z.enum(PRINCIPAL_TYPES) })).default([]),
        })
        .prefault({}),
    /** Defaults to true when Entra ID is enabled. */
    disableLocalAccounts: z.boolean().optional(),
    network: z
        .strictObject({
            plugin: z.enum(["azure", "kubenet", "none"]).default(AKS_DEFAULTS.plugin),
            pluginMode: z.enum(["overlay"]).optional(),
            dataplane: z.enum(["azure", "cilium"]).default(AKS_DEFAULTS.dataplane),
            policy: z.enum(["none", "calico", "azure", "cilium"]).default(AKS_DEFAULTS.policy),
        })
        .prefault({}),
    upgradeChannel: z.enum(["none", "patch", "stable", "rapid", "node-image"]).default(AKS_DEFAULTS.upgradeChannel),
    nodeOsUpgradeChannel: z.enum(["None", "Unmanaged", "NodeImage", "SecurityPatch"]).default(AKS_DEFAULTS.nodeOsUpgradeChannel),
});

const appNamespaces = z.array(dnsLabel).min(1);

const OwnedClusterSchema = z.discriminatedUnion("mode", [
    z.strictObject({
        mode: z.literal("aks"),
        name: azureName,
        /** Namespaces this cluster serves; on non-AKS clusters each gets an image pull secret. */
        appNamespaces,
        aks: AksSchema.prefault({}),
        kubeconfig: KubeconfigSchema.prefault({}),
        /** Pulumi `protect` on the AKS cluster: `pulumi destroy` and replacements refuse until it is lifted. */
        protect: z.boolean().default(false),
    }),
    z.strictObject({
        mode: z.literal("aksExisting"),
        name: azureName,
        /** Defaults to azure.resourceGroup. */
        resourceGroup: z.string().min(1).optional(),
        appNamespaces,
        kubeconfig: KubeconfigSchema.prefault({}),
    }),
    z.strictObject({
        mode: z.literal("arc"),
        name: azureName,
        resourceGroup: z.string().min(1).optional(),
        appNamespaces,
        /** Secret config key holding the kubeconfig (Arc's API server is not reachable through ARM). */
        kubeconfigSecret: secretKey.default("arcKubeconfig"),
    }),
]);

const SharedClusterSchema = z.strictObject({
    mode: z.literal("shared"),
    /**
     * The stack that owns the cluster: `dev`, or `org/project/stack`. This stack creates nothing on
     * the cluster; it reads the owner's outputs through a StackReference.
     */
    stack: z.string().regex(/^([\w.-]+\/){0,2}[\w.-]+$/, "expected a stack name such as dev or org/project/dev"),
});

/** Any cluster mode; `shared` stacks are told apart before the owner schema applies. */
const ClusterSchema = z.discriminatedUnion("mode", [...OwnedClusterSchema.options, SharedClusterSchema]);

const RegistrySchema = z.discriminatedUnion("mode", [
    z.strictObject({
        mode: z.literal("create"),
        name: z.string().regex(/^[a-zA-Z0-9]{5,50}$/, "expected 5-50 letters or digits (ACR names allow no '-')"),
        sku: z.enum(["Basic", "Standard", "Premium"]).default("Standard"),
        /** Lifetime of the pull credential for non-AKS clusters (azuread `endDateRelative`). */
        pullCredentialLifetime: z.string().regex(/^\d+h$/, "expected hours, such as 8760h").default("8760h"),
        /** Pulumi `protect` on the registry; required when other stacks pull from it. */
        protect: z.boolean().default(false),
    }),
    z.strictObject({
        mode: z.literal("existing"),
        name: z.string().regex(/^[a-zA-Z0-9]{5,50}$/, "expected 5-50 letters or digits (ACR names allow no '-')"),
        /** Defaults to azure.resourceGroup. */
        resourceGroup: z.string().min(1).optional(),
        pullCredentialLifetime: z.string().regex(/^\d+h$/, "expected hours, such as 8760h").default("8760h"),
    }),
]);

const ControllersSchema = z.strictObject({
    source: z.boolean().default(true),
    kustomize: z.boolean().default(true),
    helm: z.boolean().default(true),
    notification: z.boolean().default(true),
    imageAutomation: z.boolean().default(false),
    imageReflector: z.boolean().default(false),
});

const ExtensionSchema = z.strictObject({
    /** The extension resource name; `flux` is what the CLI and the portal use. */
    name: dnsLabel.default("flux"),
    /** Pin a version (turns auto-upgrade off). Unset: auto-upgrade minor versions on `releaseTrain`. */
    version: z.string().regex(/^\d+\.\d+\.\d+$/, "expected a version such as 1.24.1").optional(),
    releaseTrain: z.enum(["Stable", "Preview"]).default("Stable"),
    controllers: ControllersSchema.prefault({}),
    /** `multiTenancy.enforce`: on by default in the extension. */
    multiTenancy: z.boolean().default(true),
    /** Any other extension configuration setting, e.g. `helm-controller.detectDrift: "true"`. */
    settings: z.record(z.string(), z.string()).default({}),
});

const AuthSchema = z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("none") }),
    z.strictObject({
        type: z.literal("https"),
        /** `--https-user`: stored in plain text by ARM, so never a token (Azure DevOps PATs are often pasted here). */
        username: z
            .string()
            .min(1)
            .refine((u) => !looksLikeSecretValue(u), "looks like a token, not a user name; the token belongs in passwordSecret (value not shown)"),
        /** Secret config key holding the token or password (`--https-key`). */
        passwordSecret: secretKey.default("gitHttpsKey"),
    }),
    z.strictObject({
        type: z.literal("ssh"),
        /** Secret config key holding the PEM private key (`--ssh-private-key`). */
        privateKeySecret: secretKey.default("gitSshPrivateKey"),
        /**
         * known_hosts lines pinned into the configuration. For github.com the program pins GitHub's
         * published host keys when this is unset; any other host must list its keys.
         */
        knownHosts: z.array(z.string().min(1)).optional(),
    }),
    z.strictObject({
        /**
         * The recommended path for a private GitHub repo: the program generates an SSH key, registers it as
         * a read-only deploy key on the repo, and pins GitHub's host keys. Needs an ssh:// github.com URL
         * and the github section (for the provider).
         */
        type: z.literal("githubDeployKey"),
    }),
]);

const KustomizationSchema = z.strictObject({
    name: dnsLabel,
    path: z.string().default(""),
    dependsOn: z.array(dnsLabel).default([]),
    prune: z.boolean().default(FLUX_DEFAULTS.prune),
    force: z.boolean().default(FLUX_DEFAULTS.force),
    wait: z.boolean().default(FLUX_DEFAULTS.wait),
    syncIntervalInSeconds: z.number().int().positive().default(FLUX_DEFAULTS.intervalInSeconds),
    timeoutInSeconds: z.number().int().positive().default(FLUX_DEFAULTS.timeoutInSeconds),
    retryIntervalInSeconds: z.number().int().positive().optional(),
    postBuild: z
        .strictObject({
            substitute: z.record(z.string(), z.string()).default({}),
            substituteFrom: z
                .array(z.strictObject({ kind: z.enum(["ConfigMap", "Secret"]), name: dnsLabel, optional: z.boolean().default(false) }))
                .default([]),
        })
        .optional(),
});

const FluxConfigurationSchema = z.strictObject({
    name: dnsLabel,
    /** Where the GitRepository and Kustomizations live; also where the connector and its Alert go. */
    namespace: dnsLabel.default(FLUX_DEFAULTS.namespace),
    scope: z.enum(["cluster", "namespace"]).default(FLUX_DEFAULTS.scope),
    /** Checked by the Flux component's rules (gitUrlProblem) before any message can echo it. */
    url: z.string().refine((u) => gitUrlProblem(u) === undefined, { error: (i) => gitUrlProblem(String(i.input)) }),
    branch: z.string().min(1).optional(),
    tag: z.string().min(1).optional(),
    semver: z.string().min(1).optional(),
    commit: z.string().regex(/^[0-9a-f]{7,40}$/, "expected a commit SHA").optional(),
    auth: AuthSchema.default({ type: "none" }),
    syncIntervalInSeconds: z.number().int().positive().default(FLUX_DEFAULTS.intervalInSeconds),
    timeoutInSeconds: z.number().int().positive().default(FLUX_DEFAULTS.timeoutInSeconds),
    suspend: z.boolean().default(false),
    /**
     * Make ARM (and so `pulumi up`) wait until Flux has reconciled the configuration. Later objects,
     * such as pull secrets in namespaces that the GitOps repo creates, rely on it.
     */
    waitForReconciliation: z.boolean().default(FLUX_DEFAULTS.waitForReconciliation),
    /** ISO-8601 (PT#H#M#S); checked by the Flux component's rules. */
    reconciliationWaitDuration: z.string().default(FLUX_DEFAULTS.reconciliationWaitDuration),
    kustomizations: z.array(KustomizationSchema).min(1, "expected at least one kustomization"),
});

const FluxSchema = z.strictObject({
    extension: ExtensionSchema.prefault({}),
    configurations: z.array(FluxConfigurationSchema).min(1, "expected at least one Flux configuration"),
});

const ConnectorSchema = z.strictObject({
    enabled: z.boolean().default(true),
    /** The Flux configuration whose objects feed the connector. Defaults to the first one. */
    configuration: dnsLabel.optional(),
    /** gitRepositoryType and ciCdOrchestratorType; the connector can't mix the two (Azure/gitops-connector#43). */
    mode: z.enum(["GITHUB", "AZDO"]).default("GITHUB"),
    github: z
        .strictObject({
            /** The repo whose workflows receive `repository_dispatch`. Default: github.appRepo, else `arc-cicd-demo-src`. */
            appRepo: z.string().min(1).optional(),
        })
        .prefault({}),
    azdo: z
        .strictObject({
            /** Optional repo for PR status updates (`azdoPrRepoName`). */
            prRepo: z.string().min(1).optional(),
        })
        .prefault({}),
    /** Secret config key holding the connector's `orchestratorPAT`. */
    patSecret: secretKey.default("connectorPat"),
    /** The connector's own namespace (its logs carry the PAT); checked by the component's rules. */
    namespace: dnsLabel.default(CONNECTOR_DEFAULTS.namespace),
    /** Only the published flat 1.2.x layout is supported (the PAT Secret's name is fixed there). */
    chartVersion: z.string().default(CONNECTOR_DEFAULTS.chartVersion),
    chartRepo: z.url().default(CONNECTOR_DEFAULTS.chartRepo),
    /** Kubernetes users and groups (Entra ID object IDs on AKS) allowed to read the connector's pod logs. */
    logReaders: z
        .strictObject({ users: z.array(z.string().min(1)).default([]), groups: z.array(z.string().min(1)).default([]) })
        .prefault({}),
    /**
     * Extra subscribers the connector forwards events to: name -> the secret config key holding the URL.
     * Webhook URLs are credentials (whoever has one can post), so they are never in the stack file.
     */
    subscribers: z.record(dnsLabel, secretKey).default({}),
});

/** The tutorial's app repo, Azure/arc-cicd-demo-src (forked). */
export const DEFAULT_APP_REPO = "arc-cicd-demo-src";

/** The secrets the sample app's workflows read, by their tutorial names; each name is configurable. */
export const SECRET_KEYS = [
    "AZURE_CREDENTIALS", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AZ_ACR_NAME", "AZURE_VOTE_IMAGE_REPO",
    "MANIFESTS_REPO", "MANIFESTS_BRANCH", "MANIFESTS_FOLDER", "VOTE_APP_TITLE", "DEMO_APP_URL", "SYSTEM_LABEL", "PAT",
    "AKS_RESOURCE_GROUP", "AKS_NAME", "ENVIRONMENT_NAME", "TARGET_NAMESPACE",
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

const stackName = z.string().regex(/^([\w.-]+\/){0,2}[\w.-]+$/, "expected a stack name such as dev or org/project/dev");

const GitHubRepositoryScopeSchema = z.strictObject({
    ciIdentity: z
        .strictObject({
            /** `clientSecret`: AZURE_CREDENTIALS for azure/login `creds`. `oidc`: federated credentials, no secret. */
            mode: z.enum(["clientSecret", "oidc"]).default("clientSecret"),
            /** Lifetime of the client secret (azuread `endDateRelative`). */
            secretLifetime: z.string().regex(/^\d+h$/, "expected hours, such as 4380h").default("4380h"),
            /** With oidc: refs whose jobs without an environment may log in (the CI build job runs on master). */
            refs: z.array(z.string().regex(/^refs\/(heads|tags)\/.+$/, "expected a ref such as refs/heads/master")).default(["refs/heads/master"]),
            /**
             * With oidc: every GitHub environment whose jobs log in to Azure. The identity's stack owns its
             * federated credentials. Default: this stack's environment only.
             */
            environments: z.array(z.string().min(1)).optional(),
        })
        .prefault({}),
    /** Secret config key holding the PAT the workflows use to open PRs on the GitOps repo (the `PAT` secret). */
    patSecret: secretKey.default("appRepoPat"),
    voteAppTitle: z.string().min(1).default("Voting Application"),
    demoAppUrl: z.string().min(1).default("/"),
    systemLabel: z.string().min(1).default("VOTE-APP"),
    /** Default: the kustomization path without its trailing `/manifests`. */
    manifestsFolder: z
        .string()
        .regex(/^[^/\s][^\s]*[^/\s]$|^[^/\s]$/, "expected a folder path without leading or trailing /")
        .refine((f) => !f.split("/").includes(".."), "expected a folder inside the repository, without '..' segments")
        .optional(),
    /** Repository inside the registry that the CI build pushes to (`az acr build -t <repo>/...`). */
    imageRepository: z.string().regex(/^[a-z0-9][a-z0-9._/-]*$/, "expected a lowercase repository name").default("azvote"),
    /** The app repo's default GITHUB_TOKEN permissions; `read` is GitHub's hardening guidance. */
    workflowPermissions: z.enum(["read", "write"]).default(WORKFLOW_PERMISSIONS_DEFAULT),
    actionsEnabled: z.boolean().default(true),
    /** Which actions may run on the app repo. Unset: left as it is. */
    allowedActions: z.enum(["all", "local_only", "selected"]).optional(),
    /** Fail when the GitOps repo disallows merge commits or retitles them (the connector parses them). */
    requireMergeCommits: z.boolean().default(true),
});

const GitHubEnvironmentSchema = z.strictObject({
    /** Default `az-vote-app-<stack>`. */
    name: z.string().regex(/^[^\s/][^/]{0,254}$/, "expected an environment name").optional(),
    /** ENVIRONMENT_NAME. Default: the stack name capitalised. The sample passes it unquoted: no spaces. */
    environmentName: z.string().regex(/^\S+$/, "expected no spaces (the sample workflows pass it unquoted)").optional(),
    /** TARGET_NAMESPACE. Default: the stack name. */
    namespace: dnsLabel.optional(),
    reviewers: z
        .strictObject({
            users: z.array(z.string().regex(/^[A-Za-z0-9-]{1,39}$/, "expected a GitHub login")).default([]),
            teams: z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "expected a team slug")).default([]),
        })
        .prefault({}),
    /** Minutes a deployment waits before it may proceed. */
    waitTimer: z.number().int().default(0),
    /** Branches that may deploy: `all`, `protected`, or a list of patterns. */
    branches: z.union([z.enum(["all", "protected"]), z.array(z.string().min(1)).min(1)]).default("all"),
    /**
     * Keep whoever triggered a deployment from approving it. Off by default: CD_Stage is triggered by the
     * connector's PAT owner, who is often the only reviewer.
     */
    preventSelfReview: z.boolean().default(false),
    /** Let repository admins bypass the rules (GitHub's default). */
    canAdminsBypass: z.boolean().default(true),
});

const GitHubSchema = z.strictObject({
    /** User or organization that owns the app repo (and the provider's owner). */
    owner: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, "expected a GitHub user or organization"),
    /** The repo whose workflows read the secrets. */
    appRepo: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "expected a repository name").default(DEFAULT_APP_REPO),
    /** Secret config key with a GitHub token for the provider. Unset: the GITHUB_TOKEN environment variable. */
    tokenSecret: secretKey.optional(),
    /** Present in exactly one stack: that stack owns the repository-level secrets, the CI identity and repo settings. */
    repository: GitHubRepositoryScopeSchema.optional(),
    /** In every other stack: the stack that owns the repository level. */
    repositoryStack: stackName.optional(),
    /** The GitHub environment this stack owns. */
    environment: GitHubEnvironmentSchema.prefault({}),
    /** Rename any secret the workflows read, e.g. `{AZ_ACR_NAME: ACR_NAME}`; keep it the same in every stack. */
    secretNames: z
        .partialRecord(
            z.enum(SECRET_KEYS),
            z
                .string()
                .regex(/^[A-Z_][A-Z0-9_]*$/, "expected an Actions secret name")
                .refine((n) => !n.startsWith("GITHUB_"), "names starting with GITHUB_ are reserved by GitHub"),
        )
        .default({}),
});

export const OwnerStackSchema = z.strictObject({
    azure: AzureSchema,
    cluster: OwnedClusterSchema,
    registry: RegistrySchema,
    flux: FluxSchema,
    connector: ConnectorSchema.prefault({}),
    github: GitHubSchema.optional(),
});

/** Keys a stack may set; secret keys named by the config itself are allowed in addition. */
const TOP_LEVEL_KEYS = ["azure", "cluster", "registry", "flux", "connector", "github"] as const;
/** What a stack sharing another stack's cluster may set. */
const SHARED_KEYS: readonly string[] = ["cluster", "github"];

export type FluxConfigurationConfig = z.infer<typeof FluxConfigurationSchema>;
type ParsedGitHub = z.infer<typeof GitHubSchema>;

/** The GitHub section with the environment's stack-derived defaults filled in. */
export interface GitHubConfig extends Omit<ParsedGitHub, "environment"> {
    readonly environment: ParsedGitHub["environment"] & { readonly name: string; readonly environmentName: string; readonly namespace: string };
}

/** A stack that owns a cluster and everything on it. */
export interface OwnerStackConfig extends Omit<z.infer<typeof OwnerStackSchema>, "github"> {
    readonly github?: GitHubConfig;
    readonly kind: "owner";
    readonly stack: string;
    readonly stackFile: string;
}

/** A stack that uses a cluster another stack owns (e.g. stage on dev's cluster). */
export interface SharedStackConfig {
    readonly kind: "shared";
    readonly stack: string;
    readonly stackFile: string;
    /** Fully qualified name of the owning stack, as StackReference expects it. */
    readonly ownerStack: string;
    readonly github?: GitHubConfig;
}

export type StackConfig = OwnerStackConfig | SharedStackConfig;

// ---------------------------------------------------------------------------------------------
// Semantic checks the schema can't express. Each returns problems as "key: message".
// ---------------------------------------------------------------------------------------------

function key(...path: (string | number)[]): string {
    return `${PROJECT}:${path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("")}`;
}

function checkOwnerStack(c: z.infer<typeof OwnerStackSchema>): string[] {
    const problems: string[] = [];
    const configs = c.flux.configurations;
    const seen = new Set<string>();
    configs.forEach((fc, i) => {
        const at = (...p: (string | number)[]) => key("flux", "configurations", i, ...p);
        if (seen.has(fc.name)) problems.push(`${at("name")}: duplicate Flux configuration name '${fc.name}'`);
        seen.add(fc.name);

        // The schema has refused a bad URL already (gitUrlProblem), so the checks below can read it.
        for (const p of fluxConfigurationProblems(fc)) problems.push(`${at(...p.path)}: ${p.message}`);

        const isSsh = fc.url.startsWith("ssh://");
        const sshAuth = fc.auth.type === "ssh" || fc.auth.type === "githubDeployKey";
        if (sshAuth && !isSsh) {
            problems.push(`${at("url")}: SSH auth needs an ssh:// URL (e.g. ssh://git@github.com/<owner>/<repo>), got ${fc.url}`);
        }
        if (!sshAuth && isSsh) {
            problems.push(`${at("auth", "type")}: an ssh:// URL needs auth.type ssh (a private key) or githubDeployKey`);
        }
        if (fc.auth.type === "githubDeployKey") {
            if (isSsh && parseGitRepoUrl(fc.url)?.kind !== "github") {
                problems.push(`${at("auth", "type")}: githubDeployKey needs a github.com repo, got ${fc.url}`);
            }
            if (c.github === undefined) {
                problems.push(`${at("auth", "type")}: githubDeployKey needs the github section (its owner and token create the key)`);
            }
        }
        if (fc.auth.type === "ssh" && fc.auth.knownHosts === undefined && gitHost(fc.url) !== "github.com") {
            problems.push(`${at("auth", "knownHosts")}: expected the host keys of ${gitHost(fc.url)} (only github.com's are built in)`);
        }
    });

    const ext = c.flux.extension;
    for (const settingKey of Object.keys(ext.settings)) {
        if (/^[a-z-]+-controller\.enabled$/.test(settingKey) || settingKey === "multiTenancy.enforce") {
            problems.push(`${key("flux", "extension", "settings", settingKey)}: set this through flux.extension.controllers / multiTenancy`);
        }
    }

    if (c.connector.enabled) {
        for (const p of connectorProblems(c.connector)) problems.push(`${key("connector", ...p.path)}: ${p.message}`);
        const shared = [...configs.map((fc) => fc.namespace), ...c.cluster.appNamespaces];
        if (c.connector.namespace !== EXTENSION_NAMESPACE && shared.includes(c.connector.namespace)) {
            problems.push(
                `${key("connector", "namespace")}: '${c.connector.namespace}' is also a Flux configuration's or an app namespace; ` +
                    `the connector needs one of its own, since whoever reads pod logs there can read its PAT`,
            );
        }
        if (!ext.controllers.notification) {
            problems.push(
                `${key("flux", "extension", "controllers", "notification")}: the GitOps Connector needs Flux notifications; ` +
                    `enable the notification controller or set connector.enabled: false`,
            );
        }
        const target = c.connector.configuration ?? configs[0]?.name;
        const fc = configs.find((x) => x.name === target);
        if (fc === undefined) {
            problems.push(`${key("connector", "configuration")}: no Flux configuration named '${target}'`);
        } else {
            const repo = parseGitRepoUrl(fc.url);
            if (c.connector.mode === "GITHUB" && repo?.kind !== "github") {
                problems.push(`${key("connector", "mode")}: GITHUB mode needs the Flux configuration '${fc.name}' to sync a github.com repo, got ${fc.url}`);
            }
            if (c.connector.mode === "AZDO" && repo?.kind !== "azdo") {
                problems.push(
                    `${key("connector", "mode")}: AZDO mode needs the Flux configuration '${fc.name}' to sync an Azure Repos ` +
                        `repo (https://dev.azure.com/<org>/<project>/_git/<repo>), got ${fc.url}`,
                );
            }
        }
    }

    if (c.cluster.mode === "arc") {
        // Without a kubelet identity, pull secrets go into the app namespaces, which the GitOps repo
        // creates: they can only be written once the configurations have reconciled.
        configs.forEach((fc, i) => {
            if (!fc.waitForReconciliation) {
                problems.push(
                    `${key("flux", "configurations", i, "waitForReconciliation")}: on an Arc cluster the image pull secrets ` +
                        `need the app namespaces the configuration creates; keep waitForReconciliation true`,
                );
            }
        });
    }

    if (c.azure.protect && !c.azure.createResourceGroup) {
        problems.push(`${key("azure", "protect")}: protects the resource group this stack creates; set createResourceGroup: true or drop protect`);
    }

    if (c.cluster.mode === "aks") {
        const a = c.cluster.aks;
        if (a.entraId.clusterAdmins.length > 0 && !a.entraId.enabled) {
            problems.push(`${key("cluster", "aks", "entraId", "clusterAdmins")}: Azure RBAC roles need Entra ID; set entraId.enabled: true`);
        }
        const seenAdmins = new Set<string>();
        a.entraId.clusterAdmins.forEach((p, i) => {
            if (seenAdmins.has(p.objectId)) problems.push(`${key("cluster", "aks", "entraId", "clusterAdmins", i, "objectId")}: listed twice`);
            seenAdmins.add(p.objectId);
        });
        const pool = a.systemPool;
        if (pool.autoscale && pool.autoscale.min > pool.autoscale.max) {
            problems.push(`${key("cluster", "aks", "systemPool", "autoscale")}: min (${pool.autoscale.min}) is greater than max (${pool.autoscale.max})`);
        }
        if (a.network.policy === "cilium" && a.network.dataplane !== "cilium") {
            problems.push(`${key("cluster", "aks", "network", "policy")}: network policy cilium needs dataplane cilium`);
        }
        if (a.network.dataplane === "cilium" && a.network.plugin !== "azure") {
            problems.push(`${key("cluster", "aks", "network", "dataplane")}: the cilium dataplane needs plugin azure`);
        }
        if (a.dnsPrefix === undefined && !/^[a-zA-Z0-9][-a-zA-Z0-9]{0,52}$/.test(c.cluster.name)) {
            problems.push(`${key("cluster", "aks", "dnsPrefix")}: the cluster name '${c.cluster.name}' is not a valid DNS prefix; set dnsPrefix`);
        }
        const localAccountsOff = a.disableLocalAccounts ?? a.entraId.enabled;
        if (localAccountsOff && !a.entraId.enabled) {
            problems.push(`${key("cluster", "aks", "disableLocalAccounts")}: a cluster without Entra ID needs local accounts`);
        }
        if (localAccountsOff && c.cluster.kubeconfig.credentials === "admin") {
            problems.push(`${key("cluster", "kubeconfig", "credentials")}: admin credentials don't exist when local accounts are disabled; use user`);
        }
    }
    return problems;
}

// ---------------------------------------------------------------------------------------------
// GitHub wiring: defaults that depend on the stack, and the cross-field checks.
// ---------------------------------------------------------------------------------------------

function resolveGitHub(g: ParsedGitHub, stack: string): GitHubConfig {
    const short = shortStack(stack);
    return {
        ...g,
        environment: {
            ...g.environment,
            name: g.environment.name ?? `az-vote-app-${short}`,
            environmentName: g.environment.environmentName ?? short.charAt(0).toUpperCase() + short.slice(1),
            namespace: g.environment.namespace ?? short,
        },
    };
}

/**
 * The Flux configuration the connector serves and the app workflows write to: `connector.configuration`
 * (validated to exist), else the first.
 */
export function manifestsConfiguration(c: Pick<OwnerStackConfig, "connector" | "flux">): FluxConfigurationConfig {
    const name = c.connector.configuration ?? c.flux.configurations[0].name;
    return c.flux.configurations.find((fc) => fc.name === name) ?? c.flux.configurations[0];
}

/** The repo the connector dispatches `sync-success` to: named once, in github.appRepo when there is one. */
export function connectorAppRepo(c: Pick<OwnerStackConfig, "connector" | "github">): string {
    return c.connector.github.appRepo ?? c.github?.appRepo ?? DEFAULT_APP_REPO;
}

/** MANIFESTS_FOLDER: the sample writes to `<folder>/manifests`, which Flux must sync exactly. */
export function manifestsFolder(c: OwnerStackConfig): string | undefined {
    const explicit = c.github?.repository?.manifestsFolder;
    if (explicit !== undefined) return explicit;
    const path = manifestsConfiguration(c).kustomizations[0].path.replace(/^\.?\//, "");
    return path.endsWith("/manifests") ? path.slice(0, -"/manifests".length) : undefined;
}

/** Where each of the Environment component's protection arguments lives in the stack file. */
const PROTECTION_KEYS: Record<string, readonly string[]> = {
    reviewers: ["reviewers"],
    reviewerUsers: ["reviewers", "users"],
    reviewerTeams: ["reviewers", "teams"],
    waitTimer: ["waitTimer"],
    branches: ["branches"],
};

function checkGitHub(c: StackConfig, ownerNamespaces?: OwnerNamespaces): string[] {
    const g = c.github;
    if (g === undefined) return [];
    const problems: string[] = [];
    const self = c.stack;
    const e = g.environment;
    const protection = {
        reviewerUsers: e.reviewers.users,
        reviewerTeams: e.reviewers.teams,
        waitTimer: e.waitTimer,
        branches: e.branches,
    };
    for (const p of environmentProtectionProblems(protection)) {
        problems.push(`${key("github", "environment", ...(PROTECTION_KEYS[String(p.path[0])] ?? []), ...p.path.slice(1))}: ${p.message}`);
    }
    if (g.repository !== undefined && g.repositoryStack !== undefined) {
        problems.push(`${key("github", "repositoryStack")}: this stack owns the repository level (github.repository); drop repositoryStack`);
    }
    if (g.repository === undefined && g.repositoryStack === undefined) {
        problems.push(`${key("github", "repository")}: expected github.repository in the one stack that owns the repository-level secrets, or github.repositoryStack naming that stack`);
    }
    if (g.repositoryStack !== undefined && shortStack(g.repositoryStack) === self) {
        problems.push(`${key("github", "repositoryStack")}: names this stack; set github.repository instead`);
    }
    const renamed = new Map<string, string[]>();
    for (const k of SECRET_KEYS) {
        const n = g.secretNames[k] ?? k;
        renamed.set(n, [...(renamed.get(n) ?? []), k]);
    }
    for (const [n, keys] of renamed) {
        if (keys.length > 1) problems.push(`${key("github", "secretNames")}: ${keys.join(" and ")} would both be called ${n}`);
    }
    if (c.kind === "shared") {
        if (g.repository !== undefined) {
            problems.push(`${key("github", "repository")}: the repository level needs the GitOps repo and registry of a stack that owns a cluster`);
        }
        // The owner's namespaces are known here when its stack file is in this project; otherwise only
        // its outputs at deploy time tell (checked there too).
        const served = ownerNamespaces?.(c.ownerStack);
        if (served !== undefined && !served.includes(e.namespace)) {
            problems.push(
                `${key("github", "environment", "namespace")}: '${e.namespace}' is not one of the appNamespaces of the cluster this stack shares (${served.join(", ")}, in stack ${shortStack(c.ownerStack)})`,
            );
        }
        return problems;
    }
    if (!c.cluster.appNamespaces.includes(g.environment.namespace)) {
        problems.push(
            `${key("github", "environment", "namespace")}: '${g.environment.namespace}' is not one of this cluster's appNamespaces (${c.cluster.appNamespaces.join(", ")})`,
        );
    }
    if (g.repository !== undefined) {
        const fc = manifestsConfiguration(c);
        if (parseGitRepoUrl(fc.url)?.kind !== "github") {
            problems.push(`${key("github", "repository")}: MANIFESTS_REPO comes from the Flux configuration '${fc.name}', which must sync a github.com repo`);
        }
        if (fc.branch === undefined) {
            problems.push(`${key("github", "repository")}: MANIFESTS_BRANCH comes from the Flux configuration '${fc.name}', which must follow a branch`);
        }
        if (manifestsFolder(c) === undefined) {
            problems.push(
                `${key("github", "repository", "manifestsFolder")}: the sample workflows write to <folder>/manifests, but '${fc.name}' syncs ` +
                    `'${fc.kustomizations[0].path}'; sync <folder>/manifests or set manifestsFolder`,
            );
        }
    }
    const connectorRepo = c.connector.github.appRepo;
    if (connectorRepo !== undefined && connectorRepo !== g.appRepo) {
        problems.push(`${key("connector", "github", "appRepo")}: '${connectorRepo}' differs from github.appRepo '${g.appRepo}'; set it once, in github.appRepo`);
    }
    c.flux.configurations.forEach((fc, i) => {
        if (fc.auth.type !== "githubDeployKey") return;
        const repo = parseGitRepoUrl(fc.url);
        if (repo?.kind === "github" && repo.owner !== g.owner) {
            problems.push(`${key("flux", "configurations", i, "url")}: the deploy key is created with github.owner '${g.owner}', but the repo belongs to '${repo.owner}'`);
        }
    });
    return problems;
}

// ---------------------------------------------------------------------------------------------
// Loading.
// ---------------------------------------------------------------------------------------------

/**
 * How to set a secret config key without typing its value on a command line, where shell history and
 * `ps` would see it: `pulumi config set` reads the value from standard input.
 */
export function setSecretCommand(secretKey: string, stack: string): string {
    return `pulumi config set --secret ${secretKey} --stack ${stack} < <file holding the value>`;
}

/** The appNamespaces of the stack that owns a shared cluster, if its stack file is at hand. */
export type OwnerNamespaces = (ownerStack: string) => readonly string[] | undefined;

/** The secret config keys a stack's config refers to, with what each is for. */
export function requiredSecrets(c: StackConfig): { key: string; purpose: string }[] {
    const out: { key: string; purpose: string }[] = [];
    if (c.github?.tokenSecret) out.push({ key: c.github.tokenSecret, purpose: "GitHub token for the github provider" });
    if (c.github?.repository) out.push({ key: c.github.repository.patSecret, purpose: "the PAT secret the app workflows use to open PRs on the GitOps repo" });
    if (c.kind === "shared") return out;
    if (c.cluster.mode === "arc") out.push({ key: c.cluster.kubeconfigSecret, purpose: "kubeconfig of the Arc cluster" });
    for (const fc of c.flux.configurations) {
        if (fc.auth.type === "https") out.push({ key: fc.auth.passwordSecret, purpose: `HTTPS token for Flux configuration '${fc.name}'` });
        if (fc.auth.type === "ssh") out.push({ key: fc.auth.privateKeySecret, purpose: `SSH private key for Flux configuration '${fc.name}'` });
    }
    if (c.connector.enabled) {
        out.push({ key: c.connector.patSecret, purpose: "the GitOps Connector's orchestratorPAT" });
        for (const [name, k] of Object.entries(c.connector.subscribers)) out.push({ key: k, purpose: `the URL of the connector's subscriber '${name}'` });
    }
    return out;
}

function zodProblems(error: z.ZodError, under: string[] = []): string[] {
    return error.issues.map((issue) => {
        const at = key(...under, ...issue.path.map((p) => (typeof p === "number" ? p : String(p))));
        const missing = /^Invalid input: expected (.+), received undefined$/.exec(issue.message);
        return `${at}: ${missing ? `missing (expected ${missing[1]})` : issue.message}`;
    });
}

/**
 * Parse and validate one stack's configuration.
 *
 * @param stack    the stack name (pulumi.getStack())
 * @param raw      the stack's config as the engine gives it: `<project>:<key>` -> string
 * @param secretState whether a secret config key is set (checked without reading its value)
 * @param ownerNamespaces for a stack sharing a cluster: the owner's appNamespaces, when its stack file is at hand
 */
export function parseStackConfig(
    stack: string,
    raw: Record<string, string>,
    secretState: (key: string) => "secret" | "plaintext" | "missing",
    organization: () => string,
    ownerNamespaces?: OwnerNamespaces,
): StackConfig {
    const stackFile = stackFileName(stack);
    const problems: string[] = [];
    const values: Record<string, unknown> = {};
    for (const fullKey of Object.keys(raw)) {
        if (!fullKey.startsWith(`${PROJECT}:`)) continue; // provider config, e.g. azure-native:location
        const k = fullKey.slice(PROJECT.length + 1);
        // Only structured keys are read; any other key (e.g. a secret) is noted, its value untouched.
        if (!(TOP_LEVEL_KEYS as readonly string[]).includes(k)) {
            values[k] = undefined;
            continue;
        }
        const value = raw[fullKey];
        try {
            values[k] = JSON.parse(value);
        } catch {
            values[k] = value;
        }
    }

    // Before anything else can quote a value: a credential pasted into any field (a token as a name, a
    // URL with userinfo) is reported by key path alone, and nothing else is checked.
    const leaks = credentialFindings(Object.fromEntries(TOP_LEVEL_KEYS.filter((k) => values[k] !== undefined).map((k) => [k, values[k]])));
    if (leaks.length > 0) throw new ConfigError(stackFile, leaks.map((f) => `${key(...f.path)}: ${f.message}`));

    const cluster = ClusterSchema.safeParse(values.cluster);
    let config: StackConfig;
    if (cluster.success && cluster.data.mode === "shared") {
        for (const k of Object.keys(values)) {
            if ((TOP_LEVEL_KEYS as readonly string[]).includes(k) && !SHARED_KEYS.includes(k)) {
                problems.push(`${PROJECT}:${k}: this stack uses the cluster owned by stack '${cluster.data.stack}'; ${k} is configured there, not here`);
            }
        }
        const gh = values.github === undefined ? undefined : GitHubSchema.safeParse(values.github);
        if (gh && !gh.success) problems.push(...zodProblems(gh.error, ["github"]));
        if (shortStack(cluster.data.stack) === stack) problems.push(`${PROJECT}:cluster.stack: a stack can't share its own cluster`);
        if (problems.length > 0) throw new ConfigError(stackFile, problems);
        const ownerStack = qualifiedStack(cluster.data.stack, organization);
        config = { kind: "shared", stack, stackFile, ownerStack, github: gh?.success ? resolveGitHub(gh.data, stack) : undefined };
    } else {
        const parsed = OwnerStackSchema.safeParse(Object.fromEntries(TOP_LEVEL_KEYS.map((k) => [k, values[k]])));
        if (!parsed.success) {
            // Cluster problems are reported against every mode, `shared` included, not just the owner modes.
            const found = cluster.success
                ? zodProblems(parsed.error)
                : [...zodProblems(parsed.error).filter((p) => !p.startsWith(`${PROJECT}:cluster`)), ...zodProblems(cluster.error, ["cluster"])];
            const order = (p: string) => TOP_LEVEL_KEYS.findIndex((k) => p.startsWith(`${PROJECT}:${k}`));
            problems.push(...found.map((p, i) => ({ p, i })).sort((a, b) => order(a.p) - order(b.p) || a.i - b.i).map((x) => x.p));
            throw new ConfigError(stackFile, problems);
        }
        problems.push(...checkOwnerStack(parsed.data));
        const { github, ...rest } = parsed.data;
        config = { ...rest, github: github && resolveGitHub(github, stack), kind: "owner", stack, stackFile };
    }
    problems.push(...checkGitHub(config, ownerNamespaces));

    const secrets = requiredSecrets(config);
    const known = new Set<string>([...TOP_LEVEL_KEYS, ...secrets.map((s) => s.key)]);
    for (const k of Object.keys(values)) {
        if (known.has(k)) continue;
        // A value set without its key (`pulumi config set --secret <token>`) becomes a key name: never repeat it.
        problems.push(
            looksLikeSecretValue(k)
                ? `${PROJECT}:<name not shown>: a config key whose name looks like a credential; remove it with pulumi config rm`
                : `${PROJECT}:${k}: unknown key (expected one of ${TOP_LEVEL_KEYS.join(", ")}, or a secret the config names)`,
        );
    }
    for (const s of secrets) {
        const state = secretState(s.key);
        if (state === "missing") {
            problems.push(`${PROJECT}:${s.key}: missing secret (${s.purpose}); set it with: ${setSecretCommand(s.key, stack)}`);
        } else if (state === "plaintext") {
            problems.push(`${PROJECT}:${s.key}: stored in plain text in the stack file (${s.purpose}); re-set it with: ${setSecretCommand(s.key, stack)}`);
        }
    }
    if (problems.length > 0) throw new ConfigError(stackFile, problems);
    return config;
}

// The SDK marks which config keys the engine decrypted (`secure:` values) but keeps the
// predicate out of its typings; without it we can still tell set from unset.
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;

/** Read the current stack's config from the engine and validate it. */
export function loadStackConfig(ownerNamespaces?: OwnerNamespaces): StackConfig {
    const all = pulumi.runtime.allConfig();
    return parseStackConfig(
        pulumi.getStack(),
        all,
        (k) => {
            const full = `${PROJECT}:${k}`;
            if (!(full in all)) return "missing";
            return isConfigSecret === undefined || isConfigSecret(full) ? "secret" : "plaintext";
        },
        () => pulumi.getOrganization(),
        ownerNamespaces,
    );
}

/** Reads a secret config key as a Pulumi secret; the stack config names which keys. */
export function secretReader(): (key: string) => pulumi.Output<string> {
    const config = new pulumi.Config(PROJECT);
    return (key) => config.requireSecret(key);
}
