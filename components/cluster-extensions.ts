// What the platform adds to a cluster besides Flux, each opt-in: the Azure Key Vault Secrets Provider (the
// Secrets Store CSI Driver with its Azure provider, so that app teams mount Key Vault secrets through a
// SecretProviderClass) and Container Insights. On AKS both are add-ons of the ManagedCluster (cluster.ts);
// on Arc they are cluster extensions, which ArcClusterExtensions installs.
//
// Sources, checked 2026: add-on keys and config from the az CLI, Azure/azure-cli
// src/azure-cli/azure/cli/command_modules/acs/_consts.py (`azureKeyvaultSecretsProvider`,
// `enableSecretRotation`, `rotationPollInterval`); the Arc extension from "Use the Azure Key Vault Secrets
// Provider extension to fetch secrets into Azure Arc-enabled Kubernetes clusters",
// MicrosoftDocs/azure-management-docs articles/azure-arc/kubernetes/tutorial-akv-secrets-provider.md (type
// Microsoft.AzureKeyVaultSecretsProvider, name akvsecretsprovider, one instance per cluster, release
// namespace kube-system, settings `secrets-store-csi-driver.enableSecretRotation` and
// `secrets-store-csi-driver.rotationPollInterval`, default 2m); Container Insights on Arc from
// microsoft/Docker-Provider scripts/onboarding/templates/arc-k8s-extension-msi-auth/existingClusterOnboarding.json
// and Azure/azure-cli-extensions src/k8s-extension/azext_k8s_extension/partner_extensions/ContainerInsights.py.
import * as pulumi from "@pulumi/pulumi";
import * as kc from "@pulumi/azure-native/kubernetesconfiguration";
import type { ClusterTarget } from "./flux.ts";
import {
    containerInsightsDataCollection, logAnalyticsWorkspace, MONITORING_DEFAULTS, monitoringProblems, type MonitoringSettings, type MonitoringWorkspace,
} from "./monitoring.ts";
import { forwardedDependsOn, withoutDependsOn } from "./options.ts";
import { at, patternProblem, refuseInvalidArgs, type PatternRule, type Problem } from "./problems.ts";

export * from "./monitoring.ts";

/** Defaults of an enabled `keyVaultSecretsProvider`, shared with the stack config schema. */
export const KEY_VAULT_SECRETS_PROVIDER_DEFAULTS = {
    /** On: a secret changed in Key Vault reaches the pods' mounts (AKS's own default is off). */
    enableSecretRotation: true,
    /** The driver's default poll interval, on AKS and Arc alike. */
    rotationPollInterval: "2m",
} as const;

/** A Go duration, as the driver's `--rotation-poll-interval` takes it. */
export const ROTATION_POLL_INTERVAL_RULE: PatternRule = { pattern: /^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/, message: "expected a duration such as 2m, 30s or 1h" };

export interface KeyVaultSecretsProviderSettings {
    /** Installs the provider. Off unless a stack sets it. */
    readonly enabled: boolean;
    /** Re-read mounted secrets from Key Vault periodically. Default true. */
    readonly enableSecretRotation?: boolean;
    /** How often, with rotation on. Default `2m`; each poll is a Key Vault read per mounted object. */
    readonly rotationPollInterval?: string;
}

/** What the driver would refuse in `keyVaultSecretsProvider`, with paths that start there. */
export function keyVaultSecretsProviderProblems(k: KeyVaultSecretsProviderSettings | undefined): Problem[] {
    if (k === undefined || !k.enabled || k.rotationPollInterval === undefined) return [];
    return at(["keyVaultSecretsProvider", "rotationPollInterval"], patternProblem(ROTATION_POLL_INTERVAL_RULE, k.rotationPollInterval));
}

function rotation(k: KeyVaultSecretsProviderSettings): { enabled: string; interval: string } {
    return {
        enabled: String(k.enableSecretRotation ?? KEY_VAULT_SECRETS_PROVIDER_DEFAULTS.enableSecretRotation),
        interval: k.rotationPollInterval ?? KEY_VAULT_SECRETS_PROVIDER_DEFAULTS.rotationPollInterval,
    };
}

/** The `azureKeyvaultSecretsProvider` add-on profile of a ManagedCluster; both keys always sent, as the az CLI does. */
export function keyVaultSecretsProviderAddon(k: KeyVaultSecretsProviderSettings) {
    const r = rotation(k);
    return { enabled: true, config: { enableSecretRotation: r.enabled, rotationPollInterval: r.interval } };
}

