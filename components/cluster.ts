// The Kubernetes cluster the platform runs on: a new AKS cluster, an existing AKS cluster, or an
// existing Azure Arc connected cluster. Whatever the mode, it exposes the same ARM target for
// extensions and an explicit Kubernetes provider; nothing ever falls back to ~/.kube/config.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as arc from "@pulumi/azure-native/kubernetes";
import * as k8s from "@pulumi/kubernetes";
import YAML from "yaml";
import { BuiltInRoles, roleDefinitionId } from "./azure.ts";
import type { ClusterTarget } from "./flux.ts";

export type KubeloginMode = "azurecli" | "workloadidentity" | "spn" | "msi" | "devicecode";

export interface KubeconfigOptions {
    /**
     * `user` (default): the cluster-user kubeconfig; on Entra ID clusters it runs kubelogin.
     * `admin`: the local admin certificate; unavailable when local accounts are disabled.
     */
    readonly credentials?: "user" | "admin";
    /**
     * The kubelogin login mode written into an Entra ID kubeconfig. Default `azurecli`, which reuses
     * `az login`; AKS hands out `devicecode`, which would block a non-interactive run.
     */
    readonly kubeloginMode?: KubeloginMode;
}

export interface AksSettings {
    readonly kubernetesVersion?: string;
    /** Default: the cluster name. */
    readonly dnsPrefix?: string;
    readonly skuTier: "Free" | "Standard" | "Premium";
    readonly systemPool: {
        readonly vmSize: string;
        readonly count: number;
        readonly autoscale?: { readonly min: number; readonly max: number };
        readonly availabilityZones: readonly string[];
        readonly osSku: "AzureLinux" | "Ubuntu";
    };
    readonly entraId: {
        readonly enabled: boolean;
        readonly adminGroupObjectIds: readonly string[];
        /** Grant the deploying identity AKS RBAC Cluster Admin so this program's provider can deploy. */
        readonly grantDeployerClusterAdmin: boolean;
    };
    /** Default: true when Entra ID is enabled. */
    readonly disableLocalAccounts?: boolean;
    readonly network: {
        readonly plugin: "azure" | "kubenet" | "none";
        readonly pluginMode?: "overlay";
        readonly dataplane: "azure" | "cilium";
        readonly policy: "none" | "calico" | "azure" | "cilium";
    };
    readonly upgradeChannel: "none" | "patch" | "stable" | "rapid" | "node-image";
    readonly nodeOsUpgradeChannel: "None" | "Unmanaged" | "NodeImage" | "SecurityPatch";
}

export type ClusterArgs =
    | {
          /** Create an AKS cluster with a system pool, managed identity, OIDC issuer and workload identity. */
          readonly mode: "aks";
          readonly name: string;
          readonly resourceGroupName: pulumi.Input<string>;
          readonly location: pulumi.Input<string>;
          readonly aks: AksSettings;
          readonly kubeconfig?: KubeconfigOptions;
      }
    | {
          /** Adopt an AKS cluster that already exists (read, never modified). */
          readonly mode: "aksExisting";
          readonly name: string;
          readonly resourceGroupName: pulumi.Input<string>;
          readonly kubeconfig?: KubeconfigOptions;
      }
    | {
          /** Target an existing Arc connected cluster. */
          readonly mode: "arc";
          readonly name: string;
          readonly resourceGroupName: pulumi.Input<string>;
          /**
           * The cluster's kubeconfig, as a secret. Arc's cluster-connect API needs a client-side proxy
           * process, so ARM can't hand out a usable kubeconfig the way AKS does.
           */
          readonly kubeconfig: pulumi.Input<string>;
      };

/** The AKS AAD server application every AKS Entra ID kubeconfig requests tokens for. */
const AKS_AAD_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

/**
 * Turn a kubeconfig from AKS into one a non-interactive run can use: decode it if it is base64 (ARM
 * returns it so), and point every kubelogin exec at the requested login mode, as
 * `kubelogin convert-kubeconfig -l <mode>` does. Kubeconfigs without kubelogin pass through unchanged.
 */
