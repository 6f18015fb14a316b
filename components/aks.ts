// The settings of an AKS cluster and its kubeconfig: the choices ARM offers, the defaults the Cluster
// component applies, and the combinations ARM would refuse, shared with the stack config schema.
import YAML from "yaml";
import { at, oneOfProblem, patternProblem, type PatternRule, type Problem } from "./problems.ts";

export const AKS_SKU_TIERS = ["Free", "Standard", "Premium"] as const;
export const AKS_OS_SKUS = ["AzureLinux", "Ubuntu"] as const;
export const AKS_AVAILABILITY_ZONES = ["1", "2", "3"] as const;
export const NETWORK_PLUGINS = ["azure", "kubenet", "none"] as const;
export const NETWORK_PLUGIN_MODES = ["overlay"] as const;
export const NETWORK_DATAPLANES = ["azure", "cilium"] as const;
export const NETWORK_POLICIES = ["none", "calico", "azure", "cilium"] as const;
export const UPGRADE_CHANNELS = ["none", "patch", "stable", "rapid", "node-image"] as const;
export const NODE_OS_UPGRADE_CHANNELS = ["None", "Unmanaged", "NodeImage", "SecurityPatch"] as const;
export const KUBECONFIG_CREDENTIALS = ["user", "admin"] as const;
export const KUBELOGIN_MODES = ["azurecli", "workloadidentity", "spn", "msi", "devicecode"] as const;

export type KubeloginMode = (typeof KUBELOGIN_MODES)[number];

/** The kubeconfig the Kubernetes provider gets when unset, shared with the stack config schema. */
export const KUBECONFIG_DEFAULTS = {
    credentials: "user",
    kubeloginMode: "azurecli",
} as const satisfies { credentials: (typeof KUBECONFIG_CREDENTIALS)[number]; kubeloginMode: KubeloginMode };

