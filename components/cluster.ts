// The Kubernetes cluster the platform runs on: a new AKS cluster, an existing AKS cluster, or an
// existing Azure Arc connected cluster. Whatever the mode, it exposes the same ARM target for
// extensions and an explicit Kubernetes provider; nothing ever falls back to ~/.kube/config.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as arc from "@pulumi/azure-native/kubernetes";
import * as k8s from "@pulumi/kubernetes";
import { AKS_DEFAULTS, aksSettingsProblems, KUBECONFIG_CREDENTIALS, KUBECONFIG_DEFAULTS, KUBELOGIN_MODES, prepareKubeconfig, principalTypeOfToken } from "./aks.ts";
import type { AksSettings, KubeconfigOptions, PrincipalType } from "./aks.ts";
import { BuiltInRoles, roleDefinitionId } from "./azure.ts";
import { keyVaultSecretsProviderAddon, keyVaultSecretsProviderProblems, type KeyVaultSecretsProviderSettings } from "./cluster-extensions.ts";
import type { ClusterTarget } from "./flux.ts";
import {
    containerInsightsAddon, containerInsightsDataCollection, logAnalyticsWorkspace, MONITORING_DEFAULTS, monitoringProblems, prometheusDataCollection,
    type MonitoringSettings, type MonitoringWorkspace,
} from "./monitoring.ts";
import { forwardedDependsOn } from "./options.ts";
import { at, oneOfProblem, refuseInvalidArgs, type Problem } from "./problems.ts";

export * from "./aks.ts";

export const CLUSTER_MODES = ["aks", "aksExisting", "arc"] as const;

export type ClusterArgs =
    | {
          /** Create an AKS cluster with a system pool, managed identity, OIDC issuer and workload identity. */
          readonly mode: "aks";
          readonly name: string;
          readonly resourceGroupName: pulumi.Input<string>;
          readonly location: pulumi.Input<string>;
          /** Default: every AksSettings default. */
          readonly aks?: AksSettings;
          readonly kubeconfig?: KubeconfigOptions;
          /** Pulumi `protect` on the managed cluster. Default false. */
          readonly protect?: boolean;
          /**
           * Container Insights (the `omsagent` add-on and its data collection rule) and managed Prometheus
           * (`azureMonitorProfile.metrics` and its Azure Monitor workspace). Default: off.
           */
          readonly monitoring?: MonitoringSettings;
          /** The `azureKeyvaultSecretsProvider` add-on. Default: off. */
          readonly keyVaultSecretsProvider?: KeyVaultSecretsProviderSettings;
          /** See ClusterApiAccess. */
          readonly kubernetesApi?: boolean;
      }
    | {
          /** Adopt an AKS cluster that already exists (read, never modified). */
          readonly mode: "aksExisting";
          readonly name: string;
          readonly resourceGroupName: pulumi.Input<string>;
          readonly kubeconfig?: KubeconfigOptions;
          /** See ClusterApiAccess. */
          readonly kubernetesApi?: boolean;
          /**
           * Fail the deployment, with the command that fixes it, when the adopted cluster lacks the
           * `azureKeyvaultSecretsProvider` add-on (which git delivery syncs its secrets through). Default false.
           */
          readonly requireKeyVaultSecretsProvider?: boolean;
      }
    | {
          /** Target an existing Arc connected cluster. */
          readonly mode: "arc";
          readonly name: string;
          readonly resourceGroupName: pulumi.Input<string>;
          /**
           * The cluster's kubeconfig, as a secret. Arc's cluster-connect API needs a client-side proxy
           * process, so ARM can't hand out a usable kubeconfig the way AKS does. Not with kubernetesApi false.
           */
          readonly kubeconfig?: pulumi.Input<string>;
          /** See ClusterApiAccess. */
          readonly kubernetesApi?: boolean;
      };

/**
 * `kubernetesApi` (default true): whether the program talks to the cluster's Kubernetes API at all.
 * False for a pull-only cluster (git delivery): no kubeconfig is read, no Kubernetes provider is
 * constructed (`provider` is undefined), and the deployer gets no cluster-admin grant, since it never
 * uses one. ARM (extensions, Flux configurations) reaches the cluster all the same.
 */
