// The in-cluster platform objects of a pull-only cluster (delivery `git`), as manifests for a folder of
// the GitOps repo: the GitOps Connector as a Flux HelmRepository and HelmRelease, its notification
// Provider and Alert, the operators' alert targets, and on clusters without a kubelet identity the image
// pull secret wiring. Nothing here is a credential: every secret the objects need is named, and synced
// from Azure Key Vault into a Kubernetes Secret on the cluster through a SecretProviderClass per
// namespace: by the Secrets Store CSI driver (the AKS add-on) while a pod mounts it, or by the Arc Secret
// Store extension's SecretSync objects.
//
// Pure functions: the GitDelivery component (git-delivery.ts) writes the files and the vault secrets.
// Sources, checked 2026: the Flux CRDs (HelmRelease helm.toolkit.fluxcd.io/v2, HelmRepository
// source.toolkit.fluxcd.io/v1, Alert/Provider notification.toolkit.fluxcd.io/v1beta3); the driver's
// SecretProviderClass secrets-store.csi.x-k8s.io/v1 (kubernetes-sigs/secrets-store-csi-driver, "Sync as
// Kubernetes Secret") and the Azure provider's parameters (Azure/secrets-store-csi-driver-provider-azure,
// pkg/provider/types/types.go); SecretSync secret-sync.x-k8s.io/v1alpha1 (kubernetes-sigs/
// secrets-store-sync-controller; MicrosoftDocs azure-management-docs secret-store-extension.md); the
// extension's multi-tenancy (a HelmRelease's source in its own namespace, where flux-applier is:
// conceptual-gitops-flux2.md).
import YAML from "yaml";
import { alertEventSources, alertNamespaces, alertObjectNames, alertProviderSpec, fluxAlertSpec, FLUX_ALERT_DEFAULTS, type AlertKind, type AlertProviderType, type AlertSeverity } from "./alerts.ts";
import { CONNECTOR_CHART, CONNECTOR_DEFAULTS, CONNECTOR_PAT_SECRET, CONNECTOR_SERVICE, connectorAddress, connectorValues, LOG_READER_ROLE, LOG_READER_RULES, logReaderSubjects, type ConnectorTarget, type LogReaders } from "./connector.ts";
import { EXTENSION_NAMESPACE, type FluxObjects } from "./flux.ts";
import { alertSpec, eventSources, NOTIFICATION_API_VERSION, NOTIFICATION_DEFAULTS, providerSpec } from "./notifications.ts";
import { PULL_SECRET_NAME } from "./registry.ts";

export const HELM_RELEASE_API_VERSION = "helm.toolkit.fluxcd.io/v2";
export const HELM_REPOSITORY_API_VERSION = "source.toolkit.fluxcd.io/v1";
export const SECRET_PROVIDER_CLASS_API_VERSION = "secrets-store.csi.x-k8s.io/v1";
export const SECRET_SYNC_API_VERSION = "secret-sync.x-k8s.io/v1alpha1";

/**
 * How the synced Kubernetes Secrets come about. `csiDriver` (AKS, the Key Vault Secrets Provider add-on):
 * the Secrets Store CSI driver creates them while a pod mounts the namespace's SecretProviderClass, so each
 * namespace gets a pod that does only that. `secretStore` (Arc, the Secret Store extension, Microsoft's
 * documented way to Key Vault with workload identity there): a SecretSync object per Secret, no pod.
 */
export const SECRET_SYNC_MECHANISMS = ["csiDriver", "secretStore"] as const;
export type SecretSyncMechanism = (typeof SECRET_SYNC_MECHANISMS)[number];
/** The Secrets Store CSI driver's name, as its CSIDriver object registers it. */
export const SECRETS_STORE_CSI_DRIVER = "secrets-store.csi.k8s.io";

/** Defaults of git delivery, shared with the stack config schema. */
export const PLATFORM_DEFAULTS = {
    /** The Flux kustomization that applies the platform folder, first in the configuration. */
    kustomization: "platform",
    /** The folder in the GitOps repo, one per cluster. */
    folder: (cluster: string) => `platform/${cluster}`,
    /**
     * The pod that mounts each namespace's SecretProviderClass: the driver creates and refreshes the synced
     * Kubernetes Secrets only while a pod mounts the volume. The pause image does nothing else; it comes
     * from MCR, which AKS and Arc clusters must reach anyway (their required outbound endpoints).
     */
    secretSyncImage: "mcr.microsoft.com/oss/kubernetes/pause:3.6",
} as const;