/** The Microsoft.AzureKeyVaultSecretsProvider extension's configurationSettings (the chart's values). */
export function keyVaultSecretsProviderExtensionSettings(k: KeyVaultSecretsProviderSettings): Record<string, string> {
    const r = rotation(k);
    return { "secrets-store-csi-driver.enableSecretRotation": r.enabled, "secrets-store-csi-driver.rotationPollInterval": r.interval };
}

/**
 * Extension names and namespaces the az CLI and Microsoft's templates use; each extension allows one
 * instance per cluster. The Secret Store extension and the cert-manager it needs, from "Use the Secret
 * Store extension to fetch secrets for offline access in Azure Arc-enabled Kubernetes clusters"
 * (MicrosoftDocs/azure-management-docs articles/azure-arc/kubernetes/secret-store-extension.md): the
 * docs install both with scope cluster and no release namespace, which the extensions then choose.
 */
export const ARC_EXTENSIONS: Readonly<Record<"containerInsights" | "keyVaultSecretsProvider" | "certManagement" | "secretStore", { name: string; type: string; releaseNamespace?: string }>> = {
    containerInsights: { name: "azuremonitor-containers", type: "Microsoft.AzureMonitor.Containers", releaseNamespace: "azuremonitor-containers" },
    keyVaultSecretsProvider: { name: "akvsecretsprovider", type: "Microsoft.AzureKeyVaultSecretsProvider", releaseNamespace: "kube-system" },
    certManagement: { name: "azure-cert-management", type: "microsoft.certmanagement" },
    secretStore: { name: "ssarcextension", type: "microsoft.azure.secretstore" },
};

/**
 * The Microsoft.AzureMonitor.Containers extension's configurationSettings: the workspace, and managed
 * identity authentication (`amalogs.useAADAuth`, the az CLI's default since k8s-extension 1.43.0), which
 * reads its configuration from the data collection rule and needs no workspace key.
 */
export function containerInsightsExtensionSettings(workspaceResourceId: pulumi.Input<string>): Record<string, pulumi.Input<string>> {
    return { logAnalyticsWorkspaceResourceID: workspaceResourceId, "amalogs.useAADAuth": "true" };
}

/**
 * Its configurationProtectedSettings, wrapped as a secret (azure-native doesn't mark the map secret). The
 * chart renders its agent only when both values differ from their placeholders: the workspace ID, and a key
 * that managed identity authentication doesn't use, which the az CLI sends as `<not_used>`. No workspace
 * shared key is ever read.
 */
export function containerInsightsProtectedSettings(customerId: pulumi.Input<string>): pulumi.Output<Record<string, string>> {
    return pulumi.secret(pulumi.output(customerId).apply((id): Record<string, string> => ({ "amalogs.secret.wsid": id, "amalogs.secret.key": "<not_used>" })));
}

export interface ArcClusterExtensionsArgs {
    /** The connected cluster, as Cluster.target() gives it for mode arc. */
    readonly cluster: ClusterTarget;
    /** The connected cluster's name and ARM ID (Cluster.clusterId), for names and the data collection rule's association. */
    readonly clusterName: string;
    readonly clusterId: pulumi.Input<string>;
    /** Where a created workspace and the data collection rule go. */
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: pulumi.Input<string>;
    /** Container Insights. Default: off. */
    readonly monitoring?: MonitoringSettings;
    /** The Key Vault Secrets Provider. Default: off. */
    readonly keyVaultSecretsProvider?: KeyVaultSecretsProviderSettings;
    /**
     * The Secret Store extension (microsoft.azure.secretstore), after the cert-manager extension it needs
     * (microsoft.certmanagement): Key Vault secrets synced into Kubernetes Secrets by SecretSync objects,
     * with workload identity. What git delivery uses on Arc. Default: off.
     */
    readonly secretStore?: boolean;
}

/** What ARM or the extensions would refuse in the arguments, by argument. */
export function arcClusterExtensionsProblems(args: ArcClusterExtensionsArgs): Problem[] {
    const problems: Problem[] = [];
    if (args.cluster.clusterRp !== "Microsoft.Kubernetes") {
        problems.push({ path: ["cluster", "clusterRp"], message: "these are Arc extensions; on AKS, give the Cluster its monitoring and keyVaultSecretsProvider add-ons" });
    }
    problems.push(...monitoringProblems(args.monitoring, { kind: "arc", name: args.clusterName }));
    problems.push(...keyVaultSecretsProviderProblems(args.keyVaultSecretsProvider));
    if (args.secretStore === true && args.keyVaultSecretsProvider?.enabled === true) {
        problems.push({
            path: ["secretStore"],
            message: "the Secret Store extension is Microsoft's replacement for the Key Vault Secrets Provider extension on Arc (its docs migrate from one to the other); install one of them",
        });
    }
    return problems;
}

