// Monitoring and the Key Vault Secrets Provider, opt-in per stack: the AKS add-ons and their data
// collection, the Arc extensions after Flux's, the Log Analytics workspace created or existing, and the
// stack config's refusals. What a mock run can't prove: that the agents find the data collection rules
// and that data arrives; the inputs below follow Microsoft's onboarding templates and the az CLI (sources
// in components/monitoring.ts and components/cluster-extensions.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ArcClusterExtensions, dataCollectionName, prometheusWorkspaceName } from "../components/cluster-extensions.ts";
import { Cluster } from "../components/cluster.ts";
import type { OwnerStackConfig } from "../infra/config.ts";
import { createPlatform } from "../infra/platform.ts";
import {
    assertWellFormedTree, byUrn, dependsOn, find, installMocks, isSecretValue, isTopLevel, minimalStack, one, parentOf, parseTestStack, settle, SUB, testStackProblems,
    type Registration,
} from "./support.ts";

const rec = installMocks({
    severalStacks: true,
    state: ({ type, name }) => (type === "azure-native:operationalinsights:Workspace" ? { customerId: `customer-id-of-${name}` } : undefined),
});

const WS_ID = `/subscriptions/${SUB}/resourceGroups/rg-shared/providers/Microsoft.OperationalInsights/workspaces/shared-logs`;
const WS_CUSTOMER_ID = "4c1d0e2a-6b7f-4f3a-9e21-0a9b8c7d6e5f";
const SECRETS = { arcKubeconfig: "secret" } as const;
const readSecret = (k: string) => pulumi.secret(`secret-${k}`);

/** The minimal stack with its own cluster (name, mode, extra keys) and registry, and no connector. */
function stack(cluster: Record<string, unknown>, registry: string): Record<string, any> {
    const base = minimalStack();
    return { ...base, cluster: { ...base.cluster, ...cluster }, registry: { mode: "create", name: registry }, connector: { enabled: false } };
}
function platform(cluster: Record<string, unknown>, registry: string) {
    const c = parseTestStack(stack(cluster, registry), SECRETS);
    assert.equal(c.kind, "owner");
    return createPlatform(c as OwnerStackConfig, readSecret);
}

platform(
    {
        name: "aks-mon",
        monitoring: { enabled: true, workspace: { name: "platform-logs", retentionInDays: 90 }, prometheus: true },
        keyVaultSecretsProvider: { enabled: true, rotationPollInterval: "5m" },
    },
    "acraksmon",
);
platform({ name: "aks-ws", monitoring: { enabled: true, workspace: { resourceId: WS_ID, location: "northeurope" } } }, "acraksws");
platform({ name: "aks-plain" }, "acraksplain");
// Turned off after being on: the keys stay, set to false.
platform({ name: "aks-off", monitoring: { enabled: false }, keyVaultSecretsProvider: { enabled: false } }, "acraksoff");
platform({ mode: "arc", name: "edge-mon", monitoring: { enabled: true }, keyVaultSecretsProvider: { enabled: true } }, "acredgemon");
platform({ mode: "arc", name: "edge-ws", monitoring: { enabled: true, workspace: { resourceId: WS_ID, customerId: WS_CUSTOMER_ID } } }, "acredgews");
platform({ mode: "arc", name: "edge-kv", keyVaultSecretsProvider: { enabled: true, enableSecretRotation: false } }, "acredgekv");
platform({ mode: "arc", name: "edge-plain", monitoring: { enabled: false, prometheus: true } }, "acredgeplain");
const ready = settle();

const T = {
    cluster: "azure-native:containerservice:ManagedCluster",
    workspace: "azure-native:operationalinsights:Workspace",
    rule: "azure-native:monitor:DataCollectionRule",
    association: "azure-native:monitor:DataCollectionRuleAssociation",
    endpoint: "azure-native:monitor:DataCollectionEndpoint",
    account: "azure-native:monitor:AzureMonitorWorkspace",
    extension: "azure-native:kubernetesconfiguration:Extension",
    arcExtensions: "gitops:cluster:ArcClusterExtensions",
} as const;
const mock = (name: string) => `/subscriptions/${SUB}/mock/${name}`;
const connected = (name: string) => `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/${name}`;
const waitsFor = (from: Registration, to: Registration) => assert.ok(dependsOn(rec, from, to), `${from.type}::${from.name} doesn't wait for ${to.type}::${to.name}`);
const byPrefix = (prefix: string) => rec.registrations.filter((r) => r.name.startsWith(prefix));

