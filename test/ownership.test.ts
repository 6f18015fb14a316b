// Across all shipped stacks, each cloud or cluster object is managed by exactly one stack. Every stack
// file is validated and composed in this one process (createPlatform, the function the entry point
// calls), and each resource is reduced to the identity of the object it manages in Azure, Entra ID or
// a cluster.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../infra/config.ts";
import { createPlatform } from "../infra/platform.ts";
import { DEV_OUTPUTS, installMocks, parentOf, parseShippedStack, providerOf, settle, shippedStacks, type Recorder, type Registration } from "./support.ts";

const rec = installMocks({
    severalStacks: true,
    state: ({ type }) => (type === "pulumi:pulumi:StackReference" ? { outputs: DEV_OUTPUTS, secretOutputNames: [] } : undefined),
});

/** Which cluster a Kubernetes resource lands on: its provider's parent, the Cluster component. */
function clusterOf(rec: Recorder, r: Registration): string {
    const provider = providerOf(rec, r);
    const cluster = provider && parentOf(rec, provider);
    assert.ok(cluster, `${r.type}::${r.name} has no cluster provider`);
    return cluster.name;
}

/** The identity of the real object a registration manages, or undefined for logical-only resources. */
function identity(rec: Recorder, r: Registration): string | undefined {
    const i = r.inputs;
    switch (r.type) {
        case "azure-native:resources:ResourceGroup":
            return `resourceGroup/${i.resourceGroupName}`;
        case "azure-native:containerservice:ManagedCluster":
            return `aks/${i.resourceGroupName}/${i.resourceName}`;
        case "azure-native:containerregistry:Registry":
            return `acr/${i.registryName}`;
        case "azure-native:kubernetesconfiguration:Extension":
            return `extension/${i.resourceGroupName}/${i.clusterName}/${i.extensionName}`;
        case "azure-native:kubernetesconfiguration:FluxConfiguration":
            return `fluxConfiguration/${i.resourceGroupName}/${i.clusterName}/${i.fluxConfigurationName}`;
        case "azure-native:authorization:RoleAssignment":
            return `roleAssignment/${i.scope}/${i.principalId}/${i.roleDefinitionId}`;
        case "azure-native:authorization:PolicyAssignment":
            return `policyAssignment/${i.scope}/${i.policyAssignmentName}`;
        case "azure-native:policyinsights:RemediationAtResourceGroup":
            return `remediation/${i.resourceGroupName}/${i.remediationName}`;
        case "azuread:index/application:Application":
            return `entraApp/${i.displayName}`;
        case "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential":
            return `federatedCredential/${i.subject}`;
        case "github:index/actionsSecret:ActionsSecret":
            return `githubSecret/${i.repository}/${i.secretName}`;
        case "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret":
            return `githubSecret/${i.repository}/${i.environment}/${i.secretName}`;
        case "github:index/repositoryEnvironment:RepositoryEnvironment":
            return `githubEnvironment/${i.repository}/${i.environment}`;
        case "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy":
            return `githubEnvironmentPolicy/${i.repository}/${i.environment}/${i.branchPattern}`;
        case "github:index/repositoryDeployKey:RepositoryDeployKey":
            return `githubDeployKey/${i.repository}/${i.title}`;
        case "github:index/repositoryFile:RepositoryFile":
            return `githubFile/${i.repository}/${i.branch}/${i.file}`;
        case "azure-native:keyvault:Vault":
            return `keyVault/${i.vaultName}`;
        case "azure-native:keyvault:Secret":
            return `keyVaultSecret/${i.vaultName}/${i.secretName}`;
        case "azure-native:managedidentity:UserAssignedIdentity":
            return `identity/${i.resourceGroupName}/${i.resourceName}`;
        case "azure-native:managedidentity:FederatedIdentityCredential":
            return `identityFederatedCredential/${i.resourceGroupName}/${i.resourceName}/${i.federatedIdentityCredentialResourceName}`;
        case "github:index/actionsRepositoryPermissions:ActionsRepositoryPermissions":
        case "github:index/workflowRepositoryPermissions:WorkflowRepositoryPermissions":
            return `${r.type.split(":").pop()}/${i.repository}`;
        case "kubernetes:helm.sh/v3:Release":
            return `helm/${clusterOf(rec, r)}/${i.namespace}/${i.name}`;
        default:
            if (r.type.startsWith("kubernetes:") && i.metadata) {
                const kind = r.type.split(":").pop()!.replace(/Patch$/, "");
                return `k8s/${clusterOf(rec, r)}/${i.metadata.namespace ?? ""}/${kind}/${i.metadata.name}`;
            }
            return undefined;
    }
}

