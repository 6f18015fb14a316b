// The Azure Container Registry the app images live in, and the cluster's access to it: AcrPull for the
// AKS kubelet identity (what `az aks update --attach-acr` does), or, on clusters without a kubelet
// identity (Arc), a pull-only credential written as an image pull secret into each app namespace.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as azuread from "@pulumi/azuread";
import * as k8s from "@pulumi/kubernetes";
import { BuiltInRoles, roleDefinitionId } from "./azure.ts";

/** Name of the image pull secret written into each app namespace on non-AKS clusters. */
export const PULL_SECRET_NAME = "acr-pull";

export type RegistryAttach =
    | {
          /** Grant AcrPull to the AKS kubelet identity. */
          readonly kind: "kubelet";
          readonly kubeletObjectId: pulumi.Input<string>;
      }
    | {
          /** Create a pull-only service principal and an image pull secret in each namespace. */
          readonly kind: "pullSecret";
          readonly namespaces: readonly string[];
          readonly provider: k8s.Provider;
          /** How long the pull credential's password lives, e.g. `8760h`. */
          readonly credentialLifetime: string;
          /** What must exist before the secrets (e.g. the Flux configuration that creates the namespaces). */
          readonly namespacesReady?: pulumi.Input<pulumi.Resource>[];
      };

export interface RegistryArgs {
    /** `create` a registry, or reference an `existing` one. */
    readonly mode: "create" | "existing";
    /** Registry name: 5-50 letters or digits, globally unique. */
    readonly registryName: string;
    readonly resourceGroupName: pulumi.Input<string>;
    /** Required with mode `create`. */
    readonly location?: pulumi.Input<string>;
    /** Default `Standard`. */
    readonly sku?: "Basic" | "Standard" | "Premium";
    /** Pulumi `protect` on a created registry; set it when other stacks pull from it. Default false. */
    readonly protect?: boolean;
    readonly attach: RegistryAttach;
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
    /** Image pull secrets by namespace; empty when attaching to a kubelet identity. */
    public readonly pullSecrets: Readonly<Record<string, k8s.core.v1.Secret>>;

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before super(): invalid arguments must not register even the component.
        if (!/^[a-zA-Z0-9]{5,50}$/.test(args.registryName)) {
            throw new Error(`Registry ${name}: registryName '${args.registryName}' must be 5-50 letters or digits`);
        }
        if (args.mode === "create" && args.location === undefined) {
            throw new Error(`Registry ${name}: location is required to create a registry`);
        }
        super("gitops:registry:Registry", name, {}, opts);

        if (args.mode === "create") {
            const registry = new containerregistry.Registry(
                `${name}-acr`,
                {
                    registryName: args.registryName,
                    resourceGroupName: args.resourceGroupName,
                    location: args.location,
                    sku: { name: args.sku ?? "Standard" },
                    // Pulls go through Entra ID identities; the shared admin password is never needed.
                    adminUserEnabled: false,
                },
                { parent: this, protect: args.protect ?? false },
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
        } else {
            const app = new azuread.Application(`${name}-pull`, { displayName: pulumi.interpolate`${this.registryName}-pull` }, { parent: this });
            const sp = new azuread.ServicePrincipal(`${name}-pull`, { clientId: app.clientId }, { parent: this });
            const password = new azuread.ServicePrincipalPassword(
                `${name}-pull`,
                { servicePrincipalId: sp.id, endDateRelative: attach.credentialLifetime },
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
            for (const ns of attach.namespaces) {
                const secret = new k8s.core.v1.Secret(
                    `${name}-pull-${ns}`,
                    {
                        metadata: { name: PULL_SECRET_NAME, namespace: ns },
                        type: "kubernetes.io/dockerconfigjson",
                        stringData: { ".dockerconfigjson": payload },
                    },
                    { parent: this, provider: attach.provider, dependsOn: [this.acrPull, ...(attach.namespacesReady ?? [])] },
                );
                // Pods in the namespace then pull with the secret without naming it in every spec.
                new k8s.core.v1.ServiceAccountPatch(
                    `${name}-default-sa-${ns}`,
                    { metadata: { name: "default", namespace: ns }, imagePullSecrets: [{ name: PULL_SECRET_NAME }] },
                    { parent: this, provider: attach.provider, dependsOn: [secret] },
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
