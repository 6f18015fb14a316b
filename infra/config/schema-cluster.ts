// The stack file's `azure`, `cluster` and `registry` sections. Field names follow the ARM API and the
// az CLI; defaults and rules come from the components that apply them.
import { z } from "zod";
import {
    AKS_AVAILABILITY_ZONES, AKS_DEFAULTS, AKS_OS_SKUS, AKS_SKU_TIERS, DNS_PREFIX_RULE, KUBECONFIG_CREDENTIALS, KUBECONFIG_DEFAULTS, KUBELOGIN_MODES, KUBERNETES_VERSION_RULE,
    NETWORK_DATAPLANES, NETWORK_PLUGIN_MODES, NETWORK_PLUGINS, NETWORK_POLICIES, NODE_OS_UPGRADE_CHANNELS, PRINCIPAL_TYPES, UPGRADE_CHANNELS,
} from "../../components/cluster.ts";
import {
    CUSTOMER_ID_RULE, KEY_VAULT_SECRETS_PROVIDER_DEFAULTS, keyVaultSecretsProviderProblems, LOCATION_RULE, MONITORING_DEFAULTS, monitoringProblems, RETENTION_DAYS, RETENTION_MESSAGE,
    ROTATION_POLL_INTERVAL_RULE, WORKSPACE_NAME_RULE, WORKSPACE_RESOURCE_ID_RULE, type KeyVaultSecretsProviderSettings, type MonitoredCluster, type MonitoringSettings,
} from "../../components/cluster-extensions.ts";
import { DELIVERY_MODES, PLATFORM_DEFAULTS, PLATFORM_FOLDER_RULE } from "../../components/git-delivery.ts";
import { KEY_VAULT_ID_RULE, KEY_VAULT_NAME_RULE } from "../../components/keyvault-secret.ts";
import type { Problem } from "../../components/problems.ts";
import { PULL_CREDENTIAL_LIFETIME_RULE, REGISTRY_DEFAULTS, REGISTRY_NAME_RULE, REGISTRY_SKUS } from "../../components/registry.ts";
import { azureName, dnsLabel, ruled, secretKey, stackName } from "./fields.ts";

export const AzureSchema = z
    .strictObject({
        location: z.string().min(1).describe("Azure region for everything this stack creates."),
        resourceGroup: z.string().min(1).max(90).describe("Resource group of the cluster and the registry."),
        createResourceGroup: z.boolean().default(false).describe("Create the resource group (true), or use an existing one (false)."),
        protect: z
            .boolean()
            .default(false)
            .describe("Pulumi `protect` on the created resource group: `pulumi destroy` refuses until it is lifted. Needs createResourceGroup: true."),
    })
    .describe("Where the stack's Azure resources go.");

const KubeconfigSchema = z
    .strictObject({
        credentials: z
            .enum(KUBECONFIG_CREDENTIALS)
            .default(KUBECONFIG_DEFAULTS.credentials)
            .describe("Which AKS credential the Kubernetes provider uses. `user` works with Entra ID clusters through kubelogin; `admin` uses the local cluster-admin certificate and fails when local accounts are disabled."),
        kubeloginMode: z
            .enum(KUBELOGIN_MODES)
            .default(KUBECONFIG_DEFAULTS.kubeloginMode)
            .describe("For Entra ID clusters: the `kubelogin --login` mode written into the kubeconfig. AKS hands out `devicecode`, which blocks a non-interactive `pulumi up`."),
    })
    .describe("How the program's Kubernetes provider reaches the cluster.");

