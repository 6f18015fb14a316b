// A hand-written typed resource for Flux configurations at ARM API 2025-04-01, which the azure-native
// provider serves but the 3.x SDK doesn't ship (it pins kc.FluxConfiguration to 2023-05-01). Its facts
// come from the ARM spec (test/fixtures/fluxconfiguration-2025-04-01.json); docs/flux-api.md says where.
import * as pulumi from "@pulumi/pulumi";
import { getVersion } from "@pulumi/azure-native/utilities";
import { FLUX_SCOPES } from "./flux-args.ts";

/** The provider's token for FluxConfiguration at API 2025-04-01. */
export const FLUX_CONFIGURATION_2025_TOKEN = "azure-native:kubernetesconfiguration/v20250401:FluxConfiguration";

/**
 * The tokens a stack may hold this configuration under: the SDK's own (2023-05-01) and every other
 * versioned token in its alias list. Moving between any of them and this class is an update in place.
 */
export const FLUX_CONFIGURATION_2025_ALIASES = [
    "azure-native:kubernetesconfiguration:FluxConfiguration",
    "azure-native:kubernetesconfiguration/v20211101preview:FluxConfiguration",
    "azure-native:kubernetesconfiguration/v20220101preview:FluxConfiguration",
    "azure-native:kubernetesconfiguration/v20220301:FluxConfiguration",
    "azure-native:kubernetesconfiguration/v20220701:FluxConfiguration",
    "azure-native:kubernetesconfiguration/v20221101:FluxConfiguration",
    "azure-native:kubernetesconfiguration/v20230501:FluxConfiguration",
    "azure-native:kubernetesconfiguration/v20240401preview:FluxConfiguration",
    "azure-native:kubernetesconfiguration/v20241101:FluxConfiguration",
] as const;

// The spec's enums (ARM models them as strings, so a newer value may come back in an output).
export const FLUX_SOURCE_KINDS = ["GitRepository", "Bucket", "AzureBlob", "OCIRepository"] as const;
/** gitRepository.provider: `Azure` for Azure DevOps with workload identity, `Generic` for secrets. */
export const FLUX_GIT_PROVIDERS = ["Azure", "GitHub", "Generic"] as const;
/** ociRepository.layerSelector.operation. */
export const FLUX_OCI_LAYER_OPERATIONS = ["extract", "copy"] as const;
export const FLUX_COMPLIANCE_STATES = ["Compliant", "Non-Compliant", "Pending", "Suspended", "Unknown"] as const;

/** The constants above by their names in the spec. */
export const FLUX_CONFIGURATION_2025_ENUMS = {
    ScopeType: FLUX_SCOPES,
    SourceKindType: FLUX_SOURCE_KINDS,
    ProviderType: FLUX_GIT_PROVIDERS,
    OperationType: FLUX_OCI_LAYER_OPERATIONS,
    FluxComplianceState: FLUX_COMPLIANCE_STATES,
} as const;

export interface RepositoryRefDefinition20250401Args {
    readonly branch?: pulumi.Input<string>;
    /** Takes precedence over branch. */
    readonly tag?: pulumi.Input<string>;
    /** Takes precedence over tag. */
    readonly semver?: pulumi.Input<string>;
    /** Takes precedence over semver; needs its branch. */
    readonly commit?: pulumi.Input<string>;
}

export interface GitRepositoryDefinition20250401Args {
    readonly url?: pulumi.Input<string>;
    /** Default 600. */
    readonly timeoutInSeconds?: pulumi.Input<number>;
    /** Default 600. */
    readonly syncIntervalInSeconds?: pulumi.Input<number>;
    readonly repositoryRef?: pulumi.Input<RepositoryRefDefinition20250401Args>;
    /** Base64-encoded known_hosts. */
    readonly sshKnownHosts?: pulumi.Input<string>;
    readonly httpsUser?: pulumi.Input<string>;
    /** Base64-encoded CA certificate. */
    readonly httpsCACert?: pulumi.Input<string>;
    /** A Secret in the cluster to authenticate with instead of configurationProtectedSettings. */
    readonly localAuthRef?: pulumi.Input<string>;
    /** Default: `Generic` on the Azure side (secret-based authentication). */
    readonly provider?: pulumi.Input<(typeof FLUX_GIT_PROVIDERS)[number]>;
}

