// Composition: a validated stack config in, components wired together, stack outputs out.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import * as github from "@pulumi/github";
import { roleDefinitionId } from "../components/azure.ts";
import { Cluster, type ClusterArgs } from "../components/cluster.ts";
import { ArcClusterExtensions } from "../components/cluster-extensions.ts";
import { connectorAddress, GitOpsConnector } from "../components/connector.ts";
import { withPlatformKustomization } from "../components/git-delivery.ts";
import { Flux, fluxObjects, fluxSourceKind, GITHUB_KNOWN_HOSTS, type FluxConfigurationArgs, type FluxWorkloadIdentity, type GitAuth } from "../components/flux.ts";
import { FluxIdentity } from "../components/flux-identity.ts";
import { FluxGitHubAppSecret } from "../components/flux-github-app.ts";
import { DeployKey } from "../components/github.ts";
import { FluxNotifications } from "../components/notifications.ts";
import { Registry, type RegistryAttach } from "../components/registry.ts";
import { createAlerts } from "./alerts.ts";
import { connectorTarget } from "./config/resolve.ts";
import { createGitDelivery } from "./git-delivery.ts";
import type { FleetStackConfig, FluxConfigurationConfig, GitHubConfig, OwnerStackConfig, SharedStackConfig, StackConfig, StackName } from "./config.ts";
import { createFleet, type FleetOutputs } from "./fleet.ts";
import { createGitHubWiring, type ClusterFacts, type GitHubOutputs } from "./github.ts";

/** Reads a secret config key; the config was validated, so every key it names is set. */
export type SecretReader = (key: string) => pulumi.Output<string>;

/**
 * The stack outputs. A stack that owns a cluster computes them; a stack sharing that cluster passes the
 * owner's through, so both expose the same contract to later stacks and to the GitHub wiring.
 */
export interface PlatformOutputs {
    readonly ownerStack: pulumi.Input<string>;
    readonly clusterKind: pulumi.Input<string>;
    readonly clusterName: pulumi.Input<string>;
    readonly clusterResourceGroup: pulumi.Input<string>;
    readonly clusterId: pulumi.Input<string>;
    readonly clusterRp: pulumi.Input<string>;
    readonly clusterResourceName: pulumi.Input<string>;
    readonly appNamespaces: pulumi.Input<string[]>;
    readonly oidcIssuerUrl: pulumi.Input<string | undefined>;
    readonly registryName: pulumi.Input<string>;
    readonly registryLoginServer: pulumi.Input<string>;
    readonly registryId: pulumi.Input<string>;
    readonly fluxExtensionName: pulumi.Input<string>;
    /** Per configuration: namespace, GitRepository and Kustomization object names. */
    readonly fluxObjects: pulumi.Input<Record<string, unknown>>;
    readonly connectorAddress: pulumi.Input<string | undefined>;
}

/** Stack outputs: the cluster contract, plus the GitHub wiring's when the stack configures it. */
export type StackOutputs = PlatformOutputs & Partial<GitHubOutputs>;

export function createPlatform(config: FleetStackConfig, readSecret: SecretReader): FleetOutputs;
export function createPlatform(config: OwnerStackConfig | SharedStackConfig, readSecret: SecretReader): StackOutputs;
export function createPlatform(config: StackConfig, readSecret: SecretReader): StackOutputs | FleetOutputs;
export function createPlatform(config: StackConfig, readSecret: SecretReader): StackOutputs | FleetOutputs {
    // A fleet stack owns no cluster and wires no repository: its policy reaches the clusters.
    if (config.kind === "fleet") return createFleet(config);
    // One StackReference per referenced stack: stage reads dev both for the cluster and the CI identity.
    const references = new Map<string, pulumi.StackReference>();
    const stackReference = (name: StackName) => {
        const existing = references.get(name.qualified);
        if (existing !== undefined) return existing;
        const created = new pulumi.StackReference(name.qualified);
        references.set(name.qualified, created);
        return created;
    };
    const provider = config.github && githubProvider(config.github, readSecret);
    const platform = config.kind === "owner" ? createOwnedPlatform(config, readSecret, provider) : useSharedPlatform(config, stackReference);
    if (config.github === undefined || provider === undefined) return platform;
    const facts: ClusterFacts = {
        clusterName: platform.clusterName,
        clusterResourceGroup: platform.clusterResourceGroup,
        clusterId: platform.clusterId,
        appNamespaces: platform.appNamespaces,
        registryName: platform.registryName,
        registryLoginServer: platform.registryLoginServer,
        registryId: platform.registryId,
    };
    const wiring = createGitHubWiring({ config: { ...config, github: config.github }, facts, provider, readSecret, stackReference });
    return { ...platform, ...wiring };
}

