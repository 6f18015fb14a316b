// The microsoft.flux cluster extension and any number of Flux configurations on one cluster.
import * as pulumi from "@pulumi/pulumi";
import * as kc from "@pulumi/azure-native/kubernetesconfiguration";
import type * as azinputs from "@pulumi/azure-native/types/input";
import { forwardedDependsOn } from "./options.ts";

/** The extension rejects `<configuration>-<kustomization>` names longer than this (az CLI check). */
export const MAX_KUSTOMIZATION_OBJECT_NAME = 62;

/** The name the extension gives the Flux Kustomization object for a kustomization of a configuration. */
export function kustomizationObjectName(configuration: string, kustomization: string): string {
    return `${configuration}-${kustomization}`;
}

/**
 * GitHub's published SSH host keys (docs.github.com, "GitHub's SSH key fingerprints"), pinned so that
 * Flux never trusts a host key on first use. A test checks them against GitHub's published SHA256
 * fingerprints.
 */
export const GITHUB_KNOWN_HOSTS: readonly string[] = [
    "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    "github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=",
    "github.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk=",
];

/** Where extensions and configurations attach: an AKS managed cluster or an Arc connected cluster. */
export interface ClusterTarget {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly clusterName: pulumi.Input<string>;
    readonly clusterRp: "Microsoft.ContainerService" | "Microsoft.Kubernetes";
    readonly clusterResourceName: "managedClusters" | "connectedClusters";
}

export interface FluxControllers {
    readonly source: boolean;
    readonly kustomize: boolean;
    readonly helm: boolean;
    readonly notification: boolean;
    readonly imageAutomation: boolean;
    readonly imageReflector: boolean;
}

export interface FluxExtensionArgs {
    /** Extension resource name. Default `flux`, as the CLI and portal name it. */
    readonly name?: string;
    /** Pinned version; when set, minor auto-upgrade is off. */
    readonly version?: string;
    /** Release train when auto-upgrading. Default `Stable`. */
    readonly releaseTrain?: "Stable" | "Preview";
    readonly controllers: FluxControllers;
    /** `multiTenancy.enforce`. Default true, as in the extension. */
    readonly multiTenancy?: boolean;
    /** Further configurationSettings, passed through verbatim. */
    readonly settings?: Readonly<Record<string, string>>;
}

export type GitAuth =
    | { readonly type: "none" }
    /** `password` is the PAT or password in clear; the component base64-encodes it as ARM expects. */
    | { readonly type: "https"; readonly username: string; readonly password: pulumi.Input<string> }
    /** `privateKey` is the PEM key in clear; `knownHosts` are known_hosts lines to pin. */
    | { readonly type: "ssh"; readonly privateKey: pulumi.Input<string>; readonly knownHosts: readonly string[] };

/** Defaults for Flux configurations and kustomizations, shared with the stack config schema. */
export const FLUX_DEFAULTS = {
    namespace: "flux-system",
    scope: "cluster",
    intervalInSeconds: 600,
    timeoutInSeconds: 600,
    waitForReconciliation: true,
    reconciliationWaitDuration: "PT10M",
    prune: false,
    force: false,
    wait: true,
} as const;

export interface KustomizationArgs {
    /** The Flux Kustomization object is named `<configuration>-<name>`, at most 62 characters. */
    readonly name: string;
    /** Path in the repository. Default: the repository root. */
    readonly path?: string;
    /** Names of other kustomizations of the same configuration. Default: none. */
    readonly dependsOn?: readonly string[];
    /** Delete objects removed from Git. Default false (as `az k8s-configuration flux create`). */
    readonly prune?: boolean;
    /** Recreate objects that can't be patched. Default false. */
    readonly force?: boolean;
    /** Wait for the applied objects to become ready. Default true. */
    readonly wait?: boolean;
    /** Default 600. */
    readonly syncIntervalInSeconds?: number;
    /** Default 600. */
    readonly timeoutInSeconds?: number;
    /** Default: the sync interval. */
    readonly retryIntervalInSeconds?: number;
    /** Variable substitution after kustomize build. Default: none. */
    readonly postBuild?: {
        readonly substitute?: Readonly<Record<string, string>>;
        readonly substituteFrom?: readonly { readonly kind: "ConfigMap" | "Secret"; readonly name: string; readonly optional?: boolean }[];
    };
}