const AksSchema = z
    .strictObject({
        kubernetesVersion: ruled(KUBERNETES_VERSION_RULE).optional().describe("Kubernetes version, e.g. 1.33. Default: AKS's default."),
        dnsPrefix: ruled(DNS_PREFIX_RULE).optional().describe("Default: the cluster name."),
        skuTier: z.enum(AKS_SKU_TIERS).default(AKS_DEFAULTS.skuTier).describe("AKS pricing tier."),
        systemPool: z
            .strictObject({
                vmSize: z.string().default(AKS_DEFAULTS.vmSize),
                count: z.number().int().min(1).max(1000).default(AKS_DEFAULTS.count).describe("Node count; the initial size with autoscale."),
                autoscale: z
                    .strictObject({ min: z.number().int().min(1), max: z.number().int().min(1) })
                    .optional()
                    .describe("Enables the cluster autoscaler between min and max; Pulumi then ignores count drift."),
                availabilityZones: z.array(z.enum(AKS_AVAILABILITY_ZONES)).default([]),
                osSku: z.enum(AKS_OS_SKUS).default(AKS_DEFAULTS.osSku),
            })
            .prefault({})
            .describe("The system node pool."),
        entraId: z
            .strictObject({
                enabled: z.boolean().default(AKS_DEFAULTS.entraId).describe("Entra ID integration with Azure RBAC for Kubernetes authorization."),
                adminGroupObjectIds: z.array(z.uuid()).default([]).describe("Groups with cluster-admin."),
                grantDeployerClusterAdmin: z
                    .boolean()
                    .default(AKS_DEFAULTS.grantDeployerClusterAdmin)
                    .describe(
                        "Grant the identity running `pulumi up` \"Azure Kubernetes Service RBAC Cluster Admin\" so this program can deploy in-cluster objects, typed User or ServicePrincipal from its own access token. " +
                            "The grant follows whoever runs `up`: for a stack several identities deploy, set false and pin them in clusterAdmins.",
                    ),
                clusterAdmins: z
                    .array(z.strictObject({ objectId: z.uuid(), type: z.enum(PRINCIPAL_TYPES) }))
                    .default([])
                    .describe(
                        "Principals granted \"Azure Kubernetes Service RBAC Cluster Admin\", each with its directory type (ARM refuses a mismatch: UnmatchedPrincipalType); needs Entra ID. " +
                            "Each grant is named by its object ID, so reordering the list changes nothing. ARM refuses a second identical assignment (RoleAssignmentExists): to pin an identity that already holds the deployer grant, " +
                            "take two `pulumi up`s, the first with grantDeployerClusterAdmin: false, the second adding it here.",
                    ),
            })
            .prefault({})
            .describe("Entra ID and Azure RBAC for Kubernetes."),
        disableLocalAccounts: z.boolean().optional().describe("Default: true when Entra ID is enabled."),
        privateCluster: z
            .boolean()
            .default(false)
            .describe("A private cluster: the API server has a private endpoint in the cluster's network and no public one. Only what runs in or is peered with that network reaches it, so it needs delivery git. Changing it replaces the cluster (AKS can't convert one in place), which protect stops."),
        network: z
            .strictObject({
                plugin: z.enum(NETWORK_PLUGINS).default(AKS_DEFAULTS.plugin).describe("Overlay mode with `azure`."),
                pluginMode: z.enum(NETWORK_PLUGIN_MODES).optional().describe("Default: overlay with the azure plugin."),
                dataplane: z.enum(NETWORK_DATAPLANES).default(AKS_DEFAULTS.dataplane),
                policy: z.enum(NETWORK_POLICIES).default(AKS_DEFAULTS.policy),
            })
            .prefault({}),
        upgradeChannel: z.enum(UPGRADE_CHANNELS).default(AKS_DEFAULTS.upgradeChannel),
        nodeOsUpgradeChannel: z.enum(NODE_OS_UPGRADE_CHANNELS).default(AKS_DEFAULTS.nodeOsUpgradeChannel),
    })
    .describe("The AKS cluster this stack creates.");

const MonitoringSchema = z
    .strictObject({
        enabled: z.boolean().describe("Turn monitoring on. What it costs: docs/monitoring.md."),
        workspace: z
            .strictObject({
                name: ruled(WORKSPACE_NAME_RULE)
                    .optional()
                    .describe("Create a Log Analytics workspace (SKU PerGB2018) with this name in azure.resourceGroup and azure.location. Default: `<cluster name>-logs`. Excludes resourceId."),
                retentionInDays: z
                    .number()
                    .int(RETENTION_MESSAGE)
                    .min(RETENTION_DAYS.min, RETENTION_MESSAGE)
                    .max(RETENTION_DAYS.max, RETENTION_MESSAGE)
                    .optional()
                    .describe(`Interactive retention of the created workspace. Default ${MONITORING_DEFAULTS.retentionInDays} (included in the ingestion price; longer retention is billed per GB and month). Excludes resourceId.`),
                resourceId: ruled(WORKSPACE_RESOURCE_ID_RULE).optional().describe("Use this existing workspace instead of creating one; the program never modifies it."),
                location: ruled(LOCATION_RULE)
                    .optional()
                    .describe("With resourceId: the workspace's region, where the data collection rule goes. Default: azure.location."),
                customerId: ruled(CUSTOMER_ID_RULE)
                    .optional()
                    .describe("With resourceId, on Arc (required there): the workspace ID, `az monitor log-analytics workspace show --ids <resourceId> --query customerId -o tsv`."),
            })
            .optional()
            .describe("The Log Analytics workspace Container Insights writes to: created (name, retentionInDays) or existing (resourceId). Default: a created `<cluster name>-logs`, 30 days."),
        containerInsights: z
            .boolean()
            .default(MONITORING_DEFAULTS.containerInsights)
            .describe("Container Insights: container logs, events and inventory into the workspace, through a data collection rule; on AKS the monitoring add-on, on Arc the Microsoft.AzureMonitor.Containers extension."),
        prometheus: z
            .boolean()
            .default(MONITORING_DEFAULTS.prometheus)
            .describe("AKS only: Azure Monitor managed Prometheus, into an Azure Monitor workspace `<cluster name>-prometheus` created for it. No recording rules, alerts or Grafana."),
    })
    .optional()
    .describe("Azure Monitor for the cluster, off unless enabled. Costs: docs/monitoring.md.");

