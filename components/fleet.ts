// Flux on every cluster in a scope, through Azure Policy: the built-in DeployIfNotExists definitions
// install the microsoft.flux extension and one Flux configuration per source on each AKS or Arc cluster
// in a management group, subscription or resource group, including clusters that join it later. This is
// what the CAF guidance recommends for many clusters ("Cluster-wide component update process"); the
// per-cluster components (Cluster, Flux) remain the way to reach one cluster's Kubernetes API.
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as policyinsights from "@pulumi/azure-native/policyinsights";
import * as azure from "@pulumi/azure-native/provider";
import { roleDefinitionId } from "./azure.ts";
import { credentialFindings } from "./credentials.ts";
import { KEY_VAULT_ID_RULE, KEY_VAULT_SECRET_NAME_RULE } from "./keyvault-secret.ts";
import { FLUX_DEFAULTS, FLUX_EXTENSION_DEFAULTS, fluxConfigurationProblems, fluxExtensionVersionProblem, type FluxConfigurationArgs } from "./flux-args.ts";
import { gitHost, knownHostsProblems } from "./git.ts";
import { at, oneOfProblem, patternProblem, refuseInvalidArgs, under, type PatternRule, type Problem } from "./problems.ts";

/**
 * The built-in definitions this component assigns, by their fixed names (GUIDs), with the parameters
 * each declares (Azure/azure-policy, built-in-policies/policyDefinitions/Kubernetes; recorded in
 * test/fixtures/policy-definitions.json, which the tests compare with this table). An assignment may
 * only set declared parameters: ARM refuses others. The Flux v1 (`sourceControlConfigurations`)
 * definitions in the same folder are never used.
 */
export const FLUX_POLICY_DEFINITIONS = {
    /** Configure installation of Flux extension on Kubernetes cluster. */
    extension: {
        id: "f9175d5f-abc8-1dc3-bd3c-5d7476ada3d1",
        parameters: ["helmControllerEnabled", "notificationControllerEnabled", "imageAutomationController", "imageReflectorController", "releaseTrain", "autoUpgradeMinorVersion", "version", "effect"],
    },
    /** Flux v2 configuration using public Git repository. */
    public: { id: "83ea2fd1-9eaf-2f6d-f672-cd7b2ac798f6", parameters: configurationParameters({ repositoryTimeout: true, retryInterval: true }, []) },
    /** … Git repository and SSH secrets: the private key from Key Vault. */
    ssh: {
        id: "9e980dca-f3e1-8da3-6717-ad37b1ca6b27",
        parameters: configurationParameters({ repositoryTimeout: true, retryInterval: false }, ["keyVaultSecretName", "keyVaultName", "repositorySshKnownHosts"]),
    },
    /** … Git repository and HTTPS secrets: the user in the assignment, the key from Key Vault. */
    https: {
        id: "bf1a31be-3b79-5ba8-c9e0-9a8c9ad9f749",
        parameters: configurationParameters({ repositoryTimeout: false, retryInterval: false }, ["repositoryHttpsUser", "httpsKeyKeyVaultSecretName", "keyVaultName", "repositoryHttpsCACert"]),
    },
    /** … Git repository and local secrets: a Secret that already exists on each cluster. */
    localSecret: { id: "b6c7fd52-4723-5f4d-a157-3d39bd16a1d7", parameters: configurationParameters({ repositoryTimeout: true, retryInterval: true }, ["repositoryLocalAuthRef"]) },
} as const;

/** The parameters every Flux v2 configuration definition declares, and the ones only some do. */
function configurationParameters(has: { repositoryTimeout: boolean; retryInterval: boolean }, extra: readonly string[]): readonly string[] {
    return [
        "configurationName", "configurationNamespace", "configurationScope", "repositoryUrl",
        ...(has.repositoryTimeout ? ["repositoryTimeout"] : []),
        "repositorySyncInterval", "repositoryRefBranch", "repositoryRefTag", "repositoryRefSemver", "repositoryRefCommit",
        ...extra,
        "kustomizationName", "kustomizationPath", "kustomizationTimeout", "kustomizationSyncInterval",
        ...(has.retryInterval ? ["kustomizationRetryInterval"] : []),
        "kustomizationPrune", "kustomizationForce", "effect",
    ];
}

