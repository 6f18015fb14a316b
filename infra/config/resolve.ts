// The validated config with every derived value resolved once: parsed repo URLs, the configuration the
// app's manifests go through with its branch and folder, the connector's app repo, qualified stack
// names. Nothing downstream re-parses a URL or re-derives a default.
import type { ConnectorTarget } from "../../components/connector.ts";
import { gitHost, parseGitRepoUrl, type GitRepo } from "../../components/flux.ts";
import { APP } from "../app-profile.ts";
import { qualifiedStack, shortStack } from "./names.ts";
import type { FleetScope } from "../../components/fleet.ts";
import type { ParsedFleet } from "./schema-fleet.ts";
import type { ParsedConnector, ParsedFluxConfiguration, ParsedGitHub, ParsedOwnerStack } from "./schema.ts";

/** A stack by its short name (`dev`) and as StackReference wants it (`org/project/dev`). */
export interface StackName {
    readonly short: string;
    readonly qualified: string;
}

export function stackName(name: string, organization: () => string, project?: string): StackName {
    return { short: shortStack(name), qualified: qualifiedStack(name, organization, project) };
}

/** A Flux configuration with its repository recognised. */
export interface FluxConfigurationConfig extends ParsedFluxConfiguration {
    /** github.com or Azure Repos; undefined for any other host. */
    readonly repo: GitRepo | undefined;
    readonly host: string;
}

/** The Flux configuration the connector serves and the app's workflows write to. */
export interface ManifestsConfig {
    readonly configuration: FluxConfigurationConfig;
    /** MANIFESTS_FOLDER: github.repository.manifestsFolder, else the kustomization path without `/manifests`. */
    readonly folder: string | undefined;
}

/** What the app's workflows are told about the GitOps repo: known to be a github.com branch with a folder. */
export interface ManifestsRepo {
    readonly owner: string;
    readonly repo: string;
    /** MANIFESTS_REPO. */
    readonly url: string;
    readonly branch: string;
    readonly folder: string;
}

export interface GitHubRepositoryConfig extends NonNullable<ParsedGitHub["repository"]> {
    readonly manifests: ManifestsRepo;
}

/** The GitHub section with the stack-derived defaults filled in. */
export interface GitHubConfig extends Omit<ParsedGitHub, "environment" | "repository"> {
    readonly environment: ParsedGitHub["environment"] & { readonly name: string; readonly environmentName: string; readonly namespace: string };
    readonly repository?: GitHubRepositoryConfig;
    /** The stack that owns the repository level: this one (github.repository), or github.repositoryStack. */
    readonly repositoryLevel: StackName;
}

/** A stack that owns a cluster and everything on it. */
export interface OwnerStackConfig extends Omit<ParsedOwnerStack, "github" | "flux" | "connector"> {
    readonly kind: "owner";
    readonly stack: string;
    readonly stackFile: string;
    readonly self: StackName;
    /** The stack whose cluster this stack deploys to: itself. */
    readonly clusterStack: StackName;
    readonly flux: Omit<ParsedOwnerStack["flux"], "configurations"> & { readonly configurations: readonly FluxConfigurationConfig[] };
    /** `appRepo`: the repo the connector dispatches `sync-success` to (connector.github.appRepo, github.appRepo, or the app's). */
    readonly connector: ParsedConnector & { readonly appRepo: string };
    readonly manifests: ManifestsConfig;
    readonly github?: GitHubConfig;
}

/** A stack that uses a cluster another stack owns (e.g. stage on dev's cluster). */
export interface SharedStackConfig {
    readonly kind: "shared";
    readonly stack: string;
    readonly stackFile: string;
    readonly self: StackName;
    /** Fully qualified name of the owning stack, as StackReference expects it. */
    readonly ownerStack: string;
    readonly clusterStack: StackName;
    readonly github?: GitHubConfig;
}