export interface FluxConfigurationArgs {
    /** The configuration name; also the name of its GitRepository. */
    readonly name: string;
    /** Namespace of the Flux objects. Default `flux-system`. Create-only in ARM. */
    readonly namespace?: string;
    /** Default `cluster`. Create-only in ARM. */
    readonly scope?: "cluster" | "namespace";
    /** `https://` or `ssh://` Git URL, without credentials. */
    readonly url: string;
    /** One of branch, tag, semver or commit is required; a commit also needs its branch. */
    readonly branch?: string;
    readonly tag?: string;
    readonly semver?: string;
    readonly commit?: string;
    /** Default: a public repository. */
    readonly auth?: GitAuth;
    /** Default 600. */
    readonly syncIntervalInSeconds?: number;
    /** Default 600. */
    readonly timeoutInSeconds?: number;
    /** Default false. */
    readonly suspend?: boolean;
    /** Make ARM wait until Flux has reconciled. Default true. */
    readonly waitForReconciliation?: boolean;
    /** ISO-8601. Default `PT10M`. */
    readonly reconciliationWaitDuration?: string;
    /** At least one. */
    readonly kustomizations: readonly KustomizationArgs[];
}

/** A problem with a configuration's arguments: the field it concerns (relative path) and what's wrong. */
export interface FluxProblem {
    readonly path: readonly (string | number)[];
    readonly message: string;
}

/**
 * Combinations ARM or the extension would reject, checked up front. The stack config reports these
 * against its key paths; the component throws on them when used from code.
 */
export function fluxConfigurationProblems(
    fc: Pick<FluxConfigurationArgs, "name" | "branch" | "tag" | "semver" | "commit" | "kustomizations">,
): FluxProblem[] {
    const problems: FluxProblem[] = [];
    const refs = [fc.branch, fc.tag, fc.semver, fc.commit].filter((r) => r !== undefined);
    if (refs.length === 0) problems.push({ path: ["branch"], message: "expected one of branch, tag, semver or commit" });
    if (fc.commit !== undefined && fc.branch === undefined) {
        problems.push({ path: ["commit"], message: "ARM requires a commit to be combined with its branch; set branch too" });
    }
    if (fc.tag !== undefined && fc.semver !== undefined) problems.push({ path: ["tag"], message: "set tag or semver, not both" });
    if (fc.kustomizations.length === 0) problems.push({ path: ["kustomizations"], message: "expected at least one kustomization" });
    const names = new Set<string>();
    fc.kustomizations.forEach((k, j) => {
        if (names.has(k.name)) problems.push({ path: ["kustomizations", j, "name"], message: `duplicate kustomization name '${k.name}'` });
        names.add(k.name);
        const objectName = kustomizationObjectName(fc.name, k.name);
        if (objectName.length > MAX_KUSTOMIZATION_OBJECT_NAME) {
            problems.push({
                path: ["kustomizations", j, "name"],
                message:
                    `the Flux Kustomization '${objectName}' (<configuration>-<kustomization>) is ${objectName.length} characters; ` +
                    `the extension allows at most ${MAX_KUSTOMIZATION_OBJECT_NAME}`,
            });
        }
    });
    fc.kustomizations.forEach((k, j) => {
        for (const dep of k.dependsOn ?? []) {
            if (!names.has(dep)) problems.push({ path: ["kustomizations", j, "dependsOn"], message: `'${dep}' is not a kustomization of '${fc.name}'` });
            if (dep === k.name) problems.push({ path: ["kustomizations", j, "dependsOn"], message: `'${dep}' depends on itself` });
        }
    });
    return problems;
}

export interface FluxArgs {
    readonly cluster: ClusterTarget;
    readonly extension: FluxExtensionArgs;
    readonly configurations: readonly FluxConfigurationArgs[];
}

/** The Flux objects the extension creates in the cluster for one configuration. */
export interface FluxObjects {
    readonly namespace: string;
    readonly gitRepository: string;
    readonly kustomizations: readonly string[];
}

