// createPlatform, the composition the entry point calls, for configurations the shipped stacks don't
// use: an adopted AKS cluster in another resource group, an Arc cluster in another resource group, an
// Azure DevOps connector; and the secret reader the entry point hands it.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { secretReader, type OwnerStackConfig } from "../infra/config.ts";
import { createPlatform } from "../infra/platform.ts";
import { assertWellFormedTree, installMocks, isSecretValue, one, parseStack as config, settle, SUB, valueOf } from "./support.ts";

const rec = installMocks({ severalStacks: true, config: { "gitops-platform:connectorPat": "CANARY-pat-0f0f" }, secretKeys: ["gitops-platform:connectorPat"] });

const readSecret = (k: string) => pulumi.secret(`secret-${k}`);
/** A stack that owns its cluster, as these configs all are. */
const owner = (stack: string, values: Record<string, unknown>) => {
    const c = config(stack, values);
    assert.equal(c.kind, "owner");
    return c as OwnerStackConfig;
};
const flux = (url: string) => ({
    configurations: [{ name: "platform", url, branch: "main", kustomizations: [{ name: "apps", path: "apps" }] }],
});

const adopted = createPlatform(
    owner("adopted", {
        azure: { location: "westeurope", resourceGroup: "rg-platform" },
        cluster: { mode: "aksExisting", name: "legacy-aks", resourceGroup: "rg-legacy", appNamespaces: ["team-a"] },
        registry: { mode: "existing", name: "legacyacr", resourceGroup: "rg-acr" },
        flux: flux("https://dev.azure.com/contoso/platform/_git/gitops"),
        connector: { mode: "AZDO", azdo: { prRepo: "app-src" } },
    }),
    readSecret,
);
const arc = createPlatform(
    owner("arc", {
        azure: { location: "westeurope", resourceGroup: "rg-platform" },
        cluster: { mode: "arc", name: "store-42", resourceGroup: "rg-stores", appNamespaces: ["pos"] },
        registry: { mode: "existing", name: "legacyacr", resourceGroup: "rg-acr" },
        flux: flux("https://github.com/contoso/store-gitops"),
        connector: { enabled: false },
    }),
    readSecret,
);
const ready = settle();

test("an adopted AKS cluster is looked up in its own resource group, and the extension targets it there", async () => {
    await ready;
    const lookups = rec.invocations.filter((i) => i.token === "azure-native:containerservice:getManagedCluster");
    assert.deepEqual(lookups.map((i) => i.inputs), [{ resourceGroupName: "rg-legacy", resourceName: "legacy-aks" }]);
    const ext = one(rec, "azure-native:kubernetesconfiguration:Extension", "legacy-aks-flux-extension").inputs;
    assert.equal(ext.resourceGroupName, "rg-legacy");
    assert.equal(ext.clusterRp, "Microsoft.ContainerService");
    assert.equal(await valueOf(adopted.clusterResourceGroup), "rg-legacy");
    assert.equal(one(rec, "azure-native:authorization:RoleAssignment", "legacyacr-acrpull").inputs.principalId, "33333333-3333-3333-3333-33333333ku6e");
});

test("an Azure DevOps connector gets the azdo* values derived from the Azure Repos URL, prRepo included", async () => {
    await ready;
    const values = one(rec, "kubernetes:helm.sh/v3:Release", "legacy-aks-connector-release").inputs.values;
    assert.deepEqual(values, {
        gitRepositoryType: "AZDO",
        ciCdOrchestratorType: "AZDO",
        gitOpsOperatorType: "FLUX",
        azdoGitOpsRepoName: "gitops",
        azdoOrgUrl: "https://dev.azure.com/contoso/platform",
        azdoPrRepoName: "app-src",
        gitOpsAppURL: "https://dev.azure.com/contoso/platform/_git/gitops",
        orchestratorPAT: "",
    });
});

test("an Arc cluster in its own resource group, with the connector turned off", async () => {
    await ready;
    const lookups = rec.invocations.filter((i) => i.token === "azure-native:kubernetes:getConnectedCluster");
    assert.deepEqual(lookups.map((i) => i.inputs), [{ resourceGroupName: "rg-stores", clusterName: "store-42" }]);
    assert.equal(one(rec, "azure-native:kubernetesconfiguration:FluxConfiguration", "store-42-flux-platform").inputs.resourceGroupName, "rg-stores");
    assert.equal(rec.registrations.filter((r) => r.name.startsWith("store-42-connector") || r.name.startsWith("store-42-notifications")).length, 0);
    assert.equal(await valueOf(arc.connectorAddress), undefined);
    assert.equal(await valueOf(arc.clusterId), `/subscriptions/${SUB}/resourceGroups/rg-stores/providers/Microsoft.Kubernetes/connectedClusters/store-42`);
    assert.equal(one(rec, "kubernetes:core/v1:Secret", "legacyacr-pull-pos").inputs.metadata.namespace, "pos");
});

test("the entry point's secret reader returns config secrets as secrets", async () => {
    const value = secretReader()("connectorPat");
    assert.ok(await pulumi.isSecret(value));
    assert.equal(await valueOf(value), "CANARY-pat-0f0f");
});

test("the trees are well formed", async () => {
    await ready;
    assertWellFormedTree(rec, (r) => r.type.startsWith("gitops:"));
    assert.ok(isSecretValue(one(rec, "kubernetes:core/v1:Secret", "legacy-aks-connector-pat").inputs.stringData));
});
