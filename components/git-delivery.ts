// Pull-only delivery: everything the platform puts inside a cluster goes through Git, so `pulumi up`
// never calls the cluster's Kubernetes API (a private AKS cluster, an Arc cluster behind a firewall).
// ARM installs Flux and its configurations; this component writes the platform folder that Flux applies
// (platform-manifests.ts) and the Azure side of its secrets: the Key Vault secrets, a user-assigned
// identity federated with each namespace's sync service account, and Key Vault Secrets User on each
// secret. No credential is ever written to Git.
import * as pulumi from "@pulumi/pulumi";
import * as azure from "@pulumi/azure-native/provider";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as github from "@pulumi/github";
import { roleDefinitionId } from "./azure.ts";
import { looksLikeSecretValue } from "./credentials.ts";
import { FLUX_DEFAULTS, MAX_KUSTOMIZATION_OBJECT_NAME, type FluxConfigurationArgs, type KustomizationArgs } from "./flux-args.ts";
import { AZURE_TOKEN_EXCHANGE_AUDIENCE } from "./flux-identity.ts";
import { KEY_VAULT_ID_RULE, KEY_VAULT_NAME_RULE, KEY_VAULT_SECRETS_USER } from "./keyvault-secret.ts";
import { forwardedDependsOn, withoutDependsOn } from "./options.ts";
import {
    kustomizationFile, needsIdentity, PLATFORM_DEFAULTS, platformFileText, platformManifests, secretSyncSubject, type PlatformIdentity, type PlatformManifests, type PlatformManifestsArgs, type VaultSecretSource,
} from "./platform-manifests.ts";
import { at, patternProblem, refuseInvalidArgs, under, type PatternRule, type Problem } from "./problems.ts";

export * from "./platform-manifests.ts";

/** `api`: through the cluster's Kubernetes API, from where `pulumi up` runs. `git`: through the GitOps repo only. */
export const DELIVERY_MODES = ["api", "git"] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** Key Vault's longest secret name. */
export const MAX_VAULT_SECRET_NAME = 127;

/** Entra ID allows 20 federated credentials on one identity: one per namespace with synced secrets. */
export const MAX_FEDERATED_CREDENTIALS = 20;

/** Read a vault's metadata, no secret values: what the Secret Store extension's docs grant beside Key Vault Secrets User. */
export const KEY_VAULT_READER = { name: "Key Vault Reader", id: "21090545-7ca7-4776-b22c-e363652d74d2" } as const;