/**
 * Container Insights and the Key Vault Secrets Provider as extensions of an Arc connected cluster. The
 * caller's `dependsOn` (e.g. the Flux extension) holds back the extensions only, which then install one
 * after another: concurrent operations on one cluster's extensions fail with "another operation is in
 * progress" (Azure/AKS-Construction#385). The workspace and the data collection rule start at once. The
 * caller's `deletedWith` (Cluster.deletedWith, undefined for a connected cluster, which outlives the stack)
 * goes to the extensions and the association.
 */
export class ArcClusterExtensions extends pulumi.ComponentResource {
    /** The workspace Container Insights writes to; undefined with monitoring off. */
    public readonly workspace: MonitoringWorkspace | undefined;
    public readonly containerInsights: kc.Extension | undefined;
    public readonly keyVaultSecretsProvider: kc.Extension | undefined;
    public readonly certManagement: kc.Extension | undefined;
    public readonly secretStore: kc.Extension | undefined;

    constructor(name: string, args: ArcClusterExtensionsArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs("ArcClusterExtensions", name, arcClusterExtensionsProblems(args));
        super("gitops:cluster:ArcClusterExtensions", name, {}, withoutDependsOn(opts));

        const target = args.cluster;
        const extension = (role: string, kind: keyof typeof ARC_EXTENSIONS, more: Partial<kc.ExtensionArgs>, after: pulumi.Resource[]) =>
            new kc.Extension(
                `${name}-${role}`,
                {
                    resourceGroupName: target.resourceGroupName,
                    clusterName: target.clusterName,
                    clusterRp: target.clusterRp,
                    clusterResourceName: target.clusterResourceName,
                    extensionName: ARC_EXTENSIONS[kind].name,
                    extensionType: ARC_EXTENSIONS[kind].type,
                    autoUpgradeMinorVersion: true,
                    releaseTrain: "Stable",
                    scope: { cluster: ARC_EXTENSIONS[kind].releaseNamespace === undefined ? {} : { releaseNamespace: ARC_EXTENSIONS[kind].releaseNamespace } },
                    // Arc extensions need a system-assigned identity (the az CLI and the templates send one).
                    identity: { type: "SystemAssigned" },
                    ...more,
                },
                { parent: this, dependsOn: forwardedDependsOn(opts, ...after), deletedWith: opts?.deletedWith },
            );

        const m = args.monitoring;
        const containerInsightsOn = m?.enabled === true && (m.containerInsights ?? MONITORING_DEFAULTS.containerInsights);
        let previous: pulumi.Resource[] = [];
        if (containerInsightsOn) {
            const workspace = logAnalyticsWorkspace(name, m.workspace, { clusterName: args.clusterName, resourceGroupName: args.resourceGroupName, location: args.location }, { parent: this });
            const collection = containerInsightsDataCollection(
                name,
                workspace,
                { clusterId: args.clusterId, clusterName: args.clusterName, resourceGroupName: args.resourceGroupName },
                { parent: this },
                { deletedWith: opts?.deletedWith },
            );
            // Problems refuse an existing workspace without its ID on Arc, so customerId is set here.
            const customerId = workspace.customerId ?? pulumi.output("");
            // The templates create the association first: the agent reads its configuration through it.
            this.containerInsights = extension(
                "monitoring",
                "containerInsights",
                {
                    configurationSettings: containerInsightsExtensionSettings(workspace.resourceId),
                    configurationProtectedSettings: containerInsightsProtectedSettings(customerId),
                },
                [collection.association],
            );
            this.workspace = workspace;
            previous = [this.containerInsights];
        } else {
            this.containerInsights = undefined;
            this.workspace = undefined;
        }

        const k = args.keyVaultSecretsProvider;
        this.keyVaultSecretsProvider =
            k?.enabled === true
                ? extension("akv-secrets-provider", "keyVaultSecretsProvider", { configurationSettings: keyVaultSecretsProviderExtensionSettings(k) }, previous)
                : undefined;
        if (args.secretStore === true) {
            // cert-manager first: the Secret Store extension's webhooks need its certificates.
            this.certManagement = extension("cert-management", "certManagement", {}, previous);
            this.secretStore = extension("secret-store", "secretStore", {}, [this.certManagement]);
        } else {
            this.certManagement = undefined;
            this.secretStore = undefined;
        }

        this.registerOutputs({
            workspaceId: this.workspace?.resourceId,
            containerInsights: this.containerInsights,
            keyVaultSecretsProvider: this.keyVaultSecretsProvider,
            secretStore: this.secretStore,
        });
    }
}
