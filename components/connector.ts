// The GitOps Connector (Azure/gitops-connector): receives Flux events and turns them into commit
// statuses on the GitOps repo and a `repository_dispatch` (sync-success) on the app repo.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { urlUserinfoProblem } from "./credentials.ts";
import { EXTENSION_NAMESPACE } from "./flux.ts";
import { forwardedDependsOn, kubernetesProviderProblems } from "./options.ts";
import { refuseInvalidArgs, type Problem } from "./problems.ts";

/** Chart 1.2.1 names its Service `gitops-connector` whatever the release is called. */
export const CONNECTOR_SERVICE = "gitops-connector";
/** The chart's name in its Helm repository. */
export const CONNECTOR_CHART = "gitops-connector";
/** The image hard-codes gunicorn on 8080; the chart's containerPort must not change. */
export const CONNECTOR_PORT = 8080;

/** gitRepositoryType and ciCdOrchestratorType; the connector can't mix the two (Azure/gitops-connector#43). */
export const CONNECTOR_MODES = ["GITHUB", "AZDO"] as const;

export type ConnectorTarget =
    | {
          /** GitHub: statuses on the GitOps repo, `repository_dispatch` to the app repo. */
          readonly mode: "GITHUB";
          readonly owner: string;
          /** The repo whose workflows receive `sync-success` (the chart's gitHubGitOpsRepoName). */
          readonly appRepo: string;
          /** The repo Flux syncs (the chart's gitHubGitOpsManifestsRepoName). */
          readonly gitopsRepo: string;
      }
    | {
          /** Azure DevOps: statuses and PR completion on Azure Repos. */
          readonly mode: "AZDO";
          readonly organization: string;
          readonly project: string;
          readonly gitopsRepo: string;
          readonly prRepo?: string;
      };

/** Defaults the component applies, shared with the stack config schema. */
export const CONNECTOR_DEFAULTS = {
    /**
     * A namespace of its own: the connector image logs request headers, its PAT included, at DEBUG, so
     * who may read its pods' logs must be decided for this namespace alone. The notification Provider
     * reaches it by its fully qualified address from any namespace.
     */
    namespace: "gitops-connector",
    chartVersion: "1.2.1",
    chartRepo: "https://azure.github.io/gitops-connector/",
} as const;

/**
 * Who may read the connector's pod logs, which carry its PAT: Kubernetes user and group names as the
 * cluster's authentication reports them (on AKS with Entra ID, groups by object ID, users by UPN).
 */
export interface LogReaders {
    readonly users?: readonly string[];
    readonly groups?: readonly string[];
}

export interface GitOpsConnectorArgs {
    /**
     * Release namespace, which the component creates and owns. Default `gitops-connector`; it must not be
     * a namespace Flux or anything else shares, since everyone with pod-log access there can read the PAT.
     */
    readonly namespace?: string;
    readonly target: ConnectorTarget;
    /** The orchestrator PAT, as a secret. Required: the chart ships a non-empty default token. */
    readonly pat: pulumi.Input<string>;
    /** Default `1.2.1`, the newest published chart. */
    readonly chartVersion?: string;
    /** Default `https://azure.github.io/gitops-connector/`; never with credentials in it. */
    readonly chartRepo?: string;
    /** Extra event subscribers, name -> URL. The URLs are webhook credentials, so they are kept secret. */
    readonly subscribers?: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * Who gets `get` on the namespace's pods and `pods/log` through a Role the component creates. Nobody
     * by default; cluster-wide roles (cluster-admin, view/edit/admin bound cluster-wide) still apply.
     */
    readonly logReaders?: LogReaders;
}

/** The Role that lets the named readers, and only them through this namespace, read the connector's logs. */
export const LOG_READER_ROLE = "gitops-connector-log-reader";
/** What that Role allows: the pods and their logs, read only. */
export const LOG_READER_RULES = [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] }];

/** The RoleBinding's subjects for `logReaders`: users, then groups. */
export function logReaderSubjects(r: LogReaders | undefined): { kind: "User" | "Group"; name: string; apiGroup: string }[] {
    return [
        ...(r?.users ?? []).map((n) => ({ kind: "User" as const, name: n, apiGroup: "rbac.authorization.k8s.io" })),
        ...(r?.groups ?? []).map((n) => ({ kind: "Group" as const, name: n, apiGroup: "rbac.authorization.k8s.io" })),
    ];
}

