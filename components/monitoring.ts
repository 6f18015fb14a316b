// Monitoring for a cluster: the Log Analytics workspace Container Insights writes to, the data collection
// rule that routes the agent's data there, and Azure Monitor managed Prometheus on AKS. The settings, their
// defaults and rules are shared with the stack config schema. What runs the agent differs by cluster: on
// AKS the `omsagent` add-on of the ManagedCluster (cluster.ts), on Arc the Microsoft.AzureMonitor.Containers
// extension (cluster-extensions.ts).
//
// Sources, checked 2026: Microsoft's onboarding templates for managed-identity authentication,
// microsoft/Docker-Provider scripts/onboarding/aks/onboarding-using-msi-auth/existingClusterOnboarding.json
// (AKS) and scripts/onboarding/templates/arc-k8s-extension-msi-auth/existingClusterOnboarding.json (Arc);
// the az CLI, Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/_consts.py (add-on keys) and
// Azure/azure-cli-extensions src/k8s-extension/azext_k8s_extension/partner_extensions/ContainerInsights.py
// (the data collection rule and association it creates); Azure/prometheus-collector
// AddonArmTemplate/FullAzureMonitorMetricsProfile.json (managed Prometheus).
import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import { at, patternProblem, type PatternRule, type Problem } from "./problems.ts";

/** Defaults of an enabled `monitoring`, shared with the stack config schema. */
export const MONITORING_DEFAULTS = {
    containerInsights: true,
    prometheus: false,
    /** The retention Log Analytics includes in the ingestion price (up to 31 days). */
    retentionInDays: 30,
    /** The pay-as-you-go SKU, the only one ARM offers new workspaces besides commitment tiers. */
    workspaceSku: "PerGB2018",
} as const;

/** Interactive retention ARM accepts on a PerGB2018 workspace. */
export const RETENTION_DAYS = { min: 30, max: 730 } as const;
export const RETENTION_MESSAGE = `expected whole days from ${RETENTION_DAYS.min} to ${RETENTION_DAYS.max}`;

/** A Log Analytics workspace name: 4-63 letters, digits or '-', starting and ending with a letter or digit. */
export const WORKSPACE_NAME_RULE: PatternRule = {
    pattern: /^[A-Za-z0-9][-A-Za-z0-9]{2,61}[A-Za-z0-9]$/,
    message: "expected 4-63 letters, digits or '-', starting and ending with a letter or digit",
};

/** The ARM resource ID of a Log Analytics workspace. */
export const WORKSPACE_RESOURCE_ID_RULE: PatternRule = {
    pattern: /^\/subscriptions\/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\/resourceGroups\/[-\w.()]{1,90}\/providers\/Microsoft\.OperationalInsights\/workspaces\/[A-Za-z0-9][-A-Za-z0-9]{2,61}[A-Za-z0-9]$/i,
    message: "expected /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>",
};

/** An Azure region as ARM names it (`westeurope`), which data collection rule names embed. */
export const LOCATION_RULE: PatternRule = { pattern: /^[a-z][a-z0-9]*$/, message: "expected a region name such as westeurope" };

/** A workspace ID (`customerId`), what `az monitor log-analytics workspace show --query customerId` prints. */
export const CUSTOMER_ID_RULE: PatternRule = {
    pattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    message: "expected the workspace ID, a GUID",
};

export interface LogAnalyticsWorkspaceSettings {
    /**
     * Create a workspace with this name (SKU PerGB2018) in the cluster's resource group and location.
     * Default: `<cluster name>-logs`. Excludes resourceId.
     */
    readonly name?: string;
    /** Interactive retention of a created workspace, 30-730 days. Default 30. Excludes resourceId. */
    readonly retentionInDays?: number;
    /** Use this existing workspace instead of creating one; the program never modifies it. */
    readonly resourceId?: string;
    /**
     * The existing workspace's region, where the data collection rule goes (the az CLI and Microsoft's
     * templates put it in the workspace's region). Default: the cluster's location. Only with resourceId.
     */
    readonly location?: string;
    /**
     * The existing workspace's ID (its `customerId`, a GUID). Arc only, and required there: the
     * extension's chart renders its agent only with a workspace ID. Only with resourceId.
     */
    readonly customerId?: string;
}

