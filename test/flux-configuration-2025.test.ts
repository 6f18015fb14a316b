// The hand-written FluxConfiguration at API 2025-04-01 against the ARM spec it was written from
// (test/fixtures/fluxconfiguration-2025-04-01.json, derived from Azure/azure-rest-api-specs as
// docs/flux-api.md says) and against the SDK class it stands beside: the same provider version, and
// aliases to every token of the resource so a stack moves between the two without a replacement.
//
// What this does not prove: that the provider accepts the token (it serves every API version, but no
// provider runs here), nor what ARM returns; docs/flux-api.md says what `pulumi up` shows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as kc from "@pulumi/azure-native/kubernetesconfiguration";
import {
    FLUX_CONFIGURATION_2025_ALIASES, FLUX_CONFIGURATION_2025_DEFAULTS, FLUX_CONFIGURATION_2025_ENUMS, FLUX_CONFIGURATION_2025_INPUTS, FLUX_CONFIGURATION_2025_SECRETS,
    FLUX_CONFIGURATION_2025_TOKEN, FLUX_GIT_PROVIDERS, FLUX_OCI_LAYER_OPERATIONS, FLUX_SOURCE_KINDS, FluxConfiguration20250401,
} from "../components/flux-configuration-2025.ts";
import { installMocks, isSecretValue, one, plainOccurrences, REPO_ROOT, settle, unwrap, valueOf } from "./support.ts";

interface SpecProperty {
    readonly readOnly?: true;
    readonly ref?: string;
    readonly enum?: string;
    readonly default?: unknown;
    readonly secret?: true;
}
const SPEC: {
    source: { repository: string; path: string; commit: string; apiVersion: string };
    definitions: Record<string, { properties: Record<string, SpecProperty> }>;
    enums: Record<string, string[]>;
} = JSON.parse(readFileSync(path.join(REPO_ROOT, "test", "fixtures", "fluxconfiguration-2025-04-01.json"), "utf8"));

/** A definition's input properties: those the spec doesn't mark readOnly. */
const specInputs = (definition: string) => Object.entries(SPEC.definitions[definition].properties).filter(([, p]) => !p.readOnly);

const rec = installMocks();

