// The Azure Container Registry the app images live in, and the cluster's access to it: AcrPull for the
// AKS kubelet identity (what `az aks update --attach-acr` does), or, on clusters without a kubelet
// identity (Arc), a pull-only credential written as an image pull secret into each app namespace.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as azuread from "@pulumi/azuread";
import * as k8s from "@pulumi/kubernetes";
import { BuiltInRoles, roleDefinitionId } from "./azure.ts";
import { forwardedDependsOn, kubernetesProviderProblems, withoutDependsOn } from "./options.ts";
import { at, hoursRule, oneOfProblem, patternProblem, refuseInvalidArgs, type PatternRule, type Problem } from "./problems.ts";

/** Name of the image pull secret written into each app namespace on non-AKS clusters. */
export const PULL_SECRET_NAME = "acr-pull";

export const REGISTRY_MODES = ["create", "existing"] as const;
export const REGISTRY_SKUS = ["Basic", "Standard", "Premium"] as const;
export type RegistrySku = (typeof REGISTRY_SKUS)[number];

/** Defaults the component applies, shared with the stack config schema. */
export const REGISTRY_DEFAULTS = {
    sku: "Standard",
    /** The pull credential's lifetime on clusters without a kubelet identity: a year. */
    pullCredentialLifetime: "8760h",
    protect: false,
} as const satisfies { sku: RegistrySku; pullCredentialLifetime: string; protect: boolean };

/** ACR names: 5-50 letters or digits, globally unique; unlike most Azure names, no '-'. */
export const REGISTRY_NAME_RULE: PatternRule = { pattern: /^[a-zA-Z0-9]{5,50}$/, message: "expected 5-50 letters or digits (ACR names allow no '-')" };
/** The pull credential's lifetime, in hours (azuread `endDateRelative`). */
export const PULL_CREDENTIAL_LIFETIME_RULE = hoursRule(REGISTRY_DEFAULTS.pullCredentialLifetime);

export function registryNameProblem(name: string): string | undefined {
    return patternProblem(REGISTRY_NAME_RULE, name);
}

export function pullCredentialLifetimeProblem(lifetime: string): string | undefined {
    return patternProblem(PULL_CREDENTIAL_LIFETIME_RULE, lifetime);
}

export type RegistryAttach =
    | {
          /** Grant AcrPull to the AKS kubelet identity. */
          readonly kind: "kubelet";
          readonly kubeletObjectId: pulumi.Input<string>;
      }
    | {
          /**
           * Create a pull-only service principal and an image pull secret in each namespace, through the
           * Kubernetes provider given in the component's options (`providers` or `provider`). What the
           * secrets must wait for (e.g. the Flux configuration that creates the namespaces) goes in the
           * options' `dependsOn`, which holds back only the in-cluster children; likewise the options'
           * `deletedWith` (e.g. Cluster.deletedWith) goes only to them, never to the registry, its grants
           * or the pull credential, which outlive a cluster.
           */
          readonly kind: "pullSecret";
          readonly namespaces: readonly string[];
          /** How long the pull credential's password lives. Default `8760h`. */
          readonly credentialLifetime?: string;
      }
    | {
          /**
           * Create the pull-only service principal and expose its `.dockerconfigjson` (dockerConfigJson),
           * writing nothing into a cluster: for a pull-only cluster, whose pull secrets come from Key Vault.
           */
          readonly kind: "pullCredential";
          /** How long the pull credential's password lives. Default `8760h`. */
          readonly credentialLifetime?: string;
      };

interface RegistryCommonArgs {
    /** Registry name: 5-50 letters or digits, globally unique. */
    readonly registryName: string;
    readonly resourceGroupName: pulumi.Input<string>;
    readonly attach: RegistryAttach;
}

export type RegistryArgs =
    | (RegistryCommonArgs & {
          /** Create a registry. */
          readonly mode: "create";
          readonly location: pulumi.Input<string>;
          /** Default `Standard`. */
          readonly sku?: RegistrySku;
          /** Pulumi `protect` on the registry; set it when other stacks pull from it. Default false. */
          readonly protect?: boolean;
      })
    | (RegistryCommonArgs & {
          /** Reference a registry that exists (read, never modified). */
          readonly mode: "existing";
      });

/** What Azure would refuse in the registry's arguments, by argument. */
export function registryProblems(args: RegistryArgs): Problem[] {
    const problems = at(["registryName"], registryNameProblem(args.registryName));
    // Checked at run time too: JavaScript callers get no types.
    problems.push(...at(["mode"], oneOfProblem(REGISTRY_MODES, args.mode)));
    if (args.mode === "create") {
        if (args.location === undefined) problems.push({ path: ["location"], message: "location is required to create a registry" });
        if (args.sku !== undefined) problems.push(...at(["sku"], oneOfProblem(REGISTRY_SKUS, args.sku)));
    }
    if (args.attach.kind !== "kubelet" && args.attach.credentialLifetime !== undefined) {
        problems.push(...at(["attach", "credentialLifetime"], pullCredentialLifetimeProblem(args.attach.credentialLifetime)));
    }
    return problems;
}

/** The `.dockerconfigjson` payload of a docker-registry secret, as `kubectl create secret docker-registry` writes it. */
export function dockerConfigJson(server: string, username: string, password: string): string {
    const auth = Buffer.from(`${username}:${password}`, "utf8").toString("base64");
    return JSON.stringify({ auths: { [server]: { username, password, auth } } });
}