/** Container Insights' data collection rule as the onboarding templates write it. */
function containerInsightsRule(name: string, location: string, workspaceResourceId: string) {
    const streams = ["Microsoft-ContainerInsights-Group-Default"];
    return {
        resourceGroupName: "rg",
        dataCollectionRuleName: name,
        location,
        kind: "Linux",
        dataSources: {
            extensions: [
                {
                    name: "ContainerInsightsExtension",
                    extensionName: "ContainerInsights",
                    streams,
                    extensionSettings: { dataCollectionSettings: { interval: "1m", namespaceFilteringMode: "Off", enableContainerLogV2: true } },
                },
            ],
        },
        destinations: { logAnalytics: [{ name: "ciworkspace", workspaceResourceId }] },
        dataFlows: [{ streams, destinations: ["ciworkspace"] }],
    };
}

test("AKS: a created workspace, the monitoring and Key Vault add-ons, and managed Prometheus on the ManagedCluster", async () => {
    await ready;
    const workspace = one(rec, T.workspace, "aks-mon-logs");
    assert.deepEqual(workspace.inputs, {
        resourceGroupName: "rg",
        workspaceName: "platform-logs",
        location: "westeurope",
        sku: { name: "PerGB2018" },
        retentionInDays: 90,
    });
    assert.equal(parentOf(rec, workspace)?.name, "aks-mon");
    const aks = one(rec, T.cluster, "aks-mon-aks");
    assert.deepEqual(aks.inputs.addonProfiles, {
        omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: mock("aks-mon-logs"), useAADAuth: "true" } },
        azureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: "true", rotationPollInterval: "5m" } },
    });
    assert.deepEqual(aks.inputs.azureMonitorProfile, { metrics: { enabled: true } });
    waitsFor(aks, workspace);
});

test("AKS: Container Insights' data collection rule and its association with the cluster, which goes with the cluster", async () => {
    await ready;
    const aks = one(rec, T.cluster, "aks-mon-aks");
    const rule = one(rec, T.rule, "aks-mon-ci-dcr");
    assert.deepEqual(rule.inputs, containerInsightsRule("MSCI-westeurope-aks-mon", "westeurope", mock("aks-mon-logs")));
    const association = one(rec, T.association, "aks-mon-ci-dcra");
    assert.deepEqual(association.inputs, {
        resourceUri: mock("aks-mon-aks"),
        associationName: "ContainerInsightsExtension",
        dataCollectionRuleId: mock("aks-mon-ci-dcr"),
        description: "Routes Container Insights data to the Log Analytics workspace; deleting it stops the cluster's data collection.",
    });
    waitsFor(association, aks);
    waitsFor(association, rule);
    assert.equal(byUrn(rec, association.deletedWith), aks, "deleted with the cluster");
    assert.equal(rule.deletedWith, "", "the rule is a resource of its own, deleted on destroy");
    for (const r of [rule, association]) assert.equal(parentOf(rec, r)?.name, "aks-mon");
});

test("AKS: managed Prometheus gets an Azure Monitor workspace, a data collection endpoint and rule, and the association", async () => {
    await ready;
    assert.deepEqual(one(rec, T.account, "aks-mon-prometheus").inputs, { resourceGroupName: "rg", azureMonitorWorkspaceName: "aks-mon-prometheus", location: "westeurope" });
    assert.deepEqual(one(rec, T.endpoint, "aks-mon-prometheus-dce").inputs, {
        resourceGroupName: "rg",
        dataCollectionEndpointName: "MSProm-westeurope-aks-mon",
        location: "westeurope",
        kind: "Linux",
    });
    const streams = ["Microsoft-PrometheusMetrics"];
    assert.deepEqual(one(rec, T.rule, "aks-mon-prometheus-dcr").inputs, {
        resourceGroupName: "rg",
        dataCollectionRuleName: "MSProm-westeurope-aks-mon",
        location: "westeurope",
        kind: "Linux",
        dataCollectionEndpointId: mock("aks-mon-prometheus-dce"),
        dataSources: { prometheusForwarder: [{ name: "PrometheusDataSource", streams, labelIncludeFilter: {} }] },
        destinations: { monitoringAccounts: [{ name: "MonitoringAccount1", accountResourceId: mock("aks-mon-prometheus") }] },
        dataFlows: [{ streams, destinations: ["MonitoringAccount1"] }],
    });
    const association = one(rec, T.association, "aks-mon-prometheus-dcra");
    assert.equal(association.inputs.resourceUri, mock("aks-mon-aks"));
    assert.equal(association.inputs.associationName, "MSProm-westeurope-aks-mon");
    assert.equal(association.inputs.dataCollectionRuleId, mock("aks-mon-prometheus-dcr"));
    assert.equal(byUrn(rec, association.deletedWith), one(rec, T.cluster, "aks-mon-aks"), "deleted with the cluster");
});

