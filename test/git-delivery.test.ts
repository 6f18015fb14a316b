// Pull-only clusters (issue 13): cluster.delivery git on a private AKS cluster and on an Arc cluster,
// composed through createPlatform. What it proves: no Kubernetes provider and no Kubernetes API call;
// every object of the platform folder valid against the Flux CRD models, the Kubernetes models, the
// Secrets Store CRDs (test/fixtures/secret-store-crds.json) and the connector chart's values; no secret
// value in any file; the Key Vault chain (vault, secrets, identity, federated credentials one at a time,
// roles, SecretProviderClass); the platform kustomization first and the order files -> configuration.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import Ajv from "ajv";
import YAML from "yaml";
import {
    GitDelivery, gitDeliveryProblems, KEY_VAULT_READER, overlapsPlatformFolder, platformManifests, PLATFORM_DEFAULTS, secretProviderObjects, SECRET_SYNC, withPlatformKustomization,
} from "../components/git-delivery.ts";
import { Cluster, requireKeyVaultSecretsProviderAddon } from "../components/cluster.ts";
import { KEY_VAULT_SECRETS_USER } from "../components/keyvault-secret.ts";
import type { OwnerStackConfig } from "../infra/config.ts";
import { secretReader } from "../infra/config/load.ts";
import { crossStackProblems } from "../infra/github-layout.ts";
import { loadStacks } from "../infra/stack-files.ts";
import { createPlatform } from "../infra/platform.ts";
import { lineDiff, renderDiff } from "../scripts/lib/plan-diff.ts";
import { chartProblems } from "./support/chart.ts";
import {
    assertWellFormedTree, defaultCalls, dependsOn, DEV_OUTPUTS, find, installMocks, isSecretValue, isTopLevel, one, parentOf, parseTestStack, plainOccurrences, PROJECT, providerOf, REPO_ROOT,
    runPlan, settle, SUB, testStackProblems, unwrap, valueOf, type Registration,
} from "./support.ts";

// Every secret is a canary that must appear in no file and in no plain input.
const SECRETS = {
    connectorPat: "CANARY-connector-pat-9a8b",
    auditHook: "https://hooks.example/CANARY-subscriber-1c2d",
    teamsHook: "https://contoso.webhook.office.com/CANARY-teams-3e4f",
    hmacHook: "https://hooks.example/CANARY-hmac-address-5a6b",
    hmacKey: "CANARY-hmac-key-7c8d",
    storeRepoPat: "CANARY-store-repo-pat-9e0f",
} as const;
const rec = installMocks({
    severalStacks: true,
    // The stacks name dev as the one owning the repository level, whose CI identity they read.
    state: ({ type }) => (type === "pulumi:pulumi:StackReference" ? { outputs: DEV_OUTPUTS, secretOutputNames: [] } : undefined),
    // Each federated credential write takes a while, so that two written at once would overlap (Entra ID refuses that).
    delay: (type) => (type === "azure-native:managedidentity:FederatedIdentityCredential" ? 5 : 0),
    // An adopted cluster has the Key Vault Secrets Provider add-on only when its name says so.
    calls: {
        "azure-native:containerservice:getManagedCluster": (i) => ({
            ...defaultCalls["azure-native:containerservice:getManagedCluster"](i),
            ...(i.resourceName === "adopted-with-addon" ? { addonProfiles: { azureKeyvaultSecretsProvider: { enabled: true, config: {} } } } : {}),
        }),
    },
    config: Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [`${PROJECT}:${k}`, v])),
    secretKeys: Object.keys(SECRETS).map((k) => `${PROJECT}:${k}`),
});
const ALL_SET = Object.fromEntries(Object.keys(SECRETS).map((k) => [k, "secret" as const]));

const ARC_ISSUER = "https://oidc.arc.example/store-1/";
const SHARED_VAULT = `/subscriptions/${SUB}/resourceGroups/shared-kv/providers/Microsoft.KeyVault/vaults/storekv`;

/** A private AKS cluster delivered through Git: connector with a subscriber and log readers, two alert targets. */
function aksStack(): Record<string, any> {
    return {
        azure: { location: "westeurope", resourceGroup: "rg-private" },
        cluster: {
            mode: "aks",
            name: "aks-private",
            appNamespaces: ["web"],
            aks: { privateCluster: true },
            keyVaultSecretsProvider: { enabled: true },
            delivery: "git",
            gitDelivery: { keyVault: { name: "aks-private-kv" } },
        },
        registry: { mode: "create", name: "aksprivateacr" },
        flux: {
            configurations: [
                {
                    name: "cluster-config",
                    url: "https://github.com/org/gitops",
                    branch: "main",
                    kustomizations: [
                        { name: "infra", path: "aks-private/infra" },
                        { name: "apps", path: "aks-private/apps", dependsOn: ["infra"] },
                    ],
                },
            ],
            alerts: [
                { name: "ops-teams", type: "msteams", addressSecret: "teamsHook" },
                { name: "ops-hmac", type: "generic-hmac", addressSecret: "hmacHook", tokenSecret: "hmacKey", configurations: ["cluster-config"] },
            ],
        },
        connector: { subscribers: { audit: "auditHook" }, logReaders: { users: ["alice@contoso.com"] } },
        github: { owner: "org", appRepo: "private-app", repositoryStack: "dev", environment: { namespace: "web" } },
    };
}

/** An Arc cluster delivered through Git: pull secrets from Key Vault, an existing vault, no connector. */
function arcStack(): Record<string, any> {
    return {
        azure: { location: "westeurope", resourceGroup: "rg-stores" },
        cluster: {
            mode: "arc",
            name: "store-1",
            appNamespaces: ["shop", "payments"],
            delivery: "git",
            gitDelivery: { keyVault: { resourceId: SHARED_VAULT }, oidcIssuerUrl: ARC_ISSUER, folder: "clusters/store-1/platform" },
        },
        registry: { mode: "existing", name: "storeacr01" },
        flux: {
            configurations: [
                {
                    name: "store-config",
                    url: "https://github.com/org/store-gitops",
                    branch: "main",
                    auth: { type: "https", username: "git", passwordSecret: "storeRepoPat" },
                    kustomizations: [{ name: "apps", path: "clusters/store-1/apps" }],
                },
            ],
        },
        connector: { enabled: false },
        github: { owner: "org", appRepo: "store-app", repositoryStack: "dev", environment: { namespace: "shop" } },
    };
}

const aks = parseTestStack(aksStack(), ALL_SET, "aksgit") as OwnerStackConfig;
const arc = parseTestStack(arcStack(), ALL_SET, "arcgit") as OwnerStackConfig;
const aksOut = createPlatform(aks, secretReader());
const arcOut = createPlatform(arc, secretReader());
// GitDelivery from code, given plain values: it stores them as secrets all the same.
const fromCode = new GitDelivery("code", {
    manifests: { cluster: "c9", configurationNamespace: "flux-system", alerts: { targets: [{ name: "ops", type: "slack", hasToken: false }], configurations: {}, appNamespaces: ["a9"] } },
    stack: "code",
    repository: "gitops",
    branch: "main",
    keyVault: { mode: "existing", resourceId: SHARED_VAULT },
    resourceGroupName: "rg",
    location: "westeurope",
    issuerUrl: "https://issuer.example/c9/",
    secrets: { alerts: { ops: { address: "https://hooks.slack.example/CANARY-plain-hook-1a2b" } } },
});
// An adopted cluster, pull-only, with the add-on git delivery needs.
const adoptedWith = new Cluster("adopted-with", { mode: "aksExisting", name: "adopted-with-addon", resourceGroupName: "rg", kubernetesApi: false, requireKeyVaultSecretsProvider: true });
const ready = settle();

