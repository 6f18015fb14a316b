// A new stack file, stacks/Pulumi.<stack>.yaml, for a cluster no stack owns yet: built from the command
// line's options, or from another stack's registry, flux, connector and github sections with what
// identifies the cluster and the environment replaced. Nothing is written until the file, as text, has
// passed the checks every stack goes through: parseStackConfig (secrets counted as set), then
// crossStackProblems over the stacks already there plus this one. scripts/new-stack.ts is the command
// line; scripts/lib/new-stack-file.ts renders the file.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { parseGitRepoUrl } from "../../components/git.ts";
import { APP, ConfigError, parseStackConfig, PROJECT, requiredSecrets, stackFileName, TOP_LEVEL_KEYS, type OwnerStackConfig, type StackConfig } from "../../infra/config.ts";
import { resolveEnvironment } from "../../infra/config/resolve.ts";
import type { ParsedGitHub } from "../../infra/config/schema.ts";
import { crossStackProblems } from "../../infra/github-layout.ts";
import { engineConfig, listStacks, loadStacks, ownerNamespacesFrom, readStackFile } from "../../infra/stack-files.ts";
import { stackNameProblem } from "./cli.ts";
import { renderStackFile } from "./new-stack-file.ts";

export const MODES = ["aks", "aksExisting", "arc"] as const;
export type Mode = (typeof MODES)[number];
export const AUTH_TYPES = ["none", "https", "ssh", "githubDeployKey"] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** What the command line asks for; every field but name, mode and cluster is optional. */
export interface NewStackRequest {
    readonly name: string;
    readonly mode: Mode;
    readonly cluster: string;
    readonly from?: string;
    readonly resourceGroup?: string;
    readonly location?: string;
    readonly registry?: string;
    readonly gitopsRepo?: string;
    readonly branch?: string;
    /** The GitOps repo folder the cluster's kustomizations live under (`<path>/manifests`). */
    readonly path?: string;
    readonly namespace?: string;
    readonly auth?: AuthType;
    readonly githubOwner?: string;
    readonly appRepo?: string;
    readonly environment?: string;
    /**
     * Delivery git (docs/git-delivery.md): the platform's Key Vault, a name to create or an existing
     * vault's resource ID. Without it the stack delivers through the Kubernetes API.
     */
    readonly keyVault?: string;
    /** Delivery git on Arc: the connected cluster's OIDC issuer URL. */
    readonly oidcIssuerUrl?: string;
}

/** Bad usage or input, found before any stack file is read: exit 2. */
export class UsageError extends Error {}
/** The file would be invalid, alone or next to the other stacks, or they are: exit 1. Nothing was written. */
export class Refused extends Error {}

/** Where the location goes when neither --location nor --from says: the shipped stacks' region. */
const DEFAULT_LOCATION = "westeurope";
/** The tutorial's GitOps repo (Azure/arc-cicd-demo-gitops) follows master. */
const DEFAULT_BRANCH = "master";
/** Secret config keys of the Git credentials --auth asks for; the https one is the edge stack's. */
const GIT_HTTPS_SECRET = "gitopsRepoPat";
const GIT_SSH_SECRET = "gitopsRepoSshKey";

/** A folder of the GitOps repo that must exist before `pulumi up`: Flux waits for it to reconcile. */
export interface GitOpsFolder {
    readonly url: string;
    /** `branch master`, `tag v1.2`, … */
    readonly ref: string;
    readonly path: string;
    readonly configuration: string;
    readonly kustomization: string;
}

export interface NewStack {
    readonly stack: string;
    /** `stacks/Pulumi.<stack>.yaml`, as messages name it. */
    readonly stackFile: string;
    readonly text: string;
    readonly config: OwnerStackConfig;
    readonly secrets: readonly { key: string; purpose: string }[];
    readonly folders: readonly GitOpsFolder[];
    /** What was fitted to the other stacks (the repository level, a connector, a registry, a resource group). */
    readonly notes: readonly Note[];
}

/** A key set to fit the other stacks, and why; the file carries the reason above the section. */
export interface Note {
    readonly section: (typeof TOP_LEVEL_KEYS)[number];
    /** `connector.enabled: false`, as the note prints. */
    readonly setting: string;
    readonly why: string;
}