test("AKS: an existing workspace is referenced by its ID, never created, and its rule goes in its region", async () => {
    await ready;
    assert.deepEqual(find(rec, T.workspace, "aks-ws-logs"), []);
    const aks = one(rec, T.cluster, "aks-ws-aks");
    assert.deepEqual(aks.inputs.addonProfiles, { omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: WS_ID, useAADAuth: "true" } } });
    assert.deepEqual(aks.inputs.azureMonitorProfile, { metrics: { enabled: false } }, "managed Prometheus off by default, and said so: it may have been on");
    assert.deepEqual(one(rec, T.rule, "aks-ws-ci-dcr").inputs, containerInsightsRule("MSCI-northeurope-aks-ws", "northeurope", WS_ID));
    assert.deepEqual(byPrefix("aks-ws-prometheus"), []);
});

test("off by default: a stack that doesn't opt in gets no add-on key, no workspace and no data collection", async () => {
    await ready;
    const aks = one(rec, T.cluster, "aks-plain-aks").inputs;
    assert.equal("addonProfiles" in aks, false);
    assert.equal("azureMonitorProfile" in aks, false);
    const types: readonly string[] = [T.workspace, T.rule, T.association, T.endpoint, T.account, T.arcExtensions];
    for (const prefix of ["aks-plain", "edge-plain"]) {
        assert.deepEqual(byPrefix(prefix).filter((r) => types.includes(r.type)).map((r) => r.name), [], prefix);
    }
    assert.deepEqual(byPrefix("edge-plain").filter((r) => r.type === T.extension).map((r) => r.name), ["edge-plain-flux-extension"], "enabled: false installs nothing");
});

test("AKS: a feature turned off is sent as off (AKS keeps an add-on the request leaves out), and nothing is created for it", async () => {
    await ready;
    const aks = one(rec, T.cluster, "aks-off-aks").inputs;
    assert.deepEqual(aks.addonProfiles, { omsagent: { enabled: false }, azureKeyvaultSecretsProvider: { enabled: false } });
    assert.deepEqual(aks.azureMonitorProfile, { metrics: { enabled: false } });
    assert.deepEqual(rec.registrations.filter((r) => r.name.startsWith("aks-off") && ([T.workspace, T.rule, T.association, T.endpoint] as string[]).includes(r.type)), []);
});

