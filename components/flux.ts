// The microsoft.flux cluster extension and any number of Flux configurations on one cluster.
import * as pulumi from "@pulumi/pulumi";
import * as kc from "@pulumi/azure-native/kubernetesconfiguration";
import { configurationSourceKind, EXTENSION_NAMESPACE, FLUX_DEFAULTS, FLUX_EXTENSION_DEFAULTS, fluxProblems, kustomizationObjectName, needsFluxApi2025 } from "./flux-args.ts";
import type { FluxArgs, FluxConfigurationArgs, FluxExtensionArgs, FluxWorkloadIdentity, GitAuth } from "./flux-args.ts";
import { FluxConfiguration20250401, type FluxConfiguration20250401Args } from "./flux-configuration-2025.ts";
import { githubAppSecretName } from "./flux-github-app.ts";
import type { Problem } from "./problems.ts";
import { forwardedDependsOn, withoutDependsOn } from "./options.ts";
import { refuseInvalidArgs } from "./problems.ts";

export * from "./flux-args.ts";
export * from "./git.ts";

/** The Flux objects the extension creates in the cluster for one configuration. */
export interface FluxObjects {
    readonly namespace: string;
    /** The source object's name: a GitRepository, or with `sourceKind` an OCIRepository or a Bucket. */
    readonly gitRepository: string;
    /**
     * Present for a source that isn't a GitRepository: an `oci://` URL's OCIRepository, or the Flux
     * `Bucket` that both `source: bucket` and `source: azureBlob` become (the latter with provider azure).
     */
    readonly sourceKind?: "OCIRepository" | "Bucket";
    readonly kustomizations: readonly string[];
}

export function fluxObjects(fc: Pick<FluxConfigurationArgs, "name" | "namespace" | "kustomizations" | "source"> & { readonly url?: string }): FluxObjects {
    return {
        namespace: fc.namespace ?? FLUX_DEFAULTS.namespace,
        gitRepository: fc.name,
        ...(fc.source !== undefined ? { sourceKind: "Bucket" as const } : fc.url?.startsWith("oci://") ? { sourceKind: "OCIRepository" as const } : {}),
        kustomizations: fc.kustomizations.map((k) => kustomizationObjectName(fc.name, k.name)),
    };
}

/** The extension's configurationSettings: controller toggles and multi-tenancy, then free-form settings. */
export function extensionSettings(ext: FluxExtensionArgs): Record<string, string> {
    const d = FLUX_EXTENSION_DEFAULTS.controllers;
    const given = ext.controllers ?? {};
    const c = {
        source: given.source ?? d.source,
        kustomize: given.kustomize ?? d.kustomize,
        helm: given.helm ?? d.helm,
        notification: given.notification ?? d.notification,
        imageAutomation: given.imageAutomation ?? d.imageAutomation,
        imageReflector: given.imageReflector ?? d.imageReflector,
    };
    return {
        "source-controller.enabled": String(c.source),
        "kustomize-controller.enabled": String(c.kustomize),
        "helm-controller.enabled": String(c.helm),
        "notification-controller.enabled": String(c.notification),
        "image-automation-controller.enabled": String(c.imageAutomation),
        "image-reflector-controller.enabled": String(c.imageReflector),
        "multiTenancy.enforce": String(ext.multiTenancy ?? FLUX_EXTENSION_DEFAULTS.multiTenancy),
        ...ext.settings,
    };
}

/**
 * The extension's `workloadIdentity.*` settings: the source-controller's service account is annotated
 * with the identity's client ID, and its pods get the federated token.
 */
export function workloadIdentitySettings(wi: Pick<FluxWorkloadIdentity, "clientId" | "tenantId">): Record<string, pulumi.Input<string>> {
    return { "workloadIdentity.enable": "true", "workloadIdentity.azureClientId": wi.clientId, "workloadIdentity.azureTenantId": wi.tenantId };
}

/** What the component refuses beyond each argument's own rules: workload identity without an identity. */
function workloadIdentityProblems(args: FluxArgs): Problem[] {
    if (args.workloadIdentity !== undefined) return [];
    return args.configurations.flatMap((fc, i) =>
        fc.auth?.type === "workloadIdentity"
            ? [{ path: ["configurations", i, "auth", "type"], message: `'${fc.name}' uses workload identity; pass workloadIdentity (e.g. a FluxIdentity's clientId and tenantId)` }]
            : [],
    );
}