export interface BucketDefinition20250401Args {
    readonly url?: pulumi.Input<string>;
    readonly bucketName?: pulumi.Input<string>;
    /** Default true (the spec's default). */
    readonly insecure?: pulumi.Input<boolean>;
    /** Default 600. */
    readonly timeoutInSeconds?: pulumi.Input<number>;
    /** Default 600. */
    readonly syncIntervalInSeconds?: pulumi.Input<number>;
    readonly accessKey?: pulumi.Input<string>;
    readonly localAuthRef?: pulumi.Input<string>;
}

export interface ServicePrincipalDefinition20250401Args {
    readonly clientId?: pulumi.Input<string>;
    readonly tenantId?: pulumi.Input<string>;
    /** Sent as a secret. */
    readonly clientSecret?: pulumi.Input<string>;
    /** Base64-encoded; sent as a secret. */
    readonly clientCertificate?: pulumi.Input<string>;
    /** Sent as a secret. */
    readonly clientCertificatePassword?: pulumi.Input<string>;
    /** Default false. */
    readonly clientCertificateSendChain?: pulumi.Input<boolean>;
}

export interface ManagedIdentityDefinition20250401Args {
    readonly clientId?: pulumi.Input<string>;
}

export interface AzureBlobDefinition20250401Args {
    readonly url?: pulumi.Input<string>;
    readonly containerName?: pulumi.Input<string>;
    /** Default 600. */
    readonly timeoutInSeconds?: pulumi.Input<number>;
    /** Default 600. */
    readonly syncIntervalInSeconds?: pulumi.Input<number>;
    readonly servicePrincipal?: pulumi.Input<ServicePrincipalDefinition20250401Args>;
    /** Sent as a secret. */
    readonly accountKey?: pulumi.Input<string>;
    /** Sent as a secret. */
    readonly sasToken?: pulumi.Input<string>;
    readonly managedIdentity?: pulumi.Input<ManagedIdentityDefinition20250401Args>;
    readonly localAuthRef?: pulumi.Input<string>;
}

export interface OCIRepositoryRefDefinition20250401Args {
    /** Default `latest` (Flux's). */
    readonly tag?: pulumi.Input<string>;
    /** Takes precedence over tag. */
    readonly semver?: pulumi.Input<string>;
    /** `sha256:…`; takes precedence over semver. */
    readonly digest?: pulumi.Input<string>;
}

export interface LayerSelectorDefinition20250401Args {
    readonly mediaType?: pulumi.Input<string>;
    /** Default `extract` (Flux's). */
    readonly operation?: pulumi.Input<(typeof FLUX_OCI_LAYER_OPERATIONS)[number]>;
}

export interface MatchOidcIdentityDefinition20250401Args {
    /** A regular expression. */
    readonly issuer?: pulumi.Input<string>;
    /** A regular expression. */
    readonly subject?: pulumi.Input<string>;
}

export interface VerifyDefinition20250401Args {
    /** e.g. `cosign` or `notation`. */
    readonly provider?: pulumi.Input<string>;
    /** Trusted public keys by name. */
    readonly verificationConfig?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    readonly matchOidcIdentity?: pulumi.Input<pulumi.Input<MatchOidcIdentityDefinition20250401Args>[]>;
}

export interface TlsConfigDefinition20250401Args {
    /** Base64-encoded; sent as a secret. */
    readonly clientCertificate?: pulumi.Input<string>;
    /** Base64-encoded; sent as a secret. */
    readonly privateKey?: pulumi.Input<string>;
    /** Base64-encoded; sent as a secret. */
    readonly caCertificate?: pulumi.Input<string>;
}