/** The connector's in-cluster address, as the Flux notification Provider must call it. */
export function connectorAddress(namespace: string = CONNECTOR_DEFAULTS.namespace): string {
    // Fully qualified: the notification-controller resolves it from flux-system, not from the
    // Provider's namespace, and the connector lives in a namespace of its own.
    return `http://${CONNECTOR_SERVICE}.${namespace}.svc.cluster.local:${CONNECTOR_PORT}/gitopsphase`;
}

/** The chart values (flat 1.2.1 layout) derived from the repos; everything but the PAT. */
export function connectorValues(target: ConnectorTarget, subscribers: Readonly<Record<string, string>> = {}): Record<string, unknown> {
    const common = { gitOpsOperatorType: "FLUX", ...(Object.keys(subscribers).length > 0 ? { subscribers: { ...subscribers } } : {}) };
    if (target.mode === "GITHUB") {
        return {
            gitRepositoryType: "GITHUB",
            ciCdOrchestratorType: "GITHUB",
            ...common,
            // The chart names are confusing: "GitOpsRepo" is the app repo that receives the dispatch.
            gitHubGitOpsRepoName: target.appRepo,
            gitHubGitOpsManifestsRepoName: target.gitopsRepo,
            gitHubOrgUrl: `https://api.github.com/repos/${target.owner}`,
            gitOpsAppURL: `https://github.com/${target.owner}/${target.gitopsRepo}/commit`,
        };
    }
    const orgUrl = `https://dev.azure.com/${target.organization}/${target.project}`;
    return {
        gitRepositoryType: "AZDO",
        ciCdOrchestratorType: "AZDO",
        ...common,
        azdoGitOpsRepoName: target.gitopsRepo,
        azdoOrgUrl: orgUrl,
        ...(target.prRepo !== undefined ? { azdoPrRepoName: target.prRepo } : {}),
        gitOpsAppURL: `${orgUrl}/_git/${target.gitopsRepo}`,
    };
}

/** The PAT as the connector gets it; an empty one would leave the connector failing every call. */
export function checkedPat(connector: string, pat: string): string {
    if (pat.trim() === "") throw new Error(`GitOps Connector ${connector}: the orchestrator PAT is empty`);
    return pat;
}

/** The Secret chart 1.2.1's Deployment reads the PAT from (key `PAT`); the name is fixed in the chart. */
export const CONNECTOR_PAT_SECRET = "gitops-connector-secret";

/** Namespaces that exist on every AKS or Arc cluster for the platform itself. */
function isSystemNamespace(ns: string): boolean {
    return ns === "default" || ns === "gatekeeper-system" || /^(kube|azure)-/.test(ns);
}

/** Why the connector's arguments would fail, by argument. */
export function connectorProblems(args: Pick<GitOpsConnectorArgs, "chartRepo" | "chartVersion" | "namespace">): Problem[] {
    const problems: Problem[] = [];
    if (args.chartRepo !== undefined && urlUserinfoProblem(args.chartRepo) !== undefined) {
        problems.push({ path: ["chartRepo"], message: "the chart repository URL must not carry credentials (value not shown)" });
    }
    if (args.chartVersion !== undefined && !/^1\.2\.\d+$/.test(args.chartVersion)) {
        problems.push({ path: ["chartVersion"], message: "expected a 1.2.x chart version (the published flat values layout)" });
    }
    if (args.namespace === EXTENSION_NAMESPACE) {
        problems.push({ path: ["namespace"], message: "the connector needs a namespace of its own (its logs carry the PAT); flux-system is the extension's" });
    } else if (args.namespace !== undefined && isSystemNamespace(args.namespace)) {
        // The component owns its namespace: destroying it would delete a namespace the cluster needs.
        problems.push({ path: ["namespace"], message: "a system namespace (default, kube-*, azure-*, gatekeeper-system) can't be the connector's own; destroying the connector would delete it" });
    }
    return problems;
}

/**
 * The release's values. Chart 1.2.1 renders subscribers into its ConfigMap
 * `gitops-connector-subscribers-config`, mounted at /subscribers, so they can only go through values; as
 * webhook URLs are credentials, the values are then a secret as a whole (and show as such in preview).
 * Without subscribers they stay plain and reviewable.
 */