/** The explicit GitHub provider: the owner from config, the token from secret config or GITHUB_TOKEN. */
function githubProvider(g: GitHubConfig, readSecret: SecretReader): github.Provider {
    return new github.Provider("github", { owner: g.owner, token: g.tokenSecret ? readSecret(g.tokenSecret) : undefined });
}

/**
 * Translate one validated Flux configuration into component args, resolving its credentials. A
 * githubDeployKey configuration gets the private key of the deploy key created for it.
 */
export function fluxConfigurationArgs(fc: FluxConfigurationConfig, readSecret: SecretReader, deployKey?: DeployKey): FluxConfigurationArgs {
    let auth: GitAuth;
    switch (fc.auth.type) {
        case "none":
            auth = { type: "none" };
            break;
        case "https":
            auth = { type: "https", username: fc.auth.username, password: readSecret(fc.auth.passwordSecret) };
            break;
        case "ssh":
            auth = {
                type: "ssh",
                privateKey: readSecret(fc.auth.privateKeySecret),
                // Validation guarantees the host is github.com when no keys are given.
                knownHosts: fc.auth.knownHosts ?? (fc.host === "github.com" ? GITHUB_KNOWN_HOSTS : []),
            };
            break;
        case "githubDeployKey":
            if (deployKey === undefined) throw new Error(`Flux configuration ${fc.name}: githubDeployKey needs its deploy key`);
            auth = { type: "ssh", privateKey: deployKey.privateKeyPem, knownHosts: GITHUB_KNOWN_HOSTS };
            break;
        case "workloadIdentity":
            auth = { type: "workloadIdentity" };
            break;
        case "githubApp":
            // The App's credentials go into its Secret (githubAppSecrets), not into the configuration.
            auth = { type: "githubApp" };
            break;
        case "accessKey":
            auth = { type: "accessKey", accessKey: fc.auth.accessKey, secretKey: readSecret(fc.auth.secretKeySecret) };
            break;
        case "sasToken":
            auth = { type: "sasToken", sasToken: readSecret(fc.auth.sasTokenSecret) };
            break;
        case "accountKey":
            auth = { type: "accountKey", accountKey: readSecret(fc.auth.accountKeySecret) };
            break;
    }
    // storageAccountId is the stack's (blobReaderGrants), not a Flux argument.
    const { storageAccountId: _storageAccountId, ...args } = fc;
    return { ...args, auth };
}

