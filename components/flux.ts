// The microsoft.flux cluster extension and any number of Flux configurations on one cluster.
import * as pulumi from "@pulumi/pulumi";
import * as kc from "@pulumi/azure-native/kubernetesconfiguration";
import type * as azinputs from "@pulumi/azure-native/types/input";
import { urlUserinfoProblem } from "./credentials.ts";
import { forwardedDependsOn } from "./options.ts";

/** The extension rejects `<configuration>-<kustomization>` names longer than this (az CLI check). */
export const MAX_KUSTOMIZATION_OBJECT_NAME = 62;

/** The name the extension gives the Flux Kustomization object for a kustomization of a configuration. */
export function kustomizationObjectName(configuration: string, kustomization: string): string {
    return `${configuration}-${kustomization}`;
}

/**
 * GitHub's published SSH host keys (docs.github.com, "GitHub's SSH key fingerprints"), pinned so that
 * Flux never trusts a host key on first use. A test checks them against GitHub's published SHA256
 * fingerprints.
 */
export const GITHUB_KNOWN_HOSTS: readonly string[] = [
    "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    "github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=",
    "github.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk=",
];

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

export interface FluxExtensionArgs {
    /** Extension resource name. Default `flux`, as the CLI and portal name it. */
    readonly name?: string;
    /** Pinned version; when set, minor auto-upgrade is off. */
    readonly version?: string;
    /** Release train when auto-upgrading. Default `Stable`. */
    readonly releaseTrain?: "Stable" | "Preview";
    readonly controllers: FluxControllers;
    /** `multiTenancy.enforce`. Default true, as in the extension. */
    readonly multiTenancy?: boolean;
    /** Further configurationSettings, passed through verbatim. */
    readonly settings?: Readonly<Record<string, string>>;
}

export type GitAuth =
    | { readonly type: "none" }
    /** `password` is the PAT or password in clear; the component base64-encodes it as ARM expects. */
    | { readonly type: "https"; readonly username: string; readonly password: pulumi.Input<string> }
    /** `privateKey` is the PEM key in clear; `knownHosts` are known_hosts lines to pin. */
    | { readonly type: "ssh"; readonly privateKey: pulumi.Input<string>; readonly knownHosts: readonly string[] };

/** The namespace the extension installs Flux into, which exists as soon as the extension does. */
export const EXTENSION_NAMESPACE = "flux-system";

/** Defaults for Flux configurations and kustomizations, shared with the stack config schema. */
export const FLUX_DEFAULTS = {
    namespace: EXTENSION_NAMESPACE,
    scope: "cluster",
    intervalInSeconds: 600,
    timeoutInSeconds: 600,
    waitForReconciliation: true,
    reconciliationWaitDuration: "PT10M",
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
        readonly substituteFrom?: readonly { readonly kind: "ConfigMap" | "Secret"; readonly name: string; readonly optional?: boolean }[];
    };
}

