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

/** The directory object types ARM's role assignments take; a mismatch is refused (UnmatchedPrincipalType). */
export const PRINCIPAL_TYPES = ["User", "Group", "ServicePrincipal"] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/**
 * The directory type of whoever holds an Azure access token, from its claims: `idtyp` (`user` or `app`)
 * where Entra ID includes it, else `scp`, which only delegated (user) tokens carry. App-only tokens,
 * those of service principals and managed identities, have no `scp`. The signature isn't checked: this
 * is the caller's own token, read only to type its own role assignment.
 */
export function principalTypeOfToken(token: string): "User" | "ServicePrincipal" {
    const payload = token.split(".")[1];
    let claims: { idtyp?: unknown; scp?: unknown };
    try {
        claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8"));
    } catch {
        throw new Error("the Azure access token of the identity running pulumi is not a JWT; can't tell whether it is a user or a service principal");
    }
    if (claims.idtyp === "user") return "User";
    if (claims.idtyp === "app") return "ServicePrincipal";
    return typeof claims.scp === "string" ? "User" : "ServicePrincipal";
}

/** Defaults for a new AKS cluster, shared with the stack config schema. */
export const AKS_DEFAULTS = {
    skuTier: "Free",
    vmSize: "Standard_D4ds_v5",
    count: 2,
    osSku: "AzureLinux",
    entraId: true,
    grantDeployerClusterAdmin: true,
    plugin: "azure",
    dataplane: "cilium",
    policy: "cilium",
    upgradeChannel: "patch",
    nodeOsUpgradeChannel: "NodeImage",
} as const;

export interface AksSettings {
    /** Default: AKS's default version. */
    readonly kubernetesVersion?: string;
    /** Default: the cluster name. */
    readonly dnsPrefix?: string;
    /** Default `Free`. */
    readonly skuTier?: "Free" | "Standard" | "Premium";
    readonly systemPool?: {
        /** Default `Standard_D4ds_v5`. */
        readonly vmSize?: string;
        /** Default 2; the initial size when autoscaling. */
        readonly count?: number;
        /** Enables the cluster autoscaler. Default: off. */
        readonly autoscale?: { readonly min: number; readonly max: number };
        /** Default: no zones. */
        readonly availabilityZones?: readonly string[];
        /** Default `AzureLinux`. */
        readonly osSku?: "AzureLinux" | "Ubuntu";
    };
    readonly entraId?: {
        /** Entra ID with Azure RBAC. Default true. */
        readonly enabled?: boolean;
        /** Default: none. */
        readonly adminGroupObjectIds?: readonly string[];
        /**
         * Grant the identity running `pulumi up` AKS RBAC Cluster Admin so this program's provider can
         * deploy, typed from its own token (a user or a service principal). The grant follows whoever
         * runs `up`: pin stable principals in `clusterAdmins` for a stack several identities deploy.
         * Default true.
         */
        readonly grantDeployerClusterAdmin?: boolean;
        /** Principals granted AKS RBAC Cluster Admin, each with its type and a literal object ID. Default: none. */
        readonly clusterAdmins?: readonly { readonly objectId: string; readonly type: PrincipalType }[];
    };
    /** Default: true when Entra ID is enabled. */
    readonly disableLocalAccounts?: boolean;
    readonly network?: {
        /** Default `azure` (overlay). */
        readonly plugin?: "azure" | "kubenet" | "none";
        /** Default `overlay` with the azure plugin. */
        readonly pluginMode?: "overlay";
        /** Default `cilium`. */
        readonly dataplane?: "azure" | "cilium";
        /** Default `cilium`. */
        readonly policy?: "none" | "calico" | "azure" | "cilium";
    };
    /** Default `patch`. */
    readonly upgradeChannel?: "none" | "patch" | "stable" | "rapid" | "node-image";
    /** Default `NodeImage`. */
    readonly nodeOsUpgradeChannel?: "None" | "Unmanaged" | "NodeImage" | "SecurityPatch";
}

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
            const a = args.aks ?? {};
            const pool = a.systemPool ?? {};
            const entraId = a.entraId?.enabled ?? AKS_DEFAULTS.entraId;
            const plugin = a.network?.plugin ?? AKS_DEFAULTS.plugin;
            const localAccountsOff = a.disableLocalAccounts ?? entraId;
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
                },
                {
                    parent: this,
                    // With the autoscaler on, AKS changes the pool's count itself; without ignoring it,
                    // every `pulumi up` would try to scale the pool back to the initial size.
                    ignoreChanges: pool.autoscale ? ["agentPoolProfiles[0].count"] : [],
                    protect: args.protect ?? false,
                },
            );
            this.managedCluster = cluster;
            this.clusterName = cluster.name;
            this.clusterId = cluster.id;
            this.kubeletObjectId = cluster.identityProfile.apply((p) => requireKubelet(p, args.name));
            this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((p) => p?.issuerURL);
            kubeconfigReady = [cluster];

            if (entraId) {
                const client = authorization.getClientConfigOutput({ parent: this });
                const clusterAdmin = roleDefinitionId(client.subscriptionId, BuiltInRoles.AksRbacClusterAdmin);
                // principalType is always stated: azure-native defaults it to User, which ARM refuses for
                // a service principal or group (UnmatchedPrincipalType).
                const grant = (role: string, principalId: pulumi.Input<string>, principalType: pulumi.Input<PrincipalType>) =>
                    new authorization.RoleAssignment(
                        `${name}-${role}`,
                        { principalId, principalType, roleDefinitionId: clusterAdmin, scope: cluster.id },
                        { parent: this },
                    );
                if (a.entraId?.grantDeployerClusterAdmin ?? AKS_DEFAULTS.grantDeployerClusterAdmin) {
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