const KeyVaultSecretsProviderSchema = z
    .strictObject({
        enabled: z.boolean().describe("Install the Secrets Store CSI Driver with the Azure Key Vault provider, so app teams mount Key Vault secrets through a SecretProviderClass."),
        enableSecretRotation: z
            .boolean()
            .default(KEY_VAULT_SECRETS_PROVIDER_DEFAULTS.enableSecretRotation)
            .describe("Re-read mounted secrets from Key Vault periodically (AKS's own default is off)."),
        rotationPollInterval: ruled(ROTATION_POLL_INTERVAL_RULE)
            .default(KEY_VAULT_SECRETS_PROVIDER_DEFAULTS.rotationPollInterval)
            .describe("How often, with rotation on; each poll reads every mounted object from Key Vault."),
    })
    .optional()
    .describe("The Azure Key Vault Secrets Provider, off unless enabled: the AKS add-on, or on Arc the Microsoft.AzureKeyVaultSecretsProvider extension.");

const delivery = z
    .enum(DELIVERY_MODES)
    .default("api")
    .describe(
        "How the in-cluster platform objects (connector, notifications, alerts, pull secrets) get there. `api`: `pulumi up` applies them through the Kubernetes API. " +
            "`git`: `pulumi up` never calls the Kubernetes API; it commits them to the GitOps repo, which Flux applies (docs/git-delivery.md).",
    );

const GitDeliverySchema = z
    .strictObject({
        folder: ruled(PLATFORM_FOLDER_RULE)
            .optional()
            .describe("The platform folder in the connector configuration's repository and branch; the program writes, updates and prunes only what is inside it. Default: `platform/<cluster name>`."),
        keyVault: z
            .union([
                z.strictObject({ name: ruled(KEY_VAULT_NAME_RULE).describe("Create this vault (Azure RBAC, purge protection) in azure.resourceGroup; names are global, and stay taken 90 days after deletion.") }),
                z.strictObject({ resourceId: ruled(KEY_VAULT_ID_RULE).describe("Write into this existing Azure RBAC vault, in any subscription the identity running `pulumi up` may write to.") }),
            ])
            .describe("Where the platform's secrets go: the connector PAT, webhook addresses and the pull credential. Nothing secret is written to Git."),
        secretSyncImage: z
            .string()
            .default(PLATFORM_DEFAULTS.secretSyncImage)
            .describe("AKS: the image of the pod that mounts each namespace's SecretProviderClass, which the Secrets Store CSI driver needs to sync Kubernetes Secrets; it only sleeps."),
        oidcIssuerUrl: z
            .url({ protocol: /^https$/ })
            .optional()
            .describe(
                "Arc, required there: the connected cluster's OIDC issuer, which the platform identity's federated credentials trust: `az connectedk8s show -g <group> -n <cluster> --query oidcIssuerProfile.issuerUrl -o tsv` " +
                    "(after `az connectedk8s update --enable-oidc-issuer --enable-workload-identity`). AKS clusters report theirs.",
            ),
    })
    .optional()
    .describe("Settings of delivery git, required with it.");

/** The components' rules for the add-ons, reported at `cluster.<path>`. */
function addonIssues(kind: MonitoredCluster) {
    return (c: { name: string; monitoring?: MonitoringSettings; keyVaultSecretsProvider?: KeyVaultSecretsProviderSettings }, ctx: z.RefinementCtx) => {
        const problems: Problem[] = [...monitoringProblems(c.monitoring, { kind, name: c.name }), ...keyVaultSecretsProviderProblems(c.keyVaultSecretsProvider)];
        for (const p of problems) ctx.addIssue({ code: "custom", path: [...p.path], message: p.message });
    };
}

/** Cross-field rules only on a cluster whose fields parsed: a field's own problem is reported once, by its field. */
const onlyWhenParsed = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