export interface MonitoringSettings {
    /** Turns monitoring on. Off unless a stack sets it. */
    readonly enabled: boolean;
    /** The Log Analytics workspace Container Insights writes to. Default: a created `<cluster name>-logs`. */
    readonly workspace?: LogAnalyticsWorkspaceSettings;
    /** Container Insights: logs, events and inventory into the workspace. Default true. */
    readonly containerInsights?: boolean;
    /**
     * Azure Monitor managed Prometheus, with an Azure Monitor workspace of its own. AKS only. Default false.
     * Recording rules, alert rules and Grafana are not created.
     */
    readonly prometheus?: boolean;
}

export type MonitoredCluster = "aks" | "arc";

/** The workspace a created workspace gets when `workspace.name` is unset. */
export function defaultWorkspaceName(clusterName: string): string {
    return `${clusterName}-logs`;
}

/**
 * What ARM or the agents would refuse in `monitoring`, with paths that start at `monitoring`. Nothing is
 * checked while monitoring is off.
 */
export function monitoringProblems(m: MonitoringSettings | undefined, cluster: { readonly kind: MonitoredCluster; readonly name: string }): Problem[] {
    if (m === undefined || !m.enabled) return [];
    const problems: Problem[] = [];
    const containerInsights = m.containerInsights ?? MONITORING_DEFAULTS.containerInsights;
    const prometheus = m.prometheus ?? MONITORING_DEFAULTS.prometheus;
    if (prometheus && cluster.kind === "arc") {
        problems.push({
            path: ["monitoring", "prometheus"],
            message: "managed Prometheus on Arc needs the Microsoft.AzureMonitor.Containers.Metrics extension, which this program doesn't install; set prometheus: false",
        });
    } else if (!containerInsights && !prometheus) {
        problems.push({ path: ["monitoring"], message: "enabled, but nothing is collected: set containerInsights or prometheus to true, or enabled: false" });
    }
    const w = m.workspace;
    if (w === undefined) {
        if (containerInsights && WORKSPACE_NAME_RULE.pattern.test(defaultWorkspaceName(cluster.name)) === false) {
            problems.push({ path: ["monitoring", "workspace", "name"], message: `the default name '${defaultWorkspaceName(cluster.name)}' is not a valid workspace name; set workspace.name` });
        }
        return problems;
    }
    const path = (k: string) => ["monitoring", "workspace", k];
    if (!containerInsights) {
        problems.push({ path: ["monitoring", "workspace"], message: "only Container Insights writes to the Log Analytics workspace; drop workspace or set containerInsights: true" });
    }
    if (w.resourceId !== undefined) {
        problems.push(...at(path("resourceId"), patternProblem(WORKSPACE_RESOURCE_ID_RULE, w.resourceId)));
        const notWithExisting = "creates a workspace; set either resourceId (use an existing workspace) or name and retentionInDays (create one), not both";
        if (w.name !== undefined) problems.push({ path: path("name"), message: notWithExisting });
        if (w.retentionInDays !== undefined) problems.push({ path: path("retentionInDays"), message: notWithExisting });
        if (w.location !== undefined) problems.push(...at(path("location"), patternProblem(LOCATION_RULE, w.location)));
        if (w.customerId !== undefined) problems.push(...at(path("customerId"), patternProblem(CUSTOMER_ID_RULE, w.customerId)));
        if (w.customerId === undefined && cluster.kind === "arc" && containerInsights) {
            problems.push({
                path: path("customerId"),
                message: "the Arc monitoring extension needs the existing workspace's ID: az monitor log-analytics workspace show --ids <resourceId> --query customerId -o tsv",
            });
        }
        return problems;
    }
    const onlyExisting = "describes an existing workspace; set resourceId as well, or drop this to create one";
    if (w.location !== undefined) problems.push({ path: path("location"), message: onlyExisting });
    if (w.customerId !== undefined) problems.push({ path: path("customerId"), message: onlyExisting });
    if (w.name !== undefined) {
        problems.push(...at(path("name"), patternProblem(WORKSPACE_NAME_RULE, w.name)));
    } else if (!WORKSPACE_NAME_RULE.pattern.test(defaultWorkspaceName(cluster.name))) {
        problems.push({ path: path("name"), message: `the default name '${defaultWorkspaceName(cluster.name)}' is not a valid workspace name; set workspace.name` });
    }
    const days = w.retentionInDays;
    if (days !== undefined && !(Number.isInteger(days) && days >= RETENTION_DAYS.min && days <= RETENTION_DAYS.max)) {
        problems.push({ path: path("retentionInDays"), message: RETENTION_MESSAGE });
    }
    return problems;
}

/**
 * The `omsagent` add-on profile of a ManagedCluster: Container Insights into the workspace, authenticated
 * with the add-on's managed identity (`useAADAuth`), as Microsoft's onboarding template sets it. Its data
 * only flows once the cluster is associated with a data collection rule (containerInsightsDataCollection).
 */