function createOwnedPlatform(c: OwnerStackConfig, readSecret: SecretReader, githubProvider: github.Provider | undefined): PlatformOutputs {
    const az = c.azure;
    const rg = az.createResourceGroup
        ? new resources.ResourceGroup(az.resourceGroup, { resourceGroupName: az.resourceGroup, location: az.location }, { protect: az.protect }).name
        : pulumi.output(az.resourceGroup);

    const cc = c.cluster;
    // Pull-only: nothing below may reach the cluster's Kubernetes API, so no provider is even made.
    const kubernetesApi = cc.delivery !== "git";
    let clusterArgs: ClusterArgs;
    switch (cc.mode) {
        case "aks":
            clusterArgs = {
                mode: "aks", name: cc.name, resourceGroupName: rg, location: az.location, aks: cc.aks, kubeconfig: cc.kubeconfig, protect: cc.protect,
                monitoring: cc.monitoring, keyVaultSecretsProvider: cc.keyVaultSecretsProvider, kubernetesApi,
            };
            break;
        case "aksExisting":
            clusterArgs = {
                mode: "aksExisting", name: cc.name, resourceGroupName: cc.resourceGroup ?? rg, kubeconfig: cc.kubeconfig, kubernetesApi,
                // The stack can't add the add-on to a cluster it only adopts: it checks it's there.
                requireKeyVaultSecretsProvider: !kubernetesApi,
            };
            break;
        case "arc":
            clusterArgs = { mode: "arc", name: cc.name, resourceGroupName: cc.resourceGroup ?? rg, kubeconfig: kubernetesApi ? readSecret(cc.kubeconfigSecret) : undefined, kubernetesApi };
            break;
    }
    const cluster = new Cluster(cc.name, clusterArgs);

    const deployKeys: DeployKey[] = [];
    const fluxConfigurations = c.flux.configurations.map((fc) => {
        if (fc.auth.type !== "githubDeployKey") return fluxConfigurationArgs(fc, readSecret);
        // Validation guarantees a github.com URL and a github section (so a provider) here.
        if (fc.repo?.kind !== "github") throw new Error(`unreachable: githubDeployKey was validated against a github.com repo in ${fc.name}`);
        const repo = fc.repo;
        const key = new DeployKey(
            `${cc.name}-${fc.name}-deploy-key`,
            { repository: repo.repo, title: `flux ${cc.name}/${fc.name}` },
            { providers: githubProvider ? { github: githubProvider } : undefined },
        );
        deployKeys.push(key);
        return fluxConfigurationArgs(fc, readSecret, key);
    });
    // Everything on the cluster gets the cluster's deletedWith: on a cluster the stack creates, Azure
    // deletes it all with the cluster, and `pulumi destroy` never waits on its API server or on Flux.
    const onCluster = { provider: cluster.provider, deletedWith: cluster.deletedWith };

    const rc = c.registry;
    const attach: RegistryAttach =
        cluster.kubeletObjectId !== undefined
            ? { kind: "kubelet", kubeletObjectId: cluster.kubeletObjectId }
            : kubernetesApi
              ? { kind: "pullSecret", namespaces: cc.appNamespaces, credentialLifetime: rc.pullCredentialLifetime }
              : // Pull-only: the credential goes to Key Vault, and from there into the app namespaces.
                { kind: "pullCredential", credentialLifetime: rc.pullCredentialLifetime };
    const newRegistry = (after: readonly pulumi.Resource[]) =>
        new Registry(
            rc.name,
            rc.mode === "create"
                ? { mode: "create", registryName: rc.name, resourceGroupName: rg, location: az.location, sku: rc.sku, protect: rc.protect, attach }
                : { mode: "existing", registryName: rc.name, resourceGroupName: rc.resourceGroup ?? rg, attach },
            { ...onCluster, dependsOn: [...after] },
        );

    // Workload identity (never on Arc, which validation refuses): the registry comes first, since the
    // identity's AcrPull on it must exist before an OCI configuration pulls from it.
    const workloadIdentity = c.flux.configurations.some((fc) => fc.auth.type === "workloadIdentity");
    let registry: Registry | undefined;
    let fluxIdentity: FluxIdentity | undefined;
    if (workloadIdentity) {
        if (attach.kind !== "kubelet") throw new Error(`unreachable: workload identity was validated against an Arc cluster in ${cc.name}`);
        registry = newRegistry([]);
        const loginServer = `${rc.name.toLowerCase()}.azurecr.io`;
        const pullsFromStackRegistry = c.flux.configurations.some(
            (fc) => fc.auth.type === "workloadIdentity" && fluxSourceKind(fc.url) === "OCIRepository" && new URL(fc.url).hostname.toLowerCase() === loginServer,
        );
        fluxIdentity = new FluxIdentity(`${cc.name}-flux-identity`, {
            identityName: `${cc.name}-flux`,
            resourceGroupName: rg,
            location: az.location,
            issuerUrl: requireOidcIssuer(cluster, cc.name),
            // Another registry's AcrPull is its owner's to grant, to this identity's principal.
            acrPull: pullsFromStackRegistry ? { [rc.name]: registry.registryId } : {},
        });
    }

    // Pull-only: the platform folder and its secrets, which the configuration applying it waits for.
    // The registry comes first there: its pull credential is one of the secrets.
    if (!kubernetesApi) registry ??= newRegistry([]);
    const gitDelivery = kubernetesApi
        ? undefined
        : createGitDelivery(c, {
              resourceGroupName: rg,
              // Arc's from the stack file (validated there), AKS's from the cluster.
              issuerUrl: cc.mode === "arc" && cc.gitDelivery?.oidcIssuerUrl !== undefined ? cc.gitDelivery.oidcIssuerUrl : requireOidcIssuer(cluster, cc.name, "the platform identity's federated credentials"),
              readSecret,
              provider: githubProvider,
              pullSecret: registry?.dockerConfigJson,
          });
    if (gitDelivery !== undefined) {
        const host = c.manifests.configuration.name;
        const i = fluxConfigurations.findIndex((fc) => fc.name === host);
        fluxConfigurations[i] = withPlatformKustomization(fluxConfigurations[i], gitDelivery.folder);
    }
    const fluxWorkloadIdentity = fluxIdentity && withBlobReaderGrants(c, fluxIdentity);
    const flux = new Flux(
        `${cc.name}-flux`,
        {
            cluster: cluster.target(),
            extension: c.flux.extension,
            configurations: fluxConfigurations,
            // The operators' alert targets (flux.alerts) listen before the first sync, and a GitHub
            // App's Secret exists before its configuration's first clone.
            // Pull-only, they are in the platform folder instead; on Arc the configurations wait for the
            // Secret Store extension, whose SecretSync objects the platform folder holds.
            beforeConfigurations: (extension) =>
                kubernetesApi
                    ? [...createAlerts(c, extension, readSecret, onCluster), ...githubAppSecrets(c, readSecret, onCluster)]
                    : cc.mode === "arc"
                      ? [arcExtensions(c, cluster, rg, extension, true).secretStore!]
                      : [],
            workloadIdentity: fluxWorkloadIdentity,
        },
        // Flux can only clone once GitHub knows its deploy key, and finds the platform folder once it's committed.
        { dependsOn: [...deployKeys.map((k) => k.deployKey), ...(gitDelivery?.ready ?? [])], deletedWith: cluster.deletedWith },
    );
    // Arc: monitoring and the Key Vault Secrets Provider are extensions (on AKS, add-ons of the cluster),
    // installed after Flux's, one extension operation at a time, and with delivery api never holding the
    // configurations back. (With delivery git the configurations wait for them: see beforeConfigurations.)
    if (cc.mode === "arc" && kubernetesApi && (cc.monitoring?.enabled === true || cc.keyVaultSecretsProvider?.enabled === true)) {
        arcExtensions(c, cluster, rg, flux.extension, false);
    }
    // On a cluster the stack creates, the connector needs only the cluster: it installs into its own
    // namespace while the extension is being created. On a cluster the stack doesn't delete (Arc, an
    // adopted AKS), `pulumi destroy` deletes in reverse creation order, and the connector must go before
    // the configurations it reports on: there it waits for them (docs/teardown.md). Either way its Alert
    // and Provider wait for the configurations and the connector, so on destroy they go first and nothing
    // relays the configurations' teardown to GitHub.
    const connector = c.connector.enabled && kubernetesApi
        ? new GitOpsConnector(
              `${cc.name}-connector`,
              {
                  namespace: c.connector.namespace,
                  target: connectorTarget(c),
                  pat: readSecret(c.connector.patSecret),
                  chartVersion: c.connector.chartVersion,
                  chartRepo: c.connector.chartRepo,
                  subscribers: Object.fromEntries(Object.entries(c.connector.subscribers).map(([n, k]) => [n, readSecret(k)])),
                  logReaders: c.connector.logReaders,
              },
              { ...onCluster, dependsOn: cluster.deletedWith === undefined ? Object.values(flux.configurations) : [] },
          )
        : undefined;
    if (connector !== undefined) {
        new FluxNotifications(
            `${cc.name}-notifications`,
            { objects: fluxObjects(c.manifests.configuration), address: connector.address },
            // The extension installs the notification CRDs; the Alert fires only once the connector is
            // there to receive it.
            { ...onCluster, dependsOn: [flux.extension, ...Object.values(flux.configurations), connector] },
        );
    }

    // The pull secrets go into the app namespaces, which come from the GitOps repo; the
    // configurations wait for reconciliation, so once they exist the namespaces do too.
    registry ??= newRegistry(attach.kind === "pullSecret" ? Object.values(flux.configurations) : []);
    const address = connector?.address ?? (c.connector.enabled ? connectorAddress(c.connector.namespace) : undefined);

    return {
        ownerStack: c.self.qualified,
        clusterKind: cluster.kind,
        clusterName: cluster.clusterName,
        clusterResourceGroup: cluster.resourceGroupName,
        clusterId: cluster.clusterId,
        clusterRp: cluster.clusterRp,
        clusterResourceName: cluster.clusterResourceName,
        appNamespaces: cc.appNamespaces,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        registryName: registry.registryName,
        registryLoginServer: registry.loginServer,
        registryId: registry.registryId,
        fluxExtensionName: flux.extensionName,
        fluxObjects: flux.objects,
        connectorAddress: address,
    };
}