// What the SDK sends besides type, name and inputs: the recorder doesn't keep options, the request does.
interface Sent {
    readonly aliases: string[];
    readonly version: string;
    readonly additionalSecretOutputs: string[];
}
const sent = new Map<string, Sent>();
const monitor = pulumi.runtime.getMonitor() as any;
const register = monitor.registerResource.bind(monitor);
monitor.registerResource = (req: any, callback: any) => {
    sent.set(req.getName(), {
        aliases: req.getAliasesList().map((a: any) => a.getSpec()?.getType() ?? a.getUrn()),
        version: req.getVersion(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    });
    return register(req, callback);
};

const aks = { resourceGroupName: "rg", clusterRp: "Microsoft.ContainerService", clusterResourceName: "managedClusters", clusterName: "aks1" } as const;
const PAT = "CANARY-pat-2025-7f3e";
const CLIENT_SECRET = "CANARY-client-secret-91c2";
const base64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const verify = {
    provider: "cosign",
    matchOidcIdentity: [{ issuer: "^https://token\\.actions\\.githubusercontent\\.com$", subject: "^https://github\\.com/contoso/apps/.*$" }],
};

const oci = new FluxConfiguration20250401("oci", {
    ...aks,
    fluxConfigurationName: "apps",
    namespace: "flux-system",
    scope: "cluster",
    sourceKind: "OCIRepository",
    ociRepository: {
        url: "oci://contoso.azurecr.io/manifests/apps",
        repositoryRef: { semver: ">=1.0.0" },
        useWorkloadIdentity: true,
        layerSelector: { mediaType: "application/vnd.cncf.flux.content.v1.tar+gzip", operation: "extract" },
        verify,
        syncIntervalInSeconds: 300,
    },
    kustomizations: { apps: { path: "./", prune: true, dependsOn: [] } },
    waitForReconciliation: true,
    reconciliationWaitDuration: "PT10M",
});
// Azure DevOps through the cluster's workload identity: no credentials at all.
const azureDevOps = new FluxConfiguration20250401("azdo", {
    ...aks,
    fluxConfigurationName: "infra",
    gitRepository: { url: "https://dev.azure.com/contoso/platform/_git/gitops", repositoryRef: { branch: "main" }, provider: "Azure" },
    kustomizations: { infra: { path: "infra" } },
});
// A PAT handed over in clear is still sent as a secret.
const https = new FluxConfiguration20250401("https", {
    ...aks,
    clusterRp: "Microsoft.Kubernetes",
    clusterResourceName: "connectedClusters",
    clusterName: "edge",
    fluxConfigurationName: "edge",
    gitRepository: { url: "https://github.com/contoso/gitops", repositoryRef: { tag: "v1.2.3" }, provider: "Generic", httpsUser: "git" },
    configurationProtectedSettings: { httpsKey: base64(PAT) },
    kustomizations: { edge: { path: "clusters/edge", postBuild: { substitute: { cluster: "edge" }, substituteFrom: [{ kind: "ConfigMap", name: "vars", optional: true }] } } },
});
const blob = new FluxConfiguration20250401("blob", {
    ...aks,
    fluxConfigurationName: "blob",
    sourceKind: "AzureBlob",
    azureBlob: { url: "https://contoso.blob.core.windows.net", containerName: "manifests", servicePrincipal: { clientId: "c", tenantId: "t", clientSecret: CLIENT_SECRET } },
});
// The SDK class beside it, for what it sends.
const sdk = new kc.FluxConfiguration("sdk", { ...aks, fluxConfigurationName: "sdk" });
const ready = settle(oci, azureDevOps, https, blob, sdk);

test("the inputs are the spec's properties that aren't readOnly, definition by definition", () => {
    assert.equal(SPEC.source.apiVersion, "2025-04-01");
    assert.deepEqual(Object.keys(FLUX_CONFIGURATION_2025_INPUTS).sort(), Object.keys(SPEC.definitions).sort());
    for (const [definition, names] of Object.entries(FLUX_CONFIGURATION_2025_INPUTS)) {
        assert.deepEqual([...names].sort(), specInputs(definition).map(([name]) => name).sort(), definition);
    }
    // The read-only ones are outputs of the class instead.
    const readOnly = Object.entries(SPEC.definitions.FluxConfigurationProperties.properties).filter(([, p]) => p.readOnly).map(([name]) => name);
    assert.deepEqual(readOnly.sort(), ["complianceState", "errorMessage", "provisioningState", "repositoryPublicKey", "sourceSyncedCommitId", "sourceUpdatedAt", "statusUpdatedAt", "statuses"]);
});

test("the enums are the spec's, and every enum an input uses is among them", () => {
    for (const [name, values] of Object.entries(FLUX_CONFIGURATION_2025_ENUMS)) assert.deepEqual([...values], SPEC.enums[name], name);
    const used = new Set(Object.keys(SPEC.definitions).flatMap((d) => specInputs(d).flatMap(([, p]) => (p.enum ? [p.enum] : []))));
    assert.deepEqual([...used].sort(), ["OperationType", "ProviderType", "ScopeType", "SourceKindType"]);
    for (const name of used) assert.ok(name in FLUX_CONFIGURATION_2025_ENUMS, name);
    assert.deepEqual(SPEC.definitions.GitRepositoryDefinition.properties.provider.enum, "ProviderType");
    assert.deepEqual([...FLUX_GIT_PROVIDERS], SPEC.enums.ProviderType);
    assert.deepEqual(SPEC.definitions.LayerSelectorDefinition.properties.operation.enum, "OperationType");
    assert.deepEqual([...FLUX_OCI_LAYER_OPERATIONS], SPEC.enums.OperationType);
    assert.deepEqual([...FLUX_SOURCE_KINDS], SPEC.enums.SourceKindType);
});

test("the defaults filled in are the spec's, and the properties sent as secrets are exactly those it marks x-ms-secret", () => {
    for (const [definition, defaults] of Object.entries(FLUX_CONFIGURATION_2025_DEFAULTS)) {
        for (const [name, value] of Object.entries(defaults)) assert.equal(value, SPEC.definitions[definition].properties[name].default, `${definition}.${name}`);
    }
    const specSecrets = Object.fromEntries(
        Object.keys(SPEC.definitions)
            .map((d) => [d, specInputs(d).filter(([, p]) => p.secret).map(([name]) => name)] as const)
            .filter(([, names]) => names.length > 0),
    );
    assert.deepEqual(Object.fromEntries(Object.entries(FLUX_CONFIGURATION_2025_SECRETS).map(([d, names]) => [d, [...names]])), specSecrets);
});

test("the aliases are the SDK's token and every versioned token the SDK aliases, except this one's", async () => {
    await ready;
    const sdkType = (kc.FluxConfiguration as unknown as { __pulumiType: string }).__pulumiType;
    assert.equal(sdkType, "azure-native:kubernetesconfiguration:FluxConfiguration");
    const sdkAliases = sent.get("sdk")!.aliases;
    // The SDK aliases this token too, so a stack can also move back.
    assert.ok(sdkAliases.includes(FLUX_CONFIGURATION_2025_TOKEN), sdkAliases.join(", "));
    const expected = [sdkType, ...sdkAliases.filter((t) => t !== FLUX_CONFIGURATION_2025_TOKEN)];
    assert.deepEqual([...FLUX_CONFIGURATION_2025_ALIASES], expected);
    for (const name of ["oci", "azdo", "https", "blob"]) assert.deepEqual(sent.get(name)!.aliases, expected, name);
    // The SDK's generated source says the same.
    const js = readFileSync(path.join(REPO_ROOT, "node_modules/@pulumi/azure-native/kubernetesconfiguration/fluxConfiguration.js"), "utf8");
    const listed = /const aliasOpts = \{ aliases: \[(.*)\] \};/.exec(js)![1];
    assert.deepEqual([...listed.matchAll(/\{ type: "([^"]+)" \}/g)].map((m) => m[1]), sdkAliases);
});

test("it registers under the versioned token with the SDK's provider version, the settings marked secret", async () => {
    await ready;
    assert.equal(FLUX_CONFIGURATION_2025_TOKEN, "azure-native:kubernetesconfiguration/v20250401:FluxConfiguration");
    for (const name of ["oci", "azdo", "https", "blob"]) {
        one(rec, FLUX_CONFIGURATION_2025_TOKEN, name);
        assert.equal(sent.get(name)!.version, sent.get("sdk")!.version, name);
        assert.deepEqual(sent.get(name)!.additionalSecretOutputs, ["configurationProtectedSettings"], name);
    }
    assert.equal(sent.get("sdk")!.version, "3.28.0");
    // The outputs exist as the SDK's do; the mock echoes the inputs back.
    assert.ok(pulumi.Output.isInstance(oci.complianceState) && pulumi.Output.isInstance(oci.statuses) && pulumi.Output.isInstance(oci.azureApiVersion));
    assert.equal(await valueOf(oci.sourceKind), "OCIRepository");
    assert.ok(FluxConfiguration20250401.isInstance(oci));
    assert.ok(!FluxConfiguration20250401.isInstance(sdk));
});

test("an OCI source with workload identity, a layer selector and cosign verification: exactly these inputs", async () => {
    await ready;
    assert.deepEqual(one(rec, FLUX_CONFIGURATION_2025_TOKEN, "oci").inputs, {
        ...aks,
        fluxConfigurationName: "apps",
        namespace: "flux-system",
        scope: "cluster",
        sourceKind: "OCIRepository",
        suspend: false,
        ociRepository: {
            url: "oci://contoso.azurecr.io/manifests/apps",
            repositoryRef: { semver: ">=1.0.0" },
            useWorkloadIdentity: true,
            layerSelector: { mediaType: "application/vnd.cncf.flux.content.v1.tar+gzip", operation: "extract" },
            verify,
            insecure: false,
            syncIntervalInSeconds: 300,
            timeoutInSeconds: 600,
        },
        kustomizations: { apps: { path: "./", prune: true, dependsOn: [] } },
        waitForReconciliation: true,
        reconciliationWaitDuration: "PT10M",
    });
});

test("Git sources: Azure DevOps through workload identity, and a PAT sent only as a secret", async () => {
    await ready;
    assert.deepEqual(one(rec, FLUX_CONFIGURATION_2025_TOKEN, "azdo").inputs, {
        ...aks,
        fluxConfigurationName: "infra",
        namespace: "default",
        sourceKind: "GitRepository",
        suspend: false,
        gitRepository: {
            url: "https://dev.azure.com/contoso/platform/_git/gitops",
            repositoryRef: { branch: "main" },
            provider: "Azure",
            syncIntervalInSeconds: 600,
            timeoutInSeconds: 600,
        },
        kustomizations: { infra: { path: "infra" } },
    });
    const inputs = one(rec, FLUX_CONFIGURATION_2025_TOKEN, "https").inputs;
    assert.ok(isSecretValue(inputs.configurationProtectedSettings));
    assert.deepEqual(plainOccurrences(inputs, base64(PAT)), []);
    assert.deepEqual(unwrap(inputs), {
        resourceGroupName: "rg",
        clusterRp: "Microsoft.Kubernetes",
        clusterResourceName: "connectedClusters",
        clusterName: "edge",
        fluxConfigurationName: "edge",
        namespace: "default",
        sourceKind: "GitRepository",
        suspend: false,
        gitRepository: {
            url: "https://github.com/contoso/gitops",
            repositoryRef: { tag: "v1.2.3" },
            provider: "Generic",
            httpsUser: "git",
            syncIntervalInSeconds: 600,
            timeoutInSeconds: 600,
        },
        configurationProtectedSettings: { httpsKey: base64(PAT) },
        kustomizations: { edge: { path: "clusters/edge", postBuild: { substitute: { cluster: "edge" }, substituteFrom: [{ kind: "ConfigMap", name: "vars", optional: true }] } } },
    });
});

test("an Azure Blob source: the service principal gets its default, and its secret makes the whole block a secret", async () => {
    await ready;
    const inputs = one(rec, FLUX_CONFIGURATION_2025_TOKEN, "blob").inputs;
    assert.deepEqual(plainOccurrences(inputs, CLIENT_SECRET), []);
    // Pulumi lifts a secret inside an Output's value to the whole value, as for the SDK's own blocks.
    assert.ok(isSecretValue(inputs.azureBlob));
    assert.deepEqual(unwrap(inputs.azureBlob), {
        url: "https://contoso.blob.core.windows.net",
        containerName: "manifests",
        servicePrincipal: { clientId: "c", tenantId: "t", clientSecret: CLIENT_SECRET, clientCertificateSendChain: false },
        syncIntervalInSeconds: 600,
        timeoutInSeconds: 600,
    });
});

test("like the SDK, it refuses a configuration without its cluster, before registering anything", async () => {
    await ready;
    const before = rec.registrations.length;
    const { clusterName: _, ...withoutCluster } = aks;
    assert.throws(() => new FluxConfiguration20250401("no-cluster", withoutCluster as any), /Missing required property 'clusterName'/);
    await settle();
    assert.equal(rec.registrations.length, before);
});
