// OCI sources and workload identity (issue 12): what goes through the 2025-04-01 resource, the identity
// chain Flux's source-controller signs in with, and what the stack file refuses.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Flux, fluxConfigurationProblems, type FluxConfigurationArgs } from "../components/flux.ts";
import { FLUX_CONFIGURATION_2025_TOKEN } from "../components/flux-configuration-2025.ts";
import { AZURE_TOKEN_EXCHANGE_AUDIENCE, FLUX_SOURCE_CONTROLLER_SUBJECT, FluxIdentity } from "../components/flux-identity.ts";
import { dependsOn, duplicates, installMocks, minimalStack, one, parentOf, settle, testStackProblems } from "./support.ts";

const rec = installMocks();

const SDK_TOKEN = "azure-native:kubernetesconfiguration:FluxConfiguration";
const cluster = { resourceGroupName: "rg", clusterName: "aks1", clusterRp: "Microsoft.ContainerService", clusterResourceName: "managedClusters" } as const;
const REGISTRY_ID = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/myacr";
const ISSUER = "https://oidc.example/aks1/";
const DIGEST = `sha256:${"a".repeat(64)}`;

const identity = new FluxIdentity("aks1-flux-identity", {
    identityName: "aks1-flux", resourceGroupName: "rg", location: "westeurope", issuerUrl: ISSUER, acrPull: { myacr: REGISTRY_ID },
});
const oci: FluxConfigurationArgs = {
    name: "app-oci",
    url: "oci://myacr.azurecr.io/gitops/app",
    semver: ">=1.0.0",
    auth: { type: "workloadIdentity" },
    layerSelector: { mediaType: "application/vnd.cncf.flux.content.v1.tar+gzip", operation: "copy" },
    verify: { provider: "cosign", matchOidcIdentity: [{ issuer: "^https://token.actions.githubusercontent.com$", subject: "^https://github.com/org/app/.*$" }] },
    kustomizations: [{ name: "app", path: "./" }],
};
const azdo: FluxConfigurationArgs = {
    name: "azdo",
    url: "https://dev.azure.com/org/project/_git/gitops",
    branch: "main",
    auth: { type: "workloadIdentity" },
    kustomizations: [{ name: "infra", path: "infra" }],
};
const git: FluxConfigurationArgs = { name: "git", url: "https://github.com/org/gitops", branch: "main", kustomizations: [{ name: "all" }] };
const flux = new Flux("aks1-flux", { cluster, extension: {}, configurations: [git, oci, azdo], workloadIdentity: identity.workloadIdentity });
const gitOnly = new Flux("plain-flux", { cluster: { ...cluster, clusterName: "aks2" }, extension: {}, configurations: [{ ...git, name: "only" }] });
const ready = settle(identity, flux, gitOnly);

const KUSTOMIZATION = { dependsOn: [], prune: false, force: false, wait: true, syncIntervalInSeconds: 600, timeoutInSeconds: 600 };

test("an OCI source goes through the 2025-04-01 resource under its usual name, with every ociRepository field", async () => {
    await ready;
    assert.deepEqual(duplicates(rec), []);
    const r = one(rec, FLUX_CONFIGURATION_2025_TOKEN, "aks1-flux-app-oci");
    assert.equal(parentOf(rec, r)?.name, "aks1-flux");
    const i = r.inputs;
    assert.equal(i.sourceKind, "OCIRepository");
    assert.equal(i.fluxConfigurationName, "app-oci");
    assert.equal(i.gitRepository, undefined);
    assert.deepEqual(i.ociRepository, {
        url: "oci://myacr.azurecr.io/gitops/app",
        repositoryRef: { semver: ">=1.0.0" },
        layerSelector: { mediaType: "application/vnd.cncf.flux.content.v1.tar+gzip", operation: "copy" },
        verify: { provider: "cosign", matchOidcIdentity: [{ issuer: "^https://token.actions.githubusercontent.com$", subject: "^https://github.com/org/app/.*$" }] },
        useWorkloadIdentity: true,
        insecure: false,
        syncIntervalInSeconds: 600,
        timeoutInSeconds: 600,
    });
    assert.deepEqual(i.kustomizations, { app: { ...KUSTOMIZATION, path: "./" } });
    assert.equal(i.configurationProtectedSettings, undefined, "workload identity stores no secret");
    assert.equal(i.namespace, "flux-system");
    assert.equal(i.scope, "cluster");
    assert.equal(i.waitForReconciliation, true);
    assert.equal(i.reconciliationWaitDuration, "PT10M");
});

