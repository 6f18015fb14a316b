// The Flux component's arguments, the defaults it applies and the combinations ARM, the extension or
// Flux would refuse, shared with the stack config schema.
import type * as pulumi from "@pulumi/pulumi";
import type * as kc from "@pulumi/azure-native/kubernetesconfiguration";
import { extensionVersionProblem } from "./flux-versions.ts";
import { urlUserinfoProblem } from "./credentials.ts";
import type { FLUX_OCI_LAYER_OPERATIONS } from "./flux-configuration-2025.ts";
import { gitUrlProblem, knownHostsProblems, parseGitRepoUrl } from "./git.ts";
import { at, oneOfProblem, patternProblem, under, type PatternRule, type Problem } from "./problems.ts";

/** The extension rejects `<configuration>-<kustomization>` names longer than this (az CLI check). */
export const MAX_KUSTOMIZATION_OBJECT_NAME = 62;

/** The name the extension gives the Flux Kustomization object for a kustomization of a configuration. */
export function kustomizationObjectName(configuration: string, kustomization: string): string {
    return `${configuration}-${kustomization}`;
}

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

export const FLUX_RELEASE_TRAINS = ["Stable", "Preview"] as const;

/** The extension as the CLI and portal install it, shared with the stack config schema. */
export const FLUX_EXTENSION_DEFAULTS = {
    name: "flux",
    releaseTrain: "Stable",
    /** `multiTenancy.enforce`, on in the extension. */
    multiTenancy: true,
    /** The image automation controllers stay off: nothing here writes image tags back to Git. */
    controllers: { source: true, kustomize: true, helm: true, notification: true, imageAutomation: false, imageReflector: false },
} as const satisfies { name: string; releaseTrain: (typeof FLUX_RELEASE_TRAINS)[number]; multiTenancy: boolean; controllers: FluxControllers };

export interface FluxExtensionArgs {
    /** Extension resource name. Default `flux`, as the CLI and portal name it. */
    readonly name?: string;
    /**
     * Pinned version; when set, minor auto-upgrade is off. Must be a release of the newest three minor
     * releases in FLUX_EXTENSION_RELEASES (flux-versions.ts). Default: none, auto-upgrade on the train.
     */
    readonly version?: string;
    /** Release train when auto-upgrading. Default `Stable`. */
    readonly releaseTrain?: (typeof FLUX_RELEASE_TRAINS)[number];
    /** Which controllers run. Default: source, kustomize, helm and notification on, the image ones off. */
    readonly controllers?: Partial<FluxControllers>;
    /** `multiTenancy.enforce`. Default true, as in the extension. */
    readonly multiTenancy?: boolean;
    /** Further configurationSettings, passed through verbatim. */
    readonly settings?: Readonly<Record<string, string>>;
}

/** The shape of a pinned extension version; the schema carries it, the window is checked after. */
export const FLUX_EXTENSION_VERSION_RULE: PatternRule = { pattern: /^\d+\.\d+\.\d+$/, message: "expected a version such as 1.24.1" };

/** A pinned version's shape, then whether it is a known release inside Microsoft's support window. */
export function fluxExtensionVersionProblem(version: string): string | undefined {
    return patternProblem(FLUX_EXTENSION_VERSION_RULE, version) ?? extensionVersionProblem(version);
}

/**
 * What the extension's arguments would get wrong, by argument. Controller toggles and multi-tenancy
 * have arguments of their own: set again through `settings`, one would silently override the other.
 */
export function fluxExtensionProblems(ext: FluxExtensionArgs): Problem[] {
    const problems: Problem[] = [];
    if (ext.version !== undefined) problems.push(...at(["version"], fluxExtensionVersionProblem(ext.version)));
    if (ext.releaseTrain !== undefined) problems.push(...at(["releaseTrain"], oneOfProblem(FLUX_RELEASE_TRAINS, ext.releaseTrain)));
    for (const settingKey of Object.keys(ext.settings ?? {})) {
        if (/^[a-z-]+-controller\.enabled$/.test(settingKey) || settingKey === "multiTenancy.enforce") {
            problems.push({ path: ["settings", settingKey], message: "set this through flux.extension.controllers / multiTenancy" });
        }
        if (settingKey.startsWith("workloadIdentity.")) {
            problems.push({ path: ["settings", settingKey], message: "set from the Flux workload identity, which is created when a configuration uses auth.type workloadIdentity" });
        }
    }
    return problems;
}