type Section = Record<string, any>;
/** What --from takes from the other stack's file; azure and cluster come from the command line. */
const COPIED = ["registry", "flux", "connector", "github"] as const;
const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * The new stack file, validated as text, or a UsageError / Refused. Reads `stacksDir`, writes nothing.
 */
export function prepareNewStack(stacksDir: string, r: NewStackRequest): NewStack {
    const stackFile = stackFileName(r.name);
    const nameProblem = stackNameProblem(r.name);
    if (nameProblem) throw new UsageError(nameProblem);
    if (r.from !== undefined && stackNameProblem(r.from)) throw new UsageError(`--from: ${stackNameProblem(r.from)}`);
    if (r.mode !== "aks" && r.resourceGroup === undefined) {
        throw new UsageError(`--resource-group: required with --mode ${r.mode}: the resource group of the existing ${r.mode === "arc" ? "connected" : "AKS"} cluster ${r.cluster}`);
    }
    let names: string[];
    try {
        names = listStacks(stacksDir);
    } catch {
        throw new UsageError(`no stacks folder at ${stacksDir}`);
    }
    if (names.includes(r.name)) throw new UsageError(`${stackFile}: already exists; choose another stack name (nothing is ever overwritten)`);
    const twin = names.find((n) => same(n, r.name));
    if (twin !== undefined) {
        throw new UsageError(
            `${stackFile}: differs only in case from ${stackFileName(twin)}; stack names are case-sensitive, but the file systems of Windows and macOS are not, so choose another name`,
        );
    }
    if (r.from !== undefined && !names.includes(r.from)) {
        throw new UsageError(`--from ${r.from}: no stack file ${stackFileName(r.from)} (stacks: ${names.join(", ") || "none"})`);
    }

    const existing = loadExisting(stacksDir, names);
    const source = r.from === undefined ? undefined : { config: existing.find((c) => c.stack === r.from)!, sections: rawSections(stacksDir, r.from) };
    const notes: Note[] = [];
    const sections = buildSections(r, existing, source, notes);

    let config = validate(r.name, sections, stacksDir);
    // One connector per app repo: a second would start the app's promotion twice per merge, so this
    // stack leaves the dispatch to the connector already sending it (as prod does for dev's).
    const dispatcher = config.connector.enabled ? existing.find((c) => same(dispatchKey(c), dispatchKey(config))) : undefined;
    if (dispatcher !== undefined) {
        sections.connector = { enabled: false };
        notes.push({
            section: "connector",
            setting: "connector.enabled: false",
            why: `stack ${dispatcher.stack}'s connector already dispatches sync-success to ${dispatchKey(dispatcher)}; a second one would start its promotion twice`,
        });
        config = validate(r.name, sections, stacksDir);
    }
    notes.push(...oidcNotes(config, existing));

    const problems = newProblems(existing, config);
    if (problems.length > 0) {
        throw new Refused(`${stackFile} would conflict with the other stacks in ${stacksDir}:\n${problems.map((p) => `  - across stacks: ${p}`).join("\n")}`);
    }
    const secrets = requiredSecrets(config);
    const folders = config.flux.configurations.flatMap((fc) =>
        fc.kustomizations.map((k) => ({ url: fc.url, ref: gitRef(fc), path: k.path, configuration: fc.name, kustomization: k.name })),
    );
    const copied = source === undefined ? [] : COPIED.filter((k) => source.sections[k] !== undefined);
    const text = renderStackFile({ stack: r.name, from: r.from, copied, sections, config, secrets, folders, notes });
    // What is written is what was checked: the rendered text itself goes through the same validation.
    return { stack: r.name, stackFile, text, config: validateText(r.name, text, stacksDir), secrets, folders, notes };
}

/** What a configuration follows, as people say it: `branch master`, `tag v1.2`, `commit 0a1b…`. */
function gitRef(fc: { branch?: string; tag?: string; semver?: string; commit?: string }): string {
    if (fc.commit !== undefined) return `commit ${fc.commit}`;
    if (fc.tag !== undefined) return `tag ${fc.tag}`;
    if (fc.semver !== undefined) return `semver ${fc.semver}`;
    return `branch ${fc.branch}`;
}