test("an Azure DevOps repository with workload identity is a 2025-04-01 Git source with provider Azure and no PAT", async () => {
    await ready;
    const i = one(rec, FLUX_CONFIGURATION_2025_TOKEN, "aks1-flux-azdo").inputs;
    assert.equal(i.sourceKind, "GitRepository");
    assert.equal(i.ociRepository, undefined);
    assert.deepEqual(i.gitRepository, {
        url: "https://dev.azure.com/org/project/_git/gitops",
        repositoryRef: { branch: "main" },
        provider: "Azure",
        syncIntervalInSeconds: 600,
        timeoutInSeconds: 600,
    });
    assert.deepEqual(i.kustomizations, { infra: { ...KUSTOMIZATION, path: "infra" } });
    assert.equal(i.configurationProtectedSettings, undefined);
});

test("Git configurations without workload identity keep the SDK's 2023-05-01 class, and a Git-only stack gets no identity settings", async () => {
    await ready;
    const g = one(rec, SDK_TOKEN, "aks1-flux-git").inputs;
    assert.equal(g.sourceKind, "GitRepository");
    assert.equal(g.gitRepository.provider, undefined);
    one(rec, SDK_TOKEN, "plain-flux-only");
    assert.deepEqual(rec.registrations.filter((r) => r.type === FLUX_CONFIGURATION_2025_TOKEN && r.name.startsWith("plain-flux")), []);
    const ext = one(rec, "azure-native:kubernetesconfiguration:Extension", "plain-flux-extension").inputs;
    assert.deepEqual(Object.keys(ext.configurationSettings).filter((k) => k.startsWith("workloadIdentity.")), []);
});

test("the identity chain: managed identity, federated credential for the source-controller, AcrPull as a service principal", async () => {
    await ready;
    const id = one(rec, "azure-native:managedidentity:UserAssignedIdentity", "aks1-flux-identity-identity");
    assert.deepEqual(id.inputs, { resourceName: "aks1-flux", resourceGroupName: "rg", location: "westeurope" });
    const fic = one(rec, "azure-native:managedidentity:FederatedIdentityCredential", "aks1-flux-identity-federated");
    assert.deepEqual(fic.inputs, {
        resourceGroupName: "rg",
        resourceName: "aks1-flux",
        federatedIdentityCredentialResourceName: "flux-source-controller",
        issuer: ISSUER,
        subject: "system:serviceaccount:flux-system:source-controller",
        audiences: ["api://AzureADTokenExchange"],
    });
    assert.equal(FLUX_SOURCE_CONTROLLER_SUBJECT, "system:serviceaccount:flux-system:source-controller");
    assert.equal(AZURE_TOKEN_EXCHANGE_AUDIENCE, "api://AzureADTokenExchange");
    const pull = one(rec, "azure-native:authorization:RoleAssignment", "aks1-flux-identity-acrpull-myacr");
    assert.equal(pull.inputs.principalType, "ServicePrincipal");
    assert.equal(pull.inputs.scope, REGISTRY_ID);
    assert.match(pull.inputs.roleDefinitionId, /\/providers\/Microsoft\.Authorization\/roleDefinitions\/7f951dda-4ed3-4680-a7ca-43fe172d538d$/);
    assert.equal(pull.inputs.principalId, await new Promise((resolve) => identity.principalId.apply(resolve)));
    // identity -> federated credential -> role -> the configurations that use it; not the plain Git one.
    assert.ok(dependsOn(rec, fic, id));
    assert.ok(dependsOn(rec, pull, fic));
    for (const name of ["aks1-flux-app-oci", "aks1-flux-azdo"]) {
        const fc = one(rec, FLUX_CONFIGURATION_2025_TOKEN, name);
        assert.ok(dependsOn(rec, fc, fic), name);
        assert.ok(dependsOn(rec, fc, pull), name);
    }
    const plainGit = one(rec, SDK_TOKEN, "aks1-flux-git");
    assert.ok(!dependsOn(rec, plainGit, fic));
    assert.ok(!dependsOn(rec, plainGit, pull));
});