/** Names of the per-namespace secret sync objects (the Deployment with the CSI driver only). */
export const SECRET_SYNC = {
    secretProviderClass: "gitops-platform-secrets",
    serviceAccount: "gitops-platform-secret-sync",
    deployment: "gitops-platform-secret-sync",
    mountPath: "/mnt/gitops-platform-secrets",
} as const;

/** Labels on every rendered object, so that `kubectl get -l` finds them. */
export const PLATFORM_LABELS = { "app.kubernetes.io/part-of": "gitops-platform", "app.kubernetes.io/managed-by": "flux" } as const;

/**
 * kustomize-controller's annotations for an object another Kustomization may own: created when missing,
 * never updated (`ssa: IfNotPresent`), never deleted (`prune: disabled`). The app namespaces come from the
 * app's own folder; the platform only makes sure they exist before it puts objects in them.
 */
export const CREATE_ONLY_ANNOTATIONS = { "kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent", "kustomize.toolkit.fluxcd.io/prune": "disabled" } as const;
/** For the default ServiceAccount, which always exists: its imagePullSecrets are applied, the account is never deleted. */
export const NEVER_PRUNE_ANNOTATIONS = { "kustomize.toolkit.fluxcd.io/prune": "disabled" } as const;

/** What the SecretProviderClasses authenticate as: a workload identity federated for each sync service account. */
export interface PlatformIdentity {
    readonly vaultName: string;
    readonly tenantId: string;
    /** The user-assigned identity's client ID. */
    readonly clientId: string;
}

/** Where a vault secret's value comes from, in the GitDelivery component's args. */
export type VaultSecretSource =
    | { readonly kind: "connectorPat" }
    | { readonly kind: "subscriber"; readonly name: string }
    | { readonly kind: "alertAddress"; readonly target: string }
    | { readonly kind: "alertToken"; readonly target: string }
    | { readonly kind: "pullSecret" };

/** A Key Vault secret the platform writes, and what it holds. */
export interface VaultSecret {
    readonly name: string;
    readonly source: VaultSecretSource;
}

/** One Kubernetes Secret the driver syncs from the vault. */
export interface SyncedSecret {
    readonly namespace: string;
    readonly secretName: string;
    readonly type: "Opaque" | "kubernetes.io/dockerconfigjson";
    /** Secret key -> the vault secret it holds. */
    readonly data: readonly { readonly key: string; readonly vaultSecret: string }[];
}

/** One file of the platform folder. */
export interface PlatformFile {
    /** Relative to the folder. */
    readonly path: string;
    readonly kind: string;
    readonly namespace?: string;
    readonly name: string;
    /** The object; a SecretProviderClass's names the identity, known only once it exists. */
    readonly manifest: Record<string, unknown> | ((identity: PlatformIdentity) => Record<string, unknown>);
}

export interface PlatformAlertTarget {
    readonly name: string;
    readonly type: AlertProviderType;
    readonly severity?: AlertSeverity;
    readonly kinds?: readonly AlertKind[];
    readonly configurations?: readonly string[];
    /** generic-hmac: the Secret also holds `token`. */
    readonly hasToken: boolean;
}

export interface PlatformManifestsArgs {
    /** The cluster's name: it prefixes the vault secrets, so that clusters may share a vault. */
    readonly cluster: string;
    /** Namespace of the configuration that applies the folder: the connector's HelmRelease, Provider and Alert go there. */
    readonly configurationNamespace: string;
    readonly connector?: {
        readonly namespace?: string;
        readonly target: ConnectorTarget;
        readonly chartVersion?: string;
        readonly chartRepo?: string;
        /** Subscriber names; their URLs are vault secrets. */
        readonly subscribers?: readonly string[];
        readonly logReaders?: LogReaders;
        /** The configuration whose events the connector relays. */
        readonly watched: FluxObjects;
    };
    readonly alerts?: {
        readonly targets: readonly PlatformAlertTarget[];
        readonly configurations: Readonly<Record<string, FluxObjects>>;
        readonly appNamespaces: readonly string[];
    };
    /** Clusters without a kubelet identity (Arc): the `acr-pull` secret and the default ServiceAccounts' imagePullSecrets there. */
    readonly pullSecretNamespaces?: readonly string[];
    /** Default `csiDriver`. */
    readonly secretSync?: SecretSyncMechanism;
    /** With csiDriver: the image of the pod that mounts the SecretProviderClass. */
    readonly secretSyncImage?: string;
}