/** prepareNewStack, then the file, created only if no file of that name exists by then. */
export function writeNewStack(stacksDir: string, r: NewStackRequest): NewStack {
    const prepared = prepareNewStack(stacksDir, r);
    try {
        writeFileSync(path.join(stacksDir, `Pulumi.${r.name}.yaml`), prepared.text, { flag: "wx" });
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new UsageError(`${prepared.stackFile}: already exists; choose another stack name (nothing is ever overwritten)`);
        throw e;
    }
    return prepared;
}

function loadExisting(stacksDir: string, names: readonly string[]): StackConfig[] {
    try {
        return loadStacks(stacksDir);
    } catch (e) {
        const why = e instanceof ConfigError ? e.message : yamlProblem(stacksDir, names);
        if (why === undefined) throw e;
        throw new Refused(`${why}\nEvery stack file must be valid first: a new stack is checked against all of them.`);
    }
}

/** The first stack file the YAML parser refuses, named without quoting it (the parser's message may). */
function yamlProblem(stacksDir: string, names: readonly string[]): string | undefined {
    for (const n of names) {
        try {
            readStackFile(stacksDir, n);
        } catch (e) {
            const err = e as { name?: string; message?: string };
            if (err?.name === "YAMLParseError" || err?.name === "YAMLError") return `${stackFileName(n)}: not valid YAML: ${String(err.message).split("\n")[0]}`;
        }
    }
    return undefined;
}

/** A stack file's sections as written (no defaults filled in), each decoded as the engine would: see structuredValues. */
function rawSections(stacksDir: string, stack: string): Partial<Record<(typeof TOP_LEVEL_KEYS)[number], Section>> {
    const { values } = readStackFile(stacksDir, stack);
    const out: Partial<Record<(typeof TOP_LEVEL_KEYS)[number], Section>> = {};
    for (const k of TOP_LEVEL_KEYS) {
        const v = values[`${PROJECT}:${k}`];
        // `pulumi new` stores each section as a JSON string (see docs/bootstrapping.md).
        if (v !== undefined) out[k] = structuredClone(typeof v === "string" ? JSON.parse(v) : v) as Section;
    }
    return out;
}

interface Source {
    readonly config: StackConfig;
    readonly sections: Partial<Record<(typeof TOP_LEVEL_KEYS)[number], Section>>;
}

function buildSections(r: NewStackRequest, existing: readonly StackConfig[], source: Source | undefined, notes: Note[]): Record<string, Section> {
    const owners = existing.filter((c): c is OwnerStackConfig => c.kind === "owner");
    const sourceOwner = source?.config.kind === "owner" ? source.config : undefined;

    // azure: where the cluster is. A resource group another stack uses exists already: created by that
    // stack or outside Pulumi, it is never created (and so never deleted) by this one.
    const resourceGroup = r.resourceGroup ?? r.cluster;
    const user = owners.find((c) => same(c.azure.resourceGroup, resourceGroup));
    const creator = owners.find((c) => c.azure.createResourceGroup && same(c.azure.resourceGroup, resourceGroup));
    const azure: Section = { location: r.location ?? sourceOwner?.azure.location ?? DEFAULT_LOCATION, resourceGroup };
    if (r.mode === "aks" && user === undefined) azure.createResourceGroup = true;
    if (r.mode === "aks" && user !== undefined) {
        const why = creator
            ? `stack ${creator.stack} creates resource group ${creator.azure.resourceGroup}, so destroying ${creator.stack} deletes this cluster with it`
            : `stack ${user.stack} uses resource group ${user.azure.resourceGroup}, which exists already`;
        notes.push({ section: "azure", setting: "azure.createResourceGroup: false", why });
    }

    const namespace = r.namespace ?? r.name;
    const cluster: Section = { mode: r.mode, name: r.cluster, appNamespaces: [namespace] };
    if (r.oidcIssuerUrl !== undefined && (r.keyVault === undefined || r.mode !== "arc")) {
        throw new UsageError("--oidc-issuer-url: only with --mode arc and --key-vault (delivery git), where the platform identity trusts the connected cluster's issuer");
    }
    if (r.keyVault !== undefined) {
        // Pull-only: nothing reaches the Kubernetes API, so no kubeconfig; the secrets sync from Key Vault.
        if (r.mode === "aks") cluster.keyVaultSecretsProvider = { enabled: true };
        cluster.delivery = "git";
        cluster.gitDelivery = {
            keyVault: r.keyVault.startsWith("/") ? { resourceId: r.keyVault } : { name: r.keyVault },
            ...(r.oidcIssuerUrl !== undefined ? { oidcIssuerUrl: r.oidcIssuerUrl } : {}),
        };
    } else if (r.mode === "arc") {
        cluster.kubeconfigSecret = "arcKubeconfig";
    }

    const registryName = r.registry ?? source?.sections.registry?.name;
    if (registryName === undefined) throw new UsageError(`--registry: required${r.from ? ` (stack ${r.from} has no registry section)` : " without --from"}: the Azure Container Registry's name`);
    const registry = registryFor(registryName, owners, notes);
    const lifetime = source?.sections.registry?.pullCredentialLifetime;
    if (lifetime !== undefined && r.registry === undefined) registry.pullCredentialLifetime = lifetime;

    const prefix = trimPath(r.path ?? r.cluster);
    const flux = source?.sections.flux ? fluxFrom(source.sections.flux, r, prefix) : freshFlux(r, prefix);
    const gitops = parseGitRepoUrl(String(flux.configurations?.[0]?.url ?? ""));

    let connector: Section;
    if (source?.sections.connector) {
        connector = source.sections.connector;
        if (r.appRepo !== undefined && connector.github?.appRepo !== undefined) connector.github.appRepo = r.appRepo;
    } else {
        // The connector speaks to the Git host the GitOps repo is on; any other host has none.
        connector = gitops?.kind === "github" ? { mode: "GITHUB" } : gitops?.kind === "azdo" ? { mode: "AZDO" } : { enabled: false };
    }

    const github = githubSection(r, source, gitops, connector, existing, prefix, notes);
    return { azure, cluster, registry, flux, connector, ...(github ? { github } : {}) };
}