export type GitAuth =
    | { readonly type: "none" }
    /** `password` is the PAT or password in clear; the component base64-encodes it as ARM expects. */
    | { readonly type: "https"; readonly username: string; readonly password: pulumi.Input<string> }
    /** `privateKey` is the PEM key in clear; `knownHosts` are known_hosts lines to pin. */
    | { readonly type: "ssh"; readonly privateKey: pulumi.Input<string>; readonly knownHosts: readonly string[] }
    /**
     * Flux's source-controller authenticates as the Flux workload identity (FluxArgs.workloadIdentity):
     * `ociRepository.useWorkloadIdentity` for an OCI source, `gitRepository.provider: Azure` for an
     * Azure DevOps Git URL. No secret is stored anywhere.
     */
    | { readonly type: "workloadIdentity" }
    /**
     * Flux's source-controller signs in as a GitHub App (`gitRepository.provider: GitHub`, API
     * 2025-04-01, Flux >= 2.5) and reads the App's ID, installation ID and private key from the Secret
     * `<configuration>-github-app` (`gitRepository.localAuthRef`). The component doesn't create that
     * Secret: create a FluxGitHubAppSecret (flux-github-app.ts) and return its `secret` from
     * FluxArgs.beforeConfigurations. Only an https://github.com/<owner>/<repo> URL.
     */
    | { readonly type: "githubApp" }
    /**
     * A Bucket source (S3-compatible): `accessKey` is the access key ID, stored in plain text by ARM
     * (`bucket.accessKey`); `secretKey` goes only into configurationProtectedSettings `bucketSecretKey`.
     */
    | { readonly type: "accessKey"; readonly accessKey: string; readonly secretKey: pulumi.Input<string> }
    /** An Azure Blob source: a SAS token, sent as `azureBlob.sasToken` (a secret in the API). */
    | { readonly type: "sasToken"; readonly sasToken: pulumi.Input<string> }
    /** An Azure Blob source: the storage account key, sent as `azureBlob.accountKey` (a secret in the API). */
    | { readonly type: "accountKey"; readonly accountKey: pulumi.Input<string> };

/** The namespace the extension installs Flux into, which exists as soon as the extension does. */
export const EXTENSION_NAMESPACE = "flux-system";

export const FLUX_SCOPES = ["cluster", "namespace"] as const;
export const SUBSTITUTE_FROM_KINDS = ["ConfigMap", "Secret"] as const;

/** Defaults for Flux configurations and kustomizations, shared with the stack config schema. */
export const FLUX_DEFAULTS = {
    namespace: EXTENSION_NAMESPACE,
    scope: "cluster",
    intervalInSeconds: 600,
    timeoutInSeconds: 600,
    waitForReconciliation: true,
    reconciliationWaitDuration: "PT10M",
    suspend: false,
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
        readonly substituteFrom?: readonly { readonly kind: (typeof SUBSTITUTE_FROM_KINDS)[number]; readonly name: string; readonly optional?: boolean }[];
    };
}

/** Where a configuration's source is: a Git repository, or an OCI artifact for an `oci://` URL. */
export type FluxSourceKind = "GitRepository" | "OCIRepository";

/**
 * Sources named by `source` rather than by their URL, as `az k8s-configuration flux create --kind`
 * names them: an S3-compatible bucket, or an Azure Blob container (API 2025-04-01).
 */
export const FLUX_CONFIGURATION_SOURCES = ["bucket", "azureBlob"] as const;
export type FluxConfigurationSource = (typeof FLUX_CONFIGURATION_SOURCES)[number];

/** The ARM sourceKind of a configuration: `source` when set, else what its URL means. */
export function configurationSourceKind(fc: { readonly url: string; readonly source?: FluxConfigurationSource }): FluxSourceKind | "Bucket" | "AzureBlob" {
    if (fc.source === "bucket") return "Bucket";
    if (fc.source === "azureBlob") return "AzureBlob";
    return fluxSourceKind(fc.url);
}

/** The source kind a URL means: `oci://` is an OCI artifact, anything else Git. */
export function fluxSourceKind(url: string): FluxSourceKind {
    return url.startsWith("oci://") ? "OCIRepository" : "GitRepository";
}