export interface PlatformManifests {
    readonly files: readonly PlatformFile[];
    readonly vaultSecrets: readonly VaultSecret[];
    readonly syncedSecrets: readonly SyncedSecret[];
    /** Namespaces with a sync service account: each needs a federated credential. */
    readonly syncNamespaces: readonly string[];
}

/**
 * A Key Vault secret name from the cluster and what the secret is: letters, digits and '-' (anything else
 * becomes '-'). Never shortened: GitDelivery refuses a name over Key Vault's 127 characters.
 */
export function vaultSecretName(cluster: string, ...parts: string[]): string {
    return [cluster, ...parts].join("-").replace(/[^0-9a-zA-Z-]/g, "-");
}

/** The subject of the federated credential for a namespace's sync service account. */
export function secretSyncSubject(namespace: string): string {
    return `system:serviceaccount:${namespace}:${SECRET_SYNC.serviceAccount}`;
}

const metadata = (name: string, namespace?: string, annotations?: Record<string, string>) => ({
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    labels: { ...PLATFORM_LABELS },
    ...(annotations !== undefined ? { annotations: { ...annotations } } : {}),
});

/** The Azure provider's `objects` parameter: a YAML `array` of YAML documents, one per vault secret. */
export function secretProviderObjects(vaultSecrets: readonly string[]): string {
    return YAML.stringify({ array: vaultSecrets.map((name) => YAML.stringify({ objectName: name, objectType: "secret" })) });
}

/**
 * A namespace's SecretProviderClass: every vault secret synced there, read with the workload identity.
 * With the CSI driver it also names the Secrets to sync (`secretObjects`); the Secret Store extension's
 * SecretSync objects name them instead.
 */
export function secretProviderClass(namespace: string, secrets: readonly SyncedSecret[], id: PlatformIdentity, mechanism: SecretSyncMechanism = "csiDriver"): Record<string, unknown> {
    const vaultSecrets = [...new Set(secrets.flatMap((s) => s.data.map((d) => d.vaultSecret)))];
    return {
        apiVersion: SECRET_PROVIDER_CLASS_API_VERSION,
        kind: "SecretProviderClass",
        metadata: metadata(SECRET_SYNC.secretProviderClass, namespace),
        spec: {
            provider: "azure",
            ...(mechanism === "csiDriver"
                ? { secretObjects: secrets.map((s) => ({ secretName: s.secretName, type: s.type, data: s.data.map((d) => ({ objectName: d.vaultSecret, key: d.key })) })) }
                : {}),
            parameters: {
                // Workload identity: the service account's token (from the kubelet for the CSI driver, from
                // the API server for the Secret Store extension) is exchanged for this identity, which is
                // federated for that account only. No credential on the cluster.
                ...(mechanism === "csiDriver" ? { usePodIdentity: "false" } : {}),
                clientID: id.clientId,
                keyvaultName: id.vaultName,
                // `tenantID`, as the provider reads first (`tenantId` is its deprecated fallback).
                tenantID: id.tenantId,
                objects: secretProviderObjects(vaultSecrets),
            },
        },
    };
}

/** The Secret Store extension's SecretSync for one Secret: it takes the Secret's name. */
export function secretSyncObject(s: SyncedSecret): Record<string, unknown> {
    return {
        apiVersion: SECRET_SYNC_API_VERSION,
        kind: "SecretSync",
        metadata: metadata(s.secretName, s.namespace),
        spec: {
            serviceAccountName: SECRET_SYNC.serviceAccount,
            secretProviderClassName: SECRET_SYNC.secretProviderClass,
            secretObject: { type: s.type, data: s.data.map((d) => ({ sourcePath: d.vaultSecret, targetKey: d.key })) },
        },
    };
}