/** A registry a stack creates is pulled from (mode existing, in its resource group), never created twice. */
function registryFor(name: string, owners: readonly OwnerStackConfig[], notes: Note[]): Section {
    const creator = owners.find((c) => c.registry.mode === "create" && same(c.registry.name, name));
    if (creator !== undefined) {
        notes.push({ section: "registry", setting: "registry.mode: existing", why: `stack ${creator.stack} creates registry ${creator.registry.name}; this stack pulls from it` });
        return { mode: "existing", name: creator.registry.name, resourceGroup: creator.azure.resourceGroup };
    }
    const user = owners.find((c) => c.registry.mode === "existing" && same(c.registry.name, name));
    if (user !== undefined && user.registry.mode === "existing") {
        return { mode: "existing", name: user.registry.name, resourceGroup: user.registry.resourceGroup ?? user.azure.resourceGroup };
    }
    return { mode: "create", name };
}

const trimPath = (p: string) => p.replace(/^\.?\/+/, "").replace(/\/+$/, "");

function authFor(type: AuthType): Section {
    if (type === "https") return { type, username: "git", passwordSecret: GIT_HTTPS_SECRET };
    if (type === "ssh") return { type, privateKeySecret: GIT_SSH_SECRET };
    return { type };
}

function freshFlux(r: NewStackRequest, prefix: string): Section {
    if (r.gitopsRepo === undefined) throw new UsageError(`--gitops-repo: required${r.from ? ` (stack ${r.from} has no flux section)` : " without --from"}: the GitOps repo's https:// or ssh:// URL`);
    return {
        configurations: [
            {
                name: "cluster-config",
                namespace: "flux-system",
                url: r.gitopsRepo,
                branch: r.branch ?? DEFAULT_BRANCH,
                ...(r.auth !== undefined && r.auth !== "none" ? { auth: authFor(r.auth) } : {}),
                kustomizations: [{ name: "cluster-config", path: `${prefix}/${APP.manifestsSubfolder}`, prune: true }],
            },
        ],
    };
}

/**
 * The source's flux section for another cluster: the folder its kustomizations share (the first one of
 * every path: arc-cicd-cluster in arc-cicd-cluster/manifests) becomes this cluster's, and the repo, branch
 * and auth given on the command line replace the source's.
 */