export function fluxObjects(fc: Pick<FluxConfigurationArgs, "name" | "namespace" | "kustomizations">): FluxObjects {
    return {
        namespace: fc.namespace ?? FLUX_DEFAULTS.namespace,
        gitRepository: fc.name,
        kustomizations: fc.kustomizations.map((k) => kustomizationObjectName(fc.name, k.name)),
    };
}

/** The extension's configurationSettings: controller toggles and multi-tenancy, then free-form settings. */
export function extensionSettings(ext: FluxExtensionArgs): Record<string, string> {
    const c = ext.controllers;
    return {
        "source-controller.enabled": String(c.source),
        "kustomize-controller.enabled": String(c.kustomize),
        "helm-controller.enabled": String(c.helm),
        "notification-controller.enabled": String(c.notification),
        "image-automation-controller.enabled": String(c.imageAutomation),
        "image-reflector-controller.enabled": String(c.imageReflector),
        "multiTenancy.enforce": String(ext.multiTenancy ?? true),
        ...ext.settings,
    };
}

const base64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/**
 * configurationProtectedSettings for the Git credentials. ARM expects each value base64-encoded (the az
 * CLI's to_base64), and azure-native doesn't mark the map secret, so it is wrapped here.
 */
export function protectedSettings(auth: GitAuth): pulumi.Output<Record<string, string>> | undefined {
    switch (auth.type) {
        case "none":
            return undefined;
        case "https":
            return pulumi.secret(pulumi.output(auth.password).apply((p): Record<string, string> => ({ httpsKey: base64(p) })));
        case "ssh":
            return pulumi.secret(pulumi.output(auth.privateKey).apply((k): Record<string, string> => ({ sshPrivateKey: base64(k) })));
    }
}

/** `sshKnownHosts` as ARM expects it: the known_hosts file, base64-encoded. */
export function knownHostsValue(lines: readonly string[]): string {
    return base64(lines.join("\n") + "\n");
}

function kustomizationsValue(fc: FluxConfigurationArgs): Record<string, azinputs.kubernetesconfiguration.KustomizationDefinitionArgs> {
    return Object.fromEntries(
        fc.kustomizations.map((k) => [
            k.name,
            {
                path: k.path ?? "",
                dependsOn: [...(k.dependsOn ?? [])],
                prune: k.prune ?? FLUX_DEFAULTS.prune,
                force: k.force ?? FLUX_DEFAULTS.force,
                wait: k.wait ?? FLUX_DEFAULTS.wait,
                syncIntervalInSeconds: k.syncIntervalInSeconds ?? FLUX_DEFAULTS.intervalInSeconds,
                timeoutInSeconds: k.timeoutInSeconds ?? FLUX_DEFAULTS.timeoutInSeconds,
                retryIntervalInSeconds: k.retryIntervalInSeconds,
                postBuild: k.postBuild && {
                    substitute: { ...(k.postBuild.substitute ?? {}) },
                    substituteFrom: (k.postBuild.substituteFrom ?? []).map((s) => ({ kind: s.kind, name: s.name, optional: s.optional ?? false })),
                },
            },
        ]),
    );
}

export class Flux extends pulumi.ComponentResource {
    public readonly extension: kc.Extension;
    /** The extension's resource name on the cluster. */
    public readonly extensionName: string;
    /** Keyed by Flux configuration name. */
    public readonly configurations: Readonly<Record<string, kc.FluxConfiguration>>;
    /** The in-cluster objects each configuration creates, keyed by configuration name. */
    public readonly objects: Readonly<Record<string, FluxObjects>>;