export function containerInsightsAddon(workspaceResourceId: pulumi.Input<string>) {
    return { enabled: true, config: { logAnalyticsWorkspaceResourceID: workspaceResourceId, useAADAuth: "true" } };
}

/** The streams Container Insights collects when none are chosen: all of its standard tables (the az CLI's default). */
export const CONTAINER_INSIGHTS_STREAMS = ["Microsoft-ContainerInsights-Group-Default"] as const;

/**
 * A data collection rule, endpoint or association name as the az CLI derives them: `<prefix>-<region>-<cluster>`,
 * cut to `max` characters and ending in a letter or digit; an endpoint's name keeps only letters, digits
 * and '-' (azext_k8s_extension/partner_extensions/azuremonitormetrics/dc/defaults.py: DCR 64, DCE 44).
 */
export function dataCollectionName(prefix: string, location: string, clusterName: string, max: number, endpoint = false): string {
    let name = `${prefix}-${location}-${clusterName}`.slice(0, max);
    if (endpoint) name = name.replace(/[^A-Za-z0-9-]/g, "");
    return name.replace(/[^A-Za-z0-9]+$/, "");
}

/** The Azure Monitor workspace managed Prometheus writes to: `<cluster>-prometheus`, letters, digits and '-', at most 43 characters. */
export function prometheusWorkspaceName(clusterName: string): string {
    return `${clusterName}-prometheus`.replace(/[^A-Za-z0-9-]/g, "").slice(0, 43).replace(/[^A-Za-z0-9]+$/, "");
}

/** A workspace the cluster's monitoring writes to, created or existing. */
export interface MonitoringWorkspace {
    /** Its ARM resource ID. */
    readonly resourceId: pulumi.Output<string>;
    /** Its region, where its data collection rule goes. */
    readonly location: pulumi.Output<string>;
    /** Its workspace ID (customerId); undefined for an existing workspace whose ID isn't given. */
    readonly customerId: pulumi.Output<string> | undefined;
    /** The workspace, when it was created here. */
    readonly workspace: operationalinsights.Workspace | undefined;
}

export interface WorkspaceTarget {
    /** The cluster's name, for the default workspace name. */
    readonly clusterName: string;
    /** Where a created workspace goes. */
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: pulumi.Input<string>;
}

/** Create the workspace (`<name>-logs`) or take the existing one's ID; `opts` carries the caller's parent. */
export function logAnalyticsWorkspace(
    name: string,
    settings: LogAnalyticsWorkspaceSettings | undefined,
    target: WorkspaceTarget,
    opts: pulumi.CustomResourceOptions,
): MonitoringWorkspace {
    const w = settings ?? {};
    if (w.resourceId !== undefined) {
        return {
            resourceId: pulumi.output(w.resourceId),
            location: pulumi.output(w.location ?? target.location),
            customerId: w.customerId === undefined ? undefined : pulumi.output(w.customerId),
            workspace: undefined,
        };
    }
    const workspace = new operationalinsights.Workspace(
        `${name}-logs`,
        {
            resourceGroupName: target.resourceGroupName,
            workspaceName: w.name ?? defaultWorkspaceName(target.clusterName),
            location: target.location,
            sku: { name: MONITORING_DEFAULTS.workspaceSku },
            retentionInDays: w.retentionInDays ?? MONITORING_DEFAULTS.retentionInDays,
        },
        opts,
    );
    return { resourceId: workspace.id, location: pulumi.output(target.location), customerId: workspace.customerId, workspace };
}

export interface DataCollectionTarget {
    /** The managed or connected cluster's ARM ID, which the association is made on. */
    readonly clusterId: pulumi.Input<string>;
    readonly clusterName: string;
    /** Where the rule (and for Prometheus its endpoint and Azure Monitor workspace) go. */
    readonly resourceGroupName: pulumi.Input<string>;
}

export interface DataCollection {
    readonly rule: monitor.DataCollectionRule;
    readonly association: monitor.DataCollectionRuleAssociation;
}

/**
 * Container Insights' data collection rule and its association with the cluster, which the agent reads its
 * configuration from when it authenticates with a managed identity (the az CLI creates both, the onboarding
 * templates too): rule `MSCI-<workspace region>-<cluster>` in the workspace's region, association
 * `ContainerInsightsExtension`. `associationOpts` adds to `opts` for the association alone (its deletedWith).
 */