export function prepareKubeconfig(raw: string, mode: KubeloginMode = "azurecli"): string {
    // A YAML kubeconfig always contains ':'; base64 never does.
    const text = raw.includes(":") ? raw : Buffer.from(raw, "base64").toString("utf8");
    const doc = YAML.parse(text) as { users?: { user?: { exec?: { command?: string; args?: string[] } } }[] };
    if (mode === "devicecode" || !Array.isArray(doc?.users)) return text;
    let changed = false;
    for (const u of doc.users) {
        const exec = u.user?.exec;
        if (!exec || !/kubelogin(\.exe)?$/.test(exec.command ?? "")) continue;
        const args = exec.args ?? [];
        const flag = (f: string) => {
            const i = args.indexOf(f);
            return i >= 0 ? args[i + 1] : undefined;
        };
        const next = ["get-token", "--login", mode, "--server-id", flag("--server-id") ?? AKS_AAD_SERVER_ID];
        const environment = flag("--environment");
        if (environment) next.push("--environment", environment);
        // spn and msi read the tenant from the flag; azurecli and workloadidentity take it from the
        // caller's login. The client ID AKS writes is the Azure CLI's, which only devicecode uses.
        const tenant = flag("--tenant-id");
        if (tenant && (mode === "spn" || mode === "msi")) next.push("--tenant-id", tenant);
        exec.args = next;
        changed = true;
    }
    return changed ? YAML.stringify(doc) : text;
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
    /** The kubeconfig the provider uses. Always a secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The explicit provider every in-cluster resource must use. */
    public readonly provider: k8s.Provider;
    /** The AKS cluster this component created, if it created one. */
    public readonly managedCluster: containerservice.ManagedCluster | undefined;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:cluster:Cluster", name, {}, opts);

        let kubeconfigReady: pulumi.Resource[] = [];
        if (args.mode === "aks") {
            const a = args.aks;
            const pool = a.systemPool;
            const localAccountsOff = a.disableLocalAccounts ?? a.entraId.enabled;
            const cluster = new containerservice.ManagedCluster(
                `${name}-aks`,
                {
                    resourceGroupName: args.resourceGroupName,
                    resourceName: args.name,
                    location: args.location,
                    dnsPrefix: a.dnsPrefix ?? args.name,
                    kubernetesVersion: a.kubernetesVersion,
                    sku: { name: "Base", tier: a.skuTier },
                    // microsoft.flux does not support service-principal clusters; a managed identity is required.
                    identity: { type: "SystemAssigned" },
                    agentPoolProfiles: [
                        {
                            name: "system",
                            mode: "System",
                            type: "VirtualMachineScaleSets",
                            osType: "Linux",
                            osSKU: pool.osSku,
                            vmSize: pool.vmSize,
                            count: pool.count,
                            enableAutoScaling: pool.autoscale !== undefined,
                            minCount: pool.autoscale?.min,
                            maxCount: pool.autoscale?.max,
                            availabilityZones: pool.availabilityZones.length > 0 ? [...pool.availabilityZones] : undefined,
                        },
                    ],
                    enableRBAC: true,
                    aadProfile: a.entraId.enabled
                        ? { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: [...a.entraId.adminGroupObjectIds] }
                        : undefined,
                    disableLocalAccounts: localAccountsOff,
                    oidcIssuerProfile: { enabled: true },
                    securityProfile: { workloadIdentity: { enabled: true } },
                    networkProfile: {
                        networkPlugin: a.network.plugin,
                        networkPluginMode: a.network.pluginMode ?? (a.network.plugin === "azure" ? "overlay" : undefined),
                        networkDataplane: a.network.dataplane,
                        networkPolicy: a.network.policy,
                        loadBalancerSku: "standard",
                    },
                    autoUpgradeProfile: { upgradeChannel: a.upgradeChannel, nodeOSUpgradeChannel: a.nodeOsUpgradeChannel },
                },
                {
                    parent: this,
                    // With the autoscaler on, AKS changes the pool's count itself; without ignoring it,
                    // every `pulumi up` would try to scale the pool back to the initial size.
                    ignoreChanges: pool.autoscale ? ["agentPoolProfiles[0].count"] : [],
                },
            );
            this.managedCluster = cluster;
            this.clusterName = cluster.name;
            this.clusterId = cluster.id;
            this.kubeletObjectId = cluster.identityProfile.apply((p) => requireKubelet(p, args.name));
            this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((p) => p?.issuerURL);
            kubeconfigReady = [cluster];

            if (a.entraId.enabled && a.entraId.grantDeployerClusterAdmin) {
                const client = authorization.getClientConfigOutput({ parent: this });
                kubeconfigReady.push(
                    new authorization.RoleAssignment(
                        `${name}-deployer-admin`,
                        {
                            principalId: client.objectId,
                            roleDefinitionId: roleDefinitionId(client.subscriptionId, BuiltInRoles.AksRbacClusterAdmin),
                            scope: cluster.id,
                        },
                        { parent: this },
                    ),
                );
            }
        } else if (args.mode === "aksExisting") {
            const existing = containerservice.getManagedClusterOutput(
                { resourceGroupName: args.resourceGroupName, resourceName: args.name },
                { parent: this },
            );
            this.managedCluster = undefined;
            this.clusterName = existing.name;
            this.clusterId = existing.id;
            this.kubeletObjectId = existing.apply((c) => requireKubelet(c.identityProfile, args.name));
            this.oidcIssuerUrl = existing.apply((c) => c.oidcIssuerProfile?.issuerURL);
        } else {
            const connected = arc.getConnectedClusterOutput(
                { resourceGroupName: args.resourceGroupName, clusterName: args.name },
                { parent: this },
            );
            this.managedCluster = undefined;
            this.clusterName = connected.name;
            this.clusterId = connected.id;
            this.kubeletObjectId = undefined;
            this.oidcIssuerUrl = undefined;
        }

        this.kind = args.mode === "arc" ? "arc" : "aks";
        this.clusterRp = args.mode === "arc" ? "Microsoft.Kubernetes" : "Microsoft.ContainerService";
        this.clusterResourceName = args.mode === "arc" ? "connectedClusters" : "managedClusters";
        this.resourceGroupName = pulumi.output(args.resourceGroupName);

        if (args.mode === "arc") {
            this.kubeconfig = pulumi.secret(args.kubeconfig);
        } else {
            const options = args.kubeconfig ?? {};
            const lookup = { resourceGroupName: args.resourceGroupName, resourceName: this.clusterName };
            // The lookup must run after the cluster exists and after the deployer's role assignment (when
            // there is one): dependsOn orders it, and for a cluster only planned in preview, skips it.
            const invokeOpts = { parent: this, dependsOn: kubeconfigReady };
            const credentials =
                options.credentials === "admin"
                    ? containerservice.listManagedClusterAdminCredentialsOutput(lookup, invokeOpts)
                    : containerservice.listManagedClusterUserCredentialsOutput(lookup, invokeOpts);
            this.kubeconfig = pulumi.secret(
                credentials.kubeconfigs.apply((kcs) => {
                    const first = kcs?.[0]?.value;
                    if (!first) throw new Error(`AKS cluster ${args.name} returned no kubeconfig`);
                    return prepareKubeconfig(first, options.kubeloginMode ?? "azurecli");
                }),
            );
        }

        this.provider = new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: this.kubeconfig,
                // Patch resources (the default ServiceAccount's imagePullSecrets) need server-side apply.
                enableServerSideApply: true,
            },
            { parent: this },
        );

        this.registerOutputs({
            clusterName: this.clusterName,
            resourceGroupName: this.resourceGroupName,
            clusterId: this.clusterId,
            kubeletObjectId: this.kubeletObjectId,
            oidcIssuerUrl: this.oidcIssuerUrl,
            kubeconfig: this.kubeconfig,
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

function requireKubelet(profile: Record<string, { objectId?: string }> | undefined, cluster: string): string {
    const id = profile?.["kubeletidentity"]?.objectId;
    if (!id) throw new Error(`AKS cluster ${cluster} has no kubelet identity; microsoft.flux and ACR attach need a managed-identity cluster`);
    return id;
}