test("the extension carries the workloadIdentity settings from the identity", async () => {
    await ready;
    const s = one(rec, "azure-native:kubernetesconfiguration:Extension", "aks1-flux-extension").inputs.configurationSettings;
    const [clientId, tenantId] = await new Promise<[string, string]>((resolve) => pulumi.all([identity.clientId, identity.tenantId]).apply(resolve));
    assert.equal(s["workloadIdentity.enable"], "true");
    assert.equal(s["workloadIdentity.azureClientId"], clientId);
    assert.equal(s["workloadIdentity.azureTenantId"], tenantId);
});

test("the component refuses impossible OCI and workload-identity combinations, by field", () => {
    const base = { name: "c", kustomizations: [{ name: "k" }] };
    const problems = (fc: Partial<FluxConfigurationArgs>) => fluxConfigurationProblems({ ...base, url: "oci://myacr.azurecr.io/app", ...fc });
    assert.deepEqual(problems({ branch: "main" }), [
        { path: ["branch"], message: "an OCI source has no branch; name the artifact with tag, semver or digest" },
        { path: ["tag"], message: "expected one of tag, semver or digest for an OCI source" },
    ]);
    assert.deepEqual(problems({ digest: "sha256:abc", tag: "latest" }), [
        { path: ["digest"], message: "expected sha256:<64 lowercase hex digits>" },
        { path: ["digest"], message: "a digest takes precedence over tag and semver; set it alone" },
    ]);
    assert.deepEqual(problems({ digest: DIGEST }), []);
    assert.deepEqual(problems({ tag: "latest", auth: { type: "https", username: "u", password: "p" } }), [
        { path: ["auth", "type"], message: "an OCI source takes auth.type none (a public artifact) or workloadIdentity, got https" },
    ]);
    assert.deepEqual(problems({ url: "oci://myacr.azurecr.io/app:v1", tag: "v1" }), [
        { path: ["url"], message: "the URL names a tag or digest; put it in tag, semver or digest instead" },
    ]);
    assert.deepEqual(problems({ url: "oci://myacr.azurecr.io", tag: "v1" })[0].path, ["url"]);
    const git = (fc: Partial<FluxConfigurationArgs>) => fluxConfigurationProblems({ ...base, url: "https://github.com/org/gitops", branch: "main", ...fc });
    assert.deepEqual(git({ auth: { type: "workloadIdentity" } }), [
        {
            path: ["auth", "type"],
            message:
                "workloadIdentity on a Git source needs an Azure DevOps https://dev.azure.com/<org>/<project>/_git/<repo> URL, got https://github.com/org/gitops; " +
                "GitHub grants no Azure identity access: use githubDeployKey, ssh or https",
        },
    ]);
    assert.deepEqual(git({ digest: DIGEST, layerSelector: { operation: "copy" } }), [
        { path: ["digest"], message: "digest applies to OCI sources only (an oci:// URL), not to the Git URL https://github.com/org/gitops" },
        { path: ["layerSelector"], message: "layerSelector applies to OCI sources only (an oci:// URL), not to the Git URL https://github.com/org/gitops" },
    ]);
    assert.deepEqual(git({ url: "ssh://git@ssh.dev.azure.com/v3/org/project/gitops", auth: { type: "workloadIdentity" } }).map((p) => p.path), [["auth", "type"]]);
});