export interface OCIRepositoryDefinition20250401Args {
    readonly url?: pulumi.Input<string>;
    /** Default 600. */
    readonly timeoutInSeconds?: pulumi.Input<number>;
    /** Default 600. */
    readonly syncIntervalInSeconds?: pulumi.Input<number>;
    readonly repositoryRef?: pulumi.Input<OCIRepositoryRefDefinition20250401Args>;
    readonly layerSelector?: pulumi.Input<LayerSelectorDefinition20250401Args>;
    readonly verify?: pulumi.Input<VerifyDefinition20250401Args>;
    /** Plain HTTP registry. Default false. */
    readonly insecure?: pulumi.Input<boolean>;
    /** Default false. */
    readonly useWorkloadIdentity?: pulumi.Input<boolean>;
    readonly serviceAccountName?: pulumi.Input<string>;
    readonly tlsConfig?: pulumi.Input<TlsConfigDefinition20250401Args>;
    readonly localAuthRef?: pulumi.Input<string>;
}

export interface SubstituteFromDefinition20250401Args {
    /** `ConfigMap` or `Secret` (a plain string in the spec). */
    readonly kind?: pulumi.Input<string>;
    readonly name?: pulumi.Input<string>;
    readonly optional?: pulumi.Input<boolean>;
}

export interface PostBuildDefinition20250401Args {
    readonly substitute?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    readonly substituteFrom?: pulumi.Input<pulumi.Input<SubstituteFromDefinition20250401Args>[]>;
}

/** Sent as given: like the SDK, nothing fills in defaults inside the kustomizations map. */
export interface KustomizationDefinition20250401Args {
    readonly path?: pulumi.Input<string>;
    readonly dependsOn?: pulumi.Input<pulumi.Input<string>[]>;
    readonly timeoutInSeconds?: pulumi.Input<number>;
    readonly syncIntervalInSeconds?: pulumi.Input<number>;
    readonly retryIntervalInSeconds?: pulumi.Input<number>;
    readonly prune?: pulumi.Input<boolean>;
    readonly force?: pulumi.Input<boolean>;
    readonly wait?: pulumi.Input<boolean>;
    readonly postBuild?: pulumi.Input<PostBuildDefinition20250401Args>;
}

/** FluxConfigurationProperties' inputs. */
export interface FluxConfigurationProperties20250401Args {
    /** Default `cluster` on the Azure side. Create-only: a change replaces the configuration. */
    readonly scope?: pulumi.Input<(typeof FLUX_SCOPES)[number]>;
    /** Default `default`, as the SDK. Create-only: a change replaces the configuration. */
    readonly namespace?: pulumi.Input<string>;
    /** Default `GitRepository`. Names which one of the four source blocks applies. */
    readonly sourceKind?: pulumi.Input<(typeof FLUX_SOURCE_KINDS)[number]>;
    /** Default false. */
    readonly suspend?: pulumi.Input<boolean>;
    readonly gitRepository?: pulumi.Input<GitRepositoryDefinition20250401Args>;
    readonly bucket?: pulumi.Input<BucketDefinition20250401Args>;
    readonly azureBlob?: pulumi.Input<AzureBlobDefinition20250401Args>;
    readonly ociRepository?: pulumi.Input<OCIRepositoryDefinition20250401Args>;
    /** Keyed by kustomization name. */
    readonly kustomizations?: pulumi.Input<Record<string, pulumi.Input<KustomizationDefinition20250401Args>>>;
    /** Values base64-encoded, as ARM expects. Always sent as a secret. */
    readonly configurationProtectedSettings?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** ISO-8601, e.g. PT10M. */
    readonly reconciliationWaitDuration?: pulumi.Input<string>;
    readonly waitForReconciliation?: pulumi.Input<boolean>;
}

