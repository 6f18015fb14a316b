// The identity Flux's source-controller runs as when a configuration uses workload identity: a
// user-assigned managed identity, federated with the cluster's OIDC issuer for the source-controller's
// service account, and AcrPull on the registries its OCI sources name.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { BuiltInRoles, roleDefinitionId } from "./azure.ts";
import { EXTENSION_NAMESPACE } from "./flux-args.ts";
import type { FluxWorkloadIdentity } from "./flux-args.ts";

/** The Kubernetes service account the extension annotates with the identity's client ID. */
export const FLUX_SOURCE_CONTROLLER_SUBJECT = `system:serviceaccount:${EXTENSION_NAMESPACE}:source-controller`;
/** The audience Entra ID's workload identity federation expects. */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
/** The federated credential's name on the identity. */
export const FLUX_FEDERATED_CREDENTIAL_NAME = "flux-source-controller";

export interface FluxIdentityArgs {
    /** The managed identity's Azure name, e.g. `<cluster>-flux`. */
    readonly identityName: string;
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL (Cluster.oidcIssuerUrl); the cluster must have workload identity on. */
    readonly issuerUrl: pulumi.Input<string>;
    /**
     * Registries to grant AcrPull on, by a name for the assignment (the registry's): their resource IDs.
     * Default none. Azure DevOps repositories take no Azure role: add the identity to the organization
     * and project instead.
     */
    readonly acrPull?: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * Identity, then its federated credential, then the role assignments, all outside the cluster (none goes
 * with it: the identity is an Azure resource of the stack). `workloadIdentity` is what Flux takes.
 */
export class FluxIdentity extends pulumi.ComponentResource {
    public readonly identity: managedidentity.UserAssignedIdentity;
    public readonly federatedCredential: managedidentity.FederatedIdentityCredential;
    /** Keyed as FluxIdentityArgs.acrPull. */
    public readonly acrPull: Readonly<Record<string, authorization.RoleAssignment>>;
    public readonly clientId: pulumi.Output<string>;
    public readonly tenantId: pulumi.Output<string>;
    public readonly principalId: pulumi.Output<string>;
    /** For Flux: the client and tenant IDs, and the federated credential and role assignments to wait for. */
    public readonly workloadIdentity: FluxWorkloadIdentity;

    constructor(name: string, args: FluxIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:flux:FluxIdentity", name, {}, opts);
        this.identity = new managedidentity.UserAssignedIdentity(
            `${name}-identity`,
            { resourceName: args.identityName, resourceGroupName: args.resourceGroupName, location: args.location },
            { parent: this },
        );
        this.federatedCredential = new managedidentity.FederatedIdentityCredential(
            `${name}-federated`,
            {
                resourceGroupName: args.resourceGroupName,
                // By name; dependsOn below orders it after the identity.
                resourceName: args.identityName,
                federatedIdentityCredentialResourceName: FLUX_FEDERATED_CREDENTIAL_NAME,
                issuer: args.issuerUrl,
                subject: FLUX_SOURCE_CONTROLLER_SUBJECT,
                audiences: [AZURE_TOKEN_EXCHANGE_AUDIENCE],
            },
            { parent: this, dependsOn: [this.identity] },
        );
        const grants: Record<string, authorization.RoleAssignment> = {};
        const scopes = Object.entries(args.acrPull ?? {});
        if (scopes.length > 0) {
            const client = authorization.getClientConfigOutput({ parent: this });
            const acrPull = roleDefinitionId(client.subscriptionId, BuiltInRoles.AcrPull);
            for (const [registry, scope] of scopes) {
                grants[registry] = new authorization.RoleAssignment(
                    `${name}-acrpull-${registry}`,
                    {
                        principalId: this.identity.principalId,
                        // Stated, so ARM skips the directory lookup that fails for an identity created
                        // seconds earlier (principal replication delay).
                        principalType: "ServicePrincipal",
                        roleDefinitionId: acrPull,
                        scope,
                    },
                    // After the federated credential: the order the configuration relies on.
                    { parent: this, dependsOn: [this.federatedCredential] },
                );
            }
        }
        this.acrPull = grants;
        this.clientId = this.identity.clientId;
        this.tenantId = this.identity.tenantId;
        this.principalId = this.identity.principalId;
        this.workloadIdentity = { clientId: this.clientId, tenantId: this.tenantId, dependsOn: [this.federatedCredential, ...Object.values(grants)] };
        this.registerOutputs({
            identity: this.identity,
            federatedCredential: this.federatedCredential,
            acrPull: this.acrPull,
            clientId: this.clientId,
            tenantId: this.tenantId,
            principalId: this.principalId,
        });
    }
}