/** The pod that keeps a namespace's synced Secrets: it mounts the SecretProviderClass and does nothing else. */
export function secretSyncDeployment(namespace: string, image: string): Record<string, unknown> {
    const labels = { ...PLATFORM_LABELS, "app.kubernetes.io/name": SECRET_SYNC.deployment };
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: metadata(SECRET_SYNC.deployment, namespace),
        spec: {
            replicas: 1,
            selector: { matchLabels: { "app.kubernetes.io/name": SECRET_SYNC.deployment } },
            template: {
                metadata: { labels },
                spec: {
                    serviceAccountName: SECRET_SYNC.serviceAccount,
                    // The driver asks the kubelet for the account's token itself; the container needs none.
                    automountServiceAccountToken: false,
                    securityContext: { runAsNonRoot: true, runAsUser: 65535, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [
                        {
                            name: "sync",
                            image,
                            resources: { requests: { cpu: "5m", memory: "8Mi" }, limits: { memory: "16Mi" } },
                            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                            volumeMounts: [{ name: "secrets", mountPath: SECRET_SYNC.mountPath, readOnly: true }],
                        },
                    ],
                    volumes: [{ name: "secrets", csi: { driver: SECRETS_STORE_CSI_DRIVER, readOnly: true, volumeAttributes: { secretProviderClass: SECRET_SYNC.secretProviderClass } } }],
                },
            },
        },
    };
}

/** The HelmRelease's values: the chart values api delivery sets, and an empty token, as there. */
export function connectorReleaseValues(target: ConnectorTarget): Record<string, unknown> {
    // Empty, never unset: chart 1.2.1's values.yaml carries a non-empty default token, and an empty value
    // stops the chart rendering its own Secret over the synced one.
    return { ...connectorValues(target), orchestratorPAT: "" };
}

/** The connector's subscribers come from a synced Secret in the HelmRelease's namespace, one key each. */
export const CONNECTOR_SUBSCRIBERS_SECRET = "gitops-connector-subscribers";

/**
 * The platform folder's objects, the vault secrets they name and the Secrets the driver syncs from them.
 * Files are grouped by namespace (`<namespace>/<kind>-<name>.yaml`, `cluster/` for cluster-scoped ones).
 */