test("Flux refuses a workload-identity configuration without an identity, before registering anything", async () => {
    await ready;
    assert.throws(
        () => new Flux("wi-flux", { cluster, extension: {}, configurations: [{ ...oci, name: "x" }] }),
        (e: pulumi.InputPropertiesError) => {
            assert.deepEqual(e.errors, [
                { propertyPath: "configurations.0.auth.type", reason: "'x' uses workload identity; pass workloadIdentity (e.g. a FluxIdentity's clientId and tenantId)" },
            ]);
            return true;
        },
    );
    assert.throws(
        () => new Flux("wi2-flux", { cluster, extension: { settings: { "workloadIdentity.enable": "true" } }, configurations: [git] }),
        (e: pulumi.InputPropertiesError) => {
            assert.deepEqual(e.errors, [
                {
                    propertyPath: "extension.settings.workloadIdentity.enable",
                    reason: "set from the Flux workload identity, which is created when a configuration uses auth.type workloadIdentity",
                },
            ]);
            return true;
        },
    );
    await settle();
    assert.deepEqual(rec.registrations.filter((r) => r.name.startsWith("wi-flux") || r.name.startsWith("wi2-flux")), []);
});

test("the stack file: OCI and workload-identity mistakes are reported by key path", () => {
    const stack = (fc: Record<string, unknown>, over: Record<string, unknown> = {}) => {
        const s = minimalStack();
        s.flux.configurations.push({ name: "art", kustomizations: [{ name: "app", path: "./" }], ...fc });
        return { ...s, ...over };
    };
    const at = "gitops-platform:flux.configurations[1]";
    assert.deepEqual(testStackProblems(stack({ url: "oci://arccicddemoacr.azurecr.io/gitops/app", branch: "main", auth: { type: "workloadIdentity" } })), [
        `${at}.branch: an OCI source has no branch; name the artifact with tag, semver or digest`,
        `${at}.tag: expected one of tag, semver or digest for an OCI source`,
    ]);
    assert.deepEqual(testStackProblems(stack({ url: "oci://arccicddemoacr.azurecr.io/gitops/app", tag: "latest", auth: { type: "githubDeployKey" } })), [
        `${at}.auth.type: an OCI source takes auth.type none (a public artifact) or workloadIdentity, got githubDeployKey`,
    ]);
    assert.deepEqual(testStackProblems(stack({ url: "https://github.com/org/other", branch: "main", auth: { type: "workloadIdentity" } })), [
        `${at}.auth.type: workloadIdentity on a Git source needs an Azure DevOps https://dev.azure.com/<org>/<project>/_git/<repo> URL, got https://github.com/org/other; ` +
            "GitHub grants no Azure identity access: use githubDeployKey, ssh or https",
    ]);
    assert.deepEqual(testStackProblems(stack({ url: "https://github.com/org/other", branch: "main", digest: DIGEST })), [
        `${at}.digest: digest applies to OCI sources only (an oci:// URL), not to the Git URL https://github.com/org/other`,
    ]);
    const arc = { cluster: { mode: "arc", name: "edge", appNamespaces: ["dev"], kubeconfigSecret: "arcKubeconfig" } };
    assert.deepEqual(
        testStackProblems(stack({ url: "oci://arccicddemoacr.azurecr.io/gitops/app", tag: "latest", auth: { type: "workloadIdentity" } }, arc), { connectorPat: "secret", arcKubeconfig: "secret" }),
        [
            `${at}.auth.type: workload identity is not supported on Arc clusters yet (the connected cluster needs its OIDC issuer and workload identity webhook enabled first); ` +
                "use auth.type https or ssh, or a public source",
        ],
    );
});