/**
 * The Arc cluster's other extensions after Flux's: monitoring and the Key Vault Secrets Provider, or with
 * git delivery the Secret Store extension (and the cert-manager it needs) and monitoring.
 */
function arcExtensions(c: OwnerStackConfig, cluster: Cluster, rg: pulumi.Input<string>, fluxExtension: pulumi.Resource, secretStore: boolean): ArcClusterExtensions {
    const cc = c.cluster;
    return new ArcClusterExtensions(
        `${cc.name}-extensions`,
        {
            cluster: cluster.target(), clusterName: cc.name, clusterId: cluster.clusterId, resourceGroupName: rg, location: c.azure.location,
            monitoring: cc.monitoring, keyVaultSecretsProvider: cc.keyVaultSecretsProvider, secretStore,
        },
        { dependsOn: [fluxExtension], deletedWith: cluster.deletedWith },
    );
}

/**
 * Per configuration with auth.type githubApp, the Secret `<configuration>-github-app` its GitRepository
 * reads the App from (its namespace patched first, unless flux-system), through the cluster's provider
 * with its deletedWith. It needs nothing of the extension: a Secret is core Kubernetes.
 */
function githubAppSecrets(
    c: OwnerStackConfig,
    readSecret: SecretReader,
    onCluster: Pick<pulumi.ComponentResourceOptions, "provider" | "deletedWith">,
): pulumi.Resource[] {
    return c.flux.configurations.flatMap((fc) => {
        if (fc.auth.type !== "githubApp") return [];
        const app = new FluxGitHubAppSecret(
            `${c.cluster.name}-${fc.name}-github-app`,
            { configuration: fc.name, namespace: fc.namespace, appId: fc.auth.appId, installationId: fc.auth.installationId, privateKey: readSecret(fc.auth.privateKeySecret) },
            onCluster,
        );
        return [app.secret];
    });
}