function fluxFrom(flux: Section, r: NewStackRequest, prefix: string): Section {
    const configurations = (flux.configurations ?? []) as Section[];
    const paths = configurations.flatMap((fc, i) => ((fc.kustomizations ?? []) as Section[]).map((k, j) => ({ i, j, path: trimPath(String(k.path ?? "")) })));
    const firsts = new Set(paths.map((p) => p.path.split("/")[0]));
    const odd = paths.find((p) => p.path === "" || firsts.size !== 1);
    if (odd !== undefined) {
        throw new Refused(
            `${PROJECT}:flux.configurations[${odd.i}].kustomizations[${odd.j}].path: the kustomization paths of stack ${r.from} (${paths.map((p) => p.path || '""').join(", ")}) ` +
                `don't all sit in one folder of the GitOps repo, so which folder is that cluster's can't be told. Start without --from, or from another stack`,
        );
    }
    const [old] = firsts;
    for (const fc of configurations) {
        if (r.gitopsRepo !== undefined) fc.url = r.gitopsRepo;
        if (r.branch !== undefined) {
            fc.branch = r.branch;
            delete fc.tag;
            delete fc.semver;
            delete fc.commit;
        }
        if (r.auth !== undefined) fc.auth = authFor(r.auth);
        for (const k of (fc.kustomizations ?? []) as Section[]) k.path = `${prefix}${trimPath(String(k.path)).slice(old.length)}`;
    }
    return flux;
}

function githubSection(
    r: NewStackRequest,
    source: Source | undefined,
    gitops: ReturnType<typeof parseGitRepoUrl>,
    connector: Section,
    existing: readonly StackConfig[],
    prefix: string,
    notes: Note[],
): Section | undefined {
    // A stack copied without a github section stays without one unless --github-owner asks for it; a new
    // one takes the app repo to sit beside the GitOps repo, as the tutorial's two forks do.
    const owner = r.githubOwner ?? (source ? source.sections.github?.owner : gitops?.kind === "github" ? gitops.owner : undefined);
    if (owner === undefined) return undefined;
    const g: Section = source?.sections.github ?? {};
    g.owner = owner;
    // The app repo is named once, in github.appRepo: a connector's own appRepo moves there.
    const connectorRepo = connector.github?.appRepo;
    g.appRepo = r.appRepo ?? g.appRepo ?? connectorRepo ?? APP.appRepo;
    if (connectorRepo !== undefined && connectorRepo === g.appRepo) {
        delete connector.github.appRepo;
        if (Object.keys(connector.github).length === 0) delete connector.github;
    }
    const repo = `${g.owner}/${g.appRepo}`;

    // The repository level has exactly one owner: the stack that already holds it for this app repo, if any.
    const level = existing.find((c) => c.github?.repository !== undefined && same(`${c.github.owner}/${c.github.appRepo}`, repo));
    const localStack = typeof g.repositoryStack === "string" && !g.repositoryStack.includes("/");
    if (level !== undefined) {
        delete g.repository;
        g.repositoryStack = level.stack;
        notes.push({ section: "github", setting: `github.repositoryStack: ${level.stack}`, why: `stack ${level.stack} owns the repository-level secrets, the CI identity and the settings of ${repo}` });
    } else if (g.repositoryStack === undefined || localStack) {
        // No stack here holds it (a repositoryStack in another project is kept): this one takes it.
        delete g.repositoryStack;
        const repository: Section = g.repository ?? {};
        // The copied list named the source's environments, which this stack doesn't own.
        if (repository.ciIdentity) delete repository.ciIdentity.environments;
        if (repository.manifestsFolder !== undefined) repository.manifestsFolder = prefix;
        g.repository = repository;
    }
    // Only the three names are read: the environment's defaults, from the new stack's name.
    const names = { name: r.environment, environmentName: undefined, namespace: r.namespace } as ParsedGitHub["environment"];
    const { name, environmentName, namespace } = resolveEnvironment(names, r.name);
    g.environment = { ...(g.environment ?? {}), name, environmentName, namespace };
    // In the order the shipped stacks and the configuration reference use.
    const order = ["owner", "appRepo", "tokenSecret", "repository", "repositoryStack", "environment", "secretNames"];
    return Object.fromEntries([...order.filter((k) => k in g).map((k) => [k, g[k]]), ...Object.entries(g).filter(([k]) => !order.includes(k))]);
}

/** The key crossStackProblems owns a connector's dispatches under: the GitOps repo's owner and the app repo. */
function dispatchKey(c: StackConfig): string | undefined {
    if (c.kind !== "owner" || !c.connector.enabled || c.connector.mode !== "GITHUB") return undefined;
    const gitops = c.manifests.configuration.repo;
    return gitops?.kind === "github" ? `${gitops.owner}/${c.connector.appRepo}` : undefined;
}

