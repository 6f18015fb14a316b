// The microsoft.flux cluster extension and any number of Flux configurations on one cluster.
import * as pulumi from "@pulumi/pulumi";
import * as kc from "@pulumi/azure-native/kubernetesconfiguration";
import type * as azinputs from "@pulumi/azure-native/types/input";

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

export interface KustomizationArgs {
    readonly name: string;
    readonly path: string;
    /** Names of other kustomizations of the same configuration. */
    readonly dependsOn: readonly string[];
    readonly prune: boolean;
    readonly force: boolean;
    readonly wait: boolean;
    readonly syncIntervalInSeconds: number;
    readonly timeoutInSeconds: number;
    readonly retryIntervalInSeconds?: number;
    readonly postBuild?: {
        readonly substitute: Readonly<Record<string, string>>;
        readonly substituteFrom: readonly { readonly kind: "ConfigMap" | "Secret"; readonly name: string; readonly optional: boolean }[];
    };
}

export interface FluxConfigurationArgs {
    readonly name: string;
    readonly namespace: string;
    readonly scope: "cluster" | "namespace";
    readonly url: string;
    readonly branch?: string;
    readonly tag?: string;
    readonly semver?: string;
    readonly commit?: string;
    readonly auth: GitAuth;
    readonly syncIntervalInSeconds: number;
    readonly timeoutInSeconds: number;
    readonly suspend: boolean;
    readonly waitForReconciliation: boolean;
    readonly reconciliationWaitDuration: string;
    readonly kustomizations: readonly KustomizationArgs[];
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
        namespace: fc.namespace,
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
                path: k.path,
                dependsOn: [...k.dependsOn],
                prune: k.prune,
                force: k.force,
                wait: k.wait,
                syncIntervalInSeconds: k.syncIntervalInSeconds,
                timeoutInSeconds: k.timeoutInSeconds,
                retryIntervalInSeconds: k.retryIntervalInSeconds,
                postBuild: k.postBuild && {
                    substitute: { ...k.postBuild.substitute },
                    substituteFrom: k.postBuild.substituteFrom.map((s) => ({ ...s })),
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
            const auth = fc.auth;
            const configuration: kc.FluxConfiguration = new kc.FluxConfiguration(
                `${name}-${fc.name}`,
                {
                    resourceGroupName: target.resourceGroupName,
                    clusterName: target.clusterName,
                    clusterRp: target.clusterRp,
                    clusterResourceName: target.clusterResourceName,
                    fluxConfigurationName: fc.name,
                    namespace: fc.namespace,
                    scope: fc.scope,
                    sourceKind: "GitRepository",
                    suspend: fc.suspend,
                    gitRepository: {
                        url: fc.url,
                        repositoryRef: { branch: fc.branch, tag: fc.tag, semver: fc.semver, commit: fc.commit },
                        httpsUser: auth.type === "https" ? auth.username : undefined,
                        sshKnownHosts: auth.type === "ssh" ? knownHostsValue(auth.knownHosts) : undefined,
                        syncIntervalInSeconds: fc.syncIntervalInSeconds,
                        timeoutInSeconds: fc.timeoutInSeconds,
                    },
                    kustomizations: kustomizationsValue(fc),
                    configurationProtectedSettings: protectedSettings(auth),
                    waitForReconciliation: fc.waitForReconciliation,
                    reconciliationWaitDuration: fc.waitForReconciliation ? fc.reconciliationWaitDuration : undefined,
                },
                {
                    parent: this,
                    // The extension installs the Flux CRDs and controllers. Configurations are applied one
                    // after another: concurrent operations on one cluster's extension layer fail with
                    // "another operation is in progress" (Azure/AKS-Construction#385).
                    dependsOn: previous ? [this.extension, previous] : [this.extension],
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