export type ClusterApiAccess = Pick<ClusterArgs, "kubernetesApi">;

/** What ARM would refuse in the cluster's arguments, by argument (see aksSettingsProblems). */
export function clusterProblems(args: ClusterArgs): Problem[] {
    const problems = at(["mode"], oneOfProblem(CLUSTER_MODES, args.mode));
    if (args.mode === "aks") {
        problems.push(...aksSettingsProblems(args));
        problems.push(...monitoringProblems(args.monitoring, { kind: "aks", name: args.name }));
        problems.push(...keyVaultSecretsProviderProblems(args.keyVaultSecretsProvider));
    }
    if (args.mode === "arc" && (args.kubernetesApi ?? true) && args.kubeconfig === undefined) {
        problems.push({ path: ["kubeconfig"], message: "an Arc cluster's kubeconfig is required unless kubernetesApi is false" });
    }
    if (args.mode === "aksExisting") {
        // Only JavaScript callers can pass a bad choice; the types refuse it.
        const k = args.kubeconfig ?? {};
        if (k.credentials !== undefined) problems.push(...at(["kubeconfig", "credentials"], oneOfProblem(KUBECONFIG_CREDENTIALS, k.credentials)));
        if (k.kubeloginMode !== undefined) problems.push(...at(["kubeconfig", "kubeloginMode"], oneOfProblem(KUBELOGIN_MODES, k.kubeloginMode)));
    }
    return problems;
}

export class Cluster extends pulumi.ComponentResource {
    public readonly kind: "aks" | "arc";
    public readonly clusterName: pulumi.Output<string>;
    public readonly resourceGroupName: pulumi.Output<string>;
    public readonly clusterRp: ClusterTarget["clusterRp"];
    public readonly clusterResourceName: ClusterTarget["clusterResourceName"];
    /** ARM resource ID of the managed or connected cluster. */
    public readonly clusterId: pulumi.Output<string>;
    /** Object ID of the AKS kubelet identity (what AcrPull is granted to); undefined on Arc. */
    public readonly kubeletObjectId: pulumi.Output<string> | undefined;
    /** The AKS OIDC issuer URL, for workload identity federation; undefined on Arc. */
    public readonly oidcIssuerUrl: pulumi.Output<string | undefined> | undefined;
    /** The kubeconfig the provider uses. Always a secret; undefined with kubernetesApi false. */
    public readonly kubeconfig: pulumi.Output<string> | undefined;
    /** The explicit provider every in-cluster resource must use; undefined with kubernetesApi false. */
    public readonly provider: k8s.Provider | undefined;
    /** The AKS cluster this component created, if it created one. */
    public readonly managedCluster: containerservice.ManagedCluster | undefined;
    /**
     * What everything on the cluster goes with on destroy: the ManagedCluster this component created, or
     * undefined for a cluster it only reads (aksExisting, arc), which outlives the stack. Pass it as the
     * `deletedWith` option of the components that create things on the cluster (GitOpsConnector,
     * FluxNotifications, Flux, a Registry's pull secrets): deleting the cluster deletes them, and
     * `pulumi destroy` then never waits on an API server or Flux finalizers that are going away.
     */
    public readonly deletedWith: pulumi.Resource | undefined;
    /** The Log Analytics workspace Container Insights writes to, on a created AKS cluster with it on. */
    public readonly logAnalyticsWorkspaceId: pulumi.Output<string> | undefined;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs("Cluster", name, clusterProblems(args));
        super("gitops:cluster:Cluster", name, {}, opts);