test("every cloud and cluster object across the shipped stacks belongs to exactly one stack", async () => {
    const owners = new Map<string, string[]>();
    const stacks = shippedStacks();
    assert.deepEqual(stacks, ["dev", "edge", "fleet", "private", "prod", "stage"]);
    for (const stack of stacks) {
        const config: StackConfig = parseShippedStack(stack);
        const before = rec.registrations.length;
        createPlatform(config, (k) => pulumi.secret(`secret-${k}`));
        await settle();
        for (const r of rec.registrations.slice(before)) {
            const id = identity(rec, r);
            if (id !== undefined) owners.set(id, [...(owners.get(id) ?? []), stack]);
        }
    }
    const shared = [...owners].filter(([, s]) => s.length > 1).map(([id, s]) => `${id} <- ${s.join(", ")}`);
    assert.deepEqual(shared, []);
    // The tutorial's objects exist once, in dev; stage manages none of them.
    assert.deepEqual(owners.get("aks/arc-cicd-demo/arc-cicd-cluster"), ["dev"]);
    assert.deepEqual(owners.get("acr/arccicddemoacr"), ["dev"]);
    assert.deepEqual(owners.get("fluxConfiguration/arc-cicd-demo/arc-cicd-cluster/cluster-config"), ["dev"]);
    assert.deepEqual(owners.get("helm/arc-cicd-cluster/gitops-connector/gitops-connector"), ["dev"]);
    // Stage manages only its own GitHub environment.
    assert.deepEqual(
        [...owners].filter(([, s]) => s.includes("stage")).map(([id]) => id).sort(),
        [
            "githubEnvironment/arc-cicd-demo-src/az-vote-app-stage",
            "githubEnvironmentPolicy/arc-cicd-demo-src/az-vote-app-stage/master",
            "githubSecret/arc-cicd-demo-src/az-vote-app-stage/ENVIRONMENT_NAME",
            "githubSecret/arc-cicd-demo-src/az-vote-app-stage/TARGET_NAMESPACE",
        ],
    );
    // Repository-level secrets are managed by exactly one stack per app repo: dev for the tutorial's, private for its own.
    const repoSecrets = (repo: string) => [...owners].filter(([id]) => id.startsWith(`githubSecret/${repo}/`) && /^githubSecret\/[^/]+\/[A-Z_]+$/.test(id));
    assert.equal(repoSecrets("arc-cicd-demo-src").length, 12);
    for (const [id, s] of repoSecrets("arc-cicd-demo-src")) assert.deepEqual(s, ["dev"], id);
    assert.ok(repoSecrets("arc-cicd-private-src").length > 0);
    for (const [id, s] of repoSecrets("arc-cicd-private-src")) assert.deepEqual(s, ["private"], id);
    // The private stack's platform folder, vault and secrets are its own.
    const platform = [...owners].filter(([id]) => /^(githubFile\/[^/]+\/private|keyVault|keyVaultSecret)\//.test(id));
    assert.ok(platform.length >= 22, `platform objects: ${platform.length}`);
    for (const [id, s] of platform) assert.deepEqual(s, ["private"], id);
    assert.ok(owners.size > 20, `identities checked: ${owners.size}`);
});

test("a registry other stacks pull from must be protected in the stack that creates it", async () => {
    const { cpSync, mkdtempSync, readFileSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const YAML = (await import("yaml")).default;
    const { crossStackProblems } = await import("../infra/github-layout.ts");
    const { loadStacks } = await import("../infra/stack-files.ts");
    const stacks = path.join(__dirname, "..", "stacks");
    assert.deepEqual(crossStackProblems(loadStacks(stacks)), [], "the shipped stacks protect dev's registry");
    const dir = mkdtempSync(path.join(tmpdir(), "stacks-protect-"));
    cpSync(stacks, dir, { recursive: true });
    const file = path.join(dir, "Pulumi.dev.yaml");
    const doc = YAML.parse(readFileSync(file, "utf8"));
    delete doc.config["gitops-platform:registry"].protect;
    writeFileSync(file, YAML.stringify(doc));
    assert.deepEqual(crossStackProblems(loadStacks(dir)), ["stack dev: registry.protect must be true: stacks edge, private, prod pull from its registry arccicddemoacr"]);
});
