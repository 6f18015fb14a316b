// A GitHub App's credentials for a Flux Git source (issue 12): the Kubernetes Secret Flux's
// source-controller reads them from, in the configuration's namespace, named by the configuration's
// `gitRepository.localAuthRef` (API 2025-04-01, with `gitRepository.provider: GitHub`).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { EXTENSION_NAMESPACE } from "./flux-args.ts";
import { forwardedDependsOn, kubernetesProviderProblems } from "./options.ts";
import { at, refuseInvalidArgs, type Problem } from "./problems.ts";

/**
 * The Secret keys Flux's GitHub App provider reads (`provider: github` on a GitRepository, Flux >= 2.5):
 * fluxcd/pkg git/github/client.go, KeyAppID / KeyAppInstallationID / KeyAppPrivateKey (read at commit
 * 16b9c05ee4f583e326b8e83d3e0bd204cd8ba457). Flux parses both IDs with strconv.Atoi, so they are decimal
 * strings; `githubAppBaseURL` (GitHub Enterprise) is left out, since only github.com is accepted here.
 */
export const GITHUB_APP_SECRET_KEYS = {
    appId: "githubAppID",
    installationId: "githubAppInstallationID",
    privateKey: "githubAppPrivateKey",
} as const;

/** The secret config key holding the App's PEM private key, unless the stack file names another. */
export const GITHUB_APP_DEFAULTS = { privateKeySecret: "githubAppPrivateKey", secretSuffix: "-github-app" } as const;

/** The Secret a configuration's GitRepository reads its GitHub App from: `<configuration>-github-app`. */
export function githubAppSecretName(configuration: string): string {
    return `${configuration}${GITHUB_APP_DEFAULTS.secretSuffix}`;
}

/** A GitHub App or installation ID given as a string: decimal digits, short enough to stay a safe integer. */
export const GITHUB_APP_ID_PATTERN = /^[1-9][0-9]{0,14}$/;

/** A GitHub App or installation ID as Flux parses it (strconv.Atoi): a positive whole number, or a string of its digits. */
export function githubAppIdProblem(id: unknown): string | undefined {
    const ok = typeof id === "number" ? Number.isSafeInteger(id) && id > 0 : typeof id === "string" && GITHUB_APP_ID_PATTERN.test(id);
    return ok ? undefined : `expected a positive whole number (the GitHub App's settings page shows it), got ${JSON.stringify(id)}`;
}

/** The Secret's stringData: the three keys Flux reads, the IDs as decimal strings. */
export function githubAppSecretData(appId: number | string, installationId: number | string, privateKey: string): Record<string, string> {
    return {
        [GITHUB_APP_SECRET_KEYS.appId]: String(appId),
        [GITHUB_APP_SECRET_KEYS.installationId]: String(installationId),
        [GITHUB_APP_SECRET_KEYS.privateKey]: privateKey,
    };
}

export interface FluxGitHubAppSecretArgs {
    /** The Flux configuration whose GitRepository reads the Secret; names it `<configuration>-github-app`. */
    readonly configuration: string;
    /** The configuration's namespace. Default `flux-system`. */
    readonly namespace?: string;
    /** The GitHub App's ID (its settings page, "App ID"). */
    readonly appId: number | string;
    /** The installation's ID on the repository's owner (the last segment of the installation's settings URL). */
    readonly installationId: number | string;
    /** The App's PEM private key, in clear; it only reaches the Secret, wrapped as a Pulumi secret. */
    readonly privateKey: pulumi.Input<string>;
    /**
     * Apply the namespace first (a NamespacePatch, as FluxNotifications does), so the Secret never waits
     * on the configuration's agent to create it. Default: for any namespace but flux-system.
     */
    readonly applyNamespace?: boolean;
}

export function fluxGitHubAppSecretProblems(args: Pick<FluxGitHubAppSecretArgs, "appId" | "installationId">): Problem[] {
    return [...at(["appId"], githubAppIdProblem(args.appId)), ...at(["installationId"], githubAppIdProblem(args.installationId))];
}

/**
 * The Secret `<configuration>-github-app` (and, with applyNamespace, its namespace first). It must exist
 * before the configuration: pass `secret` to Flux's beforeConfigurations. Pass the cluster's Kubernetes
 * provider in the options; the caller's `dependsOn` holds back every child, and its `deletedWith` (e.g.
 * Cluster.deletedWith) goes to every child.
 */
export class FluxGitHubAppSecret extends pulumi.ComponentResource {
    public readonly secret: k8s.core.v1.Secret;
    /** The Secret's name, which the configuration's gitRepository.localAuthRef names. */
    public readonly secretName: string;
    public readonly namespacePatch: k8s.core.v1.NamespacePatch | undefined;

    constructor(name: string, args: FluxGitHubAppSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs("FluxGitHubAppSecret", name, [...fluxGitHubAppSecretProblems(args), ...kubernetesProviderProblems(opts)]);
        super("gitops:flux:FluxGitHubAppSecret", name, {}, opts);
        // The SDK doesn't pass deletedWith on to children, so each gets it here.
        const deletedWith = opts?.deletedWith;
        const namespace = args.namespace ?? EXTENSION_NAMESPACE;
        this.secretName = githubAppSecretName(args.configuration);
        // A patch with no fields of its own: the namespace belongs to the configuration (see FluxNotifications).
        this.namespacePatch = (args.applyNamespace ?? namespace !== EXTENSION_NAMESPACE)
            ? new k8s.core.v1.NamespacePatch(`${name}-namespace`, { metadata: { name: namespace } }, { parent: this, dependsOn: forwardedDependsOn(opts), deletedWith })
            : undefined;
        // Wrapped as a whole: the private key is the App's credential, whatever the caller passed.
        const stringData = pulumi.secret(pulumi.output(args.privateKey).apply((key) => githubAppSecretData(args.appId, args.installationId, key)));
        this.secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            { metadata: { name: this.secretName, namespace }, type: "Opaque", stringData },
            { parent: this, dependsOn: forwardedDependsOn(opts, ...(this.namespacePatch ? [this.namespacePatch] : [])), deletedWith },
        );
        this.registerOutputs({ secret: this.secret, secretName: this.secretName, namespace });
    }
}
