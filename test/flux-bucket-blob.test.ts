// Bucket and Azure Blob sources (issue 12): a stack with an S3-compatible bucket read with an access key,
// an Azure Blob container read with workload identity (and the Storage Blob Data Reader grant), and one
// read with a SAS token, composed through createPlatform; the exact 2025-04-01 inputs, the secrets kept
// secret, the identity chain, and the refusals by key path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fluxConfigurationProblems, fluxObjects, protectedSettings, type FluxConfigurationArgs } from "../components/flux.ts";
import { FLUX_CONFIGURATION_2025_TOKEN } from "../components/flux-configuration-2025.ts";
import { alertEventSources } from "../components/alerts.ts";
import { requiredSecrets, secretReader } from "../infra/config/load.ts";
import { createPlatform, STORAGE_BLOB_DATA_READER } from "../infra/platform.ts";
import { dependsOn, duplicates, find, installMocks, isSecretValue, minimalStack, one, parentOf, parseTestStack, plainOccurrences, PROJECT, settle, testStackProblems, unwrap } from "./support.ts";

// The secrets, given as secret config: each value is a canary that must never show in a plain input.
const SECRETS = {
    connectorPat: "CANARY-connector-pat-0a1b",
    minioSecret: "CANARY-bucket-secret-key-7c3d",
    blobSas: "sv=2024-11-04&sp=rl&sig=CANARY-sas-token-9e8f",
} as const;
const rec = installMocks({
    config: Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [`${PROJECT}:${k}`, v])),
    secretKeys: Object.keys(SECRETS).map((k) => `${PROJECT}:${k}`),
    // The identity's IDs, which the default mocks leave unknown: the blob source names the client ID.
    state: ({ type, name }) => (type === "azure-native:managedidentity:UserAssignedIdentity" ? { clientId: `client-of-${name}`, principalId: `sp-of-${name}` } : undefined),
});
const ALL_SET = Object.fromEntries(Object.keys(SECRETS).map((k) => [k, "secret" as const]));

// In another subscription than the one the program deploys to (the mocks' SUB).
const ACCOUNT_SUB = "99999999-aaaa-bbbb-cccc-dddddddddddd";
const ACCOUNT_ID = `/subscriptions/${ACCOUNT_SUB}/resourceGroups/data/providers/Microsoft.Storage/storageAccounts/gitopsartifacts`;
const BUCKET = {
    name: "minio",
    source: "bucket",
    url: "https://minio.example.com:9000",
    bucketName: "gitops",
    auth: { type: "accessKey", accessKey: "flux-reader", secretKeySecret: "minioSecret" },
    kustomizations: [{ name: "apps", path: "apps" }],
};
const BLOB_WI = {
    name: "blob",
    source: "azureBlob",
    url: "https://gitopsartifacts.blob.core.windows.net",
    containerName: "manifests",
    storageAccountId: ACCOUNT_ID,
    auth: { type: "workloadIdentity" },
    kustomizations: [{ name: "infra", path: "infra" }],
};
const BLOB_SAS = {
    name: "blob-sas",
    source: "azureBlob",
    url: "https://otheraccount.blob.core.windows.net",
    containerName: "manifests",
    auth: { type: "sasToken", sasTokenSecret: "blobSas" },
    kustomizations: [{ name: "all" }],
};

function stackWith(...fcs: Record<string, unknown>[]): Record<string, any> {
    const s = minimalStack();
    s.flux.configurations.push(...fcs);
    return s;
}

const config = parseTestStack(stackWith(BUCKET, BLOB_WI, BLOB_SAS), ALL_SET);
createPlatform(config, secretReader());
const ready = settle();

const SDK_TOKEN = "azure-native:kubernetesconfiguration:FluxConfiguration";
const ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";
const FLUX = "arc-cicd-cluster-flux";
const CLIENT_ID = "client-of-arc-cicd-cluster-flux-identity-identity";