export interface FluxConfiguration20250401Args extends FluxConfigurationProperties20250401Args {
    readonly resourceGroupName: pulumi.Input<string>;
    /** `Microsoft.ContainerService` (AKS) or `Microsoft.Kubernetes` (Arc). */
    readonly clusterRp: pulumi.Input<string>;
    /** `managedClusters` or `connectedClusters`. */
    readonly clusterResourceName: pulumi.Input<string>;
    readonly clusterName: pulumi.Input<string>;
    /** Default: the Pulumi name with a random suffix, as the SDK. */
    readonly fluxConfigurationName?: pulumi.Input<string>;
}

/** Each spec definition the inputs use, and its interface here. */
interface DefinitionArgs {
    FluxConfigurationProperties: FluxConfigurationProperties20250401Args;
    GitRepositoryDefinition: GitRepositoryDefinition20250401Args;
    RepositoryRefDefinition: RepositoryRefDefinition20250401Args;
    BucketDefinition: BucketDefinition20250401Args;
    AzureBlobDefinition: AzureBlobDefinition20250401Args;
    ServicePrincipalDefinition: ServicePrincipalDefinition20250401Args;
    ManagedIdentityDefinition: ManagedIdentityDefinition20250401Args;
    OCIRepositoryDefinition: OCIRepositoryDefinition20250401Args;
    OCIRepositoryRefDefinition: OCIRepositoryRefDefinition20250401Args;
    LayerSelectorDefinition: LayerSelectorDefinition20250401Args;
    VerifyDefinition: VerifyDefinition20250401Args;
    MatchOidcIdentityDefinition: MatchOidcIdentityDefinition20250401Args;
    TlsConfigDefinition: TlsConfigDefinition20250401Args;
    KustomizationDefinition: KustomizationDefinition20250401Args;
    PostBuildDefinition: PostBuildDefinition20250401Args;
    SubstituteFromDefinition: SubstituteFromDefinition20250401Args;
}
type DefinitionLists = { readonly [D in keyof DefinitionArgs]: readonly (keyof DefinitionArgs[D])[] };

/** The input property names of each spec definition, as the interfaces above declare them. */
export const FLUX_CONFIGURATION_2025_INPUTS = {
    FluxConfigurationProperties: [
        "scope", "namespace", "sourceKind", "suspend", "gitRepository", "bucket", "azureBlob", "ociRepository", "kustomizations",
        "configurationProtectedSettings", "reconciliationWaitDuration", "waitForReconciliation",
    ],
    GitRepositoryDefinition: ["url", "timeoutInSeconds", "syncIntervalInSeconds", "repositoryRef", "sshKnownHosts", "httpsUser", "httpsCACert", "localAuthRef", "provider"],
    RepositoryRefDefinition: ["branch", "tag", "semver", "commit"],
    BucketDefinition: ["url", "bucketName", "insecure", "timeoutInSeconds", "syncIntervalInSeconds", "accessKey", "localAuthRef"],
    AzureBlobDefinition: ["url", "containerName", "timeoutInSeconds", "syncIntervalInSeconds", "servicePrincipal", "accountKey", "sasToken", "managedIdentity", "localAuthRef"],
    ServicePrincipalDefinition: ["clientId", "tenantId", "clientSecret", "clientCertificate", "clientCertificatePassword", "clientCertificateSendChain"],
    ManagedIdentityDefinition: ["clientId"],
    OCIRepositoryDefinition: [
        "url", "timeoutInSeconds", "syncIntervalInSeconds", "repositoryRef", "layerSelector", "verify", "insecure", "useWorkloadIdentity", "serviceAccountName",
        "tlsConfig", "localAuthRef",
    ],
    OCIRepositoryRefDefinition: ["tag", "semver", "digest"],
    LayerSelectorDefinition: ["mediaType", "operation"],
    VerifyDefinition: ["provider", "verificationConfig", "matchOidcIdentity"],
    MatchOidcIdentityDefinition: ["issuer", "subject"],
    TlsConfigDefinition: ["clientCertificate", "privateKey", "caCertificate"],
    KustomizationDefinition: ["path", "dependsOn", "timeoutInSeconds", "syncIntervalInSeconds", "retryIntervalInSeconds", "prune", "force", "wait", "postBuild"],
    PostBuildDefinition: ["substitute", "substituteFrom"],
    SubstituteFromDefinition: ["kind", "name", "optional"],
} as const satisfies DefinitionLists;

