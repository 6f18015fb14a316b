// The GitOps Connector (Azure/gitops-connector): receives Flux events and turns them into commit
// statuses on the GitOps repo and a `repository_dispatch` (sync-success) on the app repo.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { forwardedDependsOn } from "./options.ts";

/** Chart 1.2.1 names its Service `gitops-connector` whatever the release is called. */
export const CONNECTOR_SERVICE = "gitops-connector";
/** The image hard-codes gunicorn on 8080; the chart's containerPort must not change. */
export const CONNECTOR_PORT = 8080;

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

export interface GitOpsConnectorArgs {
    /** Release namespace: the Flux configuration's, next to the objects that emit the events. */
    readonly namespace: string;
    readonly target: ConnectorTarget;
    /** The orchestrator PAT, as a secret. Required: the chart ships a non-empty default token. */
    readonly pat: pulumi.Input<string>;
    readonly provider: k8s.Provider;
    /** Default `1.2.1`, the newest published chart. */
    readonly chartVersion?: string;
    /** Default `https://azure.github.io/gitops-connector/`. */
    readonly chartRepo?: string;
    /** Extra event subscribers, name -> URL. */
    readonly subscribers?: Readonly<Record<string, string>>;
}

/** The connector's in-cluster address, as the Flux notification Provider must call it. */
export function connectorAddress(namespace: string): string {
    // Fully qualified: the notification-controller resolves it from flux-system, not from the
    // Provider's namespace, so the short name only works when both happen to be flux-system.
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

export class GitOpsConnector extends pulumi.ComponentResource {
    /** Holds the orchestrator PAT; the chart only reads it. */
    public readonly patSecret: k8s.core.v1.Secret;
    public readonly release: k8s.helm.v3.Release;
    /** Where the Flux Provider sends events. */
    public readonly address: string;

    constructor(name: string, args: GitOpsConnectorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:connector:GitOpsConnector", name, {}, opts);

        this.address = connectorAddress(args.namespace);
        // The PAT goes into the chart's Secret directly rather than through Helm values: a secret
        // value would make Pulumi hide every chart value in preview, and Helm would store the PAT in
        // its release record. The caller's dependsOn (the Flux configuration that creates the
        // namespace) orders it.
        this.patSecret = new k8s.core.v1.Secret(
            `${name}-pat`,
            {
                metadata: { name: CONNECTOR_PAT_SECRET, namespace: args.namespace },
                type: "Opaque",
                stringData: { PAT: pulumi.secret(pulumi.output(args.pat).apply((pat) => checkedPat(name, pat))) },
            },
            { parent: this, provider: args.provider, dependsOn: forwardedDependsOn(opts) },
        );
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                // The chart's resource names are fixed, so one release per namespace; the name matches
                // the tutorial's `helm upgrade -i gitops-connector`.
                name: CONNECTOR_SERVICE,
                chart: "gitops-connector",
                version: args.chartVersion ?? "1.2.1",
                repositoryOpts: { repo: args.chartRepo ?? "https://azure.github.io/gitops-connector/" },
                namespace: args.namespace,
                createNamespace: false,
                values: {
                    ...connectorValues(args.target, args.subscribers),
                    // Empty, never unset: chart 1.2.1's values.yaml carries a leaked non-empty default
                    // token, and an empty value stops the chart rendering its own Secret over ours.
                    orchestratorPAT: "",
                },
            },
            // The Deployment mounts the PAT Secret; without it the pod can't start and the release times out.
            { parent: this, provider: args.provider, dependsOn: forwardedDependsOn(opts, this.patSecret) },
        );

        this.registerOutputs({ patSecret: this.patSecret, release: this.release, address: this.address });
    }
}