/** The role every one of these definitions names in roleDefinitionIds: Contributor. */
export const FLUX_POLICY_ROLE = "b24988ac-6180-42a0-ab88-20f7382dd24c";

/** The definition's own fixed values, which the component's arguments must not contradict. */
export const FLEET_FIXED = {
    /** The extension definition installs it under this name, on this train only. */
    extensionName: "flux",
    releaseTrain: "Stable",
    /** The HTTPS definition has no repositoryTimeout parameter: its template sends 600. */
    httpsRepositoryTimeoutInSeconds: 600,
} as const;

export const FLEET_CLUSTER_TYPES = ["connectedClusters", "managedClusters"] as const;
export type FleetClusterType = (typeof FLEET_CLUSTER_TYPES)[number];
const CLUSTER_RESOURCE_TYPES: Readonly<Record<FleetClusterType, string>> = {
    connectedClusters: "Microsoft.Kubernetes/connectedClusters",
    managedClusters: "Microsoft.ContainerService/managedClusters",
};

export const RESOURCE_DISCOVERY_MODES = ["ReEvaluateCompliance", "ExistingNonCompliant"] as const;

/** The most resources one remediation task may cover (its `resourceCount`; Azure's default is 500). */
export const REMEDIATION_RESOURCE_COUNT = 50000;

/**
 * How a remediation finds its clusters unless told: by re-evaluating them (a new assignment has no
 * compliance results for up to half an hour, so `ExistingNonCompliant` would find nothing on the first
 * `up`), except at a management group, where re-evaluation is reported unavailable: there the task acts
 * on the first compliance scan's results, and a later round (`remediationRound`) catches the rest.
 */
export function defaultResourceDiscoveryMode(scope: FleetScope): (typeof RESOURCE_DISCOVERY_MODES)[number] {
    return scope.kind === "managementGroup" ? "ExistingNonCompliant" : "ReEvaluateCompliance";
}
export const ENFORCEMENT_MODES = ["Default", "DoNotEnforce"] as const;

/** Defaults the component applies, shared with the stack config schema. */
export const FLEET_DEFAULTS = {
    clusterTypes: FLEET_CLUSTER_TYPES,
    remediate: true,
    remediationRound: 1,
    enforcementMode: "Default",
} as const satisfies {
    clusterTypes: readonly FleetClusterType[];
    remediate: boolean;
    remediationRound: number;
    enforcementMode: (typeof ENFORCEMENT_MODES)[number];
};

export const MANAGEMENT_GROUP_ID_RULE: PatternRule = { pattern: /^[A-Za-z0-9_().-]{1,90}$/, message: "expected a management group ID: up to 90 letters, digits, '-', '_', '(', ')' and '.'" };
export const SUBSCRIPTION_ID_RULE: PatternRule = { pattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, message: "expected a subscription ID (a GUID)" };
export const RESOURCE_GROUP_NAME_RULE: PatternRule = { pattern: /^[-\w.()]{0,89}[-\w()]$/u, message: "expected a resource group name: 1-90 letters, digits, '-', '_', '.', '(' and ')', not ending in '.'" };
/** A Kubernetes Secret name, for the local-secrets definition. */
export const LOCAL_SECRET_NAME_RULE: PatternRule = { pattern: /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, message: "expected a Kubernetes Secret name (lower-case letters, digits, '-' and '.')" };

/** Where the assignments go. A subscription or resource group scope may name its subscription. */
export type FleetScope =
    | { readonly kind: "managementGroup"; readonly managementGroupId: string }
    | { readonly kind: "subscription"; readonly subscriptionId: string }
    /** Default subscription: the one the program deploys to (the provider's). */
    | { readonly kind: "resourceGroup"; readonly resourceGroupName: string; readonly subscriptionId?: string };

/** A Key Vault secret the definition's deployment reads through an ARM Key Vault reference. */
export interface KeyVaultSecretRef {
    /** The vault's resource ID. It must allow template deployment (`enabledForTemplateDeployment`). */
    readonly vaultId: string;
    readonly secretName: string;
}

/**
 * How clusters authenticate to the repository. Never a credential: a policy parameter is readable by
 * anyone who can read the assignment, so keys stay in Key Vault or on the cluster.
 */