        // The caller's dependsOn holds back every child, the provider included.
        const kubeconfigReady: pulumi.Resource[] = forwardedDependsOn(opts);
        const kubernetesApi = args.kubernetesApi ?? true;
        if (args.mode === "aks") {
            const a = args.aks ?? {};
            const pool = a.systemPool ?? {};
            const entraId = a.entraId?.enabled ?? AKS_DEFAULTS.entraId;
            const plugin = a.network?.plugin ?? AKS_DEFAULTS.plugin;
            const localAccountsOff = a.disableLocalAccounts ?? entraId;
            // Monitoring and the Key Vault Secrets Provider add nothing, not even an undefined key, unless set.
            const childOpts = { parent: this, dependsOn: forwardedDependsOn(opts) };
            const m = args.monitoring?.enabled === true ? args.monitoring : undefined;
            const prometheus = m !== undefined && (m.prometheus ?? MONITORING_DEFAULTS.prometheus);
            const logs: MonitoringWorkspace | undefined =
                m !== undefined && (m.containerInsights ?? MONITORING_DEFAULTS.containerInsights)
                    ? logAnalyticsWorkspace(name, m.workspace, { clusterName: args.name, resourceGroupName: args.resourceGroupName, location: args.location }, childOpts)
                    : undefined;
            // A stack that turns a feature off says so: AKS leaves an add-on missing from the request as it
            // was (Azure/AKS#2904), so omitting it would leave the agent running against a deleted workspace.
            // A stack that never set the key sends nothing, as before.
            const off = { enabled: false };
            const containerInsightsSet = args.monitoring !== undefined;
            const addonProfiles = {
                ...(logs !== undefined ? { omsagent: containerInsightsAddon(logs.resourceId) } : containerInsightsSet ? { omsagent: off } : {}),
                ...(args.keyVaultSecretsProvider?.enabled === true
                    ? { azureKeyvaultSecretsProvider: keyVaultSecretsProviderAddon(args.keyVaultSecretsProvider) }
                    : args.keyVaultSecretsProvider !== undefined
                      ? { azureKeyvaultSecretsProvider: off }
                      : {}),
            };
            const cluster = new containerservice.ManagedCluster(
                `${name}-aks`,
                {
                    resourceGroupName: args.resourceGroupName,
                    resourceName: args.name,
                    location: args.location,
                    dnsPrefix: a.dnsPrefix ?? args.name,
                    kubernetesVersion: a.kubernetesVersion,
                    sku: { name: "Base", tier: a.skuTier ?? AKS_DEFAULTS.skuTier },
                    // microsoft.flux does not support service-principal clusters; a managed identity is required.
                    identity: { type: "SystemAssigned" },
                    agentPoolProfiles: [
                        {
                            name: "system",
                            mode: "System",
                            type: "VirtualMachineScaleSets",
                            osType: "Linux",
                            osSKU: pool.osSku ?? AKS_DEFAULTS.osSku,
                            vmSize: pool.vmSize ?? AKS_DEFAULTS.vmSize,
                            count: pool.count ?? AKS_DEFAULTS.count,
                            enableAutoScaling: pool.autoscale !== undefined,
                            minCount: pool.autoscale?.min,
                            maxCount: pool.autoscale?.max,
                            availabilityZones: pool.availabilityZones?.length ? [...pool.availabilityZones] : undefined,
                        },
                    ],
                    enableRBAC: true,
                    aadProfile: entraId
                        ? { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: [...(a.entraId?.adminGroupObjectIds ?? [])] }
                        : undefined,
                    disableLocalAccounts: localAccountsOff,
                    oidcIssuerProfile: { enabled: true },
                    securityProfile: { workloadIdentity: { enabled: true } },
                    // As `az aks create --enable-private-cluster` sends it; AKS defaults the DNS zone to system.
                    ...(a.privateCluster === true ? { apiServerAccessProfile: { enablePrivateCluster: true } } : {}),
                    networkProfile: {
                        networkPlugin: plugin,
                        networkPluginMode: a.network?.pluginMode ?? (plugin === "azure" ? "overlay" : undefined),
                        networkDataplane: a.network?.dataplane ?? AKS_DEFAULTS.dataplane,
                        networkPolicy: a.network?.policy ?? AKS_DEFAULTS.policy,
                        loadBalancerSku: "standard",
                    },
                    autoUpgradeProfile: {
                        upgradeChannel: a.upgradeChannel ?? AKS_DEFAULTS.upgradeChannel,
                        nodeOSUpgradeChannel: a.nodeOsUpgradeChannel ?? AKS_DEFAULTS.nodeOsUpgradeChannel,
                    },
                    ...(Object.keys(addonProfiles).length > 0 ? { addonProfiles } : {}),
                    // Managed Prometheus' agent; its metrics flow once the data collection rule below is associated.
                    ...(prometheus ? { azureMonitorProfile: { metrics: { enabled: true } } } : containerInsightsSet ? { azureMonitorProfile: { metrics: { enabled: false } } } : {}),
                },
                {
                    parent: this,
                    // With the autoscaler on, AKS changes the pool's count itself; without ignoring it,
                    // every `pulumi up` would try to scale the pool back to the initial size.
                    ignoreChanges: pool.autoscale ? ["agentPoolProfiles[0].count"] : [],
                    // AKS can't turn a cluster's API server private or public in place (without API server
                    // VNet integration, which this doesn't set up): the preview shows a replacement, which
                    // `protect` stops.
                    replaceOnChanges: ["apiServerAccessProfile.enablePrivateCluster"],
                    protect: args.protect ?? false,
                    dependsOn: forwardedDependsOn(opts),
                },
            );
            this.managedCluster = cluster;
            this.deletedWith = cluster;
            // After the cluster, as the az CLI does: the associations are made on it, and go with it.
            const target = { clusterId: cluster.id, clusterName: args.name, resourceGroupName: args.resourceGroupName };
            if (logs !== undefined) containerInsightsDataCollection(name, logs, target, childOpts, { deletedWith: cluster });
            if (prometheus) prometheusDataCollection(name, { ...target, location: args.location }, childOpts, { deletedWith: cluster });
            this.logAnalyticsWorkspaceId = logs?.resourceId;
            this.clusterName = cluster.name;
            this.clusterId = cluster.id;
            this.kubeletObjectId = cluster.identityProfile.apply((p) => requireKubelet(p, args.name));
            this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((p) => p?.issuerURL);
            kubeconfigReady.push(cluster);

            if (entraId) {
                const client = authorization.getClientConfigOutput({ parent: this });
                const clusterAdmin = roleDefinitionId(client.subscriptionId, BuiltInRoles.AksRbacClusterAdmin);
                // principalType is always stated: azure-native defaults it to User, which ARM refuses for
                // a service principal or group (UnmatchedPrincipalType).
                const grant = (role: string, principalId: pulumi.Input<string>, principalType: pulumi.Input<PrincipalType>) =>
                    new authorization.RoleAssignment(
                        `${name}-${role}`,
                        { principalId, principalType, roleDefinitionId: clusterAdmin, scope: cluster.id },
                        { parent: this, dependsOn: forwardedDependsOn(opts) },
                    );
                // Pull-only, the deployer never calls the API server: it gets no admin role for it.
                if (kubernetesApi && (a.entraId?.grantDeployerClusterAdmin ?? AKS_DEFAULTS.grantDeployerClusterAdmin)) {
                    // The token itself is never exposed: only the type read from its claims leaves this apply.
                    const token = pulumi.secret(authorization.getClientTokenOutput({}, { parent: this }).token);
                    const callerType = pulumi.unsecret(token.apply(principalTypeOfToken));
                    kubeconfigReady.push(grant("deployer-admin", client.objectId, callerType));
                }
                // Named by object ID, not position: reordering the list must not turn into a replacement
                // that ARM refuses while the old assignment still exists (RoleAssignmentExists).
                for (const p of a.entraId?.clusterAdmins ?? []) kubeconfigReady.push(grant(`admin-${p.objectId}`, p.objectId, p.type));
            }
        } else if (args.mode === "aksExisting") {
            const existing = containerservice.getManagedClusterOutput(
                { resourceGroupName: args.resourceGroupName, resourceName: args.name },
                { parent: this },
            );
            this.managedCluster = undefined;
            this.deletedWith = undefined;
            this.logAnalyticsWorkspaceId = undefined;
            this.clusterName = existing.name;
            this.clusterId = existing.id;
            this.kubeletObjectId = existing.apply((c) => requireKubelet(c.identityProfile, args.name));
            this.oidcIssuerUrl = existing.apply((c) => {
                // Read with the cluster, so nothing that trusts its issuer is created on a cluster that can't use it.
                if (args.requireKeyVaultSecretsProvider === true) requireKeyVaultSecretsProviderAddon(c.addonProfiles, args.name);
                return c.oidcIssuerProfile?.issuerURL;
            });
        } else {
            const connected = arc.getConnectedClusterOutput(
                { resourceGroupName: args.resourceGroupName, clusterName: args.name },
                { parent: this },
            );
            this.managedCluster = undefined;
            this.deletedWith = undefined;
            this.logAnalyticsWorkspaceId = undefined;
            this.clusterName = connected.name;
            this.clusterId = connected.id;
            this.kubeletObjectId = undefined;
            this.oidcIssuerUrl = undefined;
        }