export function containerInsightsDataCollection(
    name: string,
    workspace: MonitoringWorkspace,
    target: DataCollectionTarget,
    opts: pulumi.CustomResourceOptions,
    associationOpts: pulumi.CustomResourceOptions = {},
): DataCollection {
    const streams = [...CONTAINER_INSIGHTS_STREAMS];
    const rule = new monitor.DataCollectionRule(
        `${name}-ci-dcr`,
        {
            resourceGroupName: target.resourceGroupName,
            dataCollectionRuleName: workspace.location.apply((l) => dataCollectionName("MSCI", l, target.clusterName, 64)),
            location: workspace.location,
            kind: "Linux",
            dataSources: {
                extensions: [
                    {
                        name: "ContainerInsightsExtension",
                        extensionName: "ContainerInsights",
                        streams,
                        // The onboarding templates' defaults: every namespace, once a minute, ContainerLogV2.
                        extensionSettings: { dataCollectionSettings: { interval: "1m", namespaceFilteringMode: "Off", enableContainerLogV2: true } },
                    },
                ],
            },
            destinations: { logAnalytics: [{ name: "ciworkspace", workspaceResourceId: workspace.resourceId }] },
            dataFlows: [{ streams, destinations: ["ciworkspace"] }],
        },
        opts,
    );
    const association = new monitor.DataCollectionRuleAssociation(
        `${name}-ci-dcra`,
        {
            resourceUri: target.clusterId,
            associationName: "ContainerInsightsExtension",
            dataCollectionRuleId: rule.id,
            description: "Routes Container Insights data to the Log Analytics workspace; deleting it stops the cluster's data collection.",
        },
        { ...opts, ...associationOpts },
    );
    return { rule, association };
}

export interface PrometheusDataCollection extends DataCollection {
    readonly account: monitor.AzureMonitorWorkspace;
    readonly endpoint: monitor.DataCollectionEndpoint;
}

/**
 * Managed Prometheus' destination and route, as Microsoft's template creates them next to
 * `azureMonitorProfile.metrics.enabled`: an Azure Monitor workspace, a data collection endpoint and rule
 * `MSProm-<region>-<cluster>` forwarding `Microsoft-PrometheusMetrics` to it, and the rule's association
 * with the cluster (`MSProm-<cluster region>-<cluster>`). Everything goes in `location`, the cluster's.
 */
export function prometheusDataCollection(
    name: string,
    target: DataCollectionTarget & { readonly location: pulumi.Input<string> },
    opts: pulumi.CustomResourceOptions,
    associationOpts: pulumi.CustomResourceOptions = {},
): PrometheusDataCollection {
    const location = pulumi.output(target.location);
    const streams = ["Microsoft-PrometheusMetrics"];
    const account = new monitor.AzureMonitorWorkspace(
        `${name}-prometheus`,
        { resourceGroupName: target.resourceGroupName, azureMonitorWorkspaceName: prometheusWorkspaceName(target.clusterName), location },
        opts,
    );
    const endpoint = new monitor.DataCollectionEndpoint(
        `${name}-prometheus-dce`,
        {
            resourceGroupName: target.resourceGroupName,
            dataCollectionEndpointName: location.apply((l) => dataCollectionName("MSProm", l, target.clusterName, 44, true)),
            location,
            kind: "Linux",
        },
        opts,
    );
    const rule = new monitor.DataCollectionRule(
        `${name}-prometheus-dcr`,
        {
            resourceGroupName: target.resourceGroupName,
            dataCollectionRuleName: location.apply((l) => dataCollectionName("MSProm", l, target.clusterName, 64)),
            location,
            kind: "Linux",
            dataCollectionEndpointId: endpoint.id,
            dataSources: { prometheusForwarder: [{ name: "PrometheusDataSource", streams, labelIncludeFilter: {} }] },
            destinations: { monitoringAccounts: [{ name: "MonitoringAccount1", accountResourceId: account.id }] },
            dataFlows: [{ streams, destinations: ["MonitoringAccount1"] }],
        },
        opts,
    );
    const association = new monitor.DataCollectionRuleAssociation(
        `${name}-prometheus-dcra`,
        {
            resourceUri: target.clusterId,
            associationName: location.apply((l) => dataCollectionName("MSProm", l, target.clusterName, 64)),
            dataCollectionRuleId: rule.id,
            description: "Routes managed Prometheus metrics to the Azure Monitor workspace; deleting it stops the cluster's metrics.",
        },
        { ...opts, ...associationOpts },
    );
    return { account, endpoint, rule, association };
}