// Checked when compiling: each list names every key of its interface (satisfies checks the other way).
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AllTrue<T extends { readonly [D in keyof DefinitionArgs]: true }> = T;
type InputsAreComplete = AllTrue<{
    [D in keyof DefinitionArgs]: SameKeys<(typeof FLUX_CONFIGURATION_2025_INPUTS)[D][number], keyof DefinitionArgs[D]>;
}>;

type DefinitionName = keyof DefinitionArgs;

/**
 * The spec's defaults the constructor fills in, where the generated SDK fills them in: top-level
 * scalars and the source blocks (and a service principal in azureBlob), not inside kustomizations.
 * `scope` stays unset, as in the SDK; ARM defaults it to `cluster`.
 */
export const FLUX_CONFIGURATION_2025_DEFAULTS = {
    FluxConfigurationProperties: { namespace: "default", sourceKind: "GitRepository", suspend: false },
    GitRepositoryDefinition: { syncIntervalInSeconds: 600, timeoutInSeconds: 600 },
    BucketDefinition: { insecure: true, syncIntervalInSeconds: 600, timeoutInSeconds: 600 },
    AzureBlobDefinition: { syncIntervalInSeconds: 600, timeoutInSeconds: 600 },
    ServicePrincipalDefinition: { clientCertificateSendChain: false },
    OCIRepositoryDefinition: { insecure: false, useWorkloadIdentity: false, syncIntervalInSeconds: 600, timeoutInSeconds: 600 },
} as const satisfies { readonly [D in DefinitionName]?: { readonly [P in keyof DefinitionArgs[D]]?: unknown } };

/**
 * The properties the spec marks x-ms-secret. The SDK sends none of them as secrets; this class wraps
 * each in pulumi.secret so that a caller who forgets can't put one in the state or a diff in clear.
 * Inside a source block the secret covers the whole block (Pulumi lifts it to the Output's value).
 */
export const FLUX_CONFIGURATION_2025_SECRETS = {
    FluxConfigurationProperties: ["configurationProtectedSettings"],
    AzureBlobDefinition: ["accountKey", "sasToken"],
    ServicePrincipalDefinition: ["clientSecret", "clientCertificate", "clientCertificatePassword"],
    TlsConfigDefinition: ["clientCertificate", "privateKey", "caCertificate"],
} as const satisfies { readonly [D in DefinitionName]?: readonly (keyof DefinitionArgs[D])[] };

/** A definition's value with the spec's defaults filled in and its secret properties wrapped. */
function provideDefaults(definition: DefinitionName, val: object): Record<string, unknown> {
    const out: Record<string, unknown> = { ...val };
    const defaults: Record<string, unknown> = (FLUX_CONFIGURATION_2025_DEFAULTS as Partial<Record<DefinitionName, Record<string, unknown>>>)[definition] ?? {};
    for (const [key, value] of Object.entries(defaults)) out[key] = out[key] ?? value;
    const secrets: readonly string[] = (FLUX_CONFIGURATION_2025_SECRETS as Partial<Record<DefinitionName, readonly string[]>>)[definition] ?? [];
    for (const key of secrets) if (out[key] !== undefined) out[key] = pulumi.secret(out[key]);
    return out;
}

/** One source block's input, as the SDK builds it: an Output of the value with its defaults. */
function sourceInput<D extends DefinitionName>(
    definition: D,
    value: pulumi.Input<DefinitionArgs[D]> | undefined,
    nested: (v: pulumi.Unwrap<DefinitionArgs[D]>) => Record<string, unknown> = () => ({}),
): pulumi.Output<Record<string, unknown> | undefined> {
    return pulumi.output(value).apply((v) => (v === undefined ? undefined : { ...provideDefaults(definition, v), ...nested(v) })) as pulumi.Output<Record<string, unknown> | undefined>;
}

