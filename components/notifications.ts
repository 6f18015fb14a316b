// The Flux notification Provider and Alert that send a configuration's events to the GitOps Connector.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { EXTENSION_NAMESPACE, type FluxObjects } from "./flux.ts";
import { forwardedDependsOn, kubernetesProviderProblems } from "./options.ts";
import { refuseInvalidArgs } from "./problems.ts";

/**
 * microsoft.flux >= 1.23 removed notification v1beta1 and deprecates v1beta2; v1beta3 is the storage
 * version and is served by every supported extension release.
 */
export const NOTIFICATION_API_VERSION = "notification.toolkit.fluxcd.io/v1beta3";

export interface EventSource {
    readonly kind: "GitRepository" | "Kustomization";
    readonly name: string;
    readonly namespace: string;
}

/**
 * The event sources for one Flux configuration: its GitRepository and every Kustomization, each with an
 * explicit namespace. (The tutorial's Alert omits it and sits in another namespace, so it never fires.)
 */
export function eventSources(objects: FluxObjects): EventSource[] {
    return [
        { kind: "GitRepository", name: objects.gitRepository, namespace: objects.namespace },
        ...objects.kustomizations.map((k): EventSource => ({ kind: "Kustomization", name: k, namespace: objects.namespace })),
    ];
}

export function providerSpec(address: string): Record<string, unknown> {
    return { type: "generic", address };
}

export function alertSpec(providerName: string, sources: readonly EventSource[]): Record<string, unknown> {
    return {
        providerRef: { name: providerName },
        // The connector needs info-level events too: Progressing and ReconciliationSucceeded.
        eventSeverity: "info",
        eventSources: sources.map((s) => ({ ...s })),
    };
}

/** Defaults the component applies. */
export const NOTIFICATION_DEFAULTS = {
    /** The Provider's and the Alert's name, as in the tutorial. */
    objectName: "gitops-connector",
} as const;

export interface FluxNotificationsArgs {
    /** The namespace of the Flux objects; the Alert and Provider must live there too. */
    readonly objects: FluxObjects;
    /** Where the generic Provider posts, e.g. the connector's address. */
    readonly address: pulumi.Input<string>;
    /** Name of the Provider and the Alert. Default `gitops-connector`, as in the tutorial. */
    readonly objectName?: string;
    /**
     * Apply the objects' namespace first (server-side apply, so it adopts the namespace whether or not the
     * Flux configuration made it already), so the Alert never waits on the configuration's agent to make
     * it: e.g. when the Alert must exist before the configuration, or a configuration created without
     * waitForReconciliation returns before its agent ran. Default: for any namespace but flux-system,
     * which comes with the extension.
     */
    readonly applyNamespace?: boolean;
}

/**
 * The notification Provider and Alert (and, with applyNamespace, their namespace). Pass the cluster's
 * Kubernetes provider in the options (`provider` or `providers`); the caller's `dependsOn` holds back
 * every child, and its `deletedWith` (e.g. Cluster.deletedWith) goes to every child.
 *
 * On destroy Pulumi deletes a resource before what it depends on. Depending on the Flux configurations
 * whose objects the Alert watches (and on the connector) therefore deletes the Alert and Provider first,
 * so nothing relays the configurations' teardown to the connector (see docs/teardown.md).
 */
export class FluxNotifications extends pulumi.ComponentResource {
    public readonly notificationProvider: k8s.apiextensions.CustomResource;
    public readonly alert: k8s.apiextensions.CustomResource;
    /** The namespace patch, with `applyNamespace`. */
    public readonly namespacePatch: k8s.core.v1.NamespacePatch | undefined;

    constructor(name: string, args: FluxNotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs("FluxNotifications", name, kubernetesProviderProblems(opts));
        super("gitops:notifications:FluxNotifications", name, {}, opts);
        // The SDK doesn't pass deletedWith on to children, so each gets it here.
        const deletedWith = opts?.deletedWith;
        const objectName = args.objectName ?? NOTIFICATION_DEFAULTS.objectName;
        const namespace = args.objects.namespace;
        // A patch, not a Namespace: the Flux configuration's agent creates the same namespace, and a
        // patch neither fails when it exists already nor deletes it on destroy (it drops only its fields).
        this.namespacePatch = (args.applyNamespace ?? namespace !== EXTENSION_NAMESPACE)
            ? new k8s.core.v1.NamespacePatch(
                  `${name}-namespace`,
                  // No fields of its own: the namespace belongs to the configuration; this only makes it exist.
                  { metadata: { name: namespace } },
                  { parent: this, dependsOn: forwardedDependsOn(opts), deletedWith },
              )
            : undefined;
        const before = this.namespacePatch ? [this.namespacePatch] : [];

        this.notificationProvider = new k8s.apiextensions.CustomResource(
            `${name}-provider`,
            {
                apiVersion: NOTIFICATION_API_VERSION,
                kind: "Provider",
                metadata: { name: objectName, namespace },
                spec: pulumi.output(args.address).apply(providerSpec),
            },
            // The caller's dependsOn carries the extension (which installs the CRDs) and the connector.
            { parent: this, dependsOn: forwardedDependsOn(opts, ...before), deletedWith },
        );
        this.alert = new k8s.apiextensions.CustomResource(
            `${name}-alert`,
            {
                apiVersion: NOTIFICATION_API_VERSION,
                kind: "Alert",
                metadata: { name: objectName, namespace },
                spec: alertSpec(objectName, eventSources(args.objects)),
            },
            // providerRef resolves by name; an Alert before its Provider just errors until it exists.
            { parent: this, dependsOn: forwardedDependsOn(opts, this.notificationProvider), deletedWith },
        );

        this.registerOutputs({ notificationProvider: this.notificationProvider, alert: this.alert, namespace });
    }
}