/** Azure's built-in "Storage Blob Data Reader": read and list blobs, nothing else. */
export const STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";

/**
 * The Flux identity, with Storage Blob Data Reader on the storage account of each Azure Blob
 * configuration that names its storageAccountId: the configurations wait for these grants too, as for
 * AcrPull, since the first listing fails without them. A blob configuration without storageAccountId
 * gets no grant: the account's owner grants the role to the identity's principal.
 */
function withBlobReaderGrants(c: OwnerStackConfig, identity: FluxIdentity): FluxWorkloadIdentity {
    const scoped = c.flux.configurations.filter((fc) => fc.source === "azureBlob" && fc.auth.type === "workloadIdentity" && fc.storageAccountId !== undefined);
    if (scoped.length === 0) return identity.workloadIdentity;
    const grants = scoped.map(
        (fc) =>
            new authorization.RoleAssignment(
                `${c.cluster.name}-${fc.name}-blob-reader`,
                {
                    principalId: identity.principalId,
                    // Stated, so ARM skips the directory lookup that fails for a just-created identity.
                    principalType: "ServicePrincipal",
                    // In the account's own subscription, which need not be the one `up` deploys to.
                    roleDefinitionId: roleDefinitionId(fc.storageAccountId!.split("/")[2], STORAGE_BLOB_DATA_READER),
                    scope: fc.storageAccountId!,
                },
                // After the federated credential, as FluxIdentity orders its AcrPull grants.
                { parent: identity, dependsOn: [identity.federatedCredential] },
            ),
    );
    return { ...identity.workloadIdentity, dependsOn: [...(identity.workloadIdentity.dependsOn ?? []), ...grants] };
}

/**
 * The cluster's OIDC issuer URL, which the federated credential trusts. A created AKS cluster always
 * has it; an adopted one (aksExisting) may not, which only the cluster can say, at deploy time.
 */
function requireOidcIssuer(cluster: Cluster, name: string, forWhat = "Flux workload identity"): pulumi.Output<string> {
    if (cluster.oidcIssuerUrl === undefined) throw new Error(`unreachable: ${forWhat} was validated against an AKS cluster in ${name}`);
    return cluster.oidcIssuerUrl.apply((url) => {
        if (url === undefined || url === "") {
            throw new Error(
                `cluster ${name} has no OIDC issuer, which ${forWhat} need${forWhat.endsWith("s") ? "" : "s"}: run ` +
                    `az aks update --name ${name} --resource-group <group> --enable-oidc-issuer --enable-workload-identity, then pulumi up again`,
            );
        }
        return url;
    });
}

/** The cluster belongs to another stack: read its outputs, create nothing on it. */
function useSharedPlatform(c: SharedStackConfig, stackReference: (name: StackName) => pulumi.StackReference): PlatformOutputs {
    const owner = stackReference(c.clusterStack);
    const out = (name: string) => owner.requireOutput(name) as pulumi.Output<any>;
    return {
        ownerStack: c.ownerStack,
        clusterKind: out("clusterKind"),
        clusterName: out("clusterName"),
        clusterResourceGroup: out("clusterResourceGroup"),
        clusterId: out("clusterId"),
        clusterRp: out("clusterRp"),
        clusterResourceName: out("clusterResourceName"),
        appNamespaces: out("appNamespaces"),
        oidcIssuerUrl: owner.getOutput("oidcIssuerUrl"),
        registryName: out("registryName"),
        registryLoginServer: out("registryLoginServer"),
        registryId: out("registryId"),
        fluxExtensionName: out("fluxExtensionName"),
        fluxObjects: out("fluxObjects"),
        connectorAddress: owner.getOutput("connectorAddress"),
    };
}