export type FleetGitAuth =
    | { readonly type: "none" }
    /** The HTTPS definition: user name in the assignment, key (base64, as ARM takes it) in Key Vault. */
    | { readonly type: "https"; readonly username: string; readonly key: KeyVaultSecretRef; readonly caCertificate?: string }
    /** The SSH definition: private key (base64) in Key Vault; `knownHosts` lines to pin. */
    | { readonly type: "ssh"; readonly key: KeyVaultSecretRef; readonly knownHosts: readonly string[] }
    /** The local-secrets definition: a Secret each cluster already has in the configuration's namespace. */
    | { readonly type: "localSecret"; readonly secretName: string };

/**
 * One Flux configuration, as a single-cluster stack describes it, within what the definitions express:
 * the auth a policy parameter can carry, and (refused otherwise, see fleetConfigurationProblems) one
 * kustomization without dependsOn, wait: false or postBuild, no suspend, no reconciliation wait, and for
 * HTTPS the definition's fixed 600-second source timeout.
 */
export interface FleetConfigurationArgs extends Omit<FluxConfigurationArgs, "auth"> {
    /** Default: a public repository. */
    readonly auth?: FleetGitAuth;
}

export interface FleetExtensionArgs {
    /** Must be `flux`, the name the definition installs it under. Default `flux`. */
    readonly name?: string;
    /** Pin a version (minor auto-upgrade off); inside Microsoft's support window. */
    readonly version?: string;
    /** Only `Stable`. */
    readonly releaseTrain?: string;
    readonly controllers?: { readonly source?: boolean; readonly kustomize?: boolean; readonly helm?: boolean; readonly notification?: boolean; readonly imageAutomation?: boolean; readonly imageReflector?: boolean };
    /** Only true, the extension's default: the definition can't change it. */
    readonly multiTenancy?: boolean;
    /** Only empty: the definition sets nothing else. */
    readonly settings?: Readonly<Record<string, string>>;
}

export interface FleetPolicyArgs {
    readonly scope: FleetScope;
    /** Region of the assignments' managed identities (required with an identity; where doesn't matter). */
    readonly location: string;
    /** Which clusters the assignments apply to. Default both, as the definitions do. */
    readonly clusterTypes?: readonly FleetClusterType[];
    readonly extension?: FleetExtensionArgs;
    readonly configurations: readonly FleetConfigurationArgs[];
    /** Remediation tasks for the clusters already in scope. Default true. */
    readonly remediate?: boolean;
    /** Default: defaultResourceDiscoveryMode(scope). */
    readonly resourceDiscoveryMode?: (typeof RESOURCE_DISCOVERY_MODES)[number];
    /** Bump to run the remediations again (each round is a new remediation task). Default 1. */
    readonly remediationRound?: number;
    /** `DoNotEnforce` stops deployments to new or changed clusters; remediation still works. Default `Default`. */
    readonly enforcementMode?: (typeof ENFORCEMENT_MODES)[number];
}

/** The ARM scope string of a fleet scope; a resource group's subscription from `subscriptionId` when not given. */
export function scopeId(scope: FleetScope, subscriptionId?: pulumi.Input<string>): pulumi.Output<string> {
    switch (scope.kind) {
        case "managementGroup":
            return pulumi.output(`/providers/Microsoft.Management/managementGroups/${scope.managementGroupId}`);
        case "subscription":
            return pulumi.output(`/subscriptions/${scope.subscriptionId}`);
        case "resourceGroup":
            return pulumi.interpolate`/subscriptions/${scope.subscriptionId ?? subscriptionId}/resourceGroups/${scope.resourceGroupName}`;
    }
}

/** Human-readable scope, for plans and messages. */
export function describeScope(scope: FleetScope): string {
    switch (scope.kind) {
        case "managementGroup":
            return `management group ${scope.managementGroupId}`;
        case "subscription":
            return `subscription ${scope.subscriptionId}`;
        case "resourceGroup":
            return `resource group ${scope.resourceGroupName}${scope.subscriptionId ? ` in subscription ${scope.subscriptionId}` : ""}`;
    }
}

/** ARM's limits on policy assignment names: 24 characters at management group scope, 64 elsewhere. */
export function assignmentNameLimit(scope: FleetScope): number {
    return scope.kind === "managementGroup" ? 24 : 64;
}

/**
 * An assignment's ARM name: `base` when it fits the scope's limit, else its head and a hash of the
 * whole, so that long names stay distinct and stable.
 */