/** A stack that assigns Flux to every cluster in a scope through Azure Policy, and owns no cluster. */
export interface FleetStackConfig {
    readonly kind: "fleet";
    readonly stack: string;
    readonly stackFile: string;
    readonly self: StackName;
    readonly fleet: ParsedFleet;
    /** Where the assignments go, from fleet.scope. */
    readonly scope: FleetScope;
    /** A fleet stack wires no GitHub repository: it reaches no cluster's API. */
    readonly github?: undefined;
}

export type StackConfig = OwnerStackConfig | SharedStackConfig | FleetStackConfig;

export function resolveFluxConfiguration(fc: ParsedFluxConfiguration): FluxConfigurationConfig {
    // The schema has checked the URL (gitUrlProblem), so it parses.
    return { ...fc, repo: parseGitRepoUrl(fc.url), host: gitHost(fc.url) };
}

/** `connector.configuration` (checked to exist), else the first configuration. */
export function resolveManifests(configurations: readonly FluxConfigurationConfig[], connector: ParsedConnector, github: ParsedGitHub | undefined): ManifestsConfig {
    const name = connector.configuration ?? configurations[0].name;
    const configuration = configurations.find((fc) => fc.name === name) ?? configurations[0];
    const explicit = github?.repository?.manifestsFolder;
    const suffix = `/${APP.manifestsSubfolder}`;
    const path = configuration.kustomizations[0].path.replace(/^\.?\//, "");
    return { configuration, folder: explicit ?? (path.endsWith(suffix) ? path.slice(0, -suffix.length) : undefined) };
}

/** The environment's stack-derived defaults: `az-vote-app-<stack>`, ENVIRONMENT_NAME `<Stack>`, TARGET_NAMESPACE `<stack>`. */
export function resolveEnvironment(e: ParsedGitHub["environment"], short: string): GitHubConfig["environment"] {
    return {
        ...e,
        name: e.name ?? APP.environment(short),
        environmentName: e.environmentName ?? short.charAt(0).toUpperCase() + short.slice(1),
        namespace: e.namespace ?? short,
    };
}

/** The GitHub section, resolved. Called once the checks have passed. */
export function resolveGitHub(g: ParsedGitHub, stack: StackName, organization: () => string, manifests: ManifestsConfig | undefined): GitHubConfig {
    const { repository, ...rest } = g;
    return {
        ...rest,
        environment: resolveEnvironment(g.environment, stack.short),
        repositoryLevel: g.repositoryStack !== undefined ? stackName(g.repositoryStack, organization) : stack,
        ...(repository !== undefined ? { repository: { ...repository, manifests: manifestsRepo(manifests) } } : {}),
    };
}

/** Only called once the checks have passed, which make every field below known. */
function manifestsRepo(m: ManifestsConfig | undefined): ManifestsRepo {
    const fc = m?.configuration;
    if (fc?.repo?.kind !== "github" || fc.branch === undefined || m?.folder === undefined) {
        throw new Error("unreachable: github.repository was validated against a github.com branch and folder");
    }
    return { owner: fc.repo.owner, repo: fc.repo.repo, url: `https://github.com/${fc.repo.owner}/${fc.repo.repo}`, branch: fc.branch, folder: m.folder };
}

/** The repo the connector dispatches to: named once, in github.appRepo when there is one. */
export function connectorAppRepo(connector: ParsedConnector, github: ParsedGitHub | undefined): string {
    return connector.github.appRepo ?? github?.appRepo ?? APP.appRepo;
}

/** What the connector reports to: the connector configuration's repository (validated against the mode). */
export function connectorTarget(c: Pick<OwnerStackConfig, "manifests" | "connector">): ConnectorTarget {
    const repo = c.manifests.configuration.repo;
    if (repo === undefined) throw new Error(`unreachable: the connector's configuration was validated as a github.com or Azure Repos repo`);
    if (repo.kind === "github") {
        return { mode: "GITHUB", owner: repo.owner, appRepo: c.connector.appRepo, gitopsRepo: repo.repo };
    }
    return { mode: "AZDO", organization: repo.organization, project: repo.project, gitopsRepo: repo.repo, prRepo: c.connector.azdo.prRepo };
}
