// The stack's `flux.alerts`: its checks, as key paths of the stack file, and the FluxAlerts it creates
// on the cluster. A stack without the key gets neither.
import type * as pulumi from "@pulumi/pulumi";
import { defaultAlertKinds, FluxAlerts, fluxAlertsProblems, type AlertTarget, type AlertTargetShape } from "../components/alerts.ts";
import { fluxObjects } from "../components/flux.ts";
import { key } from "./config/names.ts";
import type { OwnerStackConfig } from "./config/resolve.ts";
import type { ParsedOwnerStack } from "./config/schema.ts";

type ParsedAlertTarget = NonNullable<ParsedOwnerStack["flux"]["alerts"]>[number];

/** The component's argument names where the stack file's differ: the values are named by secret keys. */
const CONFIG_FIELD: Readonly<Record<string, string>> = { address: "addressSecret", token: "tokenSecret" };

/**
 * The config key path of a FluxAlerts problem: `targets.1.token` is `flux.alerts[1].tokenSecret`.
 */
function configPath(path: readonly (string | number)[]): (string | number)[] {
    const [first, index, field, ...rest] = path;
    if (first !== "targets") return ["flux", "alerts", ...path];
    if (index === undefined) return ["flux", "alerts"];
    return ["flux", "alerts", index, ...(field === undefined ? [] : [CONFIG_FIELD[String(field)] ?? field]), ...rest];
}

/** A target as the component's rules see it: each secret key stands in for the value it names. */
function targetShape(a: ParsedAlertTarget): AlertTargetShape {
    return { name: a.name, type: a.type, address: a.addressSecret, token: a.tokenSecret, severity: a.severity, kinds: a.kinds, configurations: a.configurations };
}

/**
 * `flux.alerts`, checked: the FluxAlerts rules (names, types, kinds, configurations, the list itself),
 * then what involves the extension: the notification controller sends the events, and the Helm kinds
 * only have objects with the helm controller.
 */
export function checkAlerts(c: Pick<ParsedOwnerStack, "flux">): string[] {
    const alerts = c.flux.alerts;
    if (alerts === undefined) return [];
    const configurations = Object.fromEntries(c.flux.configurations.map((fc) => [fc.name, fluxObjects(fc)]));
    const problems = fluxAlertsProblems({ configurations, targets: alerts.map(targetShape) }).map((p) => `${key(...configPath(p.path))}: ${p.message}`);
    const controllers = c.flux.extension.controllers;
    if (alerts.length > 0 && !controllers.notification) {
        problems.push(
            `${key("flux", "extension", "controllers", "notification")}: the alert targets in flux.alerts need Flux notifications; ` +
                `enable the notification controller or leave flux.alerts out`,
        );
    }
    if (!controllers.helm) {
        alerts.forEach((a, i) =>
            (a.kinds ?? []).forEach((kind, j) => {
                if (kind === "HelmRelease" || kind === "HelmChart") {
                    problems.push(
                        `${key("flux", "alerts", i, "kinds", j)}: ${kind} objects need the helm controller, which flux.extension.controllers.helm turns off; enable it or drop the kind`,
                    );
                }
            }),
        );
    }
    return problems;
}

/** The component's targets, with their secrets read: the addresses and HMAC keys stay Pulumi secrets. */
export function alertTargets(c: Pick<OwnerStackConfig, "flux">, readSecret: (key: string) => pulumi.Output<string>): AlertTarget[] {
    const kinds = defaultAlertKinds(c.flux.extension.controllers);
    return (c.flux.alerts ?? []).map((a) => ({
        name: a.name,
        type: a.type,
        address: readSecret(a.addressSecret),
        token: a.tokenSecret === undefined ? undefined : readSecret(a.tokenSecret),
        severity: a.severity,
        kinds: a.kinds ?? kinds,
        configurations: a.configurations,
    }));
}

/**
 * The stack's alert targets on its cluster, or nothing without `flux.alerts`. Like the connector's
 * notifications, they go through the cluster's provider with its deletedWith. They wait for the extension
 * (the notification CRDs) only, and the configurations wait for them (Flux's beforeConfigurations): they
 * listen before the first sync, so a first deployment that fails to reconcile is reported, which is when
 * it matters most. On destroy the configurations go first, while the alerts still listen.
 */
export function createAlerts(
    c: OwnerStackConfig,
    extension: pulumi.Resource,
    readSecret: (key: string) => pulumi.Output<string>,
    onCluster: Pick<pulumi.ComponentResourceOptions, "provider" | "deletedWith">,
): FluxAlerts[] {
    if (c.flux.alerts === undefined) return [];
    const objects = Object.fromEntries(c.flux.configurations.map((fc) => [fc.name, fluxObjects(fc)]));
    return [new FluxAlerts(`${c.cluster.name}-alerts`, { configurations: objects, targets: alertTargets(c, readSecret), appNamespaces: c.cluster.appNamespaces }, { ...onCluster, dependsOn: [extension] })];
}
