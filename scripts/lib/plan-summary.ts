// The fleet summary `npm run plan -- --all` ends with: one row per stack, read from its plan, so a fleet
// of dozens of stacks is seen at a glance before it is read stack by stack.
import { COMPUTED, type StackPlan } from "./plan-model.ts";
import { TYPES } from "./resource-types.ts";

export interface FleetRow {
    readonly stack: string;
    readonly cluster: string;
    readonly mode: string;
    readonly extension: string;
    readonly configurations: string;
    readonly connector: string;
    readonly environment: string;
    readonly policyAssignments: string;
}

const HEADERS: Readonly<Record<keyof FleetRow, string>> = {
    stack: "STACK",
    cluster: "CLUSTER",
    mode: "MODE",
    extension: "EXTENSION",
    configurations: "CONFIGURATIONS",
    connector: "CONNECTOR",
    environment: "GITHUB ENVIRONMENT",
    policyAssignments: "POLICY ASSIGNMENTS",
};

const text = (v: unknown) => (v === undefined || v === null || v === "" ? undefined : typeof v === "string" ? v : JSON.stringify(v));

export function fleetRow(plan: StackPlan): FleetRow {
    const of = (type: string) => plan.resources.filter((r) => r.type === type);
    // The Flux extension only: an Arc cluster may carry others (monitoring, the Key Vault provider).
    const extensions = of(TYPES.extension).filter((r) => String(r.inputs.extensionType).toLowerCase() === "microsoft.flux").map((r) => (r.inputs.autoUpgradeMinorVersion === false ? String(r.inputs.version) : `auto (${String(r.inputs.releaseTrain ?? "Stable")})`));
    const assignments = of(TYPES.policyAssignment);
    // A fleet stack's extension is what its policy installs: the extension assignment's parameters.
    const byPolicy = assignments
        .map((r) => r.inputs.parameters as Record<string, { value?: unknown }> | undefined)
        .filter((p) => p?.releaseTrain !== undefined)
        .map((p) => (p?.autoUpgradeMinorVersion?.value === false ? String(p.version?.value) : `auto (${String(p?.releaseTrain?.value)})`));
    const connector = of(TYPES.helmRelease).find((r) => r.inputs.chart === "gitops-connector");
    // Delivery git: the connector is a Flux HelmRelease in the platform folder.
    const committed = (plan.platformFiles ?? []).map((f) => (typeof f.content === "string" ? /^kind: HelmRelease$[\s\S]*?^ {6}chart: gitops-connector\n {6}version: (\S+)$/m.exec(f.content) : null)).find((m) => m !== null);
    return {
        stack: plan.stack,
        cluster: plan.target?.cluster ?? "-",
        mode: plan.target?.mode ?? "-",
        extension: [...extensions, ...byPolicy].join(", ") || "-",
        configurations: of(TYPES.fluxConfiguration).map((r) => String(r.inputs.fluxConfigurationName)).join(", ") ||
            assignments.map((r) => (r.inputs.parameters as Record<string, { value?: unknown }> | undefined)?.configurationName?.value).filter((n) => n !== undefined).join(", ") || "-",
        connector: connector ? `gitops-connector ${text(connector.inputs.version) ?? COMPUTED}` : committed ? `gitops-connector ${committed[1]} (git)` : "-",
        environment: of(TYPES.repositoryEnvironment).map((r) => String(r.inputs.environment)).join(", ") || "-",
        policyAssignments: String(assignments.length),
    };
}

/** The rows as an aligned table, headed by the number of stacks. */
export function renderFleetSummary(plans: readonly StackPlan[]): string {
    const rows = plans.map(fleetRow);
    const keys = Object.keys(HEADERS) as (keyof FleetRow)[];
    const width = (k: keyof FleetRow) => Math.max(HEADERS[k].length, ...rows.map((r) => r[k].length));
    const line = (cells: Record<keyof FleetRow, string>) => keys.map((k, i) => (i === keys.length - 1 ? cells[k] : cells[k].padEnd(width(k)))).join("  ").trimEnd();
    return [`Fleet summary: ${plans.length} stacks`, line(HEADERS), ...rows.map(line)].join("\n") + "\n";
}