const FILE = "github:index/repositoryFile:RepositoryFile";
const FLUX_CONFIGURATION = "azure-native:kubernetesconfiguration:FluxConfiguration";
const SECRET = "azure-native:keyvault:Secret";
const FEDERATED = "azure-native:managedidentity:FederatedIdentityCredential";
const ROLE = "azure-native:authorization:RoleAssignment";
const EXTENSION = "azure-native:kubernetesconfiguration:Extension";

/** The platform files a GitDelivery committed, by path. */
function filesOf(component: string): Map<string, Registration> {
    return new Map(find(rec, FILE).filter((r) => parentOf(rec, r)?.name === component).map((r) => [String(r.inputs.file), r]));
}
/** A committed file's objects (its YAML, header comment and all). */
function objectOf(r: Registration): Record<string, any> {
    const text = unwrap(r.inputs.content);
    assert.equal(typeof text, "string", `${r.inputs.file} has no known content`);
    return YAML.parse(text as string);
}

test("delivery git constructs no Kubernetes provider, registers no Kubernetes object and calls nothing that reaches the API server", async () => {
    await ready;
    assert.deepEqual(rec.registrations.filter((r) => r.type === "pulumi:providers:kubernetes" || r.type.startsWith("kubernetes:")).map((r) => `${r.type}::${r.name}`), []);
    // No kubeconfig is read (AKS's credential listings, Arc's cluster-connect) and the deployer gets no cluster-admin grant.
    assert.deepEqual(rec.invocations.map((i) => i.token).filter((t) => /list(ManagedCluster|ConnectedCluster)\w*Credential|getClientToken/.test(t)), []);
    assert.deepEqual(find(rec, ROLE).filter((r) => String(r.name).includes("deployer-admin")), []);
    const cluster = one(rec, "azure-native:containerservice:ManagedCluster", "aks-private-aks");
    assert.deepEqual(cluster.inputs.apiServerAccessProfile, { enablePrivateCluster: true });
    // AKS can't make a cluster private or public in place: the preview shows a replacement.
    assert.deepEqual(cluster.replaceOnChanges, ["apiServerAccessProfile.enablePrivateCluster"]);
    assert.deepEqual(cluster.inputs.addonProfiles.azureKeyvaultSecretsProvider, { enabled: true, config: { enableSecretRotation: "true", rotationPollInterval: "2m" } });
    assert.equal(aksOut.connectorAddress, "http://gitops-connector.gitops-connector.svc.cluster.local:8080/gitopsphase");
    assert.equal(arcOut.connectorAddress, undefined);
    assertWellFormedTree(rec, isTopLevel);
});

test("the platform folder of the AKS stack: every object, one file each, listed by its kustomization.yaml, committed to the connector configuration's branch", async () => {
    await ready;
    const files = filesOf("aks-private-platform");
    const folder = "platform/aks-private";
    assert.deepEqual([...files.keys()].sort(), [
        `${folder}/cluster/namespace-gitops-connector.yaml`,
        `${folder}/cluster/namespace-web.yaml`,
        `${folder}/flux-system/alert-gitops-connector.yaml`,
        `${folder}/flux-system/alert-ops-hmac.yaml`,
        `${folder}/flux-system/alert-ops-teams.yaml`,
        `${folder}/flux-system/deployment-gitops-platform-secret-sync.yaml`,
        `${folder}/flux-system/helmrelease-gitops-connector.yaml`,
        `${folder}/flux-system/helmrepository-gitops-connector.yaml`,
        `${folder}/flux-system/provider-gitops-connector.yaml`,
        `${folder}/flux-system/provider-ops-hmac.yaml`,
        `${folder}/flux-system/provider-ops-teams.yaml`,
        `${folder}/flux-system/secretproviderclass-gitops-platform-secrets.yaml`,
        `${folder}/flux-system/serviceaccount-gitops-platform-secret-sync.yaml`,
        `${folder}/gitops-connector/deployment-gitops-platform-secret-sync.yaml`,
        `${folder}/gitops-connector/role-gitops-connector-log-reader.yaml`,
        `${folder}/gitops-connector/rolebinding-gitops-connector-log-reader.yaml`,
        `${folder}/gitops-connector/secretproviderclass-gitops-platform-secrets.yaml`,
        `${folder}/gitops-connector/serviceaccount-gitops-platform-secret-sync.yaml`,
        `${folder}/kustomization.yaml`,
        `${folder}/web/alert-ops-teams.yaml`,
        `${folder}/web/deployment-gitops-platform-secret-sync.yaml`,
        `${folder}/web/provider-ops-teams.yaml`,
        `${folder}/web/secretproviderclass-gitops-platform-secrets.yaml`,
        `${folder}/web/serviceaccount-gitops-platform-secret-sync.yaml`,
    ]);
    const kustomization = objectOf(files.get(`${folder}/kustomization.yaml`)!);
    assert.deepEqual(kustomization.resources.map((p: string) => `${folder}/${p}`).sort(), [...files.keys()].filter((f) => !f.endsWith("kustomization.yaml")).sort());
    for (const [file, r] of files) {
        assert.equal(r.inputs.repository, "gitops");
        assert.equal(r.inputs.branch, "main");
        assert.equal(r.inputs.overwriteOnCreate, true);
        assert.equal(providerOf(rec, r)?.name, "github");
        assert.match(String(unwrap(r.inputs.content)), /^# Written by gitops-platform \(stack aksgit\) for cluster aks-private: pulumi up overwrites any change made here\.\n/);
        if (!file.endsWith("kustomization.yaml")) {
            const o = objectOf(r);
            // The commit message names the object: kind, namespace and name.
            assert.equal(r.inputs.commitMessage, `gitops-platform aksgit: ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name} for cluster aks-private`);
        }
    }
});

test("the connector as a Flux HelmRelease: chart 1.2.1 from a HelmRepository beside it, the chart's own values, subscribers from a synced Secret, the PAT never in Git", async () => {
    await ready;
    const files = filesOf("aks-private-platform");
    const release = objectOf(files.get("platform/aks-private/flux-system/helmrelease-gitops-connector.yaml")!);
    assert.deepEqual(release.spec.chart, { spec: { chart: "gitops-connector", version: "1.2.1", sourceRef: { kind: "HelmRepository", name: "gitops-connector" } } });
    assert.equal(release.metadata.namespace, "flux-system");
    assert.equal(release.spec.targetNamespace, "gitops-connector");
    assert.equal(release.spec.storageNamespace, "gitops-connector");
    assert.equal(release.spec.releaseName, "gitops-connector");
    assert.deepEqual(release.spec.values, {
        gitRepositoryType: "GITHUB",
        ciCdOrchestratorType: "GITHUB",
        gitOpsOperatorType: "FLUX",
        gitHubGitOpsRepoName: "private-app",
        gitHubGitOpsManifestsRepoName: "gitops",
        gitHubOrgUrl: "https://api.github.com/repos/org",
        gitOpsAppURL: "https://github.com/org/gitops/commit",
        orchestratorPAT: "",
    });
    assert.deepEqual(chartProblems(release.spec.values), []);
    assert.deepEqual(release.spec.valuesFrom, [{ kind: "Secret", name: "gitops-connector-subscribers", valuesKey: "audit", targetPath: "subscribers.audit" }]);
    // With the subscriber merged in, as helm-controller does, the values are still the chart's.
    assert.deepEqual(chartProblems({ ...release.spec.values, subscribers: { audit: "https://hooks.example/x" } }), []);
    const repo = objectOf(files.get("platform/aks-private/flux-system/helmrepository-gitops-connector.yaml")!);
    assert.deepEqual(repo.spec, { url: "https://azure.github.io/gitops-connector/", interval: "1h" });
    const provider = objectOf(files.get("platform/aks-private/flux-system/provider-gitops-connector.yaml")!);
    assert.deepEqual(provider.spec, { type: "generic", address: "http://gitops-connector.gitops-connector.svc.cluster.local:8080/gitopsphase" });
    const alert = objectOf(files.get("platform/aks-private/flux-system/alert-gitops-connector.yaml")!);
    // The app's objects, as with delivery api; not the platform kustomization.
    assert.deepEqual(alert.spec.eventSources, [
        { kind: "GitRepository", name: "cluster-config", namespace: "flux-system" },
        { kind: "Kustomization", name: "cluster-config-infra", namespace: "flux-system" },
        { kind: "Kustomization", name: "cluster-config-apps", namespace: "flux-system" },
    ]);
});

/** The schema with every object closed: the API server prunes unknown fields, which here is an error. */
function closed(schema: any): any {
    if (Array.isArray(schema)) return schema.map(closed);
    if (schema === null || typeof schema !== "object") return schema;
    const out: any = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, closed(v)]));
    if (out.type === "object" && out.properties !== undefined && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) out.additionalProperties = false;
    return out;
}
const CRDS = JSON.parse(readFileSync(path.join(REPO_ROOT, "test", "fixtures", "secret-store-crds.json"), "utf8")).crds as Record<string, { group: string; version: string; schema: any }>;
const ajv = new Ajv({ strict: false, allErrors: true });
const crdValidators = Object.fromEntries(Object.entries(CRDS).map(([kind, c]) => [kind, { apiVersion: `${c.group}/${c.version}`, validate: ajv.compile(closed(c.schema)) }]));

