// The resource types the plan's readers single out (the makespan estimate, the destroy order, the diff),
// by their Pulumi type tokens; no imports, so the estimate loads none of the program.
export const TYPES = {
    resourceGroup: "azure-native:resources:ResourceGroup",
    managedCluster: "azure-native:containerservice:ManagedCluster",
    extension: "azure-native:kubernetesconfiguration:Extension",
    fluxConfiguration: "azure-native:kubernetesconfiguration:FluxConfiguration",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    repositoryEnvironment: "github:index/repositoryEnvironment:RepositoryEnvironment",
    policyAssignment: "azure-native:authorization:PolicyAssignment",
    stackReference: "pulumi:pulumi:StackReference",
} as const;