test("Arc: Container Insights as the Microsoft.AzureMonitor.Containers extension, with managed identity authentication and no workspace key", async () => {
    await ready;
    const component = one(rec, T.arcExtensions, "edge-mon-extensions");
    assert.equal(component.parent, "", "a stack-level component");
    const workspace = one(rec, T.workspace, "edge-mon-extensions-logs");
    assert.deepEqual(workspace.inputs, { resourceGroupName: "rg", workspaceName: "edge-mon-logs", location: "westeurope", sku: { name: "PerGB2018" }, retentionInDays: 30 });
    assert.deepEqual(one(rec, T.rule, "edge-mon-extensions-ci-dcr").inputs, containerInsightsRule("MSCI-westeurope-edge-mon", "westeurope", mock("edge-mon-extensions-logs")));
    const association = one(rec, T.association, "edge-mon-extensions-ci-dcra");
    assert.equal(association.inputs.resourceUri, connected("edge-mon"));
    assert.equal(association.inputs.associationName, "ContainerInsightsExtension");

    const ext = one(rec, T.extension, "edge-mon-extensions-monitoring");
    const { configurationProtectedSettings, ...inputs } = ext.inputs;
    assert.deepEqual(inputs, {
        resourceGroupName: "rg",
        clusterName: "edge-mon",
        clusterRp: "Microsoft.Kubernetes",
        clusterResourceName: "connectedClusters",
        extensionName: "azuremonitor-containers",
        extensionType: "Microsoft.AzureMonitor.Containers",
        autoUpgradeMinorVersion: true,
        releaseTrain: "Stable",
        scope: { cluster: { releaseNamespace: "azuremonitor-containers" } },
        identity: { type: "SystemAssigned" },
        configurationSettings: { logAnalyticsWorkspaceResourceID: mock("edge-mon-extensions-logs"), "amalogs.useAADAuth": "true" },
    });
    assert.ok(isSecretValue(configurationProtectedSettings), "protected settings are a secret");
    assert.deepEqual(configurationProtectedSettings.value, { "amalogs.secret.wsid": "customer-id-of-edge-mon-extensions-logs", "amalogs.secret.key": "<not_used>" });
    assert.ok(!rec.invocations.some((i) => /getSharedKeys|listKeys/i.test(i.token)), "no workspace key is ever read");
    for (const r of [workspace, association, ext]) assert.equal(parentOf(rec, r)?.name, "edge-mon-extensions");
});

test("Arc: the Key Vault Secrets Provider as the Microsoft.AzureKeyVaultSecretsProvider extension", async () => {
    await ready;
    const { resourceGroupName, clusterName, ...inputs } = one(rec, T.extension, "edge-mon-extensions-akv-secrets-provider").inputs;
    assert.deepEqual([resourceGroupName, clusterName], ["rg", "edge-mon"]);
    assert.deepEqual(inputs, {
        clusterRp: "Microsoft.Kubernetes",
        clusterResourceName: "connectedClusters",
        extensionName: "akvsecretsprovider",
        extensionType: "Microsoft.AzureKeyVaultSecretsProvider",
        autoUpgradeMinorVersion: true,
        releaseTrain: "Stable",
        scope: { cluster: { releaseNamespace: "kube-system" } },
        identity: { type: "SystemAssigned" },
        configurationSettings: { "secrets-store-csi-driver.enableSecretRotation": "true", "secrets-store-csi-driver.rotationPollInterval": "2m" },
    });
    assert.deepEqual(one(rec, T.extension, "edge-kv-extensions-akv-secrets-provider").inputs.configurationSettings, {
        "secrets-store-csi-driver.enableSecretRotation": "false",
        "secrets-store-csi-driver.rotationPollInterval": "2m",
    });
});

test("Arc: the extensions install after Flux's, one at a time, and Flux waits for none of them", async () => {
    await ready;
    const flux = one(rec, T.extension, "edge-mon-flux-extension");
    const monitoring = one(rec, T.extension, "edge-mon-extensions-monitoring");
    const keyVault = one(rec, T.extension, "edge-mon-extensions-akv-secrets-provider");
    waitsFor(monitoring, flux);
    waitsFor(monitoring, one(rec, T.association, "edge-mon-extensions-ci-dcra"));
    waitsFor(keyVault, monitoring);
    waitsFor(keyVault, flux);
    const arcChildren = byPrefix("edge-mon-extensions");
    for (const r of arcChildren) assert.ok(!dependsOn(rec, flux, r), `the Flux extension waits for ${r.name}`);
    for (const r of [one(rec, T.workspace, "edge-mon-extensions-logs"), one(rec, T.rule, "edge-mon-extensions-ci-dcr")]) {
        assert.ok(!dependsOn(rec, r, flux), `${r.name} needn't wait for Flux`);
    }
    // A connected cluster outlives the stack: nothing on it goes with it.
    for (const r of arcChildren) assert.equal(r.deletedWith, "", r.name);
    waitsFor(one(rec, T.extension, "edge-kv-extensions-akv-secrets-provider"), one(rec, T.extension, "edge-kv-flux-extension"));
    assert.deepEqual(byPrefix("edge-kv-extensions").map((r) => r.name).sort(), ["edge-kv-extensions", "edge-kv-extensions-akv-secrets-provider"]);
});