export function assignmentName(base: string, limit: number): string {
    if (base.length <= limit) return base;
    const hash = crypto.createHash("sha256").update(base).digest("hex").slice(0, 8);
    return `${base.slice(0, limit - 9).replace(/-+$/, "")}-${hash}`;
}

/** Which definition a configuration's auth selects. */
export function configurationDefinition(auth: FleetGitAuth | undefined): keyof typeof FLUX_POLICY_DEFINITIONS {
    return auth === undefined || auth.type === "none" ? "public" : auth.type;
}

function scopeProblems(scope: FleetScope): Problem[] {
    switch (scope.kind) {
        case "managementGroup":
            return at(["managementGroupId"], patternProblem(MANAGEMENT_GROUP_ID_RULE, scope.managementGroupId));
        case "subscription":
            return at(["subscriptionId"], patternProblem(SUBSCRIPTION_ID_RULE, scope.subscriptionId));
        case "resourceGroup":
            return [
                ...at(["resourceGroupName"], patternProblem(RESOURCE_GROUP_NAME_RULE, scope.resourceGroupName)),
                ...(scope.subscriptionId === undefined ? [] : at(["subscriptionId"], patternProblem(SUBSCRIPTION_ID_RULE, scope.subscriptionId))),
            ];
        default:
            return [{ path: ["kind"], message: "expected managementGroup, subscription or resourceGroup" }];
    }
}

/** What the extension definition can't install: it has only the controller toggles, the train and a version. */
export function fleetExtensionProblems(ext: FleetExtensionArgs): Problem[] {
    const problems: Problem[] = [];
    if (ext.name !== undefined && ext.name !== FLEET_FIXED.extensionName) {
        problems.push({ path: ["name"], message: `the built-in policy installs the extension as '${FLEET_FIXED.extensionName}'; leave name unset` });
    }
    if (ext.version !== undefined) problems.push(...at(["version"], fluxExtensionVersionProblem(ext.version)));
    if (ext.releaseTrain !== undefined && ext.releaseTrain !== FLEET_FIXED.releaseTrain) {
        problems.push({ path: ["releaseTrain"], message: `the built-in policy allows only the ${FLEET_FIXED.releaseTrain} train` });
    }
    for (const c of ["source", "kustomize"] as const) {
        if (ext.controllers?.[c] === false) problems.push({ path: ["controllers", c], message: "the built-in policy always runs this controller; it can't be turned off" });
    }
    if (ext.multiTenancy === false) problems.push({ path: ["multiTenancy"], message: "the built-in policy can't set multiTenancy.enforce; it stays on" });
    if (Object.keys(ext.settings ?? {}).length > 0) {
        problems.push({ path: ["settings"], message: "the built-in policy sets only the controller toggles, the train and the version; other settings need one stack per cluster" });
    }
    return problems;
}