test("a bucket goes through 2025-04-01 as sourceKind Bucket, the access key ID plain and the secret key only in protected settings", async () => {
    await ready;
    assert.deepEqual(duplicates(rec), []);
    const r = one(rec, FLUX_CONFIGURATION_2025_TOKEN, `${FLUX}-minio`);
    assert.equal(parentOf(rec, r)?.name, FLUX);
    const i = r.inputs;
    assert.equal(i.sourceKind, "Bucket");
    assert.equal(i.gitRepository, undefined);
    assert.equal(i.azureBlob, undefined);
    assert.deepEqual(unwrap(i.bucket), {
        url: "https://minio.example.com:9000",
        bucketName: "gitops",
        insecure: false,
        accessKey: "flux-reader",
        syncIntervalInSeconds: 600,
        timeoutInSeconds: 600,
    });
    assert.ok(isSecretValue(i.configurationProtectedSettings), "configurationProtectedSettings is a Pulumi secret");
    assert.deepEqual(unwrap(i.configurationProtectedSettings), { bucketSecretKey: Buffer.from(SECRETS.minioSecret).toString("base64") });
    assert.deepEqual(i.kustomizations, { apps: { path: "apps", dependsOn: [], prune: false, force: false, wait: true, syncIntervalInSeconds: 600, timeoutInSeconds: 600 } });
    // The stack's own configuration keeps the SDK's 2023-05-01 class.
    one(rec, SDK_TOKEN, `${FLUX}-cluster-config`);
    assert.deepEqual(find(rec, FLUX_CONFIGURATION_2025_TOKEN).map((x) => x.name).sort(), [`${FLUX}-blob`, `${FLUX}-blob-sas`, `${FLUX}-minio`]);
});

test("an Azure Blob container with workload identity names the Flux identity's client ID and stores no secret", async () => {
    await ready;
    const i = one(rec, FLUX_CONFIGURATION_2025_TOKEN, `${FLUX}-blob`).inputs;
    assert.equal(i.sourceKind, "AzureBlob");
    assert.equal(i.bucket, undefined);
    one(rec, "azure-native:managedidentity:UserAssignedIdentity", "arc-cicd-cluster-flux-identity-identity");
    assert.deepEqual(unwrap(i.azureBlob), {
        url: "https://gitopsartifacts.blob.core.windows.net",
        containerName: "manifests",
        managedIdentity: { clientId: CLIENT_ID },
        syncIntervalInSeconds: 600,
        timeoutInSeconds: 600,
    });
    assert.equal(i.configurationProtectedSettings, undefined);
});

test("an Azure Blob container with a SAS token sends it as azureBlob.sasToken, a secret, and nothing in protected settings", async () => {
    await ready;
    const i = one(rec, FLUX_CONFIGURATION_2025_TOKEN, `${FLUX}-blob-sas`).inputs;
    assert.equal(i.sourceKind, "AzureBlob");
    assert.ok(isSecretValue(i.azureBlob), "the block holding the SAS token is a Pulumi secret");
    assert.deepEqual(unwrap(i.azureBlob), {
        url: "https://otheraccount.blob.core.windows.net",
        containerName: "manifests",
        sasToken: SECRETS.blobSas,
        syncIntervalInSeconds: 600,
        timeoutInSeconds: 600,
    });
    assert.equal(i.configurationProtectedSettings, undefined);
    assert.deepEqual(protectedSettings({ type: "sasToken", sasToken: "x" }), undefined);
});

test("no secret value reaches a plain input, and requiredSecrets names each key", async () => {
    await ready;
    for (const needle of ["CANARY-", ...Object.values(SECRETS)]) {
        for (const r of rec.registrations) assert.deepEqual(plainOccurrences(r.inputs, needle), [], `${needle.slice(0, 20)} in ${r.type}::${r.name}`);
    }
    assert.deepEqual(
        requiredSecrets(config).filter((s) => s.key !== "connectorPat"),
        [
            { key: "minioSecret", purpose: "bucket secret key for Flux configuration 'minio'" },
            { key: "blobSas", purpose: "Azure Blob SAS token for Flux configuration 'blob-sas'" },
        ],
    );
});