/** Outputs that echo inputs (undefined when reading an existing configuration with `get`). */
const INPUT_OUTPUTS = [
    "azureBlob", "bucket", "configurationProtectedSettings", "gitRepository", "kustomizations", "namespace", "ociRepository", "reconciliationWaitDuration", "scope",
    "sourceKind", "suspend", "waitForReconciliation",
] as const;
/** The spec's read-only properties, plus what azure-native adds (azureApiVersion, name, type, systemData). */
const READ_ONLY_OUTPUTS = [
    "azureApiVersion", "complianceState", "errorMessage", "name", "provisioningState", "repositoryPublicKey", "sourceSyncedCommitId", "sourceUpdatedAt", "statusUpdatedAt",
    "statuses", "systemData", "type",
] as const;

/**
 * A Flux configuration at ARM API 2025-04-01 (OCI sources, gitRepository.provider), registered under
 * the provider's versioned token. `pulumi package add azure-native kubernetesconfiguration 2025-04-01`
 * regenerates the equivalent as a local SDK (under that package's own token, so switching to it needs
 * an alias to this one: docs/flux-api.md). Built the way the generated class is: same defaults, same
 * outputs, the provider version of @pulumi/azure-native, and aliases to every other token of the
 * resource, so a configuration moves between kc.FluxConfiguration and this class without a replacement.
 */