    constructor(name: string, args: FluxArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before super(): invalid arguments must not register even the component.
        const problems = args.configurations.flatMap((fc) =>
            fluxConfigurationProblems(fc).map((p) => `configuration '${fc.name}' ${p.path.join(".")}: ${p.message}`),
        );
        const names = args.configurations.map((fc) => fc.name);
        names.forEach((n, i) => {
            if (names.indexOf(n) !== i) problems.push(`configuration '${n}': duplicate Flux configuration name`);
        });
        if (problems.length > 0) throw new Error(`Flux ${name}:\n  - ${problems.join("\n  - ")}`);
        super("gitops:flux:Flux", name, {}, opts);

        const target = args.cluster;
        const ext = args.extension;
        const isArc = target.clusterRp === "Microsoft.Kubernetes";
        this.extensionName = ext.name ?? "flux";

        // Created explicitly: the first fluxConfiguration would otherwise auto-install an extension
        // named `flux`, which this resource would then collide with.
        this.extension = new kc.Extension(
            `${name}-extension`,
            {
                resourceGroupName: target.resourceGroupName,
                clusterName: target.clusterName,
                clusterRp: target.clusterRp,
                clusterResourceName: target.clusterResourceName,
                extensionName: this.extensionName,
                extensionType: "microsoft.flux",
                // ARM accepts `version` only with minor auto-upgrade off. The train is always sent (the
                // SDK would default it to Stable anyway); with a pinned version it only names the channel.
                autoUpgradeMinorVersion: ext.version === undefined,
                version: ext.version,
                releaseTrain: ext.releaseTrain ?? "Stable",
                // The extension only installs cluster-wide, into flux-system.
                scope: { cluster: { releaseNamespace: "flux-system" } },
                configurationSettings: extensionSettings(ext),
                // Arc extensions need a system-assigned identity (the az CLI sends one); AKS ones take none.
                identity: isArc ? { type: "SystemAssigned" } : undefined,
            },
            { parent: this },
        );

        const configurations: Record<string, kc.FluxConfiguration> = {};
        const objects: Record<string, FluxObjects> = {};
        let previous: kc.FluxConfiguration | undefined;
        for (const fc of args.configurations) {
            const auth = fc.auth ?? { type: "none" };
            const wait = fc.waitForReconciliation ?? FLUX_DEFAULTS.waitForReconciliation;
            const configuration: kc.FluxConfiguration = new kc.FluxConfiguration(
                `${name}-${fc.name}`,
                {
                    resourceGroupName: target.resourceGroupName,
                    clusterName: target.clusterName,
                    clusterRp: target.clusterRp,
                    clusterResourceName: target.clusterResourceName,
                    fluxConfigurationName: fc.name,
                    namespace: fc.namespace ?? FLUX_DEFAULTS.namespace,
                    scope: fc.scope ?? FLUX_DEFAULTS.scope,
                    sourceKind: "GitRepository",
                    suspend: fc.suspend ?? false,
                    gitRepository: {
                        url: fc.url,
                        repositoryRef: { branch: fc.branch, tag: fc.tag, semver: fc.semver, commit: fc.commit },
                        httpsUser: auth.type === "https" ? auth.username : undefined,
                        sshKnownHosts: auth.type === "ssh" ? knownHostsValue(auth.knownHosts) : undefined,
                        syncIntervalInSeconds: fc.syncIntervalInSeconds ?? FLUX_DEFAULTS.intervalInSeconds,
                        timeoutInSeconds: fc.timeoutInSeconds ?? FLUX_DEFAULTS.timeoutInSeconds,
                    },
                    kustomizations: kustomizationsValue(fc),
                    configurationProtectedSettings: protectedSettings(auth),
                    waitForReconciliation: wait,
                    reconciliationWaitDuration: wait ? (fc.reconciliationWaitDuration ?? FLUX_DEFAULTS.reconciliationWaitDuration) : undefined,
                },
                {
                    parent: this,
                    // The extension installs the Flux CRDs and controllers. Configurations are applied one
                    // after another: concurrent operations on one cluster's extension layer fail with
                    // "another operation is in progress" (Azure/AKS-Construction#385). The caller's
                    // dependsOn (e.g. a deploy key the source needs) applies to each.
                    dependsOn: forwardedDependsOn(opts, this.extension, ...(previous ? [previous] : [])),
                },
            );
            configurations[fc.name] = configuration;
            objects[fc.name] = fluxObjects(fc);
            previous = configuration;
        }
        this.configurations = configurations;
        this.objects = objects;

        this.registerOutputs({
            extension: this.extension,
            configurations: this.configurations,
            objects: this.objects,
        });
    }
}