test("blob workload identity: identity -> federated credential -> Storage Blob Data Reader on the account -> the configuration", async () => {
    await ready;
    const grants = find(rec, ROLE_ASSIGNMENT).filter((r) => String(unwrap(r.inputs.roleDefinitionId)).endsWith(STORAGE_BLOB_DATA_READER));
    assert.equal(grants.length, 1);
    const grant = grants[0];
    assert.equal(grant.name, "arc-cicd-cluster-blob-blob-reader");
    assert.equal(parentOf(rec, grant)?.type, "gitops:flux:FluxIdentity");
    assert.equal(unwrap(grant.inputs.scope), ACCOUNT_ID);
    assert.equal(unwrap(grant.inputs.principalId), "sp-of-arc-cicd-cluster-flux-identity-identity");
    assert.equal(unwrap(grant.inputs.principalType), "ServicePrincipal");
    // The role as the account's own subscription names it, not the deploying one's.
    assert.equal(unwrap(grant.inputs.roleDefinitionId), `/subscriptions/${ACCOUNT_SUB}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_BLOB_DATA_READER}`);
    const federated = one(rec, "azure-native:managedidentity:FederatedIdentityCredential", "arc-cicd-cluster-flux-identity-federated");
    assert.ok(dependsOn(rec, grant, federated), "the grant waits for the federated credential");
    const blob = one(rec, FLUX_CONFIGURATION_2025_TOKEN, `${FLUX}-blob`);
    assert.ok(dependsOn(rec, blob, grant), "the blob configuration waits for its grant");
    assert.ok(!dependsOn(rec, one(rec, FLUX_CONFIGURATION_2025_TOKEN, `${FLUX}-minio`), grant), "the bucket doesn't use the identity");
    // No OCI source names the stack's registry, so the identity gets no AcrPull.
    assert.equal(find(rec, ROLE_ASSIGNMENT).filter((r) => r.name.includes("flux-identity-acrpull")).length, 0);
});

test("Flux objects: both sources are a Flux Bucket, which alerts name as a Bucket, not a GitRepository", () => {
    const objects = fluxObjects({ name: "minio", source: "bucket", url: BUCKET.url, kustomizations: [{ name: "apps" }] });
    assert.deepEqual(objects, { namespace: "flux-system", gitRepository: "minio", sourceKind: "Bucket", kustomizations: ["minio-apps"] });
    assert.equal(fluxObjects({ name: "b", source: "azureBlob", url: BLOB_WI.url, kustomizations: [] }).sourceKind, "Bucket");
    assert.deepEqual(
        alertEventSources("flux-system", [objects], ["GitRepository", "Kustomization"]),
        [
            { kind: "Bucket", name: "minio", namespace: "flux-system" },
            { kind: "Kustomization", name: "minio-apps", namespace: "flux-system" },
        ],
    );
});

test("the component refuses Git refs on object storage and object-storage keys on Git and OCI, by argument", () => {
    const base: FluxConfigurationArgs = { name: "s", url: "https://minio.example.com", source: "bucket", bucketName: "b", auth: { type: "accessKey", accessKey: "id", secretKey: "k" }, kustomizations: [{ name: "k" }] };
    const problems = (fc: Partial<FluxConfigurationArgs>) => fluxConfigurationProblems({ ...base, ...fc });
    assert.deepEqual(problems({}), []);
    assert.deepEqual(problems({ branch: "main", tag: "v1" }), [
        { path: ["branch"], message: "a Bucket source has no branch; Flux syncs the bucket's current contents" },
        { path: ["tag"], message: "a Bucket source has no tag; Flux syncs the bucket's current contents" },
    ]);
    assert.deepEqual(problems({ url: "s3://minio.example.com/gitops", bucketName: undefined, auth: { type: "none" } }), [
        {
            path: ["url"],
            message: "expected the bucket's S3-compatible endpoint as https://<host>[:port] (http:// with insecure: true), without a path, query or credentials; the bucket goes in bucketName",
        },
        { path: ["bucketName"], message: "expected the bucket's name for a Bucket source" },
        { path: ["auth", "type"], message: "a Bucket source takes auth.type accessKey (as az k8s-configuration flux create --bucket-access-key/--bucket-secret-key), got none" },
    ]);
    // The scheme and insecure say the same thing: plain HTTP only for an http:// URL.
    assert.deepEqual(problems({ url: "http://minio.example.com:9000", insecure: true }), []);
    assert.deepEqual(problems({ url: "http://minio.example.com:9000" }), [
        { path: ["insecure"], message: "an http:// bucket URL needs insecure: true (Flux would speak HTTPS to it)" },
    ]);
    assert.deepEqual(problems({ insecure: true }), [
        { path: ["insecure"], message: "insecure: true makes Flux speak plain HTTP to an https:// bucket URL; use an http:// URL or drop insecure" },
    ]);
    const blob = (fc: Partial<FluxConfigurationArgs>) =>
        fluxConfigurationProblems({ name: "b", url: "https://acct.blob.core.windows.net", source: "azureBlob", containerName: "c", auth: { type: "workloadIdentity" }, kustomizations: [{ name: "k" }], ...fc });
    assert.deepEqual(blob({}), []);
    assert.deepEqual(blob({ url: "https://acct.blob.core.windows.net/c", containerName: undefined, commit: "abc1234", bucketName: "x", auth: { type: "accessKey", accessKey: "a", secretKey: "s" } }), [
        { path: ["url"], message: "expected the storage account's blob endpoint https://<account>.blob.core.windows.net, without the container (it goes in containerName), a query or a SAS token" },
        { path: ["commit"], message: "an Azure Blob source has no commit; Flux syncs the container's current contents" },
        { path: ["bucketName"], message: "bucketName applies to source bucket only; an Azure Blob container is named by containerName" },
        { path: ["containerName"], message: "expected the blob container's name for an Azure Blob source" },
        { path: ["auth", "type"], message: "an Azure Blob source takes auth.type workloadIdentity, sasToken or accountKey, got accessKey" },
    ]);
    const gitArgs: FluxConfigurationArgs = { name: "g", url: "https://github.com/org/gitops", branch: "main", bucketName: "b", containerName: "c", auth: { type: "sasToken", sasToken: "t" }, kustomizations: [{ name: "k" }] };
    const git = fluxConfigurationProblems(gitArgs);
    assert.deepEqual(git, [
        { path: ["bucketName"], message: "bucketName applies to source bucket only, not to a Git source" },
        { path: ["containerName"], message: "containerName applies to source azureBlob only, not to a Git source" },
        { path: ["auth", "type"], message: "sasToken applies to source azureBlob only, not to the Git URL https://github.com/org/gitops" },
    ]);
    assert.deepEqual(fluxConfigurationProblems({ name: "o", url: "oci://myacr.azurecr.io/app", tag: "v1", insecure: true, kustomizations: [{ name: "k" }] }), [
        { path: ["insecure"], message: "insecure applies to source bucket only, not to an OCI source" },
    ]);
});