export class FluxConfiguration20250401 extends pulumi.CustomResource {
    /** Read an existing configuration's state by its ARM ID. */
    public static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): FluxConfiguration20250401 {
        return new FluxConfiguration20250401(name, undefined as any, { ...opts, id: id });
    }

    /** @internal */
    public static readonly __pulumiType = FLUX_CONFIGURATION_2025_TOKEN;

    /** True for an instance of this class, even from another copy of the module. */
    public static isInstance(obj: any): obj is FluxConfiguration20250401 {
        if (obj === undefined || obj === null) return false;
        return obj["__pulumiType"] === FluxConfiguration20250401.__pulumiType;
    }

    // `declare`: a class field would overwrite, after super(), the outputs the constructor sets up.
    declare public readonly azureApiVersion: pulumi.Output<string>;
    declare public readonly azureBlob: pulumi.Output<pulumi.Unwrap<AzureBlobDefinition20250401Args> | undefined>;
    declare public readonly bucket: pulumi.Output<pulumi.Unwrap<BucketDefinition20250401Args> | undefined>;
    /** The combined state of the Flux objects: one of FLUX_COMPLIANCE_STATES. */
    declare public readonly complianceState: pulumi.Output<string>;
    declare public readonly configurationProtectedSettings: pulumi.Output<Record<string, string> | undefined>;
    declare public readonly errorMessage: pulumi.Output<string>;
    declare public readonly gitRepository: pulumi.Output<pulumi.Unwrap<GitRepositoryDefinition20250401Args> | undefined>;
    declare public readonly kustomizations: pulumi.Output<Record<string, pulumi.Unwrap<KustomizationDefinition20250401Args> & { name: string }> | undefined>;
    declare public readonly name: pulumi.Output<string>;
    declare public readonly namespace: pulumi.Output<string | undefined>;
    declare public readonly ociRepository: pulumi.Output<pulumi.Unwrap<OCIRepositoryDefinition20250401Args> | undefined>;
    declare public readonly provisioningState: pulumi.Output<string>;
    declare public readonly reconciliationWaitDuration: pulumi.Output<string | undefined>;
    declare public readonly repositoryPublicKey: pulumi.Output<string>;
    declare public readonly scope: pulumi.Output<string | undefined>;
    declare public readonly sourceKind: pulumi.Output<string | undefined>;
    declare public readonly sourceSyncedCommitId: pulumi.Output<string>;
    declare public readonly sourceUpdatedAt: pulumi.Output<string>;
    declare public readonly statusUpdatedAt: pulumi.Output<string>;
    /** ObjectStatusDefinition[] of the spec: each Flux object's kind, name, compliance and conditions. */
    declare public readonly statuses: pulumi.Output<any[]>;
    declare public readonly suspend: pulumi.Output<boolean | undefined>;
    declare public readonly systemData: pulumi.Output<any>;
    declare public readonly type: pulumi.Output<string>;
    declare public readonly waitForReconciliation: pulumi.Output<boolean | undefined>;

    constructor(name: string, args: FluxConfiguration20250401Args, opts?: pulumi.CustomResourceOptions) {
        const resourceInputs: pulumi.Inputs = {};
        opts = opts || {};
        if (!opts.id) {
            for (const required of ["clusterName", "clusterResourceName", "clusterRp", "resourceGroupName"] as const) {
                if (args?.[required] === undefined && !opts.urn) throw new Error(`Missing required property '${required}'`);
            }
            resourceInputs["azureBlob"] = args
                ? sourceInput("AzureBlobDefinition", args.azureBlob, (v) =>
                      v.servicePrincipal === undefined ? {} : { servicePrincipal: provideDefaults("ServicePrincipalDefinition", v.servicePrincipal) },
                  )
                : undefined;
            resourceInputs["bucket"] = args ? sourceInput("BucketDefinition", args.bucket) : undefined;
            resourceInputs["clusterName"] = args?.clusterName;
            resourceInputs["clusterResourceName"] = args?.clusterResourceName;
            resourceInputs["clusterRp"] = args?.clusterRp;
            resourceInputs["configurationProtectedSettings"] = args?.configurationProtectedSettings === undefined ? undefined : pulumi.secret(args.configurationProtectedSettings);
            resourceInputs["fluxConfigurationName"] = args?.fluxConfigurationName;
            resourceInputs["gitRepository"] = args ? sourceInput("GitRepositoryDefinition", args.gitRepository) : undefined;
            resourceInputs["kustomizations"] = args?.kustomizations;
            resourceInputs["namespace"] = args?.namespace ?? FLUX_CONFIGURATION_2025_DEFAULTS.FluxConfigurationProperties.namespace;
            resourceInputs["ociRepository"] = args
                ? sourceInput("OCIRepositoryDefinition", args.ociRepository, (v) =>
                      v.tlsConfig === undefined ? {} : { tlsConfig: provideDefaults("TlsConfigDefinition", v.tlsConfig) },
                  )
                : undefined;
            resourceInputs["reconciliationWaitDuration"] = args?.reconciliationWaitDuration;
            resourceInputs["resourceGroupName"] = args?.resourceGroupName;
            resourceInputs["scope"] = args?.scope;
            resourceInputs["sourceKind"] = args?.sourceKind ?? FLUX_CONFIGURATION_2025_DEFAULTS.FluxConfigurationProperties.sourceKind;
            resourceInputs["suspend"] = args?.suspend ?? FLUX_CONFIGURATION_2025_DEFAULTS.FluxConfigurationProperties.suspend;
            resourceInputs["waitForReconciliation"] = args?.waitForReconciliation;
            for (const out of READ_ONLY_OUTPUTS) resourceInputs[out] = undefined;
        } else {
            for (const out of [...INPUT_OUTPUTS, ...READ_ONLY_OUTPUTS]) resourceInputs[out] = undefined;
        }
        // As the SDK: the package's provider version unless the caller pins one, then the aliases.
        opts = pulumi.mergeOptions({ version: getVersion() }, opts);
        const aliasOpts = { aliases: FLUX_CONFIGURATION_2025_ALIASES.map((type) => ({ type })) };
        opts = pulumi.mergeOptions(opts, aliasOpts);
        // The spec marks the settings x-ms-secret: keep what the provider returns secret too.
        const secretOpts = { additionalSecretOutputs: ["configurationProtectedSettings"] };
        opts = pulumi.mergeOptions(opts, secretOpts);
        super(FluxConfiguration20250401.__pulumiType, name, resourceInputs, opts);
    }
}
