// Composition: a validated stack config in, components wired together, stack outputs out.
import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import { Cluster, type ClusterArgs } from "../components/cluster.ts";
import { GitOpsConnector, type ConnectorTarget } from "../components/connector.ts";
import { Flux, GITHUB_KNOWN_HOSTS, type FluxConfigurationArgs, type GitAuth } from "../components/flux.ts";
import { FluxNotifications } from "../components/notifications.ts";
import { Registry, type RegistryAttach } from "../components/registry.ts";
import { gitHost, parseGitRepoUrl, type FluxConfigurationConfig, type OwnerStackConfig, type SharedStackConfig, type StackConfig } from "./config.ts";

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

export function createPlatform(config: StackConfig, readSecret: SecretReader): PlatformOutputs {
    return config.kind === "owner" ? createOwnedPlatform(config, readSecret) : useSharedPlatform(config);
}

/** Translate one validated Flux configuration into component args, resolving its credentials. */
export function fluxConfigurationArgs(fc: FluxConfigurationConfig, readSecret: SecretReader): FluxConfigurationArgs {
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
                knownHosts: fc.auth.knownHosts ?? (gitHost(fc.url) === "github.com" ? GITHUB_KNOWN_HOSTS : []),
            };
            break;
    }
    return { ...fc, auth };
}

function createOwnedPlatform(c: OwnerStackConfig, readSecret: SecretReader): PlatformOutputs {
    const az = c.azure;
    const rg = az.createResourceGroup
        ? new resources.ResourceGroup(az.resourceGroup, { resourceGroupName: az.resourceGroup, location: az.location }).name
        : pulumi.output(az.resourceGroup);

    const cc = c.cluster;
    let clusterArgs: ClusterArgs;
    switch (cc.mode) {
        case "aks":
            clusterArgs = { mode: "aks", name: cc.name, resourceGroupName: rg, location: az.location, aks: cc.aks, kubeconfig: cc.kubeconfig };
            break;
        case "aksExisting":
            clusterArgs = { mode: "aksExisting", name: cc.name, resourceGroupName: cc.resourceGroup ?? rg, kubeconfig: cc.kubeconfig };
            break;
        case "arc":
            clusterArgs = { mode: "arc", name: cc.name, resourceGroupName: cc.resourceGroup ?? rg, kubeconfig: readSecret(cc.kubeconfigSecret) };
            break;
    }
    const cluster = new Cluster(cc.name, clusterArgs);

    const fluxConfigurations = c.flux.configurations.map((fc) => fluxConfigurationArgs(fc, readSecret));
    const flux = new Flux(`${cc.name}-flux`, {
        cluster: cluster.target(),
        extension: c.flux.extension,
        configurations: fluxConfigurations,
    });

    const rc = c.registry;
    const attach: RegistryAttach =
        cluster.kubeletObjectId !== undefined
            ? { kind: "kubelet", kubeletObjectId: cluster.kubeletObjectId }
            : {
                  kind: "pullSecret",
                  namespaces: cc.appNamespaces,
                  provider: cluster.provider,
                  credentialLifetime: rc.pullCredentialLifetime,
                  // The app namespaces come from the GitOps repo; the configurations wait for
                  // reconciliation, so once they exist the namespaces do too.
                  namespacesReady: Object.values(flux.configurations),
              };
    const registry = new Registry(rc.name, {
        mode: rc.mode,
        registryName: rc.name,
        resourceGroupName: rc.mode === "existing" ? (rc.resourceGroup ?? rg) : rg,
        location: az.location,
        sku: rc.mode === "create" ? rc.sku : undefined,
        attach,
    });

    let connectorAddress: string | undefined;
    if (c.connector.enabled) {
        const target = c.connector.configuration ?? c.flux.configurations[0].name;
        const fc = fluxConfigurations.find((x) => x.name === target)!;
        const objects = flux.objects[target];
        const configuration = flux.configurations[target];
        const connector = new GitOpsConnector(
            `${cc.name}-connector`,
            {
                namespace: objects.namespace,
                target: connectorTarget(c, fc.url),
                pat: readSecret(c.connector.patSecret),
                provider: cluster.provider,
                chartVersion: c.connector.chartVersion,
                chartRepo: c.connector.chartRepo,
                subscribers: c.connector.subscribers,
            },
            // The configuration creates its namespace (flux-system comes with the extension).
            { dependsOn: [configuration] },
        );
        new FluxNotifications(
            `${cc.name}-notifications`,
            { objects, address: connector.address, provider: cluster.provider },
            // The extension installs the notification CRDs; the Alert should only fire once the
            // connector is there to receive it.
            { dependsOn: [flux.extension, configuration, connector] },
        );
        connectorAddress = connector.address;
    }

    return {
        ownerStack: `${pulumi.getOrganization()}/${pulumi.getProject()}/${c.stack}`,
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
        connectorAddress,
    };
}

function connectorTarget(c: OwnerStackConfig, url: string): ConnectorTarget {
    // Validation checked that the URL matches the mode.
    const repo = parseGitRepoUrl(url)!;
    if (repo.kind === "github") {
        return { mode: "GITHUB", owner: repo.owner, appRepo: c.connector.github.appRepo, gitopsRepo: repo.repo };
    }
    return { mode: "AZDO", organization: repo.organization, project: repo.project, gitopsRepo: repo.repo, prRepo: c.connector.azdo.prRepo };
}

/** The cluster belongs to another stack: read its outputs, create nothing on it. */
function useSharedPlatform(c: SharedStackConfig): PlatformOutputs {
    const owner = new pulumi.StackReference(c.ownerStack);
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