/** ociRepository.verify: keyless cosign signatures, optionally bound to the signer's OIDC identity. */
export const FLUX_OCI_VERIFY_PROVIDERS = ["cosign"] as const;

export interface OciLayerSelector {
    /** The layer's media type, e.g. `application/vnd.cncf.flux.content.v1.tar+gzip`. Default: the first layer. */
    readonly mediaType?: string;
    /** `extract` (untar the layer, the default) or `copy` (keep it as a file). */
    readonly operation?: (typeof FLUX_OCI_LAYER_OPERATIONS)[number];
}

export interface OciVerify {
    readonly provider: (typeof FLUX_OCI_VERIFY_PROVIDERS)[number];
    /** Regular expressions the keyless signature's certificate must match. Default: any identity. */
    readonly matchOidcIdentity?: readonly { readonly issuer: string; readonly subject: string }[];
}

export interface FluxConfigurationArgs {
    /** The configuration name; also the name of its source object (GitRepository or OCIRepository). */
    readonly name: string;
    /** Namespace of the Flux objects. Default `flux-system`. Create-only in ARM. */
    readonly namespace?: string;
    /** Default `cluster`. Create-only in ARM. */
    readonly scope?: (typeof FLUX_SCOPES)[number];
    /**
     * `https://` or `ssh://` Git URL, without credentials; or `oci://<registry>/<repository>` for an OCI
     * artifact, which goes through the 2025-04-01 API (FluxConfiguration20250401).
     */
    readonly url: string;
    /**
     * Git: one of branch, tag, semver or commit is required; a commit also needs its branch.
     * OCI: one of tag, semver or digest; no branch or commit.
     */
    readonly branch?: string;
    readonly tag?: string;
    readonly semver?: string;
    readonly commit?: string;
    /** OCI only: `sha256:<64 hex digits>`; takes precedence over tag and semver, so it stands alone. */
    readonly digest?: string;
    /** OCI only. Default: Flux's (the first layer, extracted). */
    readonly layerSelector?: OciLayerSelector;
    /** OCI only. Default: no signature verification. */
    readonly verify?: OciVerify;
    /**
     * `bucket` or `azureBlob` for a source the URL doesn't name (API 2025-04-01): then `url` is the
     * endpoint (`https://<host>[:port]`, or the account's `https://<account>.blob.core.windows.net`), with
     * no branch, tag, semver, commit or OCI options. Default: Git, or OCI for an `oci://` URL.
     */
    readonly source?: FluxConfigurationSource;
    /** Bucket only, and required there: the bucket's name. */
    readonly bucketName?: string;
    /** Bucket only: connect over plain HTTP. Default false. */
    readonly insecure?: boolean;
    /** Azure Blob only, and required there: the container's name. */
    readonly containerName?: string;
    /**
     * Default: a public repository or artifact. A bucket takes accessKey; an Azure Blob container
     * workloadIdentity (`managedIdentity.clientId` from FluxArgs.workloadIdentity), sasToken or accountKey.
     */
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
export type FluxProblem = Problem;

/**
 * The longest interval Flux can hold: its durations are Go `time.Duration`s, int64 nanoseconds, so
 * anything above (2^63 - 1) ns overflows when the extension turns seconds into a Flux object.
 */
export const MAX_FLUX_DURATION_SECONDS = 9_223_372_036;

/** Seconds in an ISO-8601 duration of the form ARM takes (PT#H#M#S), or undefined. */
export function isoDurationSeconds(d: string): number | undefined {
    const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(d);
    if (!m || d === "PT") return undefined;
    return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** The kustomizations' dependsOn cycles, each as the names along it (first name repeated at the end). */
export function dependsOnCycles(kustomizations: readonly { readonly name: string; readonly dependsOn?: readonly string[] }[]): string[][] {
    const edges = new Map(kustomizations.map((k) => [k.name, k.dependsOn ?? []]));
    const cycles: string[][] = [];
    const done = new Set<string>();
    const visit = (name: string, trail: string[]) => {
        if (trail.includes(name)) {
            const cycle = [...trail.slice(trail.indexOf(name)), name];
            // Each cycle once, whichever member the walk started from.
            const key = [...cycle.slice(0, -1)].sort().join(",");
            if (!cycles.some((c) => [...c.slice(0, -1)].sort().join(",") === key)) cycles.push(cycle);
            return;
        }
        if (done.has(name) || !edges.has(name)) return;
        for (const next of edges.get(name)!) visit(next, [...trail, name]);
        done.add(name);
    };
    for (const k of kustomizations) visit(k.name, []);
    return cycles;
}

/** What is wrong with an `oci://` URL, or undefined: it names a registry host and a repository, and carries no credentials. */
export function ociUrlProblem(url: string): string | undefined {
    if (!/^oci:\/\/[^\s/]+\/[^\s]+$/.test(url)) return "expected an OCI artifact URL oci://<registry>/<repository>, e.g. oci://myregistry.azurecr.io/gitops/app";
    const userinfo = urlUserinfoProblem(url);
    if (userinfo !== undefined) return `the URL ${userinfo}`;
    if (/[?#]/.test(url)) return "the URL carries a query or fragment; name the artifact's version with tag, semver or digest";
    if (/:[^/]*$/.test(url.slice("oci://".length).split("/").slice(1).join("/")) || url.includes("@sha256:")) {
        return "the URL names a tag or digest; put it in tag, semver or digest instead";
    }
    return undefined;
}

/**
 * An `oci://` or Git URL, as the stack file's url takes it. A bucket's or Azure Blob account's endpoint
 * passes here too (it is a valid https URL); whether it fits the configuration's source is the
 * component's to say (fluxConfigurationProblems), which knows `source`.
 */
export function fluxSourceUrlProblem(url: string): string | undefined {
    if (bucketUrlProblem(url) === undefined) return undefined;
    return fluxSourceKind(url) === "OCIRepository" ? ociUrlProblem(url) : gitUrlProblem(url);
}

type SourceFields = Pick<
    FluxConfigurationArgs,
    "url" | "branch" | "tag" | "semver" | "commit" | "digest" | "layerSelector" | "verify" | "source" | "bucketName" | "insecure" | "containerName"
> & {
    readonly auth?: { readonly type: string };
};

/** ARM applies a digest over semver over tag, so a digest beside either would silently win. */
export const OCI_DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

function ociSourceProblems(fc: SourceFields): FluxProblem[] {
    const problems: FluxProblem[] = [];
    const urlProblem = ociUrlProblem(fc.url);
    if (urlProblem !== undefined) problems.push({ path: ["url"], message: urlProblem });
    if (fc.branch !== undefined) problems.push({ path: ["branch"], message: "an OCI source has no branch; name the artifact with tag, semver or digest" });
    if (fc.commit !== undefined) problems.push({ path: ["commit"], message: "an OCI source has no commit; pin the artifact with digest" });
    if ([fc.tag, fc.semver, fc.digest].every((r) => r === undefined)) {
        problems.push({ path: ["tag"], message: "expected one of tag, semver or digest for an OCI source" });
    }
    if (fc.digest !== undefined) {
        if (!OCI_DIGEST_PATTERN.test(fc.digest)) problems.push({ path: ["digest"], message: "expected sha256:<64 lowercase hex digits>" });
        if (fc.tag !== undefined || fc.semver !== undefined) {
            problems.push({ path: ["digest"], message: "a digest takes precedence over tag and semver; set it alone" });
        }
    }
    problems.push(...objectStorageKeyProblems(fc, "an OCI source"));
    const auth = fc.auth?.type ?? "none";
    if (auth !== "none" && auth !== "workloadIdentity") {
        problems.push({ path: ["auth", "type"], message: `an OCI source takes auth.type none (a public artifact) or workloadIdentity, got ${auth}` });
    }
    (fc.verify?.matchOidcIdentity ?? []).forEach((m, j) => {
        for (const f of ["issuer", "subject"] as const) {
            if (regexProblem(m[f]) !== undefined) {
                problems.push({ path: ["verify", "matchOidcIdentity", j, f], message: `expected a regular expression: ${regexProblem(m[f])}` });
            }
        }
    });
    return problems;
}

function regexProblem(pattern: string): string | undefined {
    if (pattern === "") return "empty";
    try {
        new RegExp(pattern);
        return undefined;
    } catch (e) {
        return (e as Error).message;
    }
}

function gitSourceProblems(fc: SourceFields): FluxProblem[] {
    const problems: FluxProblem[] = [];
    const urlProblem = gitUrlProblem(fc.url);
    if (urlProblem !== undefined) problems.push({ path: ["url"], message: urlProblem });
    const refs = [fc.branch, fc.tag, fc.semver, fc.commit].filter((r) => r !== undefined);
    if (refs.length === 0) problems.push({ path: ["branch"], message: "expected one of branch, tag, semver or commit" });
    if (fc.commit !== undefined && fc.branch === undefined) {
        problems.push({ path: ["commit"], message: "ARM requires a commit to be combined with its branch; set branch too" });
    }
    for (const f of ["digest", "layerSelector", "verify"] as const) {
        if (fc[f] !== undefined) problems.push({ path: [f], message: `${f} applies to OCI sources only (an oci:// URL), not to the Git URL ${fc.url}` });
    }
    problems.push(...objectStorageKeyProblems(fc, "a Git source"));
    const auth = fc.auth?.type;
    if (auth === "accessKey" || auth === "sasToken" || auth === "accountKey") {
        problems.push({ path: ["auth", "type"], message: `${auth} applies to source ${auth === "accessKey" ? "bucket" : "azureBlob"} only, not to the Git URL ${fc.url}` });
    }
    if (fc.auth?.type === "workloadIdentity" && urlProblem === undefined) {
        const repo = parseGitRepoUrl(fc.url);
        if (repo?.kind !== "azdo" || !fc.url.startsWith("https://")) {
            const hint = repo?.kind === "github" ? "; GitHub grants no Azure identity access: use githubDeployKey, ssh or https" : "";
            problems.push({
                path: ["auth", "type"],
                message: `workloadIdentity on a Git source needs an Azure DevOps https://dev.azure.com/<org>/<project>/_git/<repo> URL, got ${fc.url}${hint}`,
            });
        }
    }
    if (fc.auth?.type === "githubApp" && urlProblem === undefined && (parseGitRepoUrl(fc.url)?.kind !== "github" || !fc.url.startsWith("https://"))) {
        problems.push({
            path: ["auth", "type"],
            message: `githubApp needs an https://github.com/<owner>/<repo> URL (Flux signs in to github.com over HTTPS with the App's token), got ${fc.url}`,
        });
    }
    return problems;
}

/** The keys only one object-storage source takes, set on a source of another kind. */
function objectStorageKeyProblems(fc: SourceFields, what: string): FluxProblem[] {
    const problems: FluxProblem[] = [];
    for (const f of ["bucketName", "insecure"] as const) {
        if (fc[f] !== undefined && fc.source !== "bucket") problems.push({ path: [f], message: `${f} applies to source bucket only, not to ${what}` });
    }
    if (fc.containerName !== undefined && fc.source !== "azureBlob") {
        problems.push({ path: ["containerName"], message: `containerName applies to source azureBlob only, not to ${what}` });
    }
    return problems;
}

/** An S3-compatible endpoint as the az CLI takes `--url` for a bucket (http:// or https://), with nothing after the host and port. */
export function bucketUrlProblem(url: string): string | undefined {
    const m = /^(https?):\/\/([^/?#@\s]+)\/?$/.exec(url);
    if (!m) return "expected the bucket's S3-compatible endpoint as https://<host>[:port] (http:// with insecure: true), without a path, query or credentials; the bucket goes in bucketName";
    return undefined;
}

/** An Azure Blob account endpoint, https://<account>.blob.core.windows.net (or a sovereign cloud's blob host), without the container. */
export function azureBlobUrlProblem(url: string): string | undefined {
    if (!/^https:\/\/[a-z0-9]{3,24}\.blob\.core\.(windows\.net|chinacloudapi\.cn|usgovcloudapi\.net)\/?$/.test(url)) {
        return "expected the storage account's blob endpoint https://<account>.blob.core.windows.net, without the container (it goes in containerName), a query or a SAS token";
    }
    return undefined;
}

/** The storage account name of an Azure Blob URL (checked by azureBlobUrlProblem). */
export function azureBlobAccountName(url: string): string | undefined {
    return /^https:\/\/([a-z0-9]{3,24})\.blob\./.exec(url)?.[1];
}

function objectStorageSourceProblems(fc: SourceFields, source: FluxConfigurationSource): FluxProblem[] {
    const problems: FluxProblem[] = [];
    const kind = source === "bucket" ? "a Bucket source" : "an Azure Blob source";
    const urlProblem = source === "bucket" ? bucketUrlProblem(fc.url) : azureBlobUrlProblem(fc.url);
    if (urlProblem !== undefined) problems.push({ path: ["url"], message: urlProblem });
    for (const f of ["branch", "tag", "semver", "commit", "digest", "layerSelector", "verify"] as const) {
        if (fc[f] !== undefined) problems.push({ path: [f], message: `${kind} has no ${f}; Flux syncs the ${source === "bucket" ? "bucket" : "container"}'s current contents` });
    }
    const auth = fc.auth?.type ?? "none";
    if (source === "bucket") {
        if (fc.containerName !== undefined) problems.push({ path: ["containerName"], message: "containerName applies to source azureBlob only; a bucket is named by bucketName" });
        if (fc.bucketName === undefined) problems.push({ path: ["bucketName"], message: "expected the bucket's name for a Bucket source" });
        if (auth !== "accessKey") {
            problems.push({ path: ["auth", "type"], message: `a Bucket source takes auth.type accessKey (as az k8s-configuration flux create --bucket-access-key/--bucket-secret-key), got ${auth}` });
        }
        // `insecure` is what makes Flux speak plain HTTP: the URL's scheme and it must say the same.
        if (urlProblem === undefined && fc.url.startsWith("http://") !== (fc.insecure === true)) {
            problems.push({
                path: ["insecure"],
                message: fc.url.startsWith("http://") ? "an http:// bucket URL needs insecure: true (Flux would speak HTTPS to it)" : "insecure: true makes Flux speak plain HTTP to an https:// bucket URL; use an http:// URL or drop insecure",
            });
        }
    } else {
        for (const f of ["bucketName", "insecure"] as const) {
            if (fc[f] !== undefined) problems.push({ path: [f], message: `${f} applies to source bucket only; an Azure Blob container is named by containerName` });
        }
        if (fc.containerName === undefined) problems.push({ path: ["containerName"], message: "expected the blob container's name for an Azure Blob source" });
        if (auth !== "workloadIdentity" && auth !== "sasToken" && auth !== "accountKey") {
            problems.push({ path: ["auth", "type"], message: `an Azure Blob source takes auth.type workloadIdentity, sasToken or accountKey, got ${auth}` });
        }
    }
    return problems;
}

/** Whether a configuration needs the 2025-04-01 API: an OCI, Bucket or Azure Blob source, workload identity, or a GitHub App. */
export function needsFluxApi2025(fc: Pick<FluxConfigurationArgs, "url" | "source"> & { readonly auth?: { readonly type: string } }): boolean {
    return fc.source !== undefined || fluxSourceKind(fc.url) === "OCIRepository" || fc.auth?.type === "workloadIdentity" || fc.auth?.type === "githubApp";
}

type DurationFields = "syncIntervalInSeconds" | "timeoutInSeconds" | "retryIntervalInSeconds";

function durationProblems(o: Partial<Record<DurationFields, number>>, prefix: readonly (string | number)[]): FluxProblem[] {
    const problems: FluxProblem[] = [];
    for (const f of ["syncIntervalInSeconds", "timeoutInSeconds", "retryIntervalInSeconds"] as const) {
        const v = o[f];
        if (v === undefined) continue;
        if (!Number.isSafeInteger(v) || v < 1 || v > MAX_FLUX_DURATION_SECONDS) {
            problems.push({ path: [...prefix, f], message: `expected whole seconds from 1 to ${MAX_FLUX_DURATION_SECONDS} (Flux's longest duration), got ${v}` });
        }
    }
    return problems;
}

/**
 * Combinations ARM, the extension or Flux would reject, checked up front. The stack config reports
 * these against its key paths; the component throws on them when used from code.
 */
export function fluxConfigurationProblems(
    fc: Pick<
        FluxConfigurationArgs,
        | "name" | "url" | "branch" | "tag" | "semver" | "commit" | "digest" | "layerSelector" | "verify" | "kustomizations" | "syncIntervalInSeconds" | "timeoutInSeconds"
        | "reconciliationWaitDuration" | "source" | "bucketName" | "insecure" | "containerName"
    > & { readonly auth?: { readonly type: string; readonly knownHosts?: readonly string[] } },
): FluxProblem[] {
    const problems: FluxProblem[] = [];
    if (fc.source !== undefined) {
        problems.push(...objectStorageSourceProblems(fc, fc.source));
    } else if (fluxSourceKind(fc.url) === "OCIRepository") {
        problems.push(...ociSourceProblems(fc));
    } else {
        problems.push(...gitSourceProblems(fc));
    }
    if (fc.tag !== undefined && fc.semver !== undefined) problems.push({ path: ["tag"], message: "set tag or semver, not both" });
    problems.push(...durationProblems(fc, []));
    if (fc.reconciliationWaitDuration !== undefined) {
        const s = isoDurationSeconds(fc.reconciliationWaitDuration);
        if (s === undefined || s < 1 || s > MAX_FLUX_DURATION_SECONDS) {
            problems.push({ path: ["reconciliationWaitDuration"], message: "expected an ISO-8601 duration such as PT10M, longer than zero" });
        }
    }
    for (const p of knownHostsProblems(fc.auth?.knownHosts ?? [])) problems.push({ path: ["auth", "knownHosts", p.index], message: p.message });
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
        if ((k.path ?? "").split("/").includes("..")) {
            problems.push({ path: ["kustomizations", j, "path"], message: "expected a path inside the repository, without '..' segments" });
        }
        problems.push(...durationProblems(k, ["kustomizations", j]));
    });
    fc.kustomizations.forEach((k, j) => {
        for (const dep of k.dependsOn ?? []) {
            if (!names.has(dep)) problems.push({ path: ["kustomizations", j, "dependsOn"], message: `'${dep}' is not a kustomization of '${fc.name}'` });
            if (dep === k.name) problems.push({ path: ["kustomizations", j, "dependsOn"], message: `'${dep}' depends on itself` });
        }
    });
    for (const cycle of dependsOnCycles(fc.kustomizations)) {
        if (cycle.length <= 2) continue; // a self-dependency, reported above
        const j = fc.kustomizations.findIndex((k) => k.name === cycle[0]);
        problems.push({ path: ["kustomizations", j, "dependsOn"], message: `dependsOn forms a cycle (${cycle.join(" -> ")}); Flux would wait forever` });
    }
    return problems;
}

export interface FluxArgs {
    readonly cluster: ClusterTarget;
    readonly extension: FluxExtensionArgs;
    readonly configurations: readonly FluxConfigurationArgs[];
    /**
     * What the configurations wait for that itself needs the extension, such as the notification Alert
     * and Provider, which must be listening before the first sync or its events are lost. Called once,
     * with the extension, before any configuration is declared. Default: nothing.
     */
    readonly beforeConfigurations?: (extension: kc.Extension) => readonly pulumi.Resource[];
    /**
     * The identity Flux's source-controller runs as (e.g. FluxIdentity's outputs): it sets the
     * extension's `workloadIdentity.*` settings, and the configurations with auth.type workloadIdentity
     * wait for `dependsOn` (its federated credential and role assignments). Required when a
     * configuration uses workload identity; default none.
     */
    readonly workloadIdentity?: FluxWorkloadIdentity;
}

export interface FluxWorkloadIdentity {
    readonly clientId: pulumi.Input<string>;
    readonly tenantId: pulumi.Input<string>;
    /** What must exist before a configuration authenticates: the federated credential, the role assignments. */
    readonly dependsOn?: readonly pulumi.Resource[];
}

/**
 * Everything the Flux component refuses, by argument: each configuration's problems, a configuration
 * name used twice (both would be the same ARM resource), and the extension's.
 */
export function fluxProblems(args: {
    readonly extension: FluxExtensionArgs;
    /** The configurations as fluxConfigurationProblems reads them: the stack config's too, whose auth names secrets. */
    readonly configurations: readonly Parameters<typeof fluxConfigurationProblems>[0][];
}): Problem[] {
    const problems: Problem[] = [];
    const seen = new Set<string>();
    args.configurations.forEach((fc, i) => {
        if (seen.has(fc.name)) problems.push({ path: ["configurations", i, "name"], message: `duplicate Flux configuration name '${fc.name}'` });
        seen.add(fc.name);
        problems.push(...under(["configurations", i], fluxConfigurationProblems(fc)));
    });
    problems.push(...under(["extension"], fluxExtensionProblems(args.extension)));
    return problems;
}