/** What a configuration definition can't express, and what ARM or Flux would refuse anyway. */
export function fleetConfigurationProblems(fc: FleetConfigurationArgs): Problem[] {
    const auth = fc.auth ?? { type: "none" };
    const problems: Problem[] = [...fluxConfigurationProblems({ ...fc, auth: auth.type === "ssh" ? { type: "ssh", knownHosts: auth.knownHosts } : { type: auth.type } })];
    const ssh = fc.url.startsWith("ssh://");
    if (auth.type === "ssh" && !ssh) problems.push({ path: ["url"], message: "SSH auth needs an ssh:// URL" });
    if (auth.type !== "ssh" && auth.type !== "localSecret" && ssh) problems.push({ path: ["auth", "type"], message: "an ssh:// URL needs auth.type ssh (a key in Key Vault) or localSecret" });
    switch (auth.type) {
        case "https":
            problems.push(...at(["auth", "key", "vaultId"], patternProblem(KEY_VAULT_ID_RULE, auth.key.vaultId)));
            problems.push(...at(["auth", "key", "secretName"], patternProblem(KEY_VAULT_SECRET_NAME_RULE, auth.key.secretName)));
            if (fc.timeoutInSeconds !== undefined && fc.timeoutInSeconds !== FLEET_FIXED.httpsRepositoryTimeoutInSeconds) {
                problems.push({ path: ["timeoutInSeconds"], message: `the HTTPS built-in policy fixes the source timeout at ${FLEET_FIXED.httpsRepositoryTimeoutInSeconds} seconds` });
            }
            break;
        case "ssh":
            problems.push(...at(["auth", "key", "vaultId"], patternProblem(KEY_VAULT_ID_RULE, auth.key.vaultId)));
            problems.push(...at(["auth", "key", "secretName"], patternProblem(KEY_VAULT_SECRET_NAME_RULE, auth.key.secretName)));
            for (const p of knownHostsProblems(auth.knownHosts)) problems.push({ path: ["auth", "knownHosts", p.index], message: p.message });
            if (auth.knownHosts.length === 0) problems.push({ path: ["auth", "knownHosts"], message: `expected the host keys of ${gitHost(fc.url)}` });
            break;
        case "localSecret":
            problems.push(...at(["auth", "secretName"], patternProblem(LOCAL_SECRET_NAME_RULE, auth.secretName)));
            break;
    }
    if (fc.suspend === true) problems.push({ path: ["suspend"], message: "the built-in policies always deploy an active configuration; suspend can't be set" });
    for (const f of ["waitForReconciliation", "reconciliationWaitDuration"] as const) {
        if (fc[f] !== undefined) problems.push({ path: [f], message: "a policy deployment waits for no reconciliation; remove it (compliance shows in Azure Policy)" });
    }
    if (fc.kustomizations.length > 1) {
        problems.push({
            path: ["kustomizations"],
            message: `the built-in policy deploys one kustomization per configuration, got ${fc.kustomizations.length}; give each path a configuration of its own (each its own assignment), or use one stack per cluster`,
        });
    }
    fc.kustomizations.forEach((k, j) => {
        const p = (f: string) => ["kustomizations", j, f];
        if ((k.dependsOn ?? []).length > 0) problems.push({ path: p("dependsOn"), message: "the built-in policy can't express dependsOn; use one stack per cluster for ordered kustomizations" });
        if (k.wait === false) problems.push({ path: p("wait"), message: "the built-in policy can't set wait; it stays at ARM's default, true" });
        if (k.postBuild !== undefined) problems.push({ path: p("postBuild"), message: "the built-in policy can't express postBuild substitutions" });
        const retry = k.retryIntervalInSeconds;
        if ((auth.type === "ssh" || auth.type === "https") && retry !== undefined && retry !== (k.syncIntervalInSeconds ?? FLUX_DEFAULTS.intervalInSeconds)) {
            problems.push({ path: p("retryIntervalInSeconds"), message: `the ${auth.type.toUpperCase()} built-in policy sets the retry interval to the sync interval` });
        }
    });
    return problems;
}

/** Everything the component refuses, by argument. */
export function fleetPolicyProblems(args: FleetPolicyArgs): Problem[] {
    // Every value here lands in an assignment anyone with read access can see: a credential in any of
    // them (a token as the user name, a URL with userinfo, a private key as the CA certificate) is
    // reported by argument path alone, and nothing else is checked.
    const leaks = credentialFindings(args.configurations, ["configurations"]);
    if (leaks.length > 0) return leaks;
    const problems: Problem[] = [...under(["scope"], scopeProblems(args.scope))];
    if (args.location.trim() === "") problems.push({ path: ["location"], message: "expected an Azure region for the assignments' managed identities" });
    for (const t of args.clusterTypes ?? []) problems.push(...at(["clusterTypes"], oneOfProblem(FLEET_CLUSTER_TYPES, t)));
    if (args.clusterTypes !== undefined && args.clusterTypes.length === 0) problems.push({ path: ["clusterTypes"], message: "expected at least one cluster type" });
    if (args.resourceDiscoveryMode !== undefined) problems.push(...at(["resourceDiscoveryMode"], oneOfProblem(RESOURCE_DISCOVERY_MODES, args.resourceDiscoveryMode)));
    if (args.enforcementMode !== undefined) problems.push(...at(["enforcementMode"], oneOfProblem(ENFORCEMENT_MODES, args.enforcementMode)));
    if (args.remediationRound !== undefined && !(Number.isSafeInteger(args.remediationRound) && args.remediationRound >= 1)) {
        problems.push({ path: ["remediationRound"], message: "expected a whole number from 1" });
    }
    problems.push(...under(["extension"], fleetExtensionProblems(args.extension ?? {})));
    if (args.configurations.length === 0) problems.push({ path: ["configurations"], message: "expected at least one Flux configuration" });
    const seen = new Set<string>();
    args.configurations.forEach((fc, i) => {
        if (seen.has(fc.name)) problems.push({ path: ["configurations", i, "name"], message: `duplicate Flux configuration name '${fc.name}'` });
        // Its assignment would take the extension assignment's names (`<name>-extension`, `<name>-flux-extension`).
        if (fc.name === "extension") problems.push({ path: ["configurations", i, "name"], message: "'extension' names the extension's own assignment; choose another configuration name" });
        seen.add(fc.name);
        problems.push(...under(["configurations", i], fleetConfigurationProblems(fc)));
    });
    return problems;
}