        this.kind = args.mode === "arc" ? "arc" : "aks";
        this.clusterRp = args.mode === "arc" ? "Microsoft.Kubernetes" : "Microsoft.ContainerService";
        this.clusterResourceName = args.mode === "arc" ? "connectedClusters" : "managedClusters";
        this.resourceGroupName = pulumi.output(args.resourceGroupName);

        if (!kubernetesApi) {
            this.kubeconfig = undefined;
        } else if (args.mode === "arc") {
            this.kubeconfig = pulumi.secret(args.kubeconfig!);
        } else {
            const options = args.kubeconfig ?? {};
            const lookup = { resourceGroupName: args.resourceGroupName, resourceName: this.clusterName };
            // The lookup must run after the cluster exists and after the deployer's role assignment (when
            // there is one): dependsOn orders it, and for a cluster only planned in preview, skips it.
            const invokeOpts = { parent: this, dependsOn: kubeconfigReady };
            const credentials =
                (options.credentials ?? KUBECONFIG_DEFAULTS.credentials) === "admin"
                    ? containerservice.listManagedClusterAdminCredentialsOutput(lookup, invokeOpts)
                    : containerservice.listManagedClusterUserCredentialsOutput(lookup, invokeOpts);
            this.kubeconfig = pulumi.secret(
                credentials.kubeconfigs.apply((kcs) => {
                    const first = kcs?.[0]?.value;
                    if (!first) throw new Error(`AKS cluster ${args.name} returned no kubeconfig`);
                    return prepareKubeconfig(first, options.kubeloginMode ?? KUBECONFIG_DEFAULTS.kubeloginMode);
                }),
            );
        }

