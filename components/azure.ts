// Built-in Azure role definitions the components assign, by their fixed GUIDs.
import * as pulumi from "@pulumi/pulumi";

export const BuiltInRoles = {
    /** What `az aks update --attach-acr` grants the kubelet identity. */
    AcrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    /** Full Kubernetes access on an Azure-RBAC cluster, for the identity running `pulumi up`. */
    AksRbacClusterAdmin: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    /** Push and pull images (and read repository metadata). */
    AcrPush: "8311e382-0749-4cb8-b61a-304f252e45ec",
    /** Queue ACR Tasks runs, which `az acr build` does (scheduleRun/action); grants no push or pull. */
    ContainerRegistryTasksContributor: "fb382eab-e894-4461-af04-94435c366c3f",
    /** listClusterUserCredential, which `az aks get-credentials` calls. */
    AksClusterUser: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
} as const;

/** The subscription-scoped resource ID ARM expects in a role assignment's roleDefinitionId. */
export function roleDefinitionId(subscriptionId: pulumi.Input<string>, roleGuid: string): pulumi.Output<string> {
    return pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}