/** The extension assignment's parameters: only what the definition declares, nothing in clear that matters. */
export function extensionParameters(ext: FleetExtensionArgs): Record<string, { value: unknown }> {
    const c = { ...FLUX_EXTENSION_DEFAULTS.controllers, ...ext.controllers };
    return {
        helmControllerEnabled: { value: c.helm },
        notificationControllerEnabled: { value: c.notification },
        imageAutomationController: { value: c.imageAutomation },
        imageReflectorController: { value: c.imageReflector },
        releaseTrain: { value: FLEET_FIXED.releaseTrain },
        // The definition sends `version` only with auto-upgrade off, as ARM requires.
        autoUpgradeMinorVersion: { value: ext.version === undefined },
        ...(ext.version === undefined ? {} : { version: { value: ext.version } }),
    };
}

const base64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** A configuration assignment's parameters, for the definition its auth selects. */
export function configurationParametersOf(fc: FleetConfigurationArgs): Record<string, { value: unknown }> {
    const auth = fc.auth ?? { type: "none" };
    const k = fc.kustomizations[0];
    const sync = k.syncIntervalInSeconds ?? FLUX_DEFAULTS.intervalInSeconds;
    const v = (value: unknown) => ({ value });
    const refs = { repositoryRefBranch: fc.branch, repositoryRefTag: fc.tag, repositoryRefSemver: fc.semver, repositoryRefCommit: fc.commit };
    return {
        configurationName: v(fc.name),
        configurationNamespace: v(fc.namespace ?? FLUX_DEFAULTS.namespace),
        configurationScope: v(fc.scope ?? FLUX_DEFAULTS.scope),
        repositoryUrl: v(fc.url),
        // The HTTPS definition has no such parameter (its template sends 600).
        ...(auth.type === "https" ? {} : { repositoryTimeout: v(fc.timeoutInSeconds ?? FLUX_DEFAULTS.timeoutInSeconds) }),
        repositorySyncInterval: v(fc.syncIntervalInSeconds ?? FLUX_DEFAULTS.intervalInSeconds),
        // Unset refs stay out: the definitions default them to "" and send null for an empty one.
        ...Object.fromEntries(Object.entries(refs).filter(([, r]) => r !== undefined).map(([name, r]) => [name, v(r)])),
        ...(auth.type === "ssh"
            ? { keyVaultName: v(auth.key.vaultId), keyVaultSecretName: v(auth.key.secretName), repositorySshKnownHosts: v(base64(auth.knownHosts.join("\n") + "\n")) }
            : {}),
        ...(auth.type === "https"
            ? {
                  repositoryHttpsUser: v(auth.username),
                  keyVaultName: v(auth.key.vaultId),
                  httpsKeyKeyVaultSecretName: v(auth.key.secretName),
                  ...(auth.caCertificate === undefined ? {} : { repositoryHttpsCACert: v(base64(auth.caCertificate)) }),
              }
            : {}),
        ...(auth.type === "localSecret" ? { repositoryLocalAuthRef: v(auth.secretName) } : {}),
        kustomizationName: v(k.name),
        kustomizationPath: v(k.path === undefined || k.path === "" ? "./" : k.path),
        kustomizationTimeout: v(k.timeoutInSeconds ?? FLUX_DEFAULTS.timeoutInSeconds),
        kustomizationSyncInterval: v(sync),
        // SSH and HTTPS take the retry interval from the sync interval; the others declare it.
        ...(auth.type === "ssh" || auth.type === "https" ? {} : { kustomizationRetryInterval: v(k.retryIntervalInSeconds ?? sync) }),
        kustomizationPrune: v(k.prune ?? FLUX_DEFAULTS.prune),
        kustomizationForce: v(k.force ?? FLUX_DEFAULTS.force),
    };
}