        this.provider = this.kubeconfig === undefined ? undefined : new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: this.kubeconfig,
                // Patch resources (the default ServiceAccount's imagePullSecrets) need server-side apply.
                enableServerSideApply: true,
            },
            // Stated, not left to the kubeconfig lookup's ordering: nothing may reach the API server
            // before the cluster and the deployer's admin grant exist.
            { parent: this, dependsOn: kubeconfigReady },
        );

        this.registerOutputs({
            clusterName: this.clusterName,
            resourceGroupName: this.resourceGroupName,
            clusterId: this.clusterId,
            kubeletObjectId: this.kubeletObjectId,
            oidcIssuerUrl: this.oidcIssuerUrl,
            kubeconfig: this.kubeconfig,
            ...(this.logAnalyticsWorkspaceId !== undefined ? { logAnalyticsWorkspaceId: this.logAnalyticsWorkspaceId } : {}),
        });
    }

    /** What the flux extension and configurations attach to. */
    public target(): ClusterTarget {
        return {
            resourceGroupName: this.resourceGroupName,
            clusterName: this.clusterName,
            clusterRp: this.clusterRp,
            clusterResourceName: this.clusterResourceName,
        };
    }
}

/** An adopted cluster's add-ons must include the Key Vault Secrets Provider; the error says how to add it. */
export function requireKeyVaultSecretsProviderAddon(addonProfiles: Record<string, { enabled?: boolean }> | undefined, cluster: string): void {
    // By name whatever its case: the key is the add-on's name, which ARM treats case-insensitively.
    const profile = Object.entries(addonProfiles ?? {}).find(([name]) => name.toLowerCase() === "azurekeyvaultsecretsprovider")?.[1];
    if (profile?.enabled === true) return;
    throw new Error(
        `AKS cluster ${cluster} has no Azure Key Vault Secrets Provider add-on, which git delivery syncs its secrets through: run ` +
            `az aks enable-addons --addons azure-keyvault-secrets-provider --name ${cluster} --resource-group <group>, then pulumi up again`,
    );
}

function requireKubelet(profile: Record<string, { objectId?: string }> | undefined, cluster: string): string {
    const id = profile?.["kubeletidentity"]?.objectId;
    if (!id) throw new Error(`AKS cluster ${cluster} has no kubelet identity; microsoft.flux and ACR attach need a managed-identity cluster`);
    return id;
}
