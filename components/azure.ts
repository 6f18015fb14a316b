// Built-in Azure role definitions the components assign, by their fixed GUIDs.
import * as pulumi from "@pulumi/pulumi";

export const BuiltInRoles = {
    /** What `az aks update --attach-acr` grants the kubelet identity. */
    AcrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    /** Full Kubernetes access on an Azure-RBAC cluster, for the identity running `pulumi up`. */
    AksRbacClusterAdmin: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
} as const;

/** The subscription-scoped resource ID ARM expects in a role assignment's roleDefinitionId. */
export function roleDefinitionId(subscriptionId: pulumi.Input<string>, roleGuid: string): pulumi.Output<string> {
    return pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}