function releaseValues(target: ConnectorTarget, subscribers: Readonly<Record<string, pulumi.Input<string>>>): pulumi.Input<Record<string, unknown>> {
    // Empty, never unset: chart 1.2.1's values.yaml carries a leaked non-empty default token, and an
    // empty value stops the chart rendering its own Secret over ours.
    const plain = { ...connectorValues(target), orchestratorPAT: "" };
    if (Object.keys(subscribers).length === 0) return plain;
    return pulumi.secret(
        pulumi.all(subscribers).apply((urls) => ({ ...connectorValues(target, urls as Record<string, string>), orchestratorPAT: "" })),
    );
}

/**
 * The connector's namespace, PAT Secret and Helm release. Every child is a Kubernetes object: pass the
 * cluster's provider in the options (`provider` or `providers`), and what must exist first in `dependsOn`.
 * The options' `deletedWith` (e.g. Cluster.deletedWith) goes to every child: on a cluster the stack
 * deletes, they go with it instead of being deleted one by one through its API server.
 */
export class GitOpsConnector extends pulumi.ComponentResource {
    /** The connector's own namespace. */
    public readonly namespace: k8s.core.v1.Namespace;
    /** Holds the orchestrator PAT; the chart only reads it. */
    public readonly patSecret: k8s.core.v1.Secret;
    public readonly release: k8s.helm.v3.Release;
    /** The Role and RoleBinding for `logReaders`, when there are any. */
    public readonly logReaderBinding: k8s.rbac.v1.RoleBinding | undefined;
    /** Where the Flux Provider sends events. */
    public readonly address: string;

    constructor(name: string, args: GitOpsConnectorArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs("GitOps Connector", name, [...connectorProblems(args), ...kubernetesProviderProblems(opts)]);
        super("gitops:connector:GitOpsConnector", name, {}, opts);
        const namespace = args.namespace ?? CONNECTOR_DEFAULTS.namespace;
        // No provider of their own: children inherit the one the options give for the kubernetes package.
        // The SDK doesn't pass deletedWith on to children, so each gets it here.
        const k8sOpts = { parent: this, deletedWith: opts?.deletedWith };

        this.address = connectorAddress(namespace);
        // Owned by this component, so it needs nothing but the cluster: the release installs while the
        // Flux extension is still being created, and listens before Flux first syncs.
        this.namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: namespace, labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "gitops-connector" } } },
            { ...k8sOpts, dependsOn: forwardedDependsOn(opts) },
        );
        // The PAT goes into the chart's Secret directly rather than through Helm values: a secret
        // value would make Pulumi hide every chart value in preview, and Helm would store the PAT in
        // its release record.
        this.patSecret = new k8s.core.v1.Secret(
            `${name}-pat`,
            {
                metadata: { name: CONNECTOR_PAT_SECRET, namespace: this.namespace.metadata.name },
                type: "Opaque",
                stringData: { PAT: pulumi.secret(pulumi.output(args.pat).apply((pat) => checkedPat(name, pat))) },
            },
            k8sOpts,
        );
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                // The chart's resource names are fixed, so one release per namespace; the name matches
                // the tutorial's `helm upgrade -i gitops-connector`.
                name: CONNECTOR_SERVICE,
                chart: CONNECTOR_CHART,
                version: args.chartVersion ?? CONNECTOR_DEFAULTS.chartVersion,
                repositoryOpts: { repo: args.chartRepo ?? CONNECTOR_DEFAULTS.chartRepo },
                namespace: this.namespace.metadata.name,
                createNamespace: false,
                values: releaseValues(args.target, args.subscribers ?? {}),
            },
            // The Deployment mounts the PAT Secret; without it the pod can't start and the release times out.
            { ...k8sOpts, dependsOn: [this.patSecret] },
        );

        const readers = logReaderSubjects(args.logReaders);
        if (readers.length > 0) {
            const role = new k8s.rbac.v1.Role(
                `${name}-log-reader`,
                {
                    metadata: { name: LOG_READER_ROLE, namespace: this.namespace.metadata.name },
                    rules: LOG_READER_RULES,
                },
                k8sOpts,
            );
            this.logReaderBinding = new k8s.rbac.v1.RoleBinding(
                `${name}-log-readers`,
                {
                    metadata: { name: LOG_READER_ROLE, namespace: this.namespace.metadata.name },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: LOG_READER_ROLE },
                    subjects: readers,
                },
                { ...k8sOpts, dependsOn: [role] },
            );
        } else {
            this.logReaderBinding = undefined;
        }

        this.registerOutputs({ namespace: namespace, patSecret: this.patSecret, release: this.release, address: this.address });
    }
}