/** Validate one object against its model or CRD schema; the problems, as text. */
async function validate(o: Record<string, any>): Promise<string[]> {
    const models: Record<string, () => Promise<any>> = {
        "helm.toolkit.fluxcd.io/v2/HelmRelease": async () => (await import("@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2")).HelmRelease,
        "source.toolkit.fluxcd.io/v1/HelmRepository": async () => (await import("@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1")).HelmRepository,
        "notification.toolkit.fluxcd.io/v1beta3/Alert": async () => (await import("@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3")).Alert,
        "notification.toolkit.fluxcd.io/v1beta3/Provider": async () => (await import("@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3")).Provider,
        "v1/Namespace": async () => (await import("kubernetes-models/v1")).Namespace,
        "v1/ServiceAccount": async () => (await import("kubernetes-models/v1")).ServiceAccount,
        "apps/v1/Deployment": async () => (await import("kubernetes-models/apps/v1")).Deployment,
        "rbac.authorization.k8s.io/v1/Role": async () => (await import("kubernetes-models/rbac.authorization.k8s.io/v1")).Role,
        "rbac.authorization.k8s.io/v1/RoleBinding": async () => (await import("kubernetes-models/rbac.authorization.k8s.io/v1")).RoleBinding,
    };
    const crd = crdValidators[o.kind];
    if (crd !== undefined) {
        if (o.apiVersion !== crd.apiVersion) return [`apiVersion ${o.apiVersion}, the CRD serves ${crd.apiVersion}`];
        return crd.validate(o) ? [] : (crd.validate.errors ?? []).map((e: any) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    }
    const model = models[`${o.apiVersion}/${o.kind}`];
    if (model === undefined) return [`no model for ${o.apiVersion}/${o.kind}`];
    try {
        new (await model())(o).validate();
        return [];
    } catch (e) {
        return [String(e)];
    }
}

test("every object of both platform folders validates: Flux CRD models, Kubernetes models, the Secrets Store CRDs", async () => {
    await ready;
    const seen = new Set<string>();
    for (const component of ["aks-private-platform", "store-1-platform"]) {
        for (const [file, r] of filesOf(component)) {
            if (file.endsWith("/kustomization.yaml")) continue;
            const o = objectOf(r);
            seen.add(o.kind);
            assert.deepEqual(await validate(o), [], file);
        }
    }
    assert.deepEqual([...seen].sort(), [
        "Alert", "Deployment", "HelmRelease", "HelmRepository", "Namespace", "Provider", "Role", "RoleBinding", "SecretProviderClass", "SecretSync", "ServiceAccount",
    ]);
    // The validators refuse what they should: an unknown field, a missing requirement.
    assert.notDeepEqual(await validate({ apiVersion: "secret-sync.x-k8s.io/v1alpha1", kind: "SecretSync", metadata: { name: "x" }, spec: { serviceAccountName: "a", secretProviderClassName: "b" } }), []);
    assert.notDeepEqual(await validate({ apiVersion: "secrets-store.csi.x-k8s.io/v1", kind: "SecretProviderClass", metadata: { name: "x" }, spec: { provider: "azure", parameter: {} } }), []);
    assert.notDeepEqual(await validate({ apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", metadata: { name: "x" }, spec: { chart: { spec: { chart: "c" } } } }), []);
});

test("no secret value in any file of either platform folder, nor in any plain input", async () => {
    await ready;
    const texts = find(rec, FILE).map((r) => String(unwrap(r.inputs.content)));
    assert.ok(texts.length > 30);
    for (const [key, value] of Object.entries(SECRETS)) {
        const canary = /CANARY-[a-z-]+[0-9a-f]{4}/.exec(value)![0];
        assert.deepEqual(texts.filter((t) => t.includes(canary)), [], key);
        for (const r of rec.registrations) assert.deepEqual(plainOccurrences(r.inputs, canary), [], `${key} in ${r.type}::${r.name}`);
    }
    // The pull credential's password (the mock's) reaches Key Vault only.
    for (const t of texts) assert.ok(!t.includes("password-of-"), "a pull credential in a file");
});

test("the Key Vault chain on AKS: a created RBAC vault, the secrets (secret values), an identity federated per namespace one write at a time, Secrets User per secret", async () => {
    await ready;
    const vault = one(rec, "azure-native:keyvault:Vault", "aks-private-platform-vault").inputs;
    assert.equal(vault.vaultName, "aks-private-kv");
    assert.equal(vault.resourceGroupName, "rg-private");
    assert.deepEqual(unwrap(vault.properties), {
        tenantId: "22222222-2222-2222-2222-222222222222",
        sku: { family: "A", name: "standard" },
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
        enablePurgeProtection: true,
        // The SDK's defaults for the flags the program leaves unset.
        enabledForDeployment: false,
        enabledForDiskEncryption: false,
        enabledForTemplateDeployment: false,
        publicNetworkAccess: "enabled",
    });
    const secrets = find(rec, SECRET).filter((r) => parentOf(rec, r)?.name === "aks-private-platform");
    const byName: Record<string, Registration> = Object.fromEntries(secrets.map((r) => [r.inputs.secretName, r]));
    assert.deepEqual(Object.keys(byName).sort(), [
        "aks-private-alert-ops-hmac-address", "aks-private-alert-ops-hmac-token", "aks-private-alert-ops-teams-address", "aks-private-connector-pat", "aks-private-connector-subscriber-audit",
    ]);
    const values: Record<string, string> = {
        "aks-private-connector-pat": SECRETS.connectorPat,
        "aks-private-connector-subscriber-audit": SECRETS.auditHook,
        "aks-private-alert-ops-teams-address": SECRETS.teamsHook,
        "aks-private-alert-ops-hmac-address": SECRETS.hmacHook,
        "aks-private-alert-ops-hmac-token": SECRETS.hmacKey,
    };
    for (const [name, r] of Object.entries(byName)) {
        assert.ok(isSecretValue(r.inputs.properties) || isSecretValue(r.inputs.properties?.value), `${name} is not a secret`);
        assert.equal(unwrap(unwrap(r.inputs.properties).value), values[name]);
        assert.equal(r.inputs.vaultName, "aks-private-kv");
        assert.equal(r.inputs.resourceGroupName, "rg-private");
        // azure-native deletes a vault secret through the data plane, which `up` never needs: Pulumi only forgets it.
        assert.equal(r.retainOnDelete, true, `${name} is retained on delete`);
    }

    const identity = one(rec, "azure-native:managedidentity:UserAssignedIdentity", "aks-private-platform-identity");
    assert.equal(identity.inputs.resourceName, "aks-private-platform-secrets");
    const federated = find(rec, FEDERATED).filter((r) => parentOf(rec, r)?.name === "aks-private-platform");
    assert.deepEqual(federated.map((r) => r.inputs.subject).sort(), [
        "system:serviceaccount:flux-system:gitops-platform-secret-sync",
        "system:serviceaccount:gitops-connector:gitops-platform-secret-sync",
        "system:serviceaccount:web:gitops-platform-secret-sync",
    ]);
    for (const r of federated) {
        assert.equal(r.inputs.issuer, "https://oidc.example/aks-private/");
        assert.deepEqual(r.inputs.audiences, ["api://AzureADTokenExchange"]);
        assert.equal(r.inputs.resourceName, "aks-private-platform-secrets");
    }
    // One at a time: each after the one before (the mock refuses concurrent writes, as Entra ID does).
    assert.ok(dependsOn(rec, federated[1], federated[0]) || dependsOn(rec, federated[0], federated[1]));

    const grants = find(rec, ROLE).filter((r) => parentOf(rec, r)?.name === "aks-private-platform");
    assert.equal(grants.length, secrets.length, "one Key Vault Secrets User grant per secret, and nothing else on AKS");
    for (const g of grants) {
        const secretName = String(g.name).replace("aks-private-platform-reader-", "");
        assert.equal(g.inputs.principalId, "sp-of-aks-private-platform-identity");
        assert.equal(g.inputs.principalType, "ServicePrincipal");
        assert.equal(g.inputs.roleDefinitionId, `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER.id}`);
        assert.equal(g.inputs.scope, `/subscriptions/${SUB}/mock/aks-private-platform-vault/secrets/${secretName}`);
        assert.ok(dependsOn(rec, g, byName[secretName]));
    }

    // The SecretProviderClass names the vault, the identity and its tenant, and syncs the connector's PAT as the chart's Secret.
    const spc = objectOf(filesOf("aks-private-platform").get("platform/aks-private/gitops-connector/secretproviderclass-gitops-platform-secrets.yaml")!);
    assert.deepEqual(spc.spec, {
        provider: "azure",
        secretObjects: [{ secretName: "gitops-connector-secret", type: "Opaque", data: [{ objectName: "aks-private-connector-pat", key: "PAT" }] }],
        parameters: {
            usePodIdentity: "false",
            clientID: "client-of-aks-private-platform-identity",
            keyvaultName: "aks-private-kv",
            tenantID: "22222222-2222-2222-2222-222222222222",
            objects: secretProviderObjects(["aks-private-connector-pat"]),
        },
    });
    assert.deepEqual(YAML.parse(spc.spec.parameters.objects), { array: ["objectName: aks-private-connector-pat\nobjectType: secret\n"] });
    const teams = objectOf(filesOf("aks-private-platform").get("platform/aks-private/web/secretproviderclass-gitops-platform-secrets.yaml")!);
    assert.deepEqual(teams.spec.secretObjects, [{ secretName: "ops-teams-credentials", type: "Opaque", data: [{ objectName: "aks-private-alert-ops-teams-address", key: "address" }] }]);
    const hmac = objectOf(filesOf("aks-private-platform").get("platform/aks-private/flux-system/secretproviderclass-gitops-platform-secrets.yaml")!);
    assert.deepEqual(
        hmac.spec.secretObjects.map((s: any) => [s.secretName, s.data.map((d: any) => d.key)]),
        [["gitops-connector-subscribers", ["audit"]], ["ops-teams-credentials", ["address"]], ["ops-hmac-credentials", ["address", "token"]]],
    );
    // The pod that makes the driver sync: the namespace's account, the class mounted read-only.
    const sync = objectOf(filesOf("aks-private-platform").get("platform/aks-private/web/deployment-gitops-platform-secret-sync.yaml")!);
    assert.equal(sync.spec.template.spec.serviceAccountName, SECRET_SYNC.serviceAccount);
    assert.deepEqual(sync.spec.template.spec.volumes, [{ name: "secrets", csi: { driver: "secrets-store.csi.k8s.io", readOnly: true, volumeAttributes: { secretProviderClass: "gitops-platform-secrets" } } }]);
    assert.equal(sync.spec.template.spec.containers[0].image, PLATFORM_DEFAULTS.secretSyncImage);
});

test("the configuration applies the platform folder first and waits for every file, which waits for the secrets, grants and federated credentials", async () => {
    await ready;
    const fc = one(rec, FLUX_CONFIGURATION, "aks-private-flux-cluster-config");
    assert.deepEqual(Object.keys(fc.inputs.kustomizations).sort(), ["apps", "infra", "platform"]);
    assert.deepEqual(fc.inputs.kustomizations.platform, { path: "./platform/aks-private", dependsOn: [], prune: true, force: false, wait: true, syncIntervalInSeconds: 600, timeoutInSeconds: 600 });
    assert.deepEqual(fc.inputs.kustomizations.infra.dependsOn, ["platform"]);
    assert.deepEqual(fc.inputs.kustomizations.apps.dependsOn, ["platform", "infra"]);
    assert.equal(fc.inputs.waitForReconciliation, true);
    const files = [...filesOf("aks-private-platform").values()];
    for (const f of files) assert.ok(dependsOn(rec, fc, f), `the configuration waits for ${f.inputs.file}`);
    // The kustomization.yaml is committed last: never a commit listing a file that isn't there yet.
    const index = filesOf("aks-private-platform").get("platform/aks-private/kustomization.yaml")!;
    for (const f of files) if (f !== index) assert.ok(dependsOn(rec, index, f), `kustomization.yaml waits for ${f.inputs.file}`);
    const before = [...find(rec, SECRET), ...find(rec, FEDERATED), ...find(rec, ROLE)].filter((r) => parentOf(rec, r)?.name === "aks-private-platform");
    for (const f of files) for (const b of before) assert.ok(dependsOn(rec, f, b), `${f.inputs.file} waits for ${b.type}::${b.name}`);
    // The operators hear of the platform kustomization too.
    const opsAlert = objectOf(filesOf("aks-private-platform").get("platform/aks-private/flux-system/alert-ops-teams.yaml")!);
    assert.ok(opsAlert.spec.eventSources.some((s: any) => s.kind === "Kustomization" && s.name === "cluster-config-platform"));
    const outputs = (await valueOf(aksOut.fluxObjects)) as Record<string, any>;
    assert.deepEqual(outputs["cluster-config"].kustomizations, ["cluster-config-platform", "cluster-config-infra", "cluster-config-apps"]);
});

test("Arc: the Secret Store extension after cert-manager, before the configuration; SecretSync objects; the pull credential from Key Vault into each app namespace", async () => {
    await ready;
    const ext = (n: string) => one(rec, EXTENSION, `store-1-extensions-${n}`);
    const cert = ext("cert-management");
    const store = ext("secret-store");
    assert.equal(cert.inputs.extensionType, "microsoft.certmanagement");
    assert.equal(cert.inputs.extensionName, "azure-cert-management");
    assert.equal(store.inputs.extensionType, "microsoft.azure.secretstore");
    assert.equal(store.inputs.extensionName, "ssarcextension");
    assert.deepEqual(store.inputs.scope, { cluster: {} });
    assert.equal(store.inputs.clusterRp, "Microsoft.Kubernetes");
    assert.ok(dependsOn(rec, store, cert));
    assert.ok(dependsOn(rec, cert, one(rec, EXTENSION, "store-1-flux-extension")));
    const fc = one(rec, FLUX_CONFIGURATION, "store-1-flux-store-config");
    assert.ok(dependsOn(rec, fc, store));
    assert.deepEqual(Object.keys(fc.inputs.kustomizations).sort(), ["apps", "platform"]);
    assert.equal(fc.inputs.kustomizations.platform.path, "./clusters/store-1/platform");
    assert.deepEqual(find(rec, EXTENSION).filter((r) => String(r.inputs.extensionType) === "Microsoft.AzureKeyVaultSecretsProvider" && r.inputs.clusterName === "store-1"), []);

    const files = filesOf("store-1-platform");
    const f = (p: string) => objectOf(files.get(`clusters/store-1/platform/${p}`)!);
    for (const ns of ["shop", "payments"]) {
        assert.deepEqual(f(`${ns}/secretsync-acr-pull.yaml`).spec, {
            serviceAccountName: "gitops-platform-secret-sync",
            secretProviderClassName: "gitops-platform-secrets",
            secretObject: { type: "kubernetes.io/dockerconfigjson", data: [{ sourcePath: "store-1-acr-pull", targetKey: ".dockerconfigjson" }] },
        });
        assert.deepEqual(f(`${ns}/serviceaccount-default.yaml`).imagePullSecrets, [{ name: "acr-pull" }]);
        assert.deepEqual(f(`${ns}/serviceaccount-default.yaml`).metadata.annotations, { "kustomize.toolkit.fluxcd.io/prune": "disabled" });
        assert.deepEqual(f(`cluster/namespace-${ns}.yaml`).metadata.annotations, { "kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent", "kustomize.toolkit.fluxcd.io/prune": "disabled" });
        const spc = f(`${ns}/secretproviderclass-gitops-platform-secrets.yaml`).spec;
        assert.equal(spc.secretObjects, undefined, "the Secret Store extension syncs through SecretSync objects");
        assert.deepEqual(spc.parameters, {
            clientID: "client-of-store-1-platform-identity",
            keyvaultName: "storekv",
            tenantID: "22222222-2222-2222-2222-222222222222",
            objects: secretProviderObjects(["store-1-acr-pull"]),
        });
        assert.equal(files.has(`clusters/store-1/platform/${ns}/deployment-gitops-platform-secret-sync.yaml`), false);
    }
    // The pull credential: the registry's pull-only service principal, as .dockerconfigjson, a secret in the existing vault.
    const pull = one(rec, SECRET, "store-1-platform-secret-store-1-acr-pull");
    assert.equal(pull.inputs.vaultName, "storekv");
    assert.equal(pull.inputs.resourceGroupName, "shared-kv");
    // Written in the vault's own subscription, whichever one `up` deploys to.
    assert.equal(providerOf(rec, pull)?.name, "store-1-platform-vault-subscription");
    assert.equal(providerOf(rec, pull)?.inputs.subscriptionId, SUB);
    assert.equal(providerOf(rec, one(rec, SECRET, "aks-private-platform-secret-aks-private-connector-pat")), undefined, "a created vault is the default provider's");
    assert.ok(isSecretValue(pull.inputs.properties) || isSecretValue(pull.inputs.properties?.value));
    const docker = JSON.parse(String(unwrap(unwrap(pull.inputs.properties).value)));
    assert.deepEqual(Object.keys(docker.auths), ["storeacr01.azurecr.io"]);
    assert.equal(docker.auths["storeacr01.azurecr.io"].username, "client-of-storeacr01-pull");
    assert.deepEqual(find(rec, "azure-native:keyvault:Vault").filter((r) => String(r.name).startsWith("store-1")), [], "an existing vault is not created");

    const federated = find(rec, FEDERATED).filter((r) => parentOf(rec, r)?.name === "store-1-platform");
    assert.deepEqual(federated.map((r) => [r.inputs.subject, r.inputs.issuer]), [
        ["system:serviceaccount:shop:gitops-platform-secret-sync", ARC_ISSUER],
        ["system:serviceaccount:payments:gitops-platform-secret-sync", ARC_ISSUER],
    ]);
    assert.ok(dependsOn(rec, federated[1], federated[0]));
    const grants = find(rec, ROLE).filter((r) => parentOf(rec, r)?.name === "store-1-platform");
    assert.deepEqual(grants.map((g) => [g.inputs.roleDefinitionId, g.inputs.scope]).sort(), [
        [`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_READER.id}`, SHARED_VAULT],
        [`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER.id}`, `${SHARED_VAULT}/secrets/store-1-acr-pull`],
    ]);
    // No kubeconfig is asked for: the Arc kubeconfig key isn't a required secret in delivery git.
    assert.equal(arc.cluster.mode === "arc" && arc.cluster.delivery, "git");
});

test("the stack file refuses what git delivery can't do, by key path", () => {
    const problems = (mutate: (s: Record<string, any>) => void, base = aksStack) => {
        const s = base();
        mutate(s);
        return testStackProblems(s, ALL_SET);
    };
    assert.deepEqual(
        problems((s) => delete s.cluster.gitDelivery),
        ["gitops-platform:cluster.gitDelivery: missing (expected the platform's Key Vault, as { keyVault: { name } } or { keyVault: { resourceId } }, for delivery git)"],
    );
    assert.deepEqual(
        problems((s) => {
            s.cluster.delivery = "api";
            s.cluster.aks.privateCluster = false;
        }),
        ["gitops-platform:cluster.gitDelivery: applies to delivery git only; set cluster.delivery: git or drop gitDelivery"],
    );
    assert.deepEqual(problems((s) => delete s.cluster.keyVaultSecretsProvider), [
        "gitops-platform:cluster.keyVaultSecretsProvider.enabled: git delivery syncs the platform's secrets from Key Vault through the Key Vault Secrets Provider; set it true",
    ]);
    assert.deepEqual(problems((s) => (s.flux.configurations[0].url = "https://dev.azure.com/org/p/_git/gitops")).filter((p) => p.includes("git delivery")), [
        "gitops-platform:flux.configurations[0].url: git delivery commits the platform folder to the repository and branch of 'cluster-config' (connector.configuration, else the first configuration): expected a github.com repository followed by branch, got https://dev.azure.com/org/p/_git/gitops",
    ]);
    assert.deepEqual(problems((s) => (s.github.owner = "someone-else")).filter((p) => p.includes("git delivery")), [
        "gitops-platform:flux.configurations[0].url: git delivery commits to org/gitops, but the github provider acts for github.owner 'someone-else'; the repository must be the owner's",
    ]);
    assert.deepEqual(problems((s) => delete s.github).filter((p) => p.includes("git delivery")), [
        "gitops-platform:github: git delivery commits the platform folder with the github provider; add the github section (owner org)",
    ]);
    assert.deepEqual(
        problems((s) => {
            s.flux.configurations[0].waitForReconciliation = false;
            s.flux.configurations[0].scope = "namespace";
            s.flux.configurations[0].kustomizations[0].name = "platform";
            s.flux.configurations[0].kustomizations[1].path = "platform/aks-private/apps";
            s.flux.configurations[0].kustomizations[1].dependsOn = ["platform"];
        }).filter((p) => p.includes("platform")),
        [
            "gitops-platform:flux.configurations[0].kustomizations[0].name: 'platform' is the kustomization git delivery adds for the platform folder; rename this one",
            "gitops-platform:flux.configurations[0].kustomizations[1].path: overlaps the platform folder platform/aks-private, which git delivery writes and prunes; give each its own folder",
            "gitops-platform:flux.configurations[0].waitForReconciliation: git delivery needs it true: pulumi up learns only through it whether the platform folder applied",
            "gitops-platform:flux.configurations[0].scope: the platform folder holds namespaces and objects in several; its configuration needs scope cluster",
        ],
    );
    assert.deepEqual(
        problems((s) => (s.github.gitopsRepo = { governance: {} })).filter((p) => p.includes("git delivery")),
        [
            "gitops-platform:github.gitopsRepo.governance.bypassActors: the ruleset takes only reviewed pull requests on branch 'main', where git delivery commits the platform folder; add the identity pulumi up runs as to bypassActors, or sync the platform from an ungoverned branch",
        ],
    );
    assert.deepEqual(
        problems((s) => {
            s.cluster.delivery = "api";
            delete s.cluster.gitDelivery;
        }),
        [
            "gitops-platform:cluster.aks.privateCluster: a private cluster's API server has no public endpoint, and delivery api applies the connector, alerts and pull secrets through it; set cluster.delivery: git (docs/git-delivery.md)",
        ],
    );
    // Another configuration of the stack on the same repository and branch keeps out of the folder too.
    assert.deepEqual(
        problems((s) => s.flux.configurations.push({ name: "everything", url: "https://github.com/org/gitops", branch: "main", kustomizations: [{ name: "all", path: "./" }] })),
        ["gitops-platform:flux.configurations[1].kustomizations[0].path: overlaps the platform folder platform/aks-private, which git delivery writes and prunes; give each its own folder"],
    );
    const otherBranch = aksStack();
    otherBranch.flux.configurations.push({ name: "other-branch", url: "https://github.com/org/gitops", branch: "release", kustomizations: [{ name: "all", path: "./" }] });
    assert.equal(parseTestStack(otherBranch, ALL_SET, "aksgit").kind, "owner", "another branch's root is another tree");
    assert.deepEqual(problems((s) => (s.cluster.gitDelivery.folder = "../elsewhere")), [
        "gitops-platform:cluster.gitDelivery.folder: expected a folder of the repository such as platform/<cluster>: relative, '/'-separated, without '.' or '..' segments",
    ]);
    assert.deepEqual(problems((s) => (s.cluster.gitDelivery.keyVault = { resourceId: "storekv" })).length, 1);
    assert.deepEqual(problems((s) => (s.cluster.gitDelivery.oidcIssuerUrl = ARC_ISSUER)), [
        "gitops-platform:cluster.gitDelivery.oidcIssuerUrl: applies to Arc clusters only; an AKS cluster reports its own issuer",
    ]);
    assert.deepEqual(problems((s) => delete s.cluster.gitDelivery.oidcIssuerUrl, arcStack), [
        "gitops-platform:cluster.gitDelivery.oidcIssuerUrl: missing (expected the Arc cluster's OIDC issuer URL, from az connectedk8s show --query oidcIssuerProfile.issuerUrl; the platform identity trusts it)",
    ]);
    assert.deepEqual(problems((s) => (s.cluster.keyVaultSecretsProvider = { enabled: true }), arcStack), [
        "gitops-platform:cluster.keyVaultSecretsProvider.enabled: on Arc, git delivery installs the Secret Store extension, Microsoft's replacement for the Key Vault Secrets Provider extension (it authenticates with a service principal only); turn this off",
    ]);
    assert.deepEqual(
        problems((s) => (s.flux.configurations[0].auth = { type: "githubApp", appId: 1, installationId: 2, privateKeySecret: "connectorPat" })).filter((p) => p.includes("GitHub App")),
        ["gitops-platform:flux.configurations[0].auth.type: a GitHub App's Secret is applied through the Kubernetes API, which git delivery never calls; use githubDeployKey or https"],
    );
    // What GitDelivery would refuse once the cluster exists, refused here by key path.
    assert.deepEqual(problems((s) => (s.cluster.gitDelivery.secretSyncImage = "pause")), [
        "gitops-platform:cluster.gitDelivery.secretSyncImage: expected an image reference with its registry and a tag or digest, e.g. mcr.microsoft.com/oss/kubernetes/pause:3.6",
    ]);
    const longTarget = "t".repeat(51);
    assert.deepEqual(
        problems((s) => {
            s.cluster.name = "c".repeat(63);
            s.flux.alerts = [{ name: longTarget, type: "slack", addressSecret: "teamsHook" }];
        }).filter((p) => p.includes("longer than 127")),
        [`gitops-platform:cluster.name: the Key Vault secret name ${"c".repeat(63)}-alert-${longTarget}-address is longer than 127 characters; shorten the cluster's name or the target's`],
    );
    assert.deepEqual(
        problems((s) => (s.cluster.appNamespaces = Array.from({ length: 19 }, (_, i) => `web${i}`))).filter((p) => p.includes("federated credential")),
        ["gitops-platform:cluster.gitDelivery: secrets are synced into 21 namespaces, each needing a federated credential, and one identity takes at most 20"],
    );
    // A credential pasted into the folder is reported by key path, never echoed.
    const leaked = problems((s) => (s.cluster.gitDelivery.folder = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"));
    assert.equal(leaked.length, 1);
    assert.ok(leaked[0].startsWith("gitops-platform:cluster.gitDelivery.folder: "));
    assert.ok(!leaked[0].includes("ghp_0123"));
});

test("an adopted AKS cluster without the Key Vault Secrets Provider add-on stops git delivery with the command that adds it; with it, no provider and no credential lookup", async () => {
    await ready;
    // What the component checks on the cluster it reads (its output would fail the deployment with this).
    assert.throws(
        () => requireKeyVaultSecretsProviderAddon({ omsagent: { enabled: true }, azureKeyvaultSecretsProvider: { enabled: false } }, "adopted-without-addon"),
        /^Error: AKS cluster adopted-without-addon has no Azure Key Vault Secrets Provider add-on, which git delivery syncs its secrets through: run az aks enable-addons --addons azure-keyvault-secrets-provider --name adopted-without-addon --resource-group <group>, then pulumi up again$/,
    );
    assert.throws(() => requireKeyVaultSecretsProviderAddon(undefined, "c"), /has no Azure Key Vault Secrets Provider add-on/);
    assert.doesNotThrow(() => requireKeyVaultSecretsProviderAddon({ azureKeyvaultSecretsProvider: { enabled: true } }, "c"));
    assert.equal(await valueOf(adoptedWith.oidcIssuerUrl!), "https://oidc.example/existing/");
    assert.equal(adoptedWith.provider, undefined);
    assert.equal(adoptedWith.kubeconfig, undefined);
});

test("across stacks, one platform folder has one owner", () => {
    const twin = aksStack();
    twin.cluster.name = "aks-private-2";
    twin.cluster.gitDelivery.folder = "platform/aks-private";
    twin.github.environment.namespace = "web";
    const other = parseTestStack(twin, ALL_SET, "twin") as OwnerStackConfig;
    assert.deepEqual(crossStackProblems([aks, other]).filter((p) => p.includes("platform folder")), [
        "the platform folder platform/aks-private on branch main of org/gitops: claimed by stacks aksgit, twin; exactly one stack may own it",
    ]);
    twin.cluster.gitDelivery.folder = "platform/aks-private-2";
    assert.deepEqual(crossStackProblems([aks, parseTestStack(twin, ALL_SET, "twin") as OwnerStackConfig]).filter((p) => p.includes("platform folder")), []);
    // A vault name is global: two stacks creating it collide.
    assert.deepEqual(crossStackProblems([aks, parseTestStack(twin, ALL_SET, "twin") as OwnerStackConfig]).filter((p) => p.includes("Key Vault")), [
        "the Key Vault aks-private-kv (created): claimed by stacks aksgit, twin; exactly one stack may own it",
    ]);
});

test("across stacks, no other stack's kustomization overlaps a platform folder, and two clusters sharing a vault never write one secret", () => {
    // Another stack syncing the repository root of the same branch would apply the platform objects too.
    const wide = aksStack();
    wide.cluster = { mode: "aks", name: "aks-wide", appNamespaces: ["web"] };
    wide.registry.name = "akswideacr";
    wide.flux.configurations[0].kustomizations = [{ name: "all", path: "./" }];
    const wideStack = parseTestStack(wide, ALL_SET, "wide") as OwnerStackConfig;
    assert.deepEqual(crossStackProblems([aks, wideStack]).filter((p) => p.includes("overlaps")), [
        "stack wide: gitops-platform:flux.configurations[0].kustomizations[0].path '.' overlaps the platform folder platform/aks-private of stack aksgit on branch main of org/gitops; give each its own folder",
    ]);
    wide.flux.configurations[0].branch = "release";
    assert.deepEqual(crossStackProblems([aks, parseTestStack(wide, ALL_SET, "wide") as OwnerStackConfig]).filter((p) => p.includes("overlaps")), []);
    // Clusters named so that their secrets' names meet, in one existing vault: refused, naming both stacks.
    const a = arcStack();
    a.cluster.name = "s-alert-x";
    a.cluster.gitDelivery.folder = "clusters/a/platform";
    a.flux.alerts = [{ name: "y", type: "slack", addressSecret: "teamsHook" }];
    const b = arcStack();
    b.cluster.name = "s";
    b.cluster.gitDelivery.folder = "clusters/b/platform";
    b.flux.alerts = [{ name: "x-alert-y", type: "slack", addressSecret: "teamsHook" }];
    const problems = crossStackProblems([parseTestStack(a, ALL_SET, "sa") as OwnerStackConfig, parseTestStack(b, ALL_SET, "sb") as OwnerStackConfig]);
    assert.deepEqual(problems.filter((p) => p.includes("Key Vault secret")), [
        "the Key Vault secret s-alert-x-alert-y-address in vault storekv: written by stacks sa, sb; exactly one stack may own it",
    ]);
    // Key Vault compares secret names case-insensitively: clusters STORE-1 and store-1 would share theirs.
    const upper = arcStack();
    upper.cluster.name = "STORE-1";
    upper.cluster.gitDelivery.folder = "clusters/upper/platform";
    assert.deepEqual(crossStackProblems([arc, parseTestStack(upper, ALL_SET, "upper") as OwnerStackConfig]).filter((p) => p.includes("Key Vault secret")), [
        "the Key Vault secret store-1-acr-pull in vault storekv: written by stacks arcgit, upper; exactly one stack may own it",
    ]);
});

test("across stacks, platform folders don't nest, and no other stack governs the branch a platform folder is committed to without a bypass actor", () => {
    const nested = aksStack();
    nested.cluster.name = "aks-nested";
    nested.cluster.gitDelivery = { keyVault: { name: "aks-nested-kv" }, folder: "platform" };
    nested.flux.configurations[0].kustomizations = [{ name: "apps", path: "nested/apps" }];
    nested.github.appRepo = "nested-app";
    nested.github.environment.namespace = "web";
    assert.deepEqual(crossStackProblems([aks, parseTestStack(nested, ALL_SET, "nested") as OwnerStackConfig]).filter((p) => p.includes("platform folder")), [
        "stack nested: its platform folder platform and stack aksgit's platform/aks-private overlap on branch main of org/gitops; each cluster needs a folder of its own",
    ]);
    // Another stack governs org/gitops's main, and lets nobody bypass its ruleset.
    const governor = aksStack();
    governor.cluster = { mode: "aks", name: "aks-governor", appNamespaces: ["web"] };
    governor.registry.name = "aksgovernoracr";
    governor.flux.configurations[0].kustomizations = [{ name: "apps", path: "governor/apps" }];
    governor.connector = { enabled: false };
    governor.github = { owner: "org", appRepo: "governor-app", repositoryStack: "dev", environment: { namespace: "web" }, gitopsRepo: { governance: { alsoValidate: { main: ["aks-private/infra", "aks-private/apps"] } } } };
    const gov = parseTestStack(governor, ALL_SET, "governor") as OwnerStackConfig;
    assert.deepEqual(crossStackProblems([aks, gov]).filter((p) => p.includes("governs")), [
        "stack aksgit: git delivery commits its platform folder on branch main of org/gitops, which stack governor governs with no bypass actor, so its ruleset refuses the commits; " +
            "add the identity that runs pulumi up for aksgit to governor's github.gitopsRepo.governance.bypassActors, or sync the platform from an ungoverned branch",
    ]);
    governor.github.gitopsRepo.governance.bypassActors = [{ actorType: "Integration", actorId: 12345 }];
    assert.deepEqual(crossStackProblems([aks, parseTestStack(governor, ALL_SET, "governor") as OwnerStackConfig]).filter((p) => p.includes("governs")), []);
});

test("a fleet syncing a platform folder's branch is refused where it would apply the folder", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "stacks-fleet-"));
    cpSync(path.join(REPO_ROOT, "stacks"), dir, { recursive: true });
    const file = path.join(dir, "Pulumi.fleet.yaml");
    const doc = YAML.parse(readFileSync(file, "utf8"));
    const fc = doc.config["gitops-platform:fleet"].configurations[0];
    fc.branch = "private";
    fc.kustomizations[0].path = "./";
    writeFileSync(file, YAML.stringify(doc));
    assert.deepEqual(crossStackProblems(loadStacks(dir)).filter((p) => p.includes("overlaps")), [
        "stack fleet: gitops-platform:fleet.configurations[0].kustomizations[0].path '.' overlaps the platform folder platform/arc-cicd-private of stack private on branch private of your-github-org/arc-cicd-demo-gitops; give each its own folder",
    ]);
    rmSync(dir, { recursive: true, force: true });
});

test("in delivery git an Arc stack needs no kubeconfig secret; in delivery api it still does", () => {
    const secrets = { storeRepoPat: "secret" } as const;
    assert.equal(parseTestStack(arcStack(), secrets, "arcgit").kind, "owner");
    const api = arcStack();
    api.cluster.delivery = "api";
    delete api.cluster.gitDelivery;
    assert.deepEqual(testStackProblems(api, secrets).filter((p) => p.includes("arcKubeconfig")), [
        "gitops-platform:arcKubeconfig: missing secret (kubeconfig of the Arc cluster); set it with: pulumi config set --secret arcKubeconfig --stack t < <file holding the value>",
    ]);
});

test("GitDelivery refuses, before registering anything, what Azure or Entra ID would", () => {
    const manifests = { cluster: "c1", configurationNamespace: "flux-system", alerts: undefined };
    const base = { manifests, keyVault: { mode: "create" as const, name: "c1-kv", resourceGroupName: "rg", location: "westeurope" } };
    assert.deepEqual(gitDeliveryProblems(base), []);
    assert.deepEqual(gitDeliveryProblems({ ...base, folder: "/abs" }).map((p) => p.path.join(".")), ["folder"]);
    assert.deepEqual(gitDeliveryProblems({ ...base, keyVault: { mode: "create", name: "a--b", resourceGroupName: "rg", location: "x" } }).map((p) => p.path.join(".")), ["keyVault.name"]);
    assert.deepEqual(gitDeliveryProblems({ ...base, keyVault: { mode: "existing", resourceId: "/subscriptions/x/vaults/y" } }).map((p) => p.path.join(".")), ["keyVault.resourceId"]);
    const many = { ...base, manifests: { ...manifests, pullSecretNamespaces: Array.from({ length: 21 }, (_, i) => `ns${i}`) } };
    assert.deepEqual(gitDeliveryProblems(many).map((p) => p.message), [
        "secrets are synced into 21 namespaces, each needing a federated credential, and one identity takes at most 20",
    ]);
    assert.deepEqual(gitDeliveryProblems({ ...base, manifests: { ...manifests, secretSyncImage: "pause" } }).map((p) => p.path.join(".")), ["manifests.secretSyncImage"]);
    // A name over Key Vault's 127 characters.
    const target = (name: string) => ({ name, type: "slack" as const, hasToken: false });
    assert.deepEqual(
        gitDeliveryProblems({ ...base, manifests: { ...manifests, cluster: "c".repeat(120), alerts: { targets: [target("ops")], configurations: {}, appNamespaces: ["x"] } } }).map((p) => p.message),
        [`the Key Vault secret name ${"c".repeat(120)}-alert-ops-address is longer than 127 characters; shorten the cluster's name or the target's`],
    );
    const before = rec.registrations.length;
    const rest = { stack: "s", repository: "r", branch: "main", resourceGroupName: "rg", location: "westeurope", issuerUrl: "https://issuer.example/", secrets: {} };
    assert.throws(() => new GitDelivery("bad", { ...base, ...rest, folder: "../x" }), /GitDelivery bad has invalid arguments:\n {2}- folder: expected a folder/);
    assert.throws(
        () => new GitDelivery("bad2", { ...base, ...rest, manifests: { ...manifests, pullSecretNamespaces: ["shop"] } }),
        /secrets\.pullSecret: the value for c1-acr-pull is missing/,
    );
    assert.equal(rec.registrations.length, before);
});

test("a value passed to GitDelivery without the secret mark is stored as a secret, and appears in no file", async () => {
    await ready;
    const r = one(rec, SECRET, "code-secret-c9-alert-ops-address");
    assert.ok(isSecretValue(r.inputs.properties) || isSecretValue(r.inputs.properties?.value));
    assert.equal(unwrap(unwrap(r.inputs.properties).value), "https://hooks.slack.example/CANARY-plain-hook-1a2b");
    assert.deepEqual(Object.keys(fromCode.files).map((f) => f.replace("platform/c9/", "")).sort(), [
        "a9/alert-ops.yaml", "a9/deployment-gitops-platform-secret-sync.yaml", "a9/provider-ops.yaml", "a9/secretproviderclass-gitops-platform-secrets.yaml",
        "a9/serviceaccount-gitops-platform-secret-sync.yaml", "cluster/namespace-a9.yaml", "kustomization.yaml",
    ]);
    for (const x of find(rec, FILE)) assert.ok(!String(unwrap(x.inputs.content)).includes("CANARY-plain-hook"));
});

test("a kustomization path overlaps the platform folder however it is spelled: the root, `.` segments, doubled slashes", () => {
    for (const p of [".", "./", "./.", "", "platform", "platform/", "platform//aks1", "./platform/./aks1", "././platform/aks1", "platform/aks1/apps"]) {
        assert.equal(overlapsPlatformFolder(p, "platform/aks1"), true, p);
    }
    for (const p of ["platformx", "platform/aks10", "apps", "./apps/platform/aks1"]) assert.equal(overlapsPlatformFolder(p, "platform/aks1"), false, p);
    assert.equal(overlapsPlatformFolder("clusters/a", "./clusters/a/"), true);
});

test("withPlatformKustomization and platformManifests are pure: the same inputs give the same folder", () => {
    const fc = { kustomizations: [{ name: "a", path: "x" }, { name: "b", path: "y", dependsOn: ["a"] }] };
    assert.deepEqual(withPlatformKustomization(fc, "p/c"), {
        kustomizations: [
            { name: "platform", path: "./p/c", prune: true, wait: true },
            { name: "a", path: "x", dependsOn: ["platform"] },
            { name: "b", path: "y", dependsOn: ["platform", "a"] },
        ],
    });
    assert.deepEqual(fc.kustomizations[1].dependsOn, ["a"], "the input is left as it was");
    const args = { cluster: "c", configurationNamespace: "flux-system", pullSecretNamespaces: ["a"] };
    assert.deepEqual(JSON.stringify(platformManifests(args).files.map((f) => f.path)), JSON.stringify(platformManifests(args).files.map((f) => f.path)));
});

test("the offline plan's diff shows a platform file's change as the lines that change", () => {
    const before = "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n";
    const after = "a: 1\nb: 2\nc: three\nd: 4\ne: 5\nf: 6\n";
    assert.deepEqual(lineDiff(before, after), ["  b: 2", "- c: 3", "+ c: three", "  d: 4", "  e: 5", "+ f: 6"]);
    assert.deepEqual(lineDiff(before, before), []);
    const file = "github:index/repositoryFile:RepositoryFile::p-file-platform/c/flux-system/helmrelease-gitops-connector.yaml";
    const text = renderDiff({
        stack: "private",
        ref: "main",
        added: [],
        removed: [],
        changed: [
            {
                key: file,
                changes: [
                    { path: "inputs.content", before: "spec:\n  version: 1.2.0\n  interval: 10m\n", after: "spec:\n  version: 1.2.1\n  interval: 10m\n" },
                    { path: "inputs.commitMessage", before: "a", after: "b" },
                ],
            },
        ],
        outputs: [],
        extensionUpgrades: [],
    });
    assert.equal(
        text,
        [
            "Plan diff for stack private: main -> working tree: 0 added, 0 removed, 1 changed",
            `  ~ ${file}`,
            "      inputs.content:",
            "          spec:",
            "        -   version: 1.2.0",
            "        +   version: 1.2.1",
            "            interval: 10m",
            '      inputs.commitMessage: "a" -> "b"',
            "",
        ].join("\n"),
    );
});

test("npm run plan -- private: a private AKS cluster planned pull-only, with the platform folder and no Kubernetes object", () => {
    const r = runPlan(["private"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /apiServerAccessProfile:\n\s+enablePrivateCluster: true/);
    assert.match(r.stdout, /^Platform folder \(delivery git\): committed to arc-cicd-demo-gitops, branch private; Flux applies it before the other kustomizations$/m);
    assert.match(r.stdout, /^ {2}platform\/arc-cicd-private\/flux-system\/helmrelease-gitops-connector\.yaml\n {4}\| # Written by gitops-platform \(stack private\)/m);
    assert.match(r.stdout, /^ {2}platform\/arc-cicd-private\/gitops-connector\/secretproviderclass-gitops-platform-secrets\.yaml\n {4}\(known after apply\): it names the platform identity's client ID$/m);
    assert.doesNotMatch(r.stdout, /pulumi:providers:kubernetes|^Kubernetes objects$/m);
    assert.match(r.stdout, /content: \(see Platform folder below\)/);
});
