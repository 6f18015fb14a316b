// One stack file -> one validated, typed object. Nothing here registers a resource:
// loadStackConfig() either returns a StackConfig or throws a ConfigError that names the
// stack file, the key path and what was expected, before the program creates anything.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AKS_DEFAULTS } from "../components/cluster.ts";
import { FLUX_DEFAULTS, fluxConfigurationProblems } from "../components/flux.ts";

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

// ---------------------------------------------------------------------------------------------
// Schema. Field names follow `az k8s-configuration flux create`, the ARM API and the chart, so a
// reader who knows the tutorial recognises them. Defaults live here (not in Pulumi.yaml) because
// the same defaults must hold under the mock runtime, where project-level defaults don't apply.
// ---------------------------------------------------------------------------------------------

function hasPassword(url: string): boolean {
    try {
        return new URL(url).password !== "";
    } catch {
        return false;
    }
}

const dnsLabel = z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a lowercase DNS label (a-z, 0-9, '-')")
    .max(63);

/** The name of another config key that holds a secret (set with `pulumi config set --secret`). */
const secretKey = z
    .string()
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
        /** `--https-user`: stored in plain text by ARM. */
        username: z.string().min(1),
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
    url: z
        .string()
        .regex(/^(https|ssh):\/\/[^\s]+$/, "expected an https:// or ssh:// Git URL")
        // Checked before any message can echo the URL: a token in it would land in state and logs.
        .refine((u) => !hasPassword(u), "the URL must not carry a password or token; use auth.type https with passwordSecret"),
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
    reconciliationWaitDuration: z
        .string()
        .regex(/^PT(\d+H)?(\d+M)?(\d+S)?$/, "expected an ISO-8601 duration such as PT10M")
        .default(FLUX_DEFAULTS.reconciliationWaitDuration),
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
            /** The repo whose workflows receive `repository_dispatch` (the app repo). */
            appRepo: z.string().min(1).default("arc-cicd-demo-src"),
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
    /** Only the published flat 1.2.x layout is supported (the PAT Secret's name is fixed there). */
    chartVersion: z.string().regex(/^1\.2\.\d+$/, "expected a 1.2.x chart version (the published flat values layout)").default("1.2.1"),
    chartRepo: z.url().default("https://azure.github.io/gitops-connector/"),
    /** Extra subscribers (name -> URL) the connector forwards events to. */
    subscribers: z.record(z.string(), z.url()).default({}),
});

export const OwnerStackSchema = z.strictObject({
    azure: AzureSchema,
    cluster: OwnedClusterSchema,
    registry: RegistrySchema,
    flux: FluxSchema,
    connector: ConnectorSchema.prefault({}),
});

/** Keys a stack may set; secret keys named by the config itself are allowed in addition. */
const TOP_LEVEL_KEYS = ["azure", "cluster", "registry", "flux", "connector"] as const;

export type AksConfig = z.infer<typeof AksSchema>;
export type KubeconfigConfig = z.infer<typeof KubeconfigSchema>;
export type ClusterConfig = z.infer<typeof OwnedClusterSchema>;
export type RegistryConfig = z.infer<typeof RegistrySchema>;
export type ExtensionConfig = z.infer<typeof ExtensionSchema>;
export type FluxConfigurationConfig = z.infer<typeof FluxConfigurationSchema>;
export type ConnectorConfig = z.infer<typeof ConnectorSchema>;

/** A stack that owns a cluster and everything on it. */
export interface OwnerStackConfig extends z.infer<typeof OwnerStackSchema> {
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

        for (const p of fluxConfigurationProblems(fc)) problems.push(`${at(...p.path)}: ${p.message}`);