export interface FluxConfigurationArgs {
    /** The configuration name; also the name of its GitRepository. */
    readonly name: string;
    /** Namespace of the Flux objects. Default `flux-system`. Create-only in ARM. */
    readonly namespace?: string;
    /** Default `cluster`. Create-only in ARM. */
    readonly scope?: "cluster" | "namespace";
    /** `https://` or `ssh://` Git URL, without credentials. */
    readonly url: string;
    /** One of branch, tag, semver or commit is required; a commit also needs its branch. */
    readonly branch?: string;
    readonly tag?: string;
    readonly semver?: string;
    readonly commit?: string;
    /** Default: a public repository. */
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
export interface FluxProblem {
    readonly path: readonly (string | number)[];
    readonly message: string;
}

/**
 * The longest interval Flux can hold: its durations are Go `time.Duration`s, int64 nanoseconds, so
 * anything above (2^63 - 1) ns overflows when the extension turns seconds into a Flux object.
 */
export const MAX_FLUX_DURATION_SECONDS = 9_223_372_036;

export function gitHost(url: string): string {
    return new URL(url).hostname;
}

export type GitRepo =
    | { readonly kind: "github"; readonly owner: string; readonly repo: string }
    | { readonly kind: "azdo"; readonly organization: string; readonly project: string; readonly repo: string };

/**
 * Recognises github.com (https or ssh) and Azure Repos (https://dev.azure.com/<org>/<project>/_git/<repo>
 * or ssh://git@ssh.dev.azure.com/v3/<org>/<project>/<repo>) URLs; undefined for any other host.
 */
export function parseGitRepoUrl(url: string): GitRepo | undefined {
    let u: URL;
    try {
        u = new URL(url);
    } catch {
        return undefined;
    }
    const parts = u.pathname.replace(/\.git$/, "").split("/").filter((p) => p !== "");
    if (u.hostname === "github.com" && parts.length === 2) {
        return { kind: "github", owner: parts[0], repo: parts[1] };
    }
    if (u.hostname === "dev.azure.com" && parts.length === 4 && parts[2] === "_git") {
        return { kind: "azdo", organization: parts[0], project: parts[1], repo: parts[3] };
    }
    if (u.hostname === "ssh.dev.azure.com" && parts.length === 4 && parts[0] === "v3") {
        return { kind: "azdo", organization: parts[1], project: parts[2], repo: parts[3] };
    }
    return undefined;
}

/**
 * What is wrong with a Git URL, or undefined. Besides the scheme and credentials, the two hosts whose
 * layout is known must name a repository: github.com/<owner>/<repo>, and Azure Repos'
 * <org>/<project>/_git/<repo> (https) or v3/<org>/<project>/<repo> (ssh). Any other host needs a path.
 */
export function gitUrlProblem(url: string): string | undefined {
    if (!/^(https|ssh):\/\/[^\s]+$/.test(url)) return "expected an https:// or ssh:// Git URL";
    const userinfo = urlUserinfoProblem(url);
    if (userinfo !== undefined) return `the URL ${userinfo}`;
    let u: URL;
    try {
        u = new URL(url);
    } catch {
        return "expected an https:// or ssh:// Git URL";
    }
    // A query or fragment is where a token (?access_token=) would hide; Git remotes need neither.
    if (u.search !== "" || u.hash !== "") return "expected a Git URL without a query (?…) or fragment (#…); credentials belong in auth";
    if (u.hostname === "www.github.com") return "expected github.com, not www.github.com";
    const path = u.pathname.replace(/\.git$/, "").replace(/\/+$/, "");
    if (u.hostname === "github.com" && parseGitRepoUrl(url) === undefined) {
        return "expected a github.com repository URL with owner and repo, such as https://github.com/<owner>/<repo> or ssh://git@github.com/<owner>/<repo>";
    }
    if (u.hostname === "dev.azure.com" && parseGitRepoUrl(url) === undefined) {
        return "expected an Azure Repos URL such as https://dev.azure.com/<org>/<project>/_git/<repo>";
    }
    if (u.hostname === "ssh.dev.azure.com" && parseGitRepoUrl(url) === undefined) {
        return "expected an Azure Repos SSH URL such as ssh://git@ssh.dev.azure.com/v3/<org>/<project>/<repo>";
    }
    if (path === "") return "expected the repository's path after the host";
    return undefined;
}

/**
 * The host key types Flux's source-controller verifies a Git server with. Its known_hosts parser
 * (fluxcd/pkg ssh/knownhosts, a copy of golang.org/x/crypto's) takes any key x/crypto parses, and since
 * Flux 2.6.2 the client offers exactly the key types the file lists. DSA is left out: x/crypto keeps
 * `ssh-dss` only as an insecure algorithm and OpenSSH servers no longer offer it.
 */
export const KNOWN_HOST_KEY_TYPES: readonly string[] = [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

const looksLikeKeyType = (f: string | undefined) => f !== undefined && (KNOWN_HOST_KEY_TYPES.includes(f) || /^(ssh-dss|ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9]+)(@openssh\.com)?$/.test(f));

/**
 * Why a known_hosts line would not verify the Git server, or undefined. A line is
 * `<hosts> <key type> <base64 key> [comment]`: a bare public key (no host field) makes Flux fail the whole
 * file, and a key whose base64 doesn't decode to the SSH wire format of its own type is a paste error.
 */
export function knownHostsLineProblem(line: string): string | undefined {
    const all = line.trim().split(/\s+/);
    if (all[0] === "@cert-authority") {
        return "@cert-authority lines don't verify: since Flux 2.6.2 the client offers only the key types listed, never certificate algorithms; pin the host's own keys";
    }
    // Flux honours @revoked (a key to refuse); any other marker is a typo. Messages never quote a field:
    // a pasted secret must not be repeated.
    if (all[0]?.startsWith("@") && all[0] !== "@revoked") return "unknown marker; known_hosts lines may start with @revoked only";
    const fields = all[0] === "@revoked" ? all.slice(1) : all;
    if (looksLikeKeyType(fields[0])) {
        return "a bare public key: expected a known_hosts line, '<host> <key type> <base64 key>' (as ssh-keyscan <host> prints it)";
    }
    if (fields.length < 3) return "expected a known_hosts line, '<host> <key type> <base64 key>'";
    const [, type, key] = fields;
    if (type === "ssh-dss") return "ssh-dss (DSA) host keys don't verify with current servers and clients; pin the host's ed25519, ECDSA or RSA key";
    if (!KNOWN_HOST_KEY_TYPES.includes(type)) return `unknown key type; expected one of ${KNOWN_HOST_KEY_TYPES.join(", ")}`;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return "the key is not base64";
    const blob = Buffer.from(key, "base64");
    const length = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
    if (length < 0 || 4 + length > blob.length || blob.subarray(4, 4 + length).toString("latin1") !== type) {
        return `the key doesn't decode to an ${type} public key`;
    }
    if (fields.slice(3).some(looksLikeKeyType)) {
        return "more than one key on a line: Flux reads only the first and takes the rest as a comment; put each key on its own line";
    }
    return undefined;
}

/** Problems of a known_hosts list, by line index: each line's own, and a host's second key of one type. */
export function knownHostsProblems(lines: readonly string[]): { index: number; message: string }[] {
    const problems: { index: number; message: string }[] = [];
    const seen = new Set<string>();
    lines.forEach((line, index) => {
        const problem = knownHostsLineProblem(line);
        if (problem !== undefined) {
            problems.push({ index, message: problem });
            return;
        }
        const [hosts, type] = line.trim().split(/\s+/).filter((f, i) => !(i === 0 && f === "@revoked"));
        if (line.trim().startsWith("@revoked")) return;
        if (seen.has(`${hosts} ${type}`)) {
            problems.push({ index, message: `a second ${type} key for ${hosts}: Flux keeps only the first key of each type per host` });
        }
        seen.add(`${hosts} ${type}`);
    });
    return problems;
}

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

type DurationFields = "syncIntervalInSeconds" | "timeoutInSeconds" | "retryIntervalInSeconds";

function durationProblems(o: Partial<Record<DurationFields, number>>, at: readonly (string | number)[]): FluxProblem[] {
    const problems: FluxProblem[] = [];
    for (const f of ["syncIntervalInSeconds", "timeoutInSeconds", "retryIntervalInSeconds"] as const) {
        const v = o[f];
        if (v === undefined) continue;
        if (!Number.isSafeInteger(v) || v < 1 || v > MAX_FLUX_DURATION_SECONDS) {
            problems.push({ path: [...at, f], message: `expected whole seconds from 1 to ${MAX_FLUX_DURATION_SECONDS} (Flux's longest duration), got ${v}` });
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
        "name" | "url" | "branch" | "tag" | "semver" | "commit" | "kustomizations" | "syncIntervalInSeconds" | "timeoutInSeconds" | "reconciliationWaitDuration"
    > & { readonly auth?: { readonly type: string; readonly knownHosts?: readonly string[] } },
): FluxProblem[] {
    const problems: FluxProblem[] = [];
    const urlProblem = gitUrlProblem(fc.url);
    if (urlProblem !== undefined) problems.push({ path: ["url"], message: urlProblem });
    const refs = [fc.branch, fc.tag, fc.semver, fc.commit].filter((r) => r !== undefined);
    if (refs.length === 0) problems.push({ path: ["branch"], message: "expected one of branch, tag, semver or commit" });
    if (fc.commit !== undefined && fc.branch === undefined) {
        problems.push({ path: ["commit"], message: "ARM requires a commit to be combined with its branch; set branch too" });
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
}

/** The Flux objects the extension creates in the cluster for one configuration. */
export interface FluxObjects {
    readonly namespace: string;
    readonly gitRepository: string;
    readonly kustomizations: readonly string[];
}

export function fluxObjects(fc: Pick<FluxConfigurationArgs, "name" | "namespace" | "kustomizations">): FluxObjects {
    return {
        namespace: fc.namespace ?? FLUX_DEFAULTS.namespace,
        gitRepository: fc.name,
        kustomizations: fc.kustomizations.map((k) => kustomizationObjectName(fc.name, k.name)),
    };
}

/** The extension's configurationSettings: controller toggles and multi-tenancy, then free-form settings. */
export function extensionSettings(ext: FluxExtensionArgs): Record<string, string> {
    const c = ext.controllers;
    return {
        "source-controller.enabled": String(c.source),
        "kustomize-controller.enabled": String(c.kustomize),
        "helm-controller.enabled": String(c.helm),
        "notification-controller.enabled": String(c.notification),
        "image-automation-controller.enabled": String(c.imageAutomation),
        "image-reflector-controller.enabled": String(c.imageReflector),
        "multiTenancy.enforce": String(ext.multiTenancy ?? true),
        ...ext.settings,
    };
}

const base64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/**
 * configurationProtectedSettings for the Git credentials. ARM expects each value base64-encoded (the az
 * CLI's to_base64), and azure-native doesn't mark the map secret, so it is wrapped here.
 */
export function protectedSettings(auth: GitAuth): pulumi.Output<Record<string, string>> | undefined {
    switch (auth.type) {
        case "none":
            return undefined;
        case "https":
            return pulumi.secret(pulumi.output(auth.password).apply((p): Record<string, string> => ({ httpsKey: base64(p) })));
        case "ssh":
            return pulumi.secret(pulumi.output(auth.privateKey).apply((k): Record<string, string> => ({ sshPrivateKey: base64(k) })));
    }
}

/** `sshKnownHosts` as ARM expects it: the known_hosts file, base64-encoded. */
export function knownHostsValue(lines: readonly string[]): string {
    return base64(lines.join("\n") + "\n");
}

function kustomizationsValue(fc: FluxConfigurationArgs): Record<string, azinputs.kubernetesconfiguration.KustomizationDefinitionArgs> {
    return Object.fromEntries(
        fc.kustomizations.map((k) => [
            k.name,
            {
                path: k.path ?? "",
                dependsOn: [...(k.dependsOn ?? [])],
                prune: k.prune ?? FLUX_DEFAULTS.prune,
                force: k.force ?? FLUX_DEFAULTS.force,
                wait: k.wait ?? FLUX_DEFAULTS.wait,
                syncIntervalInSeconds: k.syncIntervalInSeconds ?? FLUX_DEFAULTS.intervalInSeconds,
                timeoutInSeconds: k.timeoutInSeconds ?? FLUX_DEFAULTS.timeoutInSeconds,
                retryIntervalInSeconds: k.retryIntervalInSeconds,
                postBuild: k.postBuild && {
                    substitute: { ...(k.postBuild.substitute ?? {}) },
                    substituteFrom: (k.postBuild.substituteFrom ?? []).map((s) => ({ kind: s.kind, name: s.name, optional: s.optional ?? false })),
                },
            },
        ]),
    );
}

export class Flux extends pulumi.ComponentResource {
    public readonly extension: kc.Extension;
    /** The extension's resource name on the cluster. */
    public readonly extensionName: string;
    /** Keyed by Flux configuration name. */
    public readonly configurations: Readonly<Record<string, kc.FluxConfiguration>>;
    /** The in-cluster objects each configuration creates, keyed by configuration name. */
    public readonly objects: Readonly<Record<string, FluxObjects>>;

    constructor(name: string, args: FluxArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before super(): invalid arguments must not register even the component.
        const problems = args.configurations.flatMap((fc) =>
            fluxConfigurationProblems(fc).map((p) => `configuration '${fc.name}' ${p.path.join(".")}: ${p.message}`),
        );
        const names = args.configurations.map((fc) => fc.name);
        names.forEach((n, i) => {
            if (names.indexOf(n) !== i) problems.push(`configuration '${n}': duplicate Flux configuration name`);
        });
        if (problems.length > 0) throw new Error(`Flux ${name}:\n  - ${problems.join("\n  - ")}`);
        super("gitops:flux:Flux", name, {}, opts);

        const target = args.cluster;
        const ext = args.extension;
        const isArc = target.clusterRp === "Microsoft.Kubernetes";
        this.extensionName = ext.name ?? "flux";

        // Created explicitly: the first fluxConfiguration would otherwise auto-install an extension
        // named `flux`, which this resource would then collide with.
        this.extension = new kc.Extension(
            `${name}-extension`,
            {
                resourceGroupName: target.resourceGroupName,
                clusterName: target.clusterName,
                clusterRp: target.clusterRp,
                clusterResourceName: target.clusterResourceName,
                extensionName: this.extensionName,
                extensionType: "microsoft.flux",
                // ARM accepts `version` only with minor auto-upgrade off. The train is always sent (the
                // SDK would default it to Stable anyway); with a pinned version it only names the channel.
                autoUpgradeMinorVersion: ext.version === undefined,
                version: ext.version,
                releaseTrain: ext.releaseTrain ?? "Stable",
                // The extension only installs cluster-wide, into flux-system.
                scope: { cluster: { releaseNamespace: EXTENSION_NAMESPACE } },
                configurationSettings: extensionSettings(ext),
                // Arc extensions need a system-assigned identity (the az CLI sends one); AKS ones take none.
                identity: isArc ? { type: "SystemAssigned" } : undefined,
            },
            { parent: this },
        );

        const configurations: Record<string, kc.FluxConfiguration> = {};
        const objects: Record<string, FluxObjects> = {};
        const before = args.beforeConfigurations?.(this.extension) ?? [];
        let previous: kc.FluxConfiguration | undefined;
        for (const fc of args.configurations) {
            const auth = fc.auth ?? { type: "none" };
            const wait = fc.waitForReconciliation ?? FLUX_DEFAULTS.waitForReconciliation;
            const configuration: kc.FluxConfiguration = new kc.FluxConfiguration(
                `${name}-${fc.name}`,
                {
                    resourceGroupName: target.resourceGroupName,
                    clusterName: target.clusterName,
                    clusterRp: target.clusterRp,
                    clusterResourceName: target.clusterResourceName,
                    fluxConfigurationName: fc.name,
                    namespace: fc.namespace ?? FLUX_DEFAULTS.namespace,
                    scope: fc.scope ?? FLUX_DEFAULTS.scope,
                    sourceKind: "GitRepository",
                    suspend: fc.suspend ?? false,
                    gitRepository: {
                        url: fc.url,
                        repositoryRef: { branch: fc.branch, tag: fc.tag, semver: fc.semver, commit: fc.commit },
                        httpsUser: auth.type === "https" ? auth.username : undefined,
                        sshKnownHosts: auth.type === "ssh" ? knownHostsValue(auth.knownHosts) : undefined,
                        syncIntervalInSeconds: fc.syncIntervalInSeconds ?? FLUX_DEFAULTS.intervalInSeconds,
                        timeoutInSeconds: fc.timeoutInSeconds ?? FLUX_DEFAULTS.timeoutInSeconds,
                    },
                    kustomizations: kustomizationsValue(fc),
                    configurationProtectedSettings: protectedSettings(auth),
                    waitForReconciliation: wait,
                    reconciliationWaitDuration: wait ? (fc.reconciliationWaitDuration ?? FLUX_DEFAULTS.reconciliationWaitDuration) : undefined,
                },
                {
                    parent: this,
                    // The extension installs the Flux CRDs and controllers. Configurations are applied one
                    // after another: concurrent operations on one cluster's extension layer fail with
                    // "another operation is in progress" (Azure/AKS-Construction#385). The caller's
                    // dependsOn (e.g. a deploy key the source needs) applies to each.
                    dependsOn: forwardedDependsOn(opts, this.extension, ...before, ...(previous ? [previous] : [])),
                },
            );
            configurations[fc.name] = configuration;
            objects[fc.name] = fluxObjects(fc);
            previous = configuration;
        }
        this.configurations = configurations;
        this.objects = objects;

        this.registerOutputs({
            extension: this.extension,
            configurations: this.configurations,
            objects: this.objects,
        });
    }
}
