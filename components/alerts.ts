// Operators' alerts: Flux notification Providers and Alerts that send failed reconciliations of the
// Flux configurations to Microsoft Teams, Slack, Discord, Google Chat, a signed webhook or an Event Hub.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { EXTENSION_NAMESPACE, type FluxControllers, type FluxObjects } from "./flux.ts";
import { NOTIFICATION_API_VERSION, NOTIFICATION_DEFAULTS } from "./notifications.ts";
import { forwardedDependsOn, kubernetesProviderProblems } from "./options.ts";
import { at, oneOfProblem, patternProblem, refuseInvalidArgs, type PatternRule, type Problem } from "./problems.ts";

/**
 * The Provider types an alert target may be, each in the v1beta3 Provider CRD's `spec.type` enum. All of
 * them read the endpoint from the referenced Secret's `address` key; `generic-hmac` also reads its HMAC
 * key from `token` (notification-controller refuses an empty one), and `azureeventhub` takes a SAS
 * connection string as its address and then refuses a `token`.
 */
export const ALERT_PROVIDER_TYPES = ["msteams", "slack", "discord", "googlechat", "generic-hmac", "azureeventhub"] as const;
export type AlertProviderType = (typeof ALERT_PROVIDER_TYPES)[number];

/** An Alert's `eventSeverity`: `error` sends failures only, `info` every event. */
export const ALERT_SEVERITIES = ["error", "info"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/**
 * The kinds of Flux objects an alert target can watch. GitRepository and Kustomization are the ones a
 * configuration creates, watched by name; the others are what its Kustomizations may apply, watched as
 * `*` in the configuration's namespace.
 */
export const ALERT_KINDS = ["GitRepository", "Kustomization", "HelmRelease", "HelmChart", "OCIRepository"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** The kinds whose objects are created by the configurations' Kustomizations, so not known by name. */
const WILDCARD_KINDS: readonly AlertKind[] = ["HelmRelease", "HelmChart", "OCIRepository"];

/** Defaults the component applies. */
export const FLUX_ALERT_DEFAULTS = {
    severity: "error",
    kinds: ALERT_KINDS,
    /** Suffix of the Secret holding a target's address (and HMAC key), next to its Provider. */
    secretSuffix: "-credentials",
} as const satisfies { severity: AlertSeverity; kinds: readonly AlertKind[]; secretSuffix: string };

/**
 * A target's name becomes the name of its Provider and Alert, and `<name>-credentials` of its Secret;
 * all three must stay a DNS label (63 characters).
 */
export const ALERT_NAME_RULE: PatternRule = {
    pattern: new RegExp(`^(?=.{1,${63 - FLUX_ALERT_DEFAULTS.secretSuffix.length}}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$`),
    message: `expected a lowercase DNS label (a-z, 0-9, '-') of at most ${63 - FLUX_ALERT_DEFAULTS.secretSuffix.length} characters, so that its Secret <name>${FLUX_ALERT_DEFAULTS.secretSuffix} is one too`,
};

/** The kinds that apply to a cluster's extension: HelmRelease and HelmChart only with the helm controller. */
export function defaultAlertKinds(controllers: Pick<FluxControllers, "helm">): AlertKind[] {
    return ALERT_KINDS.filter((k) => controllers.helm || (k !== "HelmRelease" && k !== "HelmChart"));
}

export interface AlertTarget {
    /** Name of the Provider and the Alert in each watched namespace; its Secret is `<name>-credentials`. */
    readonly name: string;
    /** The Flux Provider type. */
    readonly type: AlertProviderType;
    /**
     * The webhook URL (an `azureeventhub` SAS connection string with its EntityPath). A credential: it
     * goes into the Secret only, never into the Provider's spec, and is kept a Pulumi secret.
     */
    readonly address: pulumi.Input<string>;
    /** The HMAC key: required for `generic-hmac`, refused for every other type. */
    readonly token?: pulumi.Input<string>;
    /** Default `error`: failures only. */
    readonly severity?: AlertSeverity;
    /** The kinds of objects to watch. Default: all of ALERT_KINDS. */
    readonly kinds?: readonly AlertKind[];
    /** Names of the configurations (keys of FluxAlertsArgs.configurations) to watch. Default: all. */
    readonly configurations?: readonly string[];
}

export interface FluxAlertsArgs {
    /** The Flux objects of each configuration, by configuration name (Flux.objects). */
    readonly configurations: Readonly<Record<string, FluxObjects>>;
    /** At least one; each with a name of its own. */
    readonly targets: readonly AlertTarget[];
    /**
     * The namespaces the configurations apply apps into (the cluster's appNamespaces): a target watching
     * every configuration also watches the HelmRelease, HelmChart and OCIRepository objects there.
     * Default: none.
     */
    readonly appNamespaces?: readonly string[];
    /**
     * Apply each watched namespace first (a server-side-apply patch, as FluxNotifications does), so the
     * Secrets never wait on a configuration's agent to create it. Default: for any namespace but
     * flux-system, which comes with the extension.
     */
    readonly applyNamespace?: boolean;
}

/** What the rules look at: a target's values are checked only for being there. */
export type AlertTargetShape = Omit<AlertTarget, "address" | "token"> & { readonly address?: unknown; readonly token?: unknown };

function duplicateProblems(values: readonly string[], path: (i: number) => (string | number)[], message: (v: string) => string): Problem[] {
    return values.flatMap((v, i) => (values.indexOf(v) < i ? [{ path: path(i), message: message(v) }] : []));
}

/** The component's rules, at paths relative to its args (`targets.0.name`). */
export function fluxAlertsProblems(args: { readonly configurations: Readonly<Record<string, unknown>>; readonly targets: readonly AlertTargetShape[] }): Problem[] {
    const problems: Problem[] = [];
    if (args.targets.length === 0) problems.push({ path: ["targets"], message: "expected at least one alert target; leave the list out for none" });
    const known = Object.keys(args.configurations);
    args.targets.forEach((t, i) => {
        const p = (...rest: (string | number)[]) => ["targets", i, ...rest];
        const nameProblem = patternProblem(ALERT_NAME_RULE, t.name);
        problems.push(...at(p("name"), nameProblem));
        if (nameProblem === undefined && t.name === NOTIFICATION_DEFAULTS.objectName) {
            problems.push({ path: p("name"), message: `${t.name} is the name of the GitOps Connector's Provider and Alert; choose another` });
        }
        const typeProblem = oneOfProblem(ALERT_PROVIDER_TYPES, t.type);
        problems.push(...at(p("type"), typeProblem));
        if (t.address === undefined) problems.push({ path: p("address"), message: "expected the address (webhook URL or connection string)" });
        if (t.type === "generic-hmac" && t.token === undefined) {
            problems.push({ path: p("token"), message: "generic-hmac signs each request with an HMAC key (the Secret's token); expected one" });
        } else if (typeProblem === undefined && t.type !== "generic-hmac" && t.token !== undefined) {
            problems.push({ path: p("token"), message: `only generic-hmac takes a token; ${t.type} reads the address alone` });
        }
        if (t.severity !== undefined) problems.push(...at(p("severity"), oneOfProblem(ALERT_SEVERITIES, t.severity)));
        if (t.kinds !== undefined) {
            if (t.kinds.length === 0) problems.push({ path: p("kinds"), message: `expected at least one kind; leave it out for all (${ALERT_KINDS.join(", ")})` });
            t.kinds.forEach((k, j) => problems.push(...at(p("kinds", j), oneOfProblem(ALERT_KINDS, k))));
            problems.push(...duplicateProblems(t.kinds, (j) => p("kinds", j), () => "listed twice"));
        }
        if (t.configurations !== undefined) {
            if (t.configurations.length === 0) problems.push({ path: p("configurations"), message: "expected at least one Flux configuration; leave it out for all" });
            t.configurations.forEach((c, j) => {
                if (!known.includes(c)) problems.push({ path: p("configurations", j), message: `no Flux configuration named '${c}' (expected one of ${known.join(", ")})` });
            });
            problems.push(...duplicateProblems(t.configurations, (j) => p("configurations", j), () => "listed twice"));
        }
    });
    problems.push(...duplicateProblems(args.targets.map((t) => t.name), (i) => ["targets", i, "name"], (n) => `another alert target is named '${n}'; its Provider and Alert would take the same names`));
    return problems;
}

/** One Alert's event sources, each with an explicit namespace (the Alert's own). */
export interface AlertEventSource {
    /** A watched kind, or `Bucket`: the source of a Bucket or Azure Blob configuration, named for `GitRepository`. */
    readonly kind: AlertKind | "Bucket";
    readonly name: string;
    readonly namespace: string;
}

/**
 * The event sources of one target in one namespace: the GitRepository and Kustomizations of each watched
 * configuration there by name, then `*` for each kind the Kustomizations may create.
 */
export function alertEventSources(namespace: string, configurations: readonly FluxObjects[], kinds: readonly AlertKind[]): AlertEventSource[] {
    const named = configurations.flatMap((o): AlertEventSource[] => [
        // `GitRepository` stands for the configuration's source: a Bucket (Bucket or Azure Blob) by its
        // kind and name; an OCIRepository, which the `*` entry below covers.
        ...(kinds.includes("GitRepository") && o.sourceKind !== "OCIRepository" ? [{ kind: o.sourceKind ?? ("GitRepository" as const), name: o.gitRepository, namespace }] : []),
        ...(kinds.includes("Kustomization") ? o.kustomizations.map((k) => ({ kind: "Kustomization" as const, name: k, namespace })) : []),
    ]);
    return [...named, ...WILDCARD_KINDS.filter((k) => kinds.includes(k)).map((kind) => ({ kind, name: "*", namespace }))];
}

/** The watched configurations' objects grouped by namespace, in the order the configurations come. */
export function alertNamespaces(
    target: Pick<AlertTarget, "configurations" | "kinds">,
    configurations: Readonly<Record<string, FluxObjects>>,
    appNamespaces: readonly string[] = [],
): Map<string, FluxObjects[]> {
    const byNamespace = new Map<string, FluxObjects[]>();
    for (const [name, objects] of Object.entries(configurations)) {
        if (target.configurations !== undefined && !target.configurations.includes(name)) continue;
        byNamespace.set(objects.namespace, [...(byNamespace.get(objects.namespace) ?? []), objects]);
    }
    // What the configurations' Kustomizations apply into the app namespaces (a HelmRelease, its chart, an
    // OCIRepository) is theirs too, and its events stay in its namespace: a target watching every
    // configuration and one of those kinds gets an Alert there, for those kinds as `*`.
    const wildcard = (target.kinds ?? FLUX_ALERT_DEFAULTS.kinds).some((k) => WILDCARD_KINDS.includes(k));
    if (target.configurations === undefined && wildcard) {
        for (const namespace of appNamespaces) if (!byNamespace.has(namespace)) byNamespace.set(namespace, []);
    }
    return byNamespace;
}

/** Names of a target's objects: Provider and Alert after the target, the Secret next to them. */
export function alertObjectNames(target: string): { provider: string; alert: string; secret: string } {
    return { provider: target, alert: target, secret: `${target}${FLUX_ALERT_DEFAULTS.secretSuffix}` };
}

/** The Provider's spec: the type and the Secret, never the address (which is a credential). */
export function alertProviderSpec(type: AlertProviderType, secretName: string): Record<string, unknown> {
    return { type, secretRef: { name: secretName } };
}

export function fluxAlertSpec(providerName: string, severity: AlertSeverity, sources: readonly AlertEventSource[]): Record<string, unknown> {
    return { providerRef: { name: providerName }, eventSeverity: severity, eventSources: sources.map((s) => ({ ...s })) };
}

/**
 * The address as it goes into the Secret, refused when empty or longer than the 2048 bytes
 * notification-controller reads: v1beta3 Providers have no status, so Flux would only log the failure
 * when an event comes. Its shape (an https:// webhook URL, an Event Hub connection string with its
 * EntityPath) is left to Flux: the offline plan runs the program with placeholder secrets. The messages
 * never show the value.
 */
export function checkedAlertAddress(target: string, address: string): string {
    const value = address.trim();
    if (value === "") throw new Error(`Flux alert target ${target}: the address is empty`);
    if (Buffer.byteLength(value, "utf8") > 2048) throw new Error(`Flux alert target ${target}: the address is longer than the 2048 bytes notification-controller reads (value not shown)`);
    return value;
}

/** The Secret's data: `address`, and `token` for generic-hmac, whose empty key Flux refuses. */
export function alertSecretData(target: string, type: AlertProviderType, address: string, token: string | undefined): Record<string, string> {
    if (type !== "generic-hmac") return { address: checkedAlertAddress(target, address) };
    if (token === undefined || token.trim() === "") throw new Error(`Flux alert target ${target}: the generic-hmac HMAC key is empty`);
    return { address: checkedAlertAddress(target, address), token };
}

/**
 * Per target, in every namespace holding a watched configuration: a Secret with its address, a Provider
 * referring to it and an Alert on the configurations' objects there. Pass the cluster's Kubernetes
 * provider in the options; the caller's `dependsOn` (the extension with its CRDs, the configurations)
 * holds back every child, and its `deletedWith` goes to every child.
 *
 * Why per namespace: under Flux's multi-tenancy lockdown (--no-cross-namespace-refs, which the
 * extension's multiTenancy.enforce is meant to bring; research has not confirmed it reaches the
 * notification-controller) an Alert only receives events of objects in its own namespace, so one Alert
 * can't watch configurations in several. An Alert per namespace works with and without the flag. An
 * Alert's providerRef and a Provider's secretRef are namespace-local, so the Provider and its Secret are
 * repeated there too: a target watching configurations in two namespaces has a Secret, Provider and
 * Alert in each, all under the target's names, holding the same address.
 */
export class FluxAlerts extends pulumi.ComponentResource {
    /** Per target name, per namespace. */
    public readonly providers: Readonly<Record<string, Readonly<Record<string, k8s.apiextensions.CustomResource>>>>;
    public readonly alerts: Readonly<Record<string, Readonly<Record<string, k8s.apiextensions.CustomResource>>>>;
    public readonly secrets: Readonly<Record<string, Readonly<Record<string, k8s.core.v1.Secret>>>>;
    /** The namespace patches, by namespace. */
    public readonly namespacePatches: Readonly<Record<string, k8s.core.v1.NamespacePatch>>;

    constructor(name: string, args: FluxAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs("FluxAlerts", name, [...fluxAlertsProblems(args), ...kubernetesProviderProblems(opts)]);
        super("gitops:alerts:FluxAlerts", name, {}, opts);
        // The SDK doesn't pass deletedWith on to children, so each gets it here.
        const deletedWith = opts?.deletedWith;

        const namespacePatches: Record<string, k8s.core.v1.NamespacePatch> = {};
        const namespaceFirst = (namespace: string): pulumi.Resource[] => {
            if (!(args.applyNamespace ?? namespace !== EXTENSION_NAMESPACE)) return [];
            // One patch per namespace, shared by the targets; no fields of its own (see FluxNotifications).
            namespacePatches[namespace] ??= new k8s.core.v1.NamespacePatch(
                `${name}-${namespace}-namespace`,
                { metadata: { name: namespace } },
                { parent: this, dependsOn: forwardedDependsOn(opts), deletedWith },
            );
            return [namespacePatches[namespace]];
        };

        const providers: Record<string, Record<string, k8s.apiextensions.CustomResource>> = {};
        const alerts: Record<string, Record<string, k8s.apiextensions.CustomResource>> = {};
        const secrets: Record<string, Record<string, k8s.core.v1.Secret>> = {};
        for (const t of args.targets) {
            const names = alertObjectNames(t.name);
            providers[t.name] = {};
            alerts[t.name] = {};
            secrets[t.name] = {};
            // Wrapped as a whole: the URL is the webhook's credential, and a caller may pass it plain (the
            // SDK's Secret also marks stringData; this doesn't rely on it).
            const stringData = pulumi.secret(
                pulumi.all([t.address, t.token]).apply(([address, token]) => alertSecretData(t.name, t.type, address, token)),
            );
            for (const [namespace, objects] of alertNamespaces(t, args.configurations, args.appNamespaces)) {
                // Names from the namespace first, `/` between: neither part can hold one, so no two collide.
                const child = `${name}-${namespace}/${t.name}`;
                const secret = new k8s.core.v1.Secret(
                    `${child}-secret`,
                    { metadata: { name: names.secret, namespace }, type: "Opaque", stringData },
                    { parent: this, dependsOn: forwardedDependsOn(opts, ...namespaceFirst(namespace)), deletedWith },
                );
                const provider = new k8s.apiextensions.CustomResource(
                    `${child}-provider`,
                    {
                        apiVersion: NOTIFICATION_API_VERSION,
                        kind: "Provider",
                        metadata: { name: names.provider, namespace },
                        spec: alertProviderSpec(t.type, names.secret),
                    },
                    // The caller's dependsOn carries the extension, which installs the CRDs. After its
                    // Secret: a Provider without one fails every event; on destroy it goes first.
                    { parent: this, dependsOn: forwardedDependsOn(opts, secret), deletedWith },
                );
                const alert = new k8s.apiextensions.CustomResource(
                    `${child}-alert`,
                    {
                        apiVersion: NOTIFICATION_API_VERSION,
                        kind: "Alert",
                        metadata: { name: names.alert, namespace },
                        spec: fluxAlertSpec(
                            names.provider,
                            t.severity ?? FLUX_ALERT_DEFAULTS.severity,
                            alertEventSources(namespace, objects, t.kinds ?? FLUX_ALERT_DEFAULTS.kinds),
                        ),
                    },
                    { parent: this, dependsOn: forwardedDependsOn(opts, provider), deletedWith },
                );
                secrets[t.name][namespace] = secret;
                providers[t.name][namespace] = provider;
                alerts[t.name][namespace] = alert;
            }
        }
        this.providers = providers;
        this.alerts = alerts;
        this.secrets = secrets;
        this.namespacePatches = namespacePatches;

        this.registerOutputs({ providers, alerts, secrets, namespacePatches });
    }
}