test("Arc: an existing workspace's ID goes in the protected settings, and its rule in azure.location by default", async () => {
    await ready;
    assert.deepEqual(find(rec, T.workspace, "edge-ws-extensions-logs"), []);
    const ext = one(rec, T.extension, "edge-ws-extensions-monitoring").inputs;
    assert.deepEqual(ext.configurationSettings, { logAnalyticsWorkspaceResourceID: WS_ID, "amalogs.useAADAuth": "true" });
    assert.ok(isSecretValue(ext.configurationProtectedSettings));
    assert.deepEqual(ext.configurationProtectedSettings.value, { "amalogs.secret.wsid": WS_CUSTOMER_ID, "amalogs.secret.key": "<not_used>" });
    assert.deepEqual(one(rec, T.rule, "edge-ws-extensions-ci-dcr").inputs, containerInsightsRule("MSCI-westeurope-edge-ws", "westeurope", WS_ID));
    assert.deepEqual(find(rec, T.extension, "edge-ws-extensions-akv-secrets-provider"), []);
});

test("the component tree is well formed", async () => {
    await ready;
    assertWellFormedTree(rec, isTopLevel);
});

test("the stack config refuses impossible combinations, by key path", () => {
    const problems = (cluster: Record<string, unknown>, secrets: Record<string, "secret"> = SECRETS) => testStackProblems(stack(cluster, "acrrefused"), secrets);
    const at = (path: string, message: string) => [`gitops-platform:cluster.${path}: ${message}`];
    const both = "creates a workspace; set either resourceId (use an existing workspace) or name and retentionInDays (create one), not both";
    assert.deepEqual(problems({ monitoring: { enabled: true, workspace: { resourceId: WS_ID, name: "platform-logs" } } }), at("monitoring.workspace.name", both));
    assert.deepEqual(problems({ monitoring: { enabled: true, workspace: { resourceId: WS_ID, retentionInDays: 60 } } }), at("monitoring.workspace.retentionInDays", both));
    for (const days of [29, 731, 45.5]) {
        assert.deepEqual(problems({ monitoring: { enabled: true, workspace: { retentionInDays: days } } }), at("monitoring.workspace.retentionInDays", "expected whole days from 30 to 730"));
    }
    const malformed = "expected /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>";
    for (const resourceId of ["shared-logs", `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/logs`, `/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs`]) {
        assert.deepEqual(problems({ monitoring: { enabled: true, workspace: { resourceId } } }), at("monitoring.workspace.resourceId", malformed));
    }
    assert.deepEqual(
        problems({ mode: "aksExisting", monitoring: { enabled: true }, keyVaultSecretsProvider: { enabled: true } }),
        [
            ...at("monitoring", "an adopted AKS cluster is read, never modified: monitoring is added where the program creates the cluster (mode aks) or to an Arc cluster"),
            ...at("keyVaultSecretsProvider", "an adopted AKS cluster is read, never modified: the Key Vault Secrets Provider is added where the program creates the cluster (mode aks) or to an Arc cluster"),
        ],
    );
    assert.deepEqual(
        problems({ mode: "arc", monitoring: { enabled: true, prometheus: true } }),
        at("monitoring.prometheus", "managed Prometheus on Arc needs the Microsoft.AzureMonitor.Containers.Metrics extension, which this program doesn't install; set prometheus: false"),
    );
    assert.deepEqual(
        problems({ mode: "arc", monitoring: { enabled: true, workspace: { resourceId: WS_ID } } }),
        at("monitoring.workspace.customerId", "the Arc monitoring extension needs the existing workspace's ID: az monitor log-analytics workspace show --ids <resourceId> --query customerId -o tsv"),
    );
    assert.deepEqual(
        problems({ mode: "arc", name: "edge_01", monitoring: { enabled: true } }),
        at("monitoring.workspace.name", "the default name 'edge_01-logs' is not a valid workspace name; set workspace.name"),
    );
    assert.deepEqual(
        problems({ monitoring: { enabled: true, containerInsights: false } }),
        at("monitoring", "enabled, but nothing is collected: set containerInsights or prometheus to true, or enabled: false"),
    );
    assert.deepEqual(
        problems({ monitoring: { enabled: true, containerInsights: false, prometheus: true, workspace: { name: "platform-logs" } } }),
        at("monitoring.workspace", "only Container Insights writes to the Log Analytics workspace; drop workspace or set containerInsights: true"),
    );
    assert.deepEqual(
        problems({ monitoring: { enabled: true, workspace: { location: "northeurope", customerId: WS_CUSTOMER_ID } } }),
        [
            ...at("monitoring.workspace.location", "describes an existing workspace; set resourceId as well, or drop this to create one"),
            ...at("monitoring.workspace.customerId", "describes an existing workspace; set resourceId as well, or drop this to create one"),
        ],
    );
    assert.deepEqual(problems({ keyVaultSecretsProvider: { enabled: true, rotationPollInterval: "2 minutes" } }), at("keyVaultSecretsProvider.rotationPollInterval", "expected a duration such as 2m, 30s or 1h"));
    assert.deepEqual(problems({ monitoring: { workspace: { name: "platform-logs" } } }), at("monitoring.enabled", "missing (expected boolean)"));
});