test("the stack file: Bucket and Azure Blob mistakes are reported by key path", () => {
    const at = "gitops-platform:flux.configurations[1]";
    const secrets = { connectorPat: "secret", minioSecret: "secret", blobSas: "secret", bucketSecretKey: "secret" } as const;
    assert.deepEqual(testStackProblems(stackWith({ ...BUCKET, branch: "main" }), secrets), [`${at}.branch: a Bucket source has no branch; Flux syncs the bucket's current contents`]);
    assert.deepEqual(testStackProblems(stackWith({ ...BLOB_SAS, tag: "v1", storageAccountId: ACCOUNT_ID }), secrets), [
        `${at}.tag: an Azure Blob source has no tag; Flux syncs the container's current contents`,
        `${at}.storageAccountId: applies to source azureBlob with auth.type workloadIdentity only (it scopes the identity's Storage Blob Data Reader grant)`,
    ]);
    assert.deepEqual(testStackProblems(stackWith({ ...BLOB_WI, url: "https://otheraccount.blob.core.windows.net" }), secrets), [
        `${at}.storageAccountId: names the storage account 'gitopsartifacts', but url names 'otheraccount'`,
    ]);
    assert.deepEqual(testStackProblems(stackWith({ ...BLOB_WI, storageAccountId: "gitopsartifacts" }), secrets), [
        `${at}.storageAccountId: expected a storage account's resource ID /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<account>`,
    ]);
    assert.deepEqual(
        testStackProblems(stackWith({ name: "g", url: "https://github.com/org/other", branch: "main", bucketName: "b", auth: { type: "accessKey", accessKey: "id" }, kustomizations: [{ name: "k" }] }), secrets),
        [
            `${at}.bucketName: bucketName applies to source bucket only, not to a Git source`,
            `${at}.auth.type: accessKey applies to source bucket only, not to the Git URL https://github.com/org/other`,
        ],
    );
    // The secret key is a secret config key; a missing one is named with the command that sets it.
    const missing = testStackProblems(stackWith(BUCKET), { connectorPat: "secret" });
    assert.equal(missing.length, 1);
    assert.match(missing[0], /^gitops-platform:minioSecret: missing secret \(bucket secret key for Flux configuration 'minio'\); set it with: /);
    const arc = { ...stackWith(BLOB_WI), cluster: { mode: "arc", name: "edge", appNamespaces: ["dev"], kubeconfigSecret: "arcKubeconfig" } };
    assert.deepEqual(testStackProblems(arc, { ...secrets, arcKubeconfig: "secret" }), [
        `${at}.auth.type: workload identity is not supported on Arc clusters yet (the connected cluster needs its OIDC issuer and workload identity webhook enabled first); ` +
            "use auth.type https or ssh, or a public source",
    ]);
});