/** An adopted cluster is never modified, so nothing is added to it. */
const notOnAdopted = (what: string) =>
    z
        .never({ error: `an adopted AKS cluster is read, never modified: ${what} is added where the program creates the cluster (mode aks) or to an Arc cluster` })
        .optional()
        .describe(`Refused: the program never modifies an adopted cluster; turn ${what} on in mode aks or arc.`);

const appNamespaces = z
    .array(dnsLabel)
    .min(1)
    .describe("Namespaces the cluster serves; on Arc each gets the `acr-pull` image pull secret. The namespaces themselves come from the GitOps repo.");
const otherResourceGroup = z.string().min(1).optional().describe("The existing cluster's resource group. Default: azure.resourceGroup.");

export const OwnedClusterSchema = z.discriminatedUnion("mode", [
    z
        .strictObject({
            mode: z.literal("aks").describe("Create an AKS cluster."),
            name: azureName.describe("Cluster name."),
            appNamespaces,
            aks: AksSchema.prefault({}),
            kubeconfig: KubeconfigSchema.prefault({}),
            protect: z.boolean().default(false).describe("Pulumi `protect` on the AKS cluster: `pulumi destroy` and replacements stop until it is lifted."),
            monitoring: MonitoringSchema,
            keyVaultSecretsProvider: KeyVaultSecretsProviderSchema,
            delivery,
            gitDelivery: GitDeliverySchema,
        })
        .superRefine(addonIssues("aks"), onlyWhenParsed)
        .describe("Create an AKS cluster."),
    z
        .strictObject({
            mode: z.literal("aksExisting"),
            name: azureName.describe("Cluster name."),
            resourceGroup: otherResourceGroup,
            appNamespaces,
            kubeconfig: KubeconfigSchema.prefault({}),
            monitoring: notOnAdopted("monitoring"),
            keyVaultSecretsProvider: notOnAdopted("the Key Vault Secrets Provider"),
            delivery,
            gitDelivery: GitDeliverySchema,
        })
        .describe("Adopt an existing AKS cluster (read, never modified)."),
    z
        .strictObject({
            mode: z.literal("arc"),
            name: azureName.describe("Connected cluster name."),
            resourceGroup: otherResourceGroup,
            appNamespaces,
            kubeconfigSecret: secretKey
                .default("arcKubeconfig")
                .describe("Secret config key holding the Arc cluster's kubeconfig (Arc's API server is not reachable through ARM). Not read with delivery git."),
            monitoring: MonitoringSchema,
            keyVaultSecretsProvider: KeyVaultSecretsProviderSchema,
            delivery,
            gitDelivery: GitDeliverySchema,
        })
        .superRefine(addonIssues("arc"), onlyWhenParsed)
        .describe("Target an existing Azure Arc connected cluster."),
]);

export const SharedClusterSchema = z
    .strictObject({
        mode: z.literal("shared"),
        stack: stackName.describe("The stack that owns the cluster: `dev`, `org/dev` or `org/project/dev`. This stack creates nothing on the cluster; it reads the owner's outputs through a StackReference."),
    })
    .describe("Use the cluster another stack owns; such a stack sets only cluster and github.");

/** Any cluster mode; `shared` stacks are told apart before the owner schema applies. */
export const ClusterSchema = z.discriminatedUnion("mode", [...OwnedClusterSchema.options, SharedClusterSchema]);

const registryName = ruled(REGISTRY_NAME_RULE).describe("Globally unique registry name.");
const pullCredentialLifetime = ruled(PULL_CREDENTIAL_LIFETIME_RULE)
    .default(REGISTRY_DEFAULTS.pullCredentialLifetime)
    .describe(
        "Lifetime of the pull credential's password (clusters without a kubelet identity, i.e. Arc). Nothing rotates it by itself: replace it before it expires, e.g. `pulumi up --target-replace <ServicePrincipalPassword URN>`.",
    );

export const RegistrySchema = z.discriminatedUnion("mode", [
    z
        .strictObject({
            mode: z.literal("create"),
            name: registryName,
            sku: z.enum(REGISTRY_SKUS).default(REGISTRY_DEFAULTS.sku),
            pullCredentialLifetime,
            protect: z
                .boolean()
                .default(REGISTRY_DEFAULTS.protect)
                .describe("Pulumi `protect` on the registry; `npm run plan -- --all` requires it when another stack pulls from the registry (mode existing with its name)."),
        })
        .describe("Create a registry."),
    z
        .strictObject({
            mode: z.literal("existing"),
            name: registryName,
            resourceGroup: z.string().min(1).optional().describe("Default: azure.resourceGroup."),
            pullCredentialLifetime,
        })
        .describe("Use an existing registry, e.g. one another stack creates."),
]);