test("the config's defaults: rotation on every 2m, Container Insights on, Prometheus off; a disabled section is kept as written", () => {
    const c = parseTestStack(stack({ monitoring: { enabled: true }, keyVaultSecretsProvider: { enabled: true } }, "acrdefaults"), SECRETS) as OwnerStackConfig;
    assert.equal(c.cluster.mode, "aks");
    if (c.cluster.mode !== "aks") return;
    assert.deepEqual(c.cluster.monitoring, { enabled: true, containerInsights: true, prometheus: false });
    assert.deepEqual(c.cluster.keyVaultSecretsProvider, { enabled: true, enableSecretRotation: true, rotationPollInterval: "2m" });
    const plain = parseTestStack(stack({}, "acrdefaults"), SECRETS) as OwnerStackConfig;
    assert.equal("monitoring" in plain.cluster, false);
    assert.equal("keyVaultSecretsProvider" in plain.cluster, false);
});

test("used from code, the components refuse the same combinations before registering anything", async () => {
    await ready;
    const before = rec.registrations.length;
    assert.throws(
        () => new Cluster("bad-mon", { mode: "aks", name: "bad-mon", resourceGroupName: "rg", location: "westeurope", monitoring: { enabled: true, workspace: { resourceId: WS_ID, retentionInDays: 90 } } }),
        (e: pulumi.InputPropertiesError) => {
            assert.ok(pulumi.InputPropertiesError.isInstance(e));
            assert.deepEqual(e.errors?.map((x) => x.propertyPath), ["monitoring.workspace.retentionInDays"]);
            return true;
        },
    );
    const aksTarget = { resourceGroupName: "rg", clusterName: "c", clusterRp: "Microsoft.ContainerService", clusterResourceName: "managedClusters" } as const;
    assert.throws(
        () => new ArcClusterExtensions("bad-arc", { cluster: aksTarget, clusterName: "c", clusterId: "id", resourceGroupName: "rg", location: "westeurope", keyVaultSecretsProvider: { enabled: true, rotationPollInterval: "soon" } }),
        (e: pulumi.InputPropertiesError) => {
            assert.deepEqual(e.errors?.map((x) => x.propertyPath), ["cluster.clusterRp", "keyVaultSecretsProvider.rotationPollInterval"]);
            return true;
        },
    );
    await settle();
    assert.equal(rec.registrations.length, before);
});

test("data collection names follow the az CLI: cut to length, endpoints without '_', ending in a letter or digit", () => {
    assert.equal(dataCollectionName("MSCI", "westeurope", "aks-mon", 64), "MSCI-westeurope-aks-mon");
    const long = `store_${"x".repeat(24)}-${"y".repeat(40)}`;
    assert.equal(dataCollectionName("MSProm", "westeurope", long, 44, true), "MSProm-westeurope-storexxxxxxxxxxxxxxxxxxxx");
    assert.equal(dataCollectionName("MSCI", "westeurope", "a-".repeat(40), 64), "MSCI-westeurope-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a");
    assert.equal(prometheusWorkspaceName("edge_01"), "edge01-prometheus");
    assert.ok(prometheusWorkspaceName("z".repeat(63)).length <= 43);
});