/** The subscription of a resource ID (`/subscriptions/<id>/…`). */
function subscriptionOf(resourceId: string): string {
    return resourceId.split("/")[2];
}

/** One assignment with what it needs to act: its identity's grants and, optionally, its remediation. */
export interface FleetAssignment {
    readonly assignment: authorization.PolicyAssignment;
    /** The identity's Contributor grants: at the assignment's scope, and on a Key Vault it reads. */
    readonly roleAssignments: readonly authorization.RoleAssignment[];
    readonly remediation?: pulumi.CustomResource;
}

/**
 * The Flux extension and each configuration assigned by Azure Policy at one scope. Each assignment gets
 * a system-assigned identity, granted what its definition's roleDefinitionIds name (Contributor) at the
 * assignment's scope and, for a key in Key Vault, on the vault: assigning through an API grants nothing
 * by itself, unlike the portal. Remediation tasks then bring the clusters already in scope into line;
 * clusters created or changed later are handled by the policy itself. The configuration assignments and
 * their remediations wait for the extension's, as Microsoft's guidance orders them: a configuration
 * deploys only onto a cluster that has the extension.
 */
export class FleetPolicy extends pulumi.ComponentResource {
    /** The ARM scope string the assignments are made at. */
    public readonly scopeId: pulumi.Output<string>;
    public readonly extension: FleetAssignment;
    /** Keyed by Flux configuration name. */
    public readonly configurations: Readonly<Record<string, FleetAssignment>>;
    /** The explicit provider for a scope that names its subscription; undefined otherwise. */
    public readonly provider?: azure.Provider;