/** With OIDC, only the environments the CI identity's stack lists may log in to Azure. */
function oidcNotes(config: OwnerStackConfig, existing: readonly StackConfig[]): Note[] {
    const level = config.github?.repositoryLevel.short;
    const owner = existing.find((c) => c.stack === level);
    const ci = owner?.github?.repository?.ciIdentity;
    if (ci?.mode !== "oidc" || config.github === undefined || owner === undefined) return [];
    const allowed = ci.environments ?? [owner.github!.environment.name];
    if (allowed.includes(config.github.environment.name)) return [];
    return [{
        section: "github",
        setting: `github.environment.name: ${config.github.environment.name}`,
        why: `stack ${owner.stack}'s CI identity logs in with OIDC: add ${config.github.environment.name} to github.repository.ciIdentity.environments in ${stackFileName(owner.stack)}, or this environment's jobs can't log in to Azure`,
    }];
}

/** Cross-stack problems the new stack brings: those of every stack with it, less those already there without it. */
function newProblems(existing: readonly StackConfig[], config: StackConfig): string[] {
    const before = new Set(crossStackProblems(existing));
    // In file order, as `npm run plan -- --all` will list the stacks once the file exists.
    const all = [...existing, config].sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
    return crossStackProblems(all).filter((p) => !before.has(p));
}

/** Which option sets each key the command line writes, so a problem with one names what to change. */
const OPTION_KEYS: readonly [RegExp, string][] = [
    [/^cluster\.name\b/, "--cluster"],
    [/^(cluster\.appNamespaces|github\.environment\.namespace)\b/, "--namespace"],
    [/^azure\.resourceGroup\b/, "--resource-group"],
    [/^azure\.location\b/, "--location"],
    [/^registry\.name\b/, "--registry"],
    [/^flux\.configurations\[\d+\]\.url\b/, "--gitops-repo"],
    [/^flux\.configurations\[\d+\]\.branch\b/, "--branch"],
    [/^flux\.configurations\[\d+\]\.auth\b/, "--auth"],
    [/^flux\.configurations\[\d+\]\.kustomizations\[\d+\]\.path\b/, "--path"],
    [/^github\.owner\b/, "--github-owner"],
    [/^github\.appRepo\b/, "--app-repo"],
    [/^github\.environment\.name\b/, "--environment"],
    [/^cluster\.(delivery|gitDelivery\.keyVault|keyVaultSecretsProvider)\b/, "--key-vault"],
    [/^cluster\.gitDelivery\.oidcIssuerUrl\b/, "--oidc-issuer-url"],
];

/** A config error in the new file, as a refusal that also names the options setting the keys at fault. */
function invalid(e: ConfigError): Refused {
    const options = new Set<string>();
    for (const p of e.problems) {
        const at = p.startsWith(`${PROJECT}:`) ? p.slice(PROJECT.length + 1) : p;
        for (const [pattern, option] of OPTION_KEYS) if (pattern.test(at)) options.add(option);
    }
    return new Refused(`${e.message}${options.size > 0 ? `\nOn the command line: ${[...options].join(", ")}` : ""}`);
}

/** The sections as the engine would hand them to the program, through parseStackConfig; secrets count as set. */
function validate(stack: string, sections: Record<string, Section>, stacksDir: string): OwnerStackConfig {
    return validateText(stack, YAML.stringify({ config: Object.fromEntries(Object.entries(sections).map(([k, v]) => [`${PROJECT}:${k}`, v])) }), stacksDir);
}

function validateText(stack: string, text: string, stacksDir: string): OwnerStackConfig {
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries((YAML.parse(text)?.config ?? {}) as Record<string, unknown>)) values[k.includes(":") ? k : `${PROJECT}:${k}`] = v;
    let config: StackConfig;
    try {
        config = parseStackConfig(stack, engineConfig(values), () => "secret", () => "organization", ownerNamespacesFrom(stacksDir));
    } catch (e) {
        throw e instanceof ConfigError ? invalid(e) : e;
    }
    if (config.kind !== "owner") throw new Error(`unreachable: ${stackFileName(stack)} was written with cluster.mode ${String(values[`${PROJECT}:cluster`])}`);
    return config;
}