        const isSsh = fc.url.startsWith("ssh://");
        if (fc.auth.type === "ssh" && !isSsh) {
            problems.push(`${at("url")}: SSH auth needs an ssh:// URL (e.g. ssh://git@github.com/<owner>/<repo>), got ${fc.url}`);
        }
        if (fc.auth.type !== "ssh" && isSsh) {
            problems.push(`${at("auth", "type")}: an ssh:// URL needs auth.type ssh with a private key`);
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

    if (c.cluster.mode === "aks") {
        const a = c.cluster.aks;
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
// Git URL helpers, shared by validation and by the components that derive values from the URL.
// ---------------------------------------------------------------------------------------------

export function gitHost(url: string): string {
    return new URL(url).hostname;
}

export type GitRepo =
    | { readonly kind: "github"; readonly owner: string; readonly repo: string }
    | { readonly kind: "azdo"; readonly organization: string; readonly project: string; readonly repo: string };

/**
 * Recognises github.com (https or ssh) and Azure Repos (https://dev.azure.com/<org>/<project>/_git/<repo>
 * or ssh://git@ssh.dev.azure.com/v3/<org>/<project>/<repo>) URLs; undefined for any other host.
 */
export function parseGitRepoUrl(url: string): GitRepo | undefined {
    let u: URL;
    try {
        u = new URL(url);
    } catch {
        return undefined;
    }
    const parts = u.pathname.replace(/\.git$/, "").split("/").filter((p) => p !== "");
    if (u.hostname === "github.com" && parts.length === 2) {
        return { kind: "github", owner: parts[0], repo: parts[1] };
    }
    if (u.hostname === "dev.azure.com" && parts.length === 4 && parts[2] === "_git") {
        return { kind: "azdo", organization: parts[0], project: parts[1], repo: parts[3] };
    }
    if (u.hostname === "ssh.dev.azure.com" && parts.length === 4 && parts[0] === "v3") {
        return { kind: "azdo", organization: parts[1], project: parts[2], repo: parts[3] };
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------
// Loading.
// ---------------------------------------------------------------------------------------------

/** The secret config keys a stack's config refers to, with what each is for. */
export function requiredSecrets(c: OwnerStackConfig): { key: string; purpose: string }[] {
    const out: { key: string; purpose: string }[] = [];
    if (c.cluster.mode === "arc") out.push({ key: c.cluster.kubeconfigSecret, purpose: "kubeconfig of the Arc cluster" });
    for (const fc of c.flux.configurations) {
        if (fc.auth.type === "https") out.push({ key: fc.auth.passwordSecret, purpose: `HTTPS token for Flux configuration '${fc.name}'` });
        if (fc.auth.type === "ssh") out.push({ key: fc.auth.privateKeySecret, purpose: `SSH private key for Flux configuration '${fc.name}'` });
    }
    if (c.connector.enabled) out.push({ key: c.connector.patSecret, purpose: "the GitOps Connector's orchestratorPAT" });
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
 * @param hasSecret whether a secret config key is set (checked without reading its value)
 */
export function parseStackConfig(
    stack: string,
    raw: Record<string, string>,
    secretState: (key: string) => "secret" | "plaintext" | "missing",
    organization: () => string,
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

    const cluster = ClusterSchema.safeParse(values.cluster);
    if (cluster.success && cluster.data.mode === "shared") {
        const extra = Object.keys(values).filter((k) => k !== "cluster");
        for (const k of extra) {
            problems.push(`${PROJECT}:${k}: this stack uses the cluster owned by stack '${cluster.data.stack}'; ${k} is configured there, not here`);
        }
        if (problems.length > 0) throw new ConfigError(stackFile, problems);
        const parts = cluster.data.stack.split("/");
        const ownerStack =
            parts.length === 3 ? cluster.data.stack : parts.length === 2 ? `${parts[0]}/${PROJECT}/${parts[1]}` : `${organization()}/${PROJECT}/${parts[0]}`;
        if (parts[parts.length - 1] === stack) {
            throw new ConfigError(stackFile, [`${PROJECT}:cluster.stack: a stack can't share its own cluster`]);
        }
        return { kind: "shared", stack, stackFile, ownerStack };
    }

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
    const config: OwnerStackConfig = { ...parsed.data, kind: "owner", stack, stackFile };

    const secrets = requiredSecrets(config);
    const known = new Set<string>([...TOP_LEVEL_KEYS, ...secrets.map((s) => s.key)]);
    for (const k of Object.keys(values)) {
        if (!known.has(k)) problems.push(`${PROJECT}:${k}: unknown key (expected one of ${TOP_LEVEL_KEYS.join(", ")}, or a secret the config names)`);
    }
    for (const s of secrets) {
        const state = secretState(s.key);
        if (state === "missing") {
            problems.push(`${PROJECT}:${s.key}: missing secret (${s.purpose}); set it with: pulumi config set --secret ${s.key} <value> --stack ${stack}`);
        } else if (state === "plaintext") {
            problems.push(`${PROJECT}:${s.key}: stored in plain text in the stack file (${s.purpose}); re-set it with: pulumi config set --secret ${s.key} <value> --stack ${stack}`);
        }
    }
    if (problems.length > 0) throw new ConfigError(stackFile, problems);
    return config;
}

// The SDK marks which config keys the engine decrypted (`secure:` values) but keeps the
// predicate out of its typings; without it we can still tell set from unset.
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;

/** Read the current stack's config from the engine and validate it. */
export function loadStackConfig(): StackConfig {
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
    );
}

/** Reads a secret config key as a Pulumi secret; the stack config names which keys. */
export function secretReader(): (key: string) => pulumi.Output<string> {
    const config = new pulumi.Config(PROJECT);
    return (key) => config.requireSecret(key);
}