export interface KubeconfigOptions {
    /**
     * `user` (default): the cluster-user kubeconfig; on Entra ID clusters it runs kubelogin.
     * `admin`: the local admin certificate; unavailable when local accounts are disabled.
     */
    readonly credentials?: (typeof KUBECONFIG_CREDENTIALS)[number];
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
    readonly skuTier?: (typeof AKS_SKU_TIERS)[number];
    readonly systemPool?: {
        /** Default `Standard_D4ds_v5`. */
        readonly vmSize?: string;
        /** Default 2; the initial size when autoscaling. */
        readonly count?: number;
        /** Enables the cluster autoscaler. Default: off. */
        readonly autoscale?: { readonly min: number; readonly max: number };
        /** Default: no zones. */
        readonly availabilityZones?: readonly (typeof AKS_AVAILABILITY_ZONES)[number][];
        /** Default `AzureLinux`. */
        readonly osSku?: (typeof AKS_OS_SKUS)[number];
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
    /**
     * A private cluster: the API server gets a private endpoint in the cluster's network and no public
     * one (`apiServerAccessProfile.enablePrivateCluster`; AKS's private DNS zone, `system`). Only what
     * runs in or peered with that network reaches it, so pair it with git delivery. Changing it replaces
     * the cluster: AKS can't convert one in place. Default false.
     */
    readonly privateCluster?: boolean;
    readonly network?: {
        /** Default `azure` (overlay). */
        readonly plugin?: (typeof NETWORK_PLUGINS)[number];
        /** Default `overlay` with the azure plugin. */
        readonly pluginMode?: (typeof NETWORK_PLUGIN_MODES)[number];
        /** Default `cilium`. */
        readonly dataplane?: (typeof NETWORK_DATAPLANES)[number];
        /** Default `cilium`. */
        readonly policy?: (typeof NETWORK_POLICIES)[number];
    };
    /** Default `patch`. */
    readonly upgradeChannel?: (typeof UPGRADE_CHANNELS)[number];
    /** Default `NodeImage`. */
    readonly nodeOsUpgradeChannel?: (typeof NODE_OS_UPGRADE_CHANNELS)[number];
}

/** The AKS AAD server application every AKS Entra ID kubeconfig requests tokens for. */
const AKS_AAD_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

/**
 * Turn a kubeconfig from AKS into one a non-interactive run can use: decode it if it is base64 (ARM
 * returns it so), and point every kubelogin exec at the requested login mode, as
 * `kubelogin convert-kubeconfig -l <mode>` does. Kubeconfigs without kubelogin pass through unchanged.
 */
export function prepareKubeconfig(raw: string, mode: KubeloginMode = KUBECONFIG_DEFAULTS.kubeloginMode): string {
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

/** A Kubernetes version as AKS takes it: minor (`1.33`) or patch (`1.33.2`). */
export const KUBERNETES_VERSION_RULE: PatternRule = { pattern: /^\d+\.\d+(\.\d+)?$/, message: "expected a version such as 1.33" };
/** The API server's DNS prefix. */
export const DNS_PREFIX_RULE: PatternRule = { pattern: /^[a-zA-Z0-9][-a-zA-Z0-9]{0,52}$/, message: "expected 1-54 letters, digits or '-'" };

export function kubernetesVersionProblem(version: string): string | undefined {
    return patternProblem(KUBERNETES_VERSION_RULE, version);
}

export function dnsPrefixProblem(prefix: string): string | undefined {
    return patternProblem(DNS_PREFIX_RULE, prefix);
}

/**
 * Combinations ARM would refuse in a new AKS cluster's settings, with paths relative to the Cluster
 * component's args (`aks.systemPool.autoscale`, `kubeconfig.credentials`). The stack config reports
 * these under `cluster.`; the component refuses them when used from code.
 */
export function aksSettingsProblems(args: { readonly name: string; readonly aks?: AksSettings; readonly kubeconfig?: KubeconfigOptions }): Problem[] {
    const problems: Problem[] = [];
    const a = args.aks ?? {};
    const entraId = a.entraId?.enabled ?? AKS_DEFAULTS.entraId;
    const admins = a.entraId?.clusterAdmins ?? [];
    const pool = a.systemPool ?? {};
    const plugin = a.network?.plugin ?? AKS_DEFAULTS.plugin;
    const dataplane = a.network?.dataplane ?? AKS_DEFAULTS.dataplane;
    const policy = a.network?.policy ?? AKS_DEFAULTS.policy;
    // JavaScript callers get no types; the stack config's schema refuses these before.
    const choice = <T extends string>(path: (string | number)[], allowed: readonly T[], value: T | undefined) =>
        value === undefined ? [] : at(path, oneOfProblem(allowed, value));
    problems.push(
        ...choice(["aks", "skuTier"], AKS_SKU_TIERS, a.skuTier),
        ...choice(["aks", "systemPool", "osSku"], AKS_OS_SKUS, pool.osSku),
        ...(pool.availabilityZones ?? []).flatMap((z, i) => choice(["aks", "systemPool", "availabilityZones", i], AKS_AVAILABILITY_ZONES, z)),
        ...admins.flatMap((p, i) => choice(["aks", "entraId", "clusterAdmins", i, "type"], PRINCIPAL_TYPES, p.type)),
        ...choice(["aks", "network", "plugin"], NETWORK_PLUGINS, a.network?.plugin),
        ...choice(["aks", "network", "pluginMode"], NETWORK_PLUGIN_MODES, a.network?.pluginMode),
        ...choice(["aks", "network", "dataplane"], NETWORK_DATAPLANES, a.network?.dataplane),
        ...choice(["aks", "network", "policy"], NETWORK_POLICIES, a.network?.policy),
        ...choice(["aks", "upgradeChannel"], UPGRADE_CHANNELS, a.upgradeChannel),
        ...choice(["aks", "nodeOsUpgradeChannel"], NODE_OS_UPGRADE_CHANNELS, a.nodeOsUpgradeChannel),
        ...choice(["kubeconfig", "credentials"], KUBECONFIG_CREDENTIALS, args.kubeconfig?.credentials),
        ...choice(["kubeconfig", "kubeloginMode"], KUBELOGIN_MODES, args.kubeconfig?.kubeloginMode),
    );
    if (a.kubernetesVersion !== undefined) problems.push(...at(["aks", "kubernetesVersion"], kubernetesVersionProblem(a.kubernetesVersion)));
    if (a.dnsPrefix !== undefined) problems.push(...at(["aks", "dnsPrefix"], dnsPrefixProblem(a.dnsPrefix)));

    if (admins.length > 0 && !entraId) {
        problems.push({ path: ["aks", "entraId", "clusterAdmins"], message: "Azure RBAC roles need Entra ID; set entraId.enabled: true" });
    }
    const seenAdmins = new Set<string>();
    admins.forEach((p, i) => {
        if (seenAdmins.has(p.objectId)) problems.push({ path: ["aks", "entraId", "clusterAdmins", i, "objectId"], message: "listed twice" });
        seenAdmins.add(p.objectId);
    });
    if (pool.autoscale && pool.autoscale.min > pool.autoscale.max) {
        problems.push({ path: ["aks", "systemPool", "autoscale"], message: `min (${pool.autoscale.min}) is greater than max (${pool.autoscale.max})` });
    }
    if (policy === "cilium" && dataplane !== "cilium") {
        problems.push({ path: ["aks", "network", "policy"], message: "network policy cilium needs dataplane cilium" });
    }
    if (dataplane === "cilium" && plugin !== "azure") {
        problems.push({ path: ["aks", "network", "dataplane"], message: "the cilium dataplane needs plugin azure" });
    }
    if (a.dnsPrefix === undefined && dnsPrefixProblem(args.name) !== undefined) {
        problems.push({ path: ["aks", "dnsPrefix"], message: `the cluster name '${args.name}' is not a valid DNS prefix; set dnsPrefix` });
    }
    const localAccountsOff = a.disableLocalAccounts ?? entraId;
    if (localAccountsOff && !entraId) {
        problems.push({ path: ["aks", "disableLocalAccounts"], message: "a cluster without Entra ID needs local accounts" });
    }
    if (localAccountsOff && args.kubeconfig?.credentials === "admin") {
        problems.push({ path: ["kubeconfig", "credentials"], message: "admin credentials don't exist when local accounts are disabled; use user" });
    }
    return problems;
}