export class Registry extends pulumi.ComponentResource {
    public readonly registryName: pulumi.Output<string>;
    public readonly loginServer: pulumi.Output<string>;
    public readonly registryId: pulumi.Output<string>;
    public readonly registry: containerregistry.Registry | undefined;
    /** The AcrPull assignment (to the kubelet identity, or to the pull credential). */
    public readonly acrPull: authorization.RoleAssignment;
    /** The pull-only service principal's client ID; undefined when attaching to a kubelet identity. */
    public readonly pullClientId: pulumi.Output<string> | undefined;
    /** Image pull secrets by namespace; empty unless attaching with pull secrets. */
    public readonly pullSecrets: Readonly<Record<string, k8s.core.v1.Secret>>;
    /** The pull credential as a `.dockerconfigjson` payload, a secret; undefined when attaching to a kubelet identity. */
    public readonly dockerConfigJson: pulumi.Output<string> | undefined;

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs("Registry", name, [...registryProblems(args), ...(args.attach.kind === "pullSecret" ? kubernetesProviderProblems(opts) : [])]);
        // The caller's dependsOn holds back what goes into the cluster (the pull secrets wait for the
        // namespaces Flux creates), not the registry and its grants: those start at once, beside Flux.
        // Nor does its deletedWith (a cluster's): a registry outlives the cluster it serves, so the
        // component isn't registered with it either.
        const own = withoutDependsOn(opts);
        super("gitops:registry:Registry", name, {}, own && { ...own, deletedWith: undefined });
        const inCluster = (...more: pulumi.Resource[]) => forwardedDependsOn(opts, ...more);

        if (args.mode === "create") {
            const registry = new containerregistry.Registry(
                `${name}-acr`,
                {
                    registryName: args.registryName,
                    resourceGroupName: args.resourceGroupName,
                    location: args.location,
                    sku: { name: args.sku ?? REGISTRY_DEFAULTS.sku },
                    // Pulls go through Entra ID identities; the shared admin password is never needed.
                    adminUserEnabled: false,
                },
                { parent: this, protect: args.protect ?? REGISTRY_DEFAULTS.protect },
            );
            this.registry = registry;
            this.registryName = registry.name;
            this.loginServer = registry.loginServer;
            this.registryId = registry.id;
        } else {
            const existing = containerregistry.getRegistryOutput(
                { registryName: args.registryName, resourceGroupName: args.resourceGroupName },
                { parent: this },
            );
            this.registry = undefined;
            this.registryName = existing.name;
            this.loginServer = existing.loginServer;
            this.registryId = existing.id;
        }

        const client = authorization.getClientConfigOutput({ parent: this });
        const acrPull = roleDefinitionId(client.subscriptionId, BuiltInRoles.AcrPull);
        const attach = args.attach;
        const pullSecrets: Record<string, k8s.core.v1.Secret> = {};

        if (attach.kind === "kubelet") {
            this.acrPull = new authorization.RoleAssignment(
                `${name}-acrpull`,
                {
                    principalId: attach.kubeletObjectId,
                    // Stating the type skips ARM's directory lookup, which fails for identities created
                    // seconds earlier (principal replication delay).
                    principalType: "ServicePrincipal",
                    roleDefinitionId: acrPull,
                    scope: this.registryId,
                },
                { parent: this },
            );
            this.pullClientId = undefined;
            this.dockerConfigJson = undefined;
        } else {
            const app = new azuread.Application(`${name}-pull`, { displayName: pulumi.interpolate`${this.registryName}-pull` }, { parent: this });
            const sp = new azuread.ServicePrincipal(`${name}-pull`, { clientId: app.clientId }, { parent: this });
            const password = new azuread.ServicePrincipalPassword(
                `${name}-pull`,
                { servicePrincipalId: sp.id, endDateRelative: attach.credentialLifetime ?? REGISTRY_DEFAULTS.pullCredentialLifetime },
                { parent: this },
            );
            this.acrPull = new authorization.RoleAssignment(
                `${name}-pull-acrpull`,
                { principalId: sp.objectId, principalType: "ServicePrincipal", roleDefinitionId: acrPull, scope: this.registryId },
                { parent: this },
            );
            this.pullClientId = app.clientId;
            const payload = pulumi.secret(
                pulumi.all([this.loginServer, app.clientId, password.value]).apply(([server, user, pass]) => dockerConfigJson(server, user, pass)),
            );
            this.dockerConfigJson = payload;
            for (const ns of attach.kind === "pullSecret" ? attach.namespaces : []) {
                const secret = new k8s.core.v1.Secret(
                    `${name}-pull-${ns}`,
                    {
                        metadata: { name: PULL_SECRET_NAME, namespace: ns },
                        type: "kubernetes.io/dockerconfigjson",
                        stringData: { ".dockerconfigjson": payload },
                    },
                    { parent: this, dependsOn: inCluster(this.acrPull), deletedWith: opts?.deletedWith },
                );
                // Pods in the namespace then pull with the secret without naming it in every spec.
                new k8s.core.v1.ServiceAccountPatch(
                    `${name}-default-sa-${ns}`,
                    { metadata: { name: "default", namespace: ns }, imagePullSecrets: [{ name: PULL_SECRET_NAME }] },
                    // The secret waits for the caller's dependsOn already.
                    { parent: this, dependsOn: [secret], deletedWith: opts?.deletedWith },
                );
                pullSecrets[ns] = secret;
            }
        }
        this.pullSecrets = pullSecrets;

        this.registerOutputs({
            registryName: this.registryName,
            loginServer: this.loginServer,
            registryId: this.registryId,
            pullClientId: this.pullClientId,
        });
    }
}