export function platformManifests(args: PlatformManifestsArgs): PlatformManifests {
    const files: PlatformFile[] = [];
    const vaultSecrets = new Map<string, VaultSecret>();
    const synced: SyncedSecret[] = [];
    const namespaces = new Map<string, "owned" | "createOnly" | "exists">();
    const add = (kind: string, name: string, namespace: string | undefined, manifest: PlatformFile["manifest"]) =>
        files.push({ path: `${namespace ?? "cluster"}/${kind.toLowerCase()}-${name}.yaml`, kind, namespace, name, manifest });
    // Within one cluster the names can't meet (each kind has its own infix and suffix); across clusters
    // sharing a vault they can, which the checks across stacks refuse (infra/git-delivery.ts).
    const vault = (name: string, source: VaultSecretSource) => {
        vaultSecrets.set(name, { name, source });
        return name;
    };
    const needNamespace = (ns: string) => {
        if (!namespaces.has(ns)) namespaces.set(ns, ns === EXTENSION_NAMESPACE ? "exists" : "createOnly");
    };
    const configNs = args.configurationNamespace;
    needNamespace(configNs);

    const c = args.connector;
    if (c !== undefined) {
        const ns = c.namespace ?? CONNECTOR_DEFAULTS.namespace;
        // The connector's namespace is the platform's own, as in api delivery: its labels say whose it is.
        namespaces.set(ns, "owned");
        synced.push({ namespace: ns, secretName: CONNECTOR_PAT_SECRET, type: "Opaque", data: [{ key: "PAT", vaultSecret: vault(vaultSecretName(args.cluster, "connector-pat"), { kind: "connectorPat" }) }] });
        const subscribers = c.subscribers ?? [];
        if (subscribers.length > 0) {
            synced.push({
                namespace: configNs,
                secretName: CONNECTOR_SUBSCRIBERS_SECRET,
                type: "Opaque",
                data: subscribers.map((s) => ({ key: s, vaultSecret: vault(vaultSecretName(args.cluster, "connector-subscriber", s), { kind: "subscriber", name: s }) })),
            });
        }
        // Beside the HelmRelease: under the extension's multi-tenancy a source in another namespace is refused.
        add("HelmRepository", CONNECTOR_CHART, configNs, {
            apiVersion: HELM_REPOSITORY_API_VERSION,
            kind: "HelmRepository",
            metadata: metadata(CONNECTOR_CHART, configNs),
            spec: { url: c.chartRepo ?? CONNECTOR_DEFAULTS.chartRepo, interval: "1h" },
        });
        add("HelmRelease", CONNECTOR_SERVICE, configNs, {
            apiVersion: HELM_RELEASE_API_VERSION,
            kind: "HelmRelease",
            metadata: metadata(CONNECTOR_SERVICE, configNs),
            spec: {
                interval: "10m",
                // The tutorial's `helm upgrade -i gitops-connector -n <namespace>`: same release name, its
                // record kept in the connector's namespace.
                releaseName: CONNECTOR_SERVICE,
                targetNamespace: ns,
                storageNamespace: ns,
                chart: {
                    spec: {
                        chart: CONNECTOR_CHART,
                        version: c.chartVersion ?? CONNECTOR_DEFAULTS.chartVersion,
                        sourceRef: { kind: "HelmRepository", name: CONNECTOR_CHART },
                    },
                },
                install: { remediation: { retries: 3 } },
                upgrade: { remediation: { retries: 3 } },
                values: connectorReleaseValues(c.target),
                // Subscriber URLs are webhook credentials: from the synced Secret, never from Git.
                ...(subscribers.length > 0
                    ? { valuesFrom: subscribers.map((s) => ({ kind: "Secret", name: CONNECTOR_SUBSCRIBERS_SECRET, valuesKey: s, targetPath: `subscribers.${s}` })) }
                    : {}),
            },
        });
        add("Provider", NOTIFICATION_DEFAULTS.objectName, c.watched.namespace, {
            apiVersion: NOTIFICATION_API_VERSION,
            kind: "Provider",
            metadata: metadata(NOTIFICATION_DEFAULTS.objectName, c.watched.namespace),
            spec: providerSpec(connectorAddress(ns)),
        });
        add("Alert", NOTIFICATION_DEFAULTS.objectName, c.watched.namespace, {
            apiVersion: NOTIFICATION_API_VERSION,
            kind: "Alert",
            metadata: metadata(NOTIFICATION_DEFAULTS.objectName, c.watched.namespace),
            spec: alertSpec(NOTIFICATION_DEFAULTS.objectName, eventSources(c.watched)),
        });
        needNamespace(c.watched.namespace);
        const readers = logReaderSubjects(c.logReaders);
        if (readers.length > 0) {
            add("Role", LOG_READER_ROLE, ns, {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "Role",
                metadata: metadata(LOG_READER_ROLE, ns),
                rules: LOG_READER_RULES,
            });
            add("RoleBinding", LOG_READER_ROLE, ns, {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "RoleBinding",
                metadata: metadata(LOG_READER_ROLE, ns),
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: LOG_READER_ROLE },
                subjects: readers,
            });
        }
    }

    const a = args.alerts;
    for (const t of a?.targets ?? []) {
        const names = alertObjectNames(t.name);
        const address = vault(vaultSecretName(args.cluster, "alert", t.name, "address"), { kind: "alertAddress", target: t.name });
        const token = t.hasToken ? vault(vaultSecretName(args.cluster, "alert", t.name, "token"), { kind: "alertToken", target: t.name }) : undefined;
        for (const [namespace, objects] of alertNamespaces(t, a!.configurations, a!.appNamespaces)) {
            needNamespace(namespace);
            synced.push({
                namespace,
                secretName: names.secret,
                type: "Opaque",
                data: [{ key: "address", vaultSecret: address }, ...(token !== undefined ? [{ key: "token", vaultSecret: token }] : [])],
            });
            add("Provider", names.provider, namespace, {
                apiVersion: NOTIFICATION_API_VERSION,
                kind: "Provider",
                metadata: metadata(names.provider, namespace),
                spec: alertProviderSpec(t.type, names.secret),
            });
            add("Alert", names.alert, namespace, {
                apiVersion: NOTIFICATION_API_VERSION,
                kind: "Alert",
                metadata: metadata(names.alert, namespace),
                spec: fluxAlertSpec(names.provider, t.severity ?? FLUX_ALERT_DEFAULTS.severity, alertEventSources(namespace, objects, t.kinds ?? FLUX_ALERT_DEFAULTS.kinds)),
            });
        }
    }

    const pull = args.pullSecretNamespaces ?? [];
    if (pull.length > 0) {
        const dockerConfig = vault(vaultSecretName(args.cluster, "acr-pull"), { kind: "pullSecret" });
        for (const ns of pull) {
            needNamespace(ns);
            synced.push({ namespace: ns, secretName: PULL_SECRET_NAME, type: "kubernetes.io/dockerconfigjson", data: [{ key: ".dockerconfigjson", vaultSecret: dockerConfig }] });
            // Pods in the namespace then pull with the secret without naming it in every spec. Applied
            // server-side, only imagePullSecrets is the platform's; the account itself is never pruned.
            add("ServiceAccount", "default", ns, {
                apiVersion: "v1",
                kind: "ServiceAccount",
                metadata: metadata("default", ns, NEVER_PRUNE_ANNOTATIONS),
                imagePullSecrets: [{ name: PULL_SECRET_NAME }],
            });
        }
    }

    // Per namespace holding synced Secrets: its service account and SecretProviderClass, then the pod
    // that mounts it (CSI driver) or a SecretSync per Secret (Secret Store extension).
    const image = args.secretSyncImage ?? PLATFORM_DEFAULTS.secretSyncImage;
    const mechanism = args.secretSync ?? "csiDriver";
    const syncNamespaces = [...new Set(synced.map((s) => s.namespace))];
    for (const ns of syncNamespaces) {
        const here = synced.filter((s) => s.namespace === ns);
        add("ServiceAccount", SECRET_SYNC.serviceAccount, ns, { apiVersion: "v1", kind: "ServiceAccount", metadata: metadata(SECRET_SYNC.serviceAccount, ns) });
        add("SecretProviderClass", SECRET_SYNC.secretProviderClass, ns, (id) => secretProviderClass(ns, here, id, mechanism));
        if (mechanism === "csiDriver") add("Deployment", SECRET_SYNC.deployment, ns, secretSyncDeployment(ns, image));
        else for (const s of here) add("SecretSync", s.secretName, ns, secretSyncObject(s));
    }

    // The namespaces first in the list: kustomize orders Namespaces first anyway, but a reader sees why.
    const namespaceFiles: PlatformFile[] = [];
    for (const [ns, how] of namespaces) {
        if (how === "exists") continue;
        const m = {
            apiVersion: "v1",
            kind: "Namespace",
            metadata:
                how === "owned"
                    ? { name: ns, labels: { ...PLATFORM_LABELS, "app.kubernetes.io/part-of": CONNECTOR_SERVICE } }
                    : metadata(ns, undefined, CREATE_ONLY_ANNOTATIONS),
        };
        namespaceFiles.push({ path: `cluster/namespace-${ns}.yaml`, kind: "Namespace", name: ns, manifest: m });
    }
    return { files: [...namespaceFiles, ...files], vaultSecrets: [...vaultSecrets.values()], syncedSecrets: synced, syncNamespaces };
}

/** The folder's kustomization.yaml: every file, so that `kustomize build` and Flux see the same set. */
export function kustomizationFile(files: readonly PlatformFile[]): Record<string, unknown> {
    return { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: files.map((f) => f.path) };
}

/** Whether a file's object waits for the identity (a SecretProviderClass). */
export function needsIdentity(f: PlatformFile): f is PlatformFile & { manifest: (identity: PlatformIdentity) => Record<string, unknown> } {
    return typeof f.manifest === "function";
}

/** A file's text: a header that says who writes it, then the object. */
export function platformFileText(object: Record<string, unknown>, header: string): string {
    return `# ${header}\n${YAML.stringify(object, { lineWidth: 0 })}`;
}