const base64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/**
 * configurationProtectedSettings for the Git credentials and a bucket's secret key. ARM expects each
 * value base64-encoded (the az CLI's to_base64; `bucketSecretKey` as in its get_protected_settings), and
 * azure-native doesn't mark the map secret, so it is wrapped here.
 */
export function protectedSettings(auth: GitAuth): pulumi.Output<Record<string, string>> | undefined {
    switch (auth.type) {
        case "none":
            return undefined;
        case "https":
            return pulumi.secret(pulumi.output(auth.password).apply((p): Record<string, string> => ({ httpsKey: base64(p) })));
        case "ssh":
            return pulumi.secret(pulumi.output(auth.privateKey).apply((k): Record<string, string> => ({ sshPrivateKey: base64(k) })));
        case "accessKey":
            return pulumi.secret(pulumi.output(auth.secretKey).apply((k): Record<string, string> => ({ bucketSecretKey: base64(k) })));
        case "workloadIdentity":
        case "githubApp":
            // Nothing goes through ARM: Flux reads the App's credentials from its own Secret.
            return undefined;
        case "sasToken":
        case "accountKey":
            // azureBlob.sasToken / accountKey carry these, as secrets (fluxConfiguration2025Source).
            return undefined;
    }
}

/** `sshKnownHosts` as ARM expects it: the known_hosts file, base64-encoded. */
export function knownHostsValue(lines: readonly string[]): string {
    return base64(lines.join("\n") + "\n");
}

/** A kustomization as both API versions take it (plain values, which either class's input types accept). */
interface KustomizationValue {
    readonly path: string;
    readonly dependsOn: string[];
    readonly prune: boolean;
    readonly force: boolean;
    readonly wait: boolean;
    readonly syncIntervalInSeconds: number;
    readonly timeoutInSeconds: number;
    readonly retryIntervalInSeconds?: number;
    readonly postBuild?: { readonly substitute: Record<string, string>; readonly substituteFrom: { kind: string; name: string; optional: boolean }[] };
}