/** A folder inside the repository: relative, `/`-separated, no `.`/`..` segments, no trailing `/`. */
export const PLATFORM_FOLDER_RULE: PatternRule = {
    pattern: /^(?!.*(^|\/)\.{1,2}(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/,
    message: "expected a folder of the repository such as platform/<cluster>: relative, '/'-separated, without '.' or '..' segments",
};

/** The platform folder's path as a Flux kustomization path. */
export function platformKustomizationPath(folder: string): string {
    return `./${folder}`;
}

/** Whether `a` is `b` or inside it (both repository folders, without `./`). */
function within(a: string, b: string): boolean {
    return a === b || a.startsWith(`${b}/`) || b === "";
}

/** A repository path as Flux cleans it: `.` and empty segments dropped (`./a//b/.` is `a/b`; `.` is the root, ""). */
const normalise = (p: string) => p.split("/").filter((seg) => seg !== "" && seg !== ".").join("/");

/**
 * Whether a kustomization path and the platform folder overlap: one is the other or inside it (the
 * repository root contains everything). Another Kustomization would then apply, and prune, the folder's
 * objects too, or the platform's prune would reach another's.
 */
export function overlapsPlatformFolder(kustomizationPath: string, folder: string): boolean {
    const path = normalise(kustomizationPath);
    const f = normalise(folder);
    return within(path, f) || within(f, path);
}

/**
 * What git delivery refuses in the configuration that applies the platform folder, with paths relative
 * to that configuration's args: the kustomization name is the platform's, its folder must be its own,
 * `up` must wait for it, and it must be able to create cluster-wide objects.
 */
export function platformConfigurationProblems(fc: Pick<FluxConfigurationArgs, "name" | "scope" | "waitForReconciliation" | "kustomizations">, folder: string): Problem[] {
    const problems: Problem[] = [];
    const name = PLATFORM_DEFAULTS.kustomization;
    fc.kustomizations.forEach((k, i) => {
        if (k.name === name) problems.push({ path: ["kustomizations", i, "name"], message: `'${name}' is the kustomization git delivery adds for the platform folder; rename this one` });
        if (overlapsPlatformFolder(k.path ?? "", folder)) {
            problems.push({ path: ["kustomizations", i, "path"], message: `overlaps the platform folder ${folder}, which git delivery writes and prunes; give each its own folder` });
        }
    });
    if (`${fc.name}-${name}`.length > MAX_KUSTOMIZATION_OBJECT_NAME) {
        problems.push({ path: ["name"], message: `with the platform kustomization, '${fc.name}-${name}' is longer than ${MAX_KUSTOMIZATION_OBJECT_NAME} characters` });
    }
    if ((fc.waitForReconciliation ?? FLUX_DEFAULTS.waitForReconciliation) === false) {
        problems.push({ path: ["waitForReconciliation"], message: "git delivery needs it true: pulumi up learns only through it whether the platform folder applied" });
    }
    if ((fc.scope ?? FLUX_DEFAULTS.scope) !== "cluster") {
        problems.push({ path: ["scope"], message: "the platform folder holds namespaces and objects in several; its configuration needs scope cluster" });
    }
    return problems;
}

/**
 * The configuration with the platform kustomization first and every other kustomization depending on
 * it: the connector, the alerts and the pull secrets are in place before anything of the app applies.
 */
export function withPlatformKustomization<T extends Pick<FluxConfigurationArgs, "kustomizations">>(fc: T, folder: string): T {
    const name = PLATFORM_DEFAULTS.kustomization;
    const platform: KustomizationArgs = {
        name,
        path: platformKustomizationPath(folder),
        // The folder is the platform's alone: what it drops from Git goes from the cluster.
        prune: true,
        wait: true,
    };
    return { ...fc, kustomizations: [platform, ...fc.kustomizations.map((k) => ({ ...k, dependsOn: [name, ...(k.dependsOn ?? [])] }))] };
}

export type PlatformKeyVault =
    | {
          /** Create a vault (Azure RBAC, soft delete, purge protection) for the platform's secrets. */
          readonly mode: "create";
          readonly name: string;
          readonly resourceGroupName: pulumi.Input<string>;
          readonly location: pulumi.Input<string>;
      }
    | {
          /** Write into a vault that exists, with Azure RBAC, in any subscription (through a provider for it). */
          readonly mode: "existing";
          readonly resourceId: string;
      };

/** The values of the vault secrets, by what they are: each a secret from config, never in Git. */
export interface PlatformSecretValues {
    readonly connectorPat?: pulumi.Input<string>;
    readonly subscribers?: Readonly<Record<string, pulumi.Input<string>>>;
    readonly alerts?: Readonly<Record<string, { readonly address: pulumi.Input<string>; readonly token?: pulumi.Input<string> }>>;
    /** The `.dockerconfigjson` of the registry's pull credential. */
    readonly pullSecret?: pulumi.Input<string>;
}

export interface GitDeliveryArgs {
    /** What to render; `cluster` also names the identity `<cluster>-platform-secrets`. */
    readonly manifests: PlatformManifestsArgs;
    /** The stack, named in every file's header and commit message. */
    readonly stack: string;
    /** The GitOps repository on github.com (the provider's owner), the branch and the folder. */
    readonly repository: string;
    readonly branch: string;
    /** Default `platform/<cluster>`. */
    readonly folder?: string;
    readonly keyVault: PlatformKeyVault;
    /** Where the identity goes. */
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL, which the federated credentials trust. */
    readonly issuerUrl: pulumi.Input<string>;
    readonly secrets: PlatformSecretValues;
}

/** What the component refuses, by argument. */
export function gitDeliveryProblems(args: Pick<GitDeliveryArgs, "folder" | "keyVault" | "manifests">, rendered?: PlatformManifests): Problem[] {
    const problems: Problem[] = [];
    if (args.folder !== undefined) problems.push(...at(["folder"], patternProblem(PLATFORM_FOLDER_RULE, args.folder)));
    const kv = args.keyVault;
    if (kv.mode === "create") problems.push(...at(["keyVault", "name"], patternProblem(KEY_VAULT_NAME_RULE, kv.name)));
    else problems.push(...at(["keyVault", "resourceId"], patternProblem(KEY_VAULT_ID_RULE, kv.resourceId)));
    problems.push(...under(["manifests"], platformManifestsProblems(args.manifests, rendered)));
    return problems;
}

/**
 * What Key Vault, Entra ID or the image reference would refuse in what the folder holds, with paths in
 * PlatformManifestsArgs: a vault secret name over Key Vault's limit (at `cluster`, which prefixes them
 * all), more namespaces with synced secrets than one identity takes federated credentials (at the top),
 * and the secret sync image.
 */
export function platformManifestsProblems(args: PlatformManifestsArgs, rendered?: PlatformManifests): Problem[] {
    const problems: Problem[] = [];
    const r = rendered ?? platformManifests(args);
    for (const s of r.vaultSecrets) {
        if (s.name.length > MAX_VAULT_SECRET_NAME) problems.push({ path: ["cluster"], message: `the Key Vault secret name ${s.name} is longer than ${MAX_VAULT_SECRET_NAME} characters; shorten the cluster's name or the target's` });
    }
    if (r.syncNamespaces.length > MAX_FEDERATED_CREDENTIALS) {
        problems.push({
            path: [],
            message: `secrets are synced into ${r.syncNamespaces.length} namespaces, each needing a federated credential, and one identity takes at most ${MAX_FEDERATED_CREDENTIALS}`,
        });
    }
    const image = args.secretSyncImage;
    if (image !== undefined && (looksLikeSecretValue(image) || !/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._\/-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/.test(image))) {
        problems.push({ path: ["secretSyncImage"], message: "expected an image reference with its registry and a tag or digest, e.g. mcr.microsoft.com/oss/kubernetes/pause:3.6" });
    }
    return problems;
}

function secretValue(values: PlatformSecretValues, source: VaultSecretSource): pulumi.Input<string> | undefined {
    switch (source.kind) {
        case "connectorPat":
            return values.connectorPat;
        case "subscriber":
            return values.subscribers?.[source.name];
        case "alertAddress":
            return values.alerts?.[source.target]?.address;
        case "alertToken":
            return values.alerts?.[source.target]?.token;
        case "pullSecret":
            return values.pullSecret;
    }
}

/** A vault secret's value as it is stored: refused when empty, which would leave the synced Secret empty. */
function checkedValue(secret: string, value: string): string {
    if (value.trim() === "") throw new Error(`platform secret ${secret}: the value is empty`);
    return value;
}

/**
 * The platform folder and the Azure side of its secrets. Pass the GitHub provider in the options
 * (`providers: { github }`); the caller's `dependsOn` holds back the files. Flux configurations that
 * apply the folder wait for `ready`: the files, which wait for the secrets, their grants and the
 * federated credentials, so that the first reconciliation finds every secret readable.
 */
export class GitDelivery extends pulumi.ComponentResource {
    public readonly folder: string;
    public readonly rendered: PlatformManifests;
    public readonly vaultName: pulumi.Output<string>;
    public readonly vaultId: pulumi.Output<string>;
    public readonly vault: keyvault.Vault | undefined;
    public readonly identity: managedidentity.UserAssignedIdentity;
    /** By namespace, in creation order. */
    public readonly federatedCredentials: Readonly<Record<string, managedidentity.FederatedIdentityCredential>>;
    /** By vault secret name. */
    public readonly secrets: Readonly<Record<string, keyvault.Secret>>;
    /** Key Vault Secrets User by vault secret name; with the Secret Store extension also Key Vault Reader, by that name. */
    public readonly grants: Readonly<Record<string, authorization.RoleAssignment>>;
    /** By path in the repository. */
    public readonly files: Readonly<Record<string, github.RepositoryFile>>;
    /** What the Flux configurations must wait for. */
    public readonly ready: readonly pulumi.Resource[];

    constructor(name: string, args: GitDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
        const rendered = platformManifests(args.manifests);
        refuseInvalidArgs("GitDelivery", name, gitDeliveryProblems(args, rendered));
        const missing = rendered.vaultSecrets.filter((s) => secretValue(args.secrets, s.source) === undefined);
        refuseInvalidArgs("GitDelivery", name, missing.map((s) => ({ path: ["secrets", s.source.kind], message: `the value for ${s.name} is missing` })));
        // The caller's dependsOn holds back the files only (forwarded to them below).
        super("gitops:delivery:GitDelivery", name, {}, withoutDependsOn(opts));
        const cluster = args.manifests.cluster;
        this.folder = args.folder ?? PLATFORM_DEFAULTS.folder(cluster);
        this.rendered = rendered;

        const client = authorization.getClientConfigOutput({ parent: this });
        const kv = args.keyVault;
        let resourceGroupName: pulumi.Input<string>;
        let subscriptionId: pulumi.Input<string>;
        let vaultProvider: azure.Provider | undefined;
        if (kv.mode === "create") {
            this.vault = new keyvault.Vault(
                `${name}-vault`,
                {
                    vaultName: kv.name,
                    resourceGroupName: kv.resourceGroupName,
                    location: kv.location,
                    properties: {
                        tenantId: client.tenantId,
                        sku: { family: "A", name: "standard" },
                        // Access by role only; the identity gets Key Vault Secrets User on each secret.
                        enableRbacAuthorization: true,
                        enableSoftDelete: true,
                        softDeleteRetentionInDays: 90,
                        // A deleted secret can be recovered, never purged early: the platform's credentials
                        // survive a mistaken destroy. The name stays taken for 90 days after deletion.
                        enablePurgeProtection: true,
                    },
                },
                { parent: this },
            );
            this.vaultName = this.vault.name;
            this.vaultId = this.vault.id;
            resourceGroupName = kv.resourceGroupName;
            subscriptionId = client.subscriptionId;
        } else {
            const [, , sub, , group, , , , vaultName] = kv.resourceId.split("/");
            // The vault's own subscription, which need not be the one `up` deploys to.
            vaultProvider = new azure.Provider(`${name}-vault-subscription`, { subscriptionId: sub }, { parent: this });
            this.vault = undefined;
            this.vaultName = pulumi.output(vaultName);
            this.vaultId = pulumi.output(kv.resourceId);
            resourceGroupName = group;
            subscriptionId = sub;
        }

        this.identity = new managedidentity.UserAssignedIdentity(
            `${name}-identity`,
            { resourceName: `${cluster}-platform-secrets`, resourceGroupName: args.resourceGroupName, location: args.location },
            { parent: this },
        );
        // One after another: Entra ID refuses concurrent writes of one identity's federated credentials.
        const federated: Record<string, managedidentity.FederatedIdentityCredential> = {};
        let previous: pulumi.Resource = this.identity;
        for (const ns of rendered.syncNamespaces) {
            const credential = new managedidentity.FederatedIdentityCredential(
                `${name}-federated-${ns}`,
                {
                    resourceGroupName: args.resourceGroupName,
                    resourceName: this.identity.name,
                    federatedIdentityCredentialResourceName: `secret-sync-${ns}`,
                    issuer: args.issuerUrl,
                    subject: secretSyncSubject(ns),
                    audiences: [AZURE_TOKEN_EXCHANGE_AUDIENCE],
                },
                { parent: this, dependsOn: [previous] },
            );
            federated[ns] = credential;
            previous = credential;
        }
        this.federatedCredentials = federated;

        const secretsUser = roleDefinitionId(subscriptionId, KEY_VAULT_SECRETS_USER.id);
        const secrets: Record<string, keyvault.Secret> = {};
        const grants: Record<string, authorization.RoleAssignment> = {};
        for (const s of rendered.vaultSecrets) {
            const value = secretValue(args.secrets, s.source)!;
            secrets[s.name] = new keyvault.Secret(
                `${name}-secret-${s.name}`,
                {
                    resourceGroupName,
                    vaultName: this.vaultName,
                    secretName: s.name,
                    // Through ARM, so `up` needs no network path to the vault's data plane. The value is
                    // a secret whatever the caller passed.
                    properties: { value: pulumi.secret(pulumi.output(value).apply((v) => checkedValue(s.name, v))) },
                },
                {
                    parent: this,
                    provider: vaultProvider,
                    ...(this.vault ? { dependsOn: [this.vault] } : {}),
                    // Never deleted by Pulumi: azure-native deletes a vault secret through the vault's data
                    // plane (ARM has no delete for it), which needs a data-plane role and a network path
                    // that `up` otherwise never needs. A dropped secret stays in the vault until someone
                    // deletes it (docs/git-delivery.md); a created vault takes its secrets with it.
                    retainOnDelete: true,
                },
            );
            // On the secret, not the vault: the identity reads what its cluster needs and nothing else.
            grants[s.name] = new authorization.RoleAssignment(
                `${name}-reader-${s.name}`,
                {
                    principalId: this.identity.principalId,
                    // Stated, so ARM skips the directory lookup that fails for an identity created seconds earlier.
                    principalType: "ServicePrincipal",
                    roleDefinitionId: secretsUser,
                    scope: pulumi.interpolate`${this.vaultId}/secrets/${s.name}`,
                },
                { parent: this, dependsOn: [secrets[s.name]] },
            );
        }
        // The Secret Store extension reads the vault's metadata too (its docs grant Key Vault Reader on the vault).
        if (args.manifests.secretSync === "secretStore" && rendered.vaultSecrets.length > 0) {
            grants[KEY_VAULT_READER.name] = new authorization.RoleAssignment(
                `${name}-vault-reader`,
                {
                    principalId: this.identity.principalId,
                    principalType: "ServicePrincipal",
                    roleDefinitionId: roleDefinitionId(subscriptionId, KEY_VAULT_READER.id),
                    scope: this.vaultId,
                },
                { parent: this, ...(this.vault ? { dependsOn: [this.vault] } : {}) },
            );
        }
        this.secrets = secrets;
        this.grants = grants;

        const identity: pulumi.Output<PlatformIdentity> = pulumi
            .all([this.vaultName, client.tenantId, this.identity.clientId])
            .apply(([vaultName, tenantId, clientId]) => ({ vaultName, tenantId, clientId }));
        const header = `Written by gitops-platform (stack ${args.stack}) for cluster ${cluster}: pulumi up overwrites any change made here.`;
        const before = forwardedDependsOn(opts, ...Object.values(secrets), ...Object.values(grants), ...Object.values(federated));
        const files: Record<string, github.RepositoryFile> = {};
        const commit = (file: string, content: pulumi.Input<string>, what: string, after: pulumi.Resource[]) => {
            files[file] = new github.RepositoryFile(
                `${name}-file-${file}`,
                {
                    repository: args.repository,
                    branch: args.branch,
                    file,
                    content,
                    commitMessage: `gitops-platform ${args.stack}: ${what} for cluster ${cluster}`,
                    // A file at that path is inside the platform's own folder: the platform's to write.
                    overwriteOnCreate: true,
                },
                { parent: this, dependsOn: after },
            );
        };
        for (const f of rendered.files) {
            // Only a SecretProviderClass names the identity; every other file is plain text, known in preview.
            const content = needsIdentity(f) ? identity.apply((id) => platformFileText(f.manifest(id), header)) : platformFileText(f.manifest as Record<string, unknown>, header);
            commit(`${this.folder}/${f.path}`, content, `${f.kind} ${f.namespace === undefined ? "" : `${f.namespace}/`}${f.name}`, before);
        }
        // Last: a commit listing a file that isn't there yet would fail the platform kustomization until the
        // next one. (A removed file goes at the end of the update, after this commit stops listing it.)
        commit(
            `${this.folder}/kustomization.yaml`,
            platformFileText(kustomizationFile(rendered.files), header),
            `the platform folder's kustomization (${rendered.files.length} objects)`,
            [...before, ...Object.values(files)],
        );
        this.files = files;
        this.ready = Object.values(files);

        this.registerOutputs({
            folder: this.folder,
            vaultName: this.vaultName,
            identityClientId: this.identity.clientId,
            files: Object.keys(files),
        });
    }
}