    constructor(name: string, args: FleetPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs("FleetPolicy", name, fleetPolicyProblems(args));
        super("gitops:fleet:FleetPolicy", name, {}, opts);

        const scope = args.scope;
        // Remediation at a subscription or resource group acts on the provider's subscription: a scope
        // naming another subscription gets a provider of its own.
        const subscription = scope.kind === "managementGroup" ? undefined : scope.subscriptionId;
        this.provider = subscription === undefined ? undefined : new azure.Provider(`${name}-subscription`, { subscriptionId: subscription }, { parent: this });
        const childOpts: pulumi.CustomResourceOptions = { parent: this, provider: this.provider };
        const client = subscription === undefined && scope.kind === "resourceGroup" ? authorization.getClientConfigOutput({ parent: this }) : undefined;
        const scopeSubscription = subscription ?? client?.subscriptionId;
        this.scopeId = scopeId(scope, scopeSubscription);
        // Built-in roles exist at every scope; ARM stores a grant's role with the scope's own prefix.
        const contributorAt = (sub: pulumi.Input<string> | undefined) =>
            sub === undefined ? pulumi.output(`/providers/Microsoft.Authorization/roleDefinitions/${FLUX_POLICY_ROLE}`) : roleDefinitionId(sub, FLUX_POLICY_ROLE);

        const limit = assignmentNameLimit(scope);
        const selectors =
            args.clusterTypes === undefined || args.clusterTypes.length === FLEET_CLUSTER_TYPES.length
                ? undefined
                : [{ name: "cluster-types", selectors: [{ kind: "resourceType", in: args.clusterTypes.map((t) => CLUSTER_RESOURCE_TYPES[t]) }] }];
        const remediate = args.remediate ?? FLEET_DEFAULTS.remediate;
        const round = args.remediationRound ?? FLEET_DEFAULTS.remediationRound;

        const assign = (
            resourceName: string,
            armName: string,
            definition: { readonly id: string },
            parameters: Record<string, { value: unknown }>,
            displayName: string,
            vault: KeyVaultSecretRef | undefined,
            after: FleetAssignment | undefined,
        ): FleetAssignment => {
            const assignment = new authorization.PolicyAssignment(
                resourceName,
                {
                    policyAssignmentName: armName,
                    scope: this.scopeId,
                    policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${definition.id}`,
                    displayName,
                    description: `Managed by gitops-platform (${name}); change it in the stack, not here.`,
                    parameters,
                    // DeployIfNotExists needs an identity to deploy with, and an identity needs a location.
                    identity: { type: "SystemAssigned" },
                    location: args.location,
                    enforcementMode: args.enforcementMode ?? FLEET_DEFAULTS.enforcementMode,
                    resourceSelectors: selectors,
                    nonComplianceMessages: [{ message: `${displayName}: not deployed on this cluster, or changed since; a remediation task deploys it.` }],
                },
                { ...childOpts, dependsOn: after ? [after.assignment] : [] },
            );
            const principalId = assignment.identity.apply((i) => i?.principalId ?? "");
            // principalType is stated: azure-native defaults it to User, which ARM refuses for an identity.
            const grant = (suffix: string, grantScope: pulumi.Input<string>, sub: pulumi.Input<string> | undefined) =>
                new authorization.RoleAssignment(
                    `${resourceName}-${suffix}`,
                    { principalId, principalType: "ServicePrincipal", roleDefinitionId: contributorAt(sub), scope: grantScope },
                    childOpts,
                );
            const roleAssignments = [
                grant("contributor", this.scopeId, scope.kind === "managementGroup" ? undefined : scopeSubscription),
                // The deployment reads the key through an ARM Key Vault reference, which needs
                // Microsoft.KeyVault/vaults/deploy/action on the vault: Contributor there, as the portal grants.
                ...(vault ? [grant("key-vault", vault.vaultId, subscriptionOf(vault.vaultId))] : []),
            ];
            const remediation = remediate ? this.remediation(resourceName, `${armName}-r${round}`, assignment, [...roleAssignments, ...(after?.remediation ? [after.remediation] : [])], args, childOpts) : undefined;
            return { assignment, roleAssignments, remediation };
        };

        const ext = args.extension ?? {};
        // ARM names carry the component's name: a PUT to an existing name would take over its assignment.
        this.extension = assign(`${name}-extension`, assignmentName(`${name}-flux-extension`, limit), FLUX_POLICY_DEFINITIONS.extension, extensionParameters(ext), `Flux extension (${name})`, undefined, undefined);
        this.configurations = Object.fromEntries(
            args.configurations.map((fc) => {
                const auth = fc.auth ?? { type: "none" };
                const vault = auth.type === "ssh" || auth.type === "https" ? auth.key : undefined;
                const a = assign(
                    `${name}-${fc.name}`,
                    assignmentName(`${name}-flux-${fc.name}`, limit),
                    FLUX_POLICY_DEFINITIONS[configurationDefinition(auth)],
                    configurationParametersOf(fc),
                    `Flux configuration ${fc.name} (${name})`,
                    vault,
                    this.extension,
                );
                return [fc.name, a];
            }),
        );

        this.registerOutputs({
            scopeId: this.scopeId,
            extension: this.extension.assignment.id,
            configurations: Object.fromEntries(Object.entries(this.configurations).map(([n, a]) => [n, a.assignment.id])),
        });
    }

    /** A remediation task at the assignment's scope; each scope kind has its own resource type. */
    private remediation(
        resourceName: string,
        remediationName: string,
        assignment: authorization.PolicyAssignment,
        after: readonly pulumi.Resource[],
        args: FleetPolicyArgs,
        childOpts: pulumi.CustomResourceOptions,
    ): pulumi.CustomResource {
        const common = {
            remediationName,
            policyAssignmentId: assignment.id,
            resourceDiscoveryMode: args.resourceDiscoveryMode ?? defaultResourceDiscoveryMode(args.scope),
            // Azure remediates 500 resources per task unless told more; a management group can hold more clusters.
            resourceCount: REMEDIATION_RESOURCE_COUNT,
        };
        // The identity must hold its roles before the task's deployments run.
        const opts = { ...childOpts, dependsOn: [...after] };
        const scope = args.scope;
        switch (scope.kind) {
            case "managementGroup":
                return new policyinsights.RemediationAtManagementGroup(
                    `${resourceName}-remediation`,
                    { ...common, managementGroupId: scope.managementGroupId, managementGroupsNamespace: "Microsoft.Management" },
                    opts,
                );
            case "subscription":
                return new policyinsights.RemediationAtSubscription(`${resourceName}-remediation`, common, opts);
            case "resourceGroup":
                return new policyinsights.RemediationAtResourceGroup(`${resourceName}-remediation`, { ...common, resourceGroupName: scope.resourceGroupName }, opts);
        }
    }
}