function kustomizationsValue(fc: FluxConfigurationArgs): Record<string, KustomizationValue> {
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

/**
 * A configuration's inputs at API 2025-04-01, for a source the SDK's 2023-05-01 class can't express: an
 * OCI artifact (optionally with workload identity), an Azure DevOps repository read with workload
 * identity (`provider: Azure`, no PAT), or a github.com repository read as a GitHub App (`provider:
 * GitHub`, `localAuthRef` naming the App's Secret, no PAT).
 */
export function fluxConfiguration2025Source(
    fc: FluxConfigurationArgs,
    /** The Flux workload identity; an Azure Blob source with workload identity names its client ID. */
    identity?: Pick<FluxWorkloadIdentity, "clientId">,
): Pick<FluxConfiguration20250401Args, "sourceKind" | "gitRepository" | "ociRepository" | "bucket" | "azureBlob"> {
    const auth = fc.auth ?? { type: "none" as const };
    const workloadIdentity = auth.type === "workloadIdentity";
    const githubApp = auth.type === "githubApp";
    const syncIntervalInSeconds = fc.syncIntervalInSeconds ?? FLUX_DEFAULTS.intervalInSeconds;
    const timeoutInSeconds = fc.timeoutInSeconds ?? FLUX_DEFAULTS.timeoutInSeconds;
    const kind = configurationSourceKind(fc);
    if (kind === "Bucket") {
        return {
            sourceKind: "Bucket",
            bucket: {
                url: fc.url,
                bucketName: fc.bucketName,
                // The spec defaults insecure to true; the az CLI sends false unless --bucket-insecure.
                insecure: fc.insecure ?? false,
                // The access key ID is plain in the API; the secret key goes in configurationProtectedSettings.
                accessKey: auth.type === "accessKey" ? auth.accessKey : undefined,
                syncIntervalInSeconds,
                timeoutInSeconds,
            },
        };
    }
    if (kind === "AzureBlob") {
        if (workloadIdentity && identity === undefined) throw new Error(`Flux configuration ${fc.name}: workload identity on an Azure Blob source needs the Flux workload identity`);
        return {
            sourceKind: "AzureBlob",
            azureBlob: {
                url: fc.url,
                containerName: fc.containerName,
                // Secrets in the API; FluxConfiguration20250401 wraps them in pulumi.secret as well.
                ...(auth.type === "sasToken" ? { sasToken: pulumi.secret(auth.sasToken) } : {}),
                ...(auth.type === "accountKey" ? { accountKey: pulumi.secret(auth.accountKey) } : {}),
                ...(workloadIdentity && identity !== undefined ? { managedIdentity: { clientId: identity.clientId } } : {}),
                syncIntervalInSeconds,
                timeoutInSeconds,
            },
        };
    }
    if (kind === "OCIRepository") {
        return {
            sourceKind: "OCIRepository",
            ociRepository: {
                url: fc.url,
                repositoryRef: { tag: fc.tag, semver: fc.semver, digest: fc.digest },
                ...(fc.layerSelector ? { layerSelector: { mediaType: fc.layerSelector.mediaType, operation: fc.layerSelector.operation } } : {}),
                ...(fc.verify
                    ? {
                          verify: {
                              provider: fc.verify.provider,
                              ...(fc.verify.matchOidcIdentity ? { matchOidcIdentity: fc.verify.matchOidcIdentity.map((m) => ({ issuer: m.issuer, subject: m.subject })) } : {}),
                          },
                      }
                    : {}),
                useWorkloadIdentity: workloadIdentity,
                syncIntervalInSeconds,
                timeoutInSeconds,
            },
        };
    }
    return {
        sourceKind: "GitRepository",
        gitRepository: {
            url: fc.url,
            repositoryRef: { branch: fc.branch, tag: fc.tag, semver: fc.semver, commit: fc.commit },
            // Azure DevOps with workload identity; the problems allow workload identity on nothing else.
            // A GitHub App on github.com: Flux reads the App from the Secret the API's localAuthRef
            // becomes the GitRepository's secretRef of (the caller's FluxGitHubAppSecret).
            provider: workloadIdentity ? "Azure" : githubApp ? "GitHub" : undefined,
            localAuthRef: githubApp ? githubAppSecretName(fc.name) : undefined,
            syncIntervalInSeconds,
            timeoutInSeconds,
        },
    };
}

/** A Flux configuration through either class: the SDK's 2023-05-01 one, or the 2025-04-01 one. */
export type AnyFluxConfiguration = kc.FluxConfiguration | FluxConfiguration20250401;

/**
 * The extension and its configurations. The caller's `dependsOn` holds back the configurations (what
 * reads the repository, e.g. after its deploy key exists), not the extension, which takes minutes and
 * needs nothing but the cluster. The caller's `deletedWith` (e.g. Cluster.deletedWith) goes to the
 * extension and every configuration: Azure deletes them with the cluster, so `pulumi destroy` doesn't
 * run the extension's delete job on a cluster that is going away.
 *
 * On a cluster that stays, Pulumi deletes in reverse dependency order: anything that depends on the
 * configurations (the notifications' Alert and Provider) first, then the configurations one after
 * another, last first, then the extension, whose controllers the configurations' finalizers need.
 */
export class Flux extends pulumi.ComponentResource {
    public readonly extension: kc.Extension;
    /** The extension's resource name on the cluster. */
    public readonly extensionName: string;
    /**
     * Keyed by Flux configuration name. A Git configuration without workload identity or a GitHub App
     * stays on the SDK's 2023-05-01 class; an OCI, workload-identity or GitHub App one is a FluxConfiguration20250401 under the same
     * name, which aliases the SDK's token, so switching one over is an update, not a replacement.
     */
    public readonly configurations: Readonly<Record<string, AnyFluxConfiguration>>;
    /** The in-cluster objects each configuration creates, keyed by configuration name. */
    public readonly objects: Readonly<Record<string, FluxObjects>>;

    constructor(name: string, args: FluxArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs("Flux", name, [...fluxProblems(args), ...workloadIdentityProblems(args)]);
        super("gitops:flux:Flux", name, {}, withoutDependsOn(opts));

        const target = args.cluster;
        const ext = args.extension;
        const isArc = target.clusterRp === "Microsoft.Kubernetes";
        this.extensionName = ext.name ?? FLUX_EXTENSION_DEFAULTS.name;

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
                releaseTrain: ext.releaseTrain ?? FLUX_EXTENSION_DEFAULTS.releaseTrain,
                // The extension only installs cluster-wide, into flux-system.
                scope: { cluster: { releaseNamespace: EXTENSION_NAMESPACE } },
                configurationSettings:
                    args.workloadIdentity === undefined ? extensionSettings(ext) : { ...extensionSettings(ext), ...workloadIdentitySettings(args.workloadIdentity) },
                // Arc extensions need a system-assigned identity (the az CLI sends one); AKS ones take none.
                identity: isArc ? { type: "SystemAssigned" } : undefined,
            },
            { parent: this, deletedWith: opts?.deletedWith },
        );

        const configurations: Record<string, AnyFluxConfiguration> = {};
        const objects: Record<string, FluxObjects> = {};
        const before = args.beforeConfigurations?.(this.extension) ?? [];
        let previous: AnyFluxConfiguration | undefined;
        for (const fc of args.configurations) {
            const auth = fc.auth ?? { type: "none" };
            const wait = fc.waitForReconciliation ?? FLUX_DEFAULTS.waitForReconciliation;
            const common = {
                resourceGroupName: target.resourceGroupName,
                clusterName: target.clusterName,
                clusterRp: target.clusterRp,
                clusterResourceName: target.clusterResourceName,
                fluxConfigurationName: fc.name,
                namespace: fc.namespace ?? FLUX_DEFAULTS.namespace,
                scope: fc.scope ?? FLUX_DEFAULTS.scope,
            };
            const settings = {
                suspend: fc.suspend ?? FLUX_DEFAULTS.suspend,
                kustomizations: kustomizationsValue(fc),
                configurationProtectedSettings: protectedSettings(auth),
                waitForReconciliation: wait,
                reconciliationWaitDuration: wait ? (fc.reconciliationWaitDuration ?? FLUX_DEFAULTS.reconciliationWaitDuration) : undefined,
            };
            const resourceOpts: pulumi.CustomResourceOptions = {
                parent: this,
                // The extension installs the Flux CRDs and controllers. Configurations are applied one
                // after another: concurrent operations on one cluster's extension layer fail with
                // "another operation is in progress" (Azure/AKS-Construction#385). The caller's
                // dependsOn (e.g. a deploy key the source needs) applies to each; a workload-identity
                // source also waits for its federated credential and role assignments, without which
                // the first token exchange or pull fails.
                dependsOn: forwardedDependsOn(
                    opts,
                    this.extension,
                    ...before,
                    ...(previous ? [previous] : []),
                    ...(auth.type === "workloadIdentity" ? (args.workloadIdentity?.dependsOn ?? []) : []),
                ),
                deletedWith: opts?.deletedWith,
            };
            // Only what the SDK's 2023-05-01 class can't express moves to 2025-04-01: every other
            // configuration keeps its inputs and type token exactly as before.
            const configuration: AnyFluxConfiguration = needsFluxApi2025(fc)
                ? new FluxConfiguration20250401(`${name}-${fc.name}`, { ...common, ...fluxConfiguration2025Source(fc, args.workloadIdentity), ...settings }, resourceOpts)
                : new kc.FluxConfiguration(
                      `${name}-${fc.name}`,
                      {
                          ...common,
                          sourceKind: "GitRepository",
                          gitRepository: {
                              url: fc.url,
                              repositoryRef: { branch: fc.branch, tag: fc.tag, semver: fc.semver, commit: fc.commit },
                              httpsUser: auth.type === "https" ? auth.username : undefined,
                              sshKnownHosts: auth.type === "ssh" ? knownHostsValue(auth.knownHosts) : undefined,
                              syncIntervalInSeconds: fc.syncIntervalInSeconds ?? FLUX_DEFAULTS.intervalInSeconds,
                              timeoutInSeconds: fc.timeoutInSeconds ?? FLUX_DEFAULTS.timeoutInSeconds,
                          },
                          ...settings,
                      },
                      resourceOpts,
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
