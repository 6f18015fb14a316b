// The stack file's `flux` and `connector` sections. Field names follow `az k8s-configuration flux
// create` and the connector chart; defaults and rules come from the components that apply them.
import { z } from "zod";
import { CONNECTOR_DEFAULTS, CONNECTOR_MODES } from "../../components/connector.ts";
import { looksLikeSecretValue } from "../../components/credentials.ts";
import {
    FLUX_CONFIGURATION_SOURCES, FLUX_DEFAULTS, FLUX_EXTENSION_DEFAULTS, FLUX_OCI_VERIFY_PROVIDERS, FLUX_RELEASE_TRAINS, FLUX_SCOPES, FLUX_EXTENSION_VERSION_RULE, fluxSourceUrlProblem, KNOWN_HOST_KEY_TYPES,
    SUBSTITUTE_FROM_KINDS,
} from "../../components/flux.ts";
import { FLUX_OCI_LAYER_OPERATIONS } from "../../components/flux-configuration-2025.ts";
import { GITHUB_APP_DEFAULTS, GITHUB_APP_ID_PATTERN, GITHUB_APP_SECRET_KEYS, githubAppIdProblem } from "../../components/flux-github-app.ts";
import { ALERT_KINDS, ALERT_NAME_RULE, ALERT_PROVIDER_TYPES, ALERT_SEVERITIES, FLUX_ALERT_DEFAULTS } from "../../components/alerts.ts";
import { oneOfProblem } from "../../components/problems.ts";
import { supportedWindow } from "../../components/flux-versions.ts";
import { dnsLabel, ruled, secretKey } from "./fields.ts";

const ControllersSchema = z
    .strictObject({
        source: z.boolean().default(FLUX_EXTENSION_DEFAULTS.controllers.source),
        kustomize: z.boolean().default(FLUX_EXTENSION_DEFAULTS.controllers.kustomize),
        helm: z.boolean().default(FLUX_EXTENSION_DEFAULTS.controllers.helm),
        notification: z.boolean().default(FLUX_EXTENSION_DEFAULTS.controllers.notification).describe("The GitOps Connector needs it."),
        imageAutomation: z.boolean().default(FLUX_EXTENSION_DEFAULTS.controllers.imageAutomation),
        imageReflector: z.boolean().default(FLUX_EXTENSION_DEFAULTS.controllers.imageReflector),
    })
    .describe("Controller toggles (`<name>-controller.enabled`).");

export const ExtensionSchema = z
    .strictObject({
        name: dnsLabel.default(FLUX_EXTENSION_DEFAULTS.name).describe("The extension resource name; `flux` is what the CLI and the portal use."),
        version: ruled(FLUX_EXTENSION_VERSION_RULE).optional().describe(`Pin a version (turns minor auto-upgrade off); it must be a known release inside Microsoft's support window (${supportedWindow()}). Unset: auto-upgrade minor versions on releaseTrain.`),
        releaseTrain: z.enum(FLUX_RELEASE_TRAINS).default(FLUX_EXTENSION_DEFAULTS.releaseTrain),
        controllers: ControllersSchema.prefault({}),
        multiTenancy: z.boolean().default(FLUX_EXTENSION_DEFAULTS.multiTenancy).describe("`multiTenancy.enforce`: on by default in the extension."),
        settings: z.record(z.string(), z.string()).default({}).describe("Any other extension configuration setting, e.g. `helm-controller.detectDrift: \"true\"`."),
    })
    .describe("The microsoft.flux cluster extension.");

/** Every check of an ID says the component's one message (zod's own would differ per branch of the union). */
const appIdError = (i: { readonly input: unknown }) => githubAppIdProblem(i.input);

/** A GitHub App or installation ID: a number, or a string of digits (Flux stores and parses it as one). */
const githubAppId = (what: string) =>
    z
        .union(
            [z.number({ error: appIdError }).int({ error: appIdError }).positive({ error: appIdError }), z.string({ error: appIdError }).regex(GITHUB_APP_ID_PATTERN, { error: appIdError })],
            { error: appIdError },
        )
        .describe(`${what}: a positive whole number, or a string of its digits. Not a secret; it goes into the Secret's \`${what === "The App's ID" ? GITHUB_APP_SECRET_KEYS.appId : GITHUB_APP_SECRET_KEYS.installationId}\`.`);

export const AuthSchema = z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("none") }).describe("A public repository."),
    z
        .strictObject({
            type: z.literal("https"),
            username: z
                .string()
                .min(1)
                .refine((u) => !looksLikeSecretValue(u), "looks like a token, not a user name; the token belongs in passwordSecret (value not shown)")
                .describe("`--https-user`: stored in plain text by ARM, so never a token (Azure DevOps PATs are often pasted here)."),
            passwordSecret: secretKey.default("gitHttpsKey").describe("Secret config key holding the token or password (`--https-key`)."),
        })
        .describe("HTTPS with a user name and a token."),
    z
        .strictObject({
            type: z.literal("ssh"),
            privateKeySecret: secretKey.default("gitSshPrivateKey").describe("Secret config key holding the PEM private key (`--ssh-private-key`)."),
            knownHosts: z
                .array(z.string().min(1))
                .optional()
                .describe(
                    "known_hosts lines to pin (`<host> <key type> <base64 key>`, as `ssh-keyscan` prints them). Default for github.com: GitHub's published host keys; required for any other host. " +
                        "Refused: bare public keys, ssh-dss, @cert-authority lines and other markers but @revoked, a key whose base64 isn't its stated type, several keys on a line, a second key of one type for a host. " +
                        `Accepted key types: ${KNOWN_HOST_KEY_TYPES.join(", ")}.`,
                ),
        })
        .describe("SSH with a private key from secret config."),
    z
        .strictObject({ type: z.literal("githubDeployKey") })
        .describe(
            "The recommended path for a private GitHub repo: the program generates an SSH key, registers it as a read-only deploy key on the repo, and pins GitHub's host keys. Needs an ssh://git@github.com/<github.owner>/… URL and the github section.",
        ),
    z
        .strictObject({
            type: z.literal("githubApp"),
            appId: githubAppId("The App's ID"),
            installationId: githubAppId("The App's installation ID on the repository's owner"),
            privateKeySecret: secretKey
                .default(GITHUB_APP_DEFAULTS.privateKeySecret)
                .describe(`Secret config key holding the App's PEM private key (the Secret's \`${GITHUB_APP_SECRET_KEYS.privateKey}\`).`),
        })
        .describe(
            "A GitHub App instead of a PAT (API 2025-04-01, `gitRepository.provider: GitHub`, Flux >= 2.5): the stack writes the App's ID, installation ID and private key into the Secret " +
                "`<configuration>-github-app` in the configuration's namespace, which `gitRepository.localAuthRef` names. Needs an https://github.com/<owner>/<repo> URL; the App needs Contents: read on the repo.",
        ),
    z
        .strictObject({ type: z.literal("workloadIdentity") })
        .describe(
            "Flux's source-controller signs in as a managed identity `<cluster>-flux` the stack creates, federated with the cluster's OIDC issuer: no secret anywhere. " +
                "For an oci:// URL (ociRepository.useWorkloadIdentity), with AcrPull granted when the URL names the stack's registry; for an Azure DevOps https URL (gitRepository.provider Azure), " +
                "where the identity must be added to the DevOps organization and project by hand (no Azure role grants repo access); for source azureBlob (azureBlob.managedIdentity.clientId), " +
                "with Storage Blob Data Reader granted on storageAccountId when set. Not on Arc clusters; an aksExisting cluster must have its OIDC issuer and workload identity on.",
        ),
    z
        .strictObject({
            type: z.literal("accessKey"),
            accessKey: z
                .string()
                .min(1)
                .describe("`--bucket-access-key`: the access key ID, stored in plain text by ARM (`bucket.accessKey`), so never the secret key."),
            secretKeySecret: secretKey.default("bucketSecretKey").describe("Secret config key holding the secret key (`--bucket-secret-key`); it reaches ARM only in configurationProtectedSettings `bucketSecretKey`."),
        })
        .describe("Source bucket only: an S3-compatible access key pair."),
    z
        .strictObject({
            type: z.literal("sasToken"),
            sasTokenSecret: secretKey.default("azureBlobSasToken").describe("Secret config key holding the SAS token (`azureBlob.sasToken`, a secret in the API)."),
        })
        .describe("Source azureBlob only: a SAS token for the container (read and list)."),
    z
        .strictObject({
            type: z.literal("accountKey"),
            accountKeySecret: secretKey.default("azureBlobAccountKey").describe("Secret config key holding the storage account key (`azureBlob.accountKey`, a secret in the API)."),
        })
        .describe("Source azureBlob only: the storage account's access key (prefer workloadIdentity or a SAS token)."),
]);

/** A storage account's ARM resource ID, which Storage Blob Data Reader is granted on. */
export const STORAGE_ACCOUNT_ID_PATTERN = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[a-z0-9]{3,24}$/i;

const seconds = (what: string) => z.number().int().positive().describe(`${what}, in seconds: 1 to 9223372036, the most a Flux duration (int64 nanoseconds) holds.`);

export const KustomizationSchema = z.strictObject({
    name: dnsLabel.describe("`<configuration>-<kustomization>` must fit in 62 characters."),
    path: z.string().default("").describe("Path inside the repository; no `..` segments."),
    dependsOn: z.array(dnsLabel).default([]).describe("Other kustomizations of the same configuration; a cycle is refused (Flux would wait forever)."),
    prune: z.boolean().default(FLUX_DEFAULTS.prune).describe("Delete objects removed from Git."),
    force: z.boolean().default(FLUX_DEFAULTS.force).describe("Recreate objects that can't be patched."),
    wait: z.boolean().default(FLUX_DEFAULTS.wait).describe("Wait for the applied objects to become ready."),
    syncIntervalInSeconds: seconds("Sync interval").default(FLUX_DEFAULTS.intervalInSeconds),
    timeoutInSeconds: seconds("Timeout").default(FLUX_DEFAULTS.timeoutInSeconds),
    retryIntervalInSeconds: seconds("Retry interval").optional(),
    postBuild: z
        .strictObject({
            substitute: z.record(z.string(), z.string()).default({}),
            substituteFrom: z
                .array(z.strictObject({ kind: z.enum(SUBSTITUTE_FROM_KINDS), name: dnsLabel, optional: z.boolean().default(false) }))
                .default([]),
        })
        .optional()
        .describe("Variable substitution after kustomize build."),
});

export const FluxConfigurationSchema = z.strictObject({
    name: dnsLabel.describe("The configuration name; also the name of its GitRepository (or OCIRepository)."),
    namespace: dnsLabel.default(FLUX_DEFAULTS.namespace).describe("Where the GitRepository and Kustomizations live; the connector's Alert and Provider go there too."),
    scope: z.enum(FLUX_SCOPES).default(FLUX_DEFAULTS.scope),
    url: ruled(fluxSourceUrlProblem).describe(
        "`https://` or `ssh://` Git URL with the repository's path: github.com/<owner>/<repo>, dev.azure.com/<org>/<project>/_git/<repo>, ssh.dev.azure.com/v3/<org>/<project>/<repo>, or any path on other hosts. " +
            "No userinfo except `git@` on SSH and Azure DevOps' `https://<org>@dev.azure.com/<org>/…`, no query or fragment: credentials belong in auth. " +
            "Or an OCI artifact, `oci://<registry>/<repository>` (API 2025-04-01), with tag, semver or digest and auth none or workloadIdentity. " +
            "With source bucket: the S3-compatible endpoint `https://<host>[:port]` (http:// with insecure: true), as `az k8s-configuration flux create --kind bucket --url` takes it; " +
            "with source azureBlob: the account's `https://<account>.blob.core.windows.net`.",
    ),
    branch: z.string().min(1).optional().describe("Git: one of branch, tag, semver or commit is required; a commit also needs its branch. OCI: one of tag, semver or digest, never branch or commit."),
    tag: z.string().min(1).optional(),
    semver: z.string().min(1).optional(),
    commit: z.string().regex(/^[0-9a-f]{7,40}$/, "expected a commit SHA").optional(),
    digest: z.string().min(1).optional().describe("OCI only: `sha256:<64 hex digits>`, alone (it takes precedence over tag and semver)."),
    layerSelector: z
        .strictObject({
            mediaType: z.string().min(1).optional().describe("The layer's media type. Default: the artifact's first layer."),
            operation: z.enum(FLUX_OCI_LAYER_OPERATIONS).optional().describe("`extract` (Flux's default) untars the layer; `copy` keeps it as one file."),
        })
        .optional()
        .describe("OCI only (ociRepository.layerSelector): which layer of the artifact holds the manifests."),
    verify: z
        .strictObject({
            provider: z.enum(FLUX_OCI_VERIFY_PROVIDERS).describe("Keyless cosign signatures."),
            matchOidcIdentity: z
                .array(z.strictObject({ issuer: z.string().min(1).describe("A regular expression."), subject: z.string().min(1).describe("A regular expression.") }))
                .optional()
                .describe("The signer's OIDC identities to trust, e.g. a GitHub Actions workflow. Default: any signer."),
        })
        .optional()
        .describe("OCI only (ociRepository.verify): refuse artifacts without a valid signature."),
    source: z
        .enum(FLUX_CONFIGURATION_SOURCES)
        .optional()
        .describe(
            "`bucket` (an S3-compatible bucket, `--kind bucket`) or `azureBlob` (an Azure Blob container), API 2025-04-01: url is then the endpoint, with no branch, tag, semver, commit or OCI options. " +
                "Default: Git, or OCI for an oci:// URL.",
        ),
    bucketName: z.string().min(1).optional().describe("Source bucket only, and required there: the bucket's name (`--bucket-name`)."),
    insecure: z.boolean().optional().describe("Source bucket only: plain HTTP to the endpoint (`--bucket-insecure`). Default false."),
    containerName: z.string().min(1).optional().describe("Source azureBlob only, and required there: the blob container's name."),
    storageAccountId: z
        .string()
        .regex(STORAGE_ACCOUNT_ID_PATTERN, "expected a storage account's resource ID /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<account>")
        .optional()
        .describe(
            "Source azureBlob with auth workloadIdentity only: the account's resource ID, on which the stack grants the Flux identity Storage Blob Data Reader. " +
                "Unset: the grant is yours to make (the role on the account or container, to the identity's principal).",
        ),
    auth: AuthSchema.default({ type: "none" }),
    syncIntervalInSeconds: seconds("Source sync interval").default(FLUX_DEFAULTS.intervalInSeconds),
    timeoutInSeconds: seconds("Source timeout").default(FLUX_DEFAULTS.timeoutInSeconds),
    suspend: z.boolean().default(FLUX_DEFAULTS.suspend),
    waitForReconciliation: z
        .boolean()
        .default(FLUX_DEFAULTS.waitForReconciliation)
        .describe("ARM (and so `pulumi up`) waits until Flux has reconciled the configuration; must stay true on Arc, where the pull secrets need the namespaces the repo creates."),
    reconciliationWaitDuration: z.string().default(FLUX_DEFAULTS.reconciliationWaitDuration).describe("ISO-8601 (PT#H#M#S), longer than zero."),
    kustomizations: z.array(KustomizationSchema).min(1, "expected at least one kustomization"),
});

/** A choice among the component's values, refused with the component's own message. */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: (i) => oneOfProblem(values, i.input) });

// The list, the kinds and the configurations a target names are checked by the component's rules
// (infra/alerts.ts maps them here), so that a stack file and a program calling FluxAlerts get one message.
export const AlertTargetSchema = z
    .strictObject({
        name: ruled(ALERT_NAME_RULE).describe("Names the target's Provider and Alert in each watched namespace, and its Secret `<name>-credentials`; unique among the targets, not `gitops-connector`."),
        type: oneOf(ALERT_PROVIDER_TYPES).describe("The Flux notification Provider type."),
        addressSecret: secretKey.describe(
            "Secret config key holding the webhook URL (https://), or for azureeventhub the connection string with EntityPath. It reaches the cluster only in a Secret the Provider refers to (key `address`).",
        ),
        tokenSecret: secretKey.optional().describe("generic-hmac only, and required there: secret config key holding the HMAC key that signs each request (the Secret's `token`)."),
        severity: oneOf(ALERT_SEVERITIES).default(FLUX_ALERT_DEFAULTS.severity).describe("`error`: failed reconciliations only; `info`: every event."),
        kinds: z
            .array(oneOf(ALERT_KINDS))
            .optional()
            .describe(
                "Kinds of Flux objects to watch. GitRepository and Kustomization are the configurations' own, by name; HelmRelease, HelmChart and OCIRepository are any in a configuration's namespace. Default: all, without the Helm kinds when the helm controller is off.",
            ),
        configurations: z.array(dnsLabel).optional().describe("Names of the Flux configurations to watch. Default: all of them."),
    })
    .describe("An alert target: Flux sends the watched objects' events to it.");

export const FluxSchema = z.strictObject({
    extension: ExtensionSchema.prefault({}),
    configurations: z.array(FluxConfigurationSchema).min(1, "expected at least one Flux configuration").describe("Flux configurations (`az k8s-configuration flux create`)."),
    alerts: z
        .array(AlertTargetSchema)
        .optional()
        .describe(
            "Operators' alert targets (Teams, Slack, Discord, Google Chat, a signed webhook, an Event Hub) for the configurations' reconciliations; none by default. " +
                "Each gets a Flux Provider, its Secret and an Alert in every namespace holding a configuration it watches.",
        ),
});

export const ConnectorSchema = z
    .strictObject({
        enabled: z.boolean().default(true).describe("Deploy the connector and the Flux Alert/Provider that feed it."),
        configuration: dnsLabel.optional().describe("The Flux configuration whose objects feed the connector. Default: the first one."),
        mode: z.enum(CONNECTOR_MODES).default("GITHUB").describe("Both gitRepositoryType and ciCdOrchestratorType; the connector can't mix the two (Azure/gitops-connector#43)."),
        github: z
            .strictObject({
                appRepo: z
                    .string()
                    .min(1)
                    .optional()
                    .describe("The repo whose workflows receive `repository_dispatch` (gitHubGitOpsRepoName). Default: github.appRepo, else the sample app's repo; name it once, in github.appRepo. One connector per app repo across all stacks (`npm run plan -- --all` checks)."),
            })
            .prefault({}),
        azdo: z
            .strictObject({ prRepo: z.string().min(1).optional().describe("Optional repo for PR status updates (azdoPrRepoName).") })
            .prefault({}),
        patSecret: secretKey.default("connectorPat").describe("Secret config key holding the connector's orchestratorPAT."),
        namespace: dnsLabel
            .default(CONNECTOR_DEFAULTS.namespace)
            .describe("The connector's own namespace, created and owned by the stack; never flux-system, a configuration's or an app namespace (whoever reads pod logs there reads the PAT), nor a system namespace."),
        chartVersion: z.string().default(CONNECTOR_DEFAULTS.chartVersion).describe("Only the published flat 1.2.x values layout is supported (the PAT Secret's name is fixed there)."),
        chartRepo: z.url().default(CONNECTOR_DEFAULTS.chartRepo).describe("Without credentials in it."),
        logReaders: z
            .strictObject({ users: z.array(z.string().min(1)).default([]), groups: z.array(z.string().min(1)).default([]) })
            .prefault({})
            .describe("Kubernetes users and groups (on AKS with Entra ID: groups by object ID, users by UPN) allowed to read the connector's pod logs, through the Role gitops-connector-log-reader."),
        subscribers: z
            .record(dnsLabel, secretKey)
            .default({})
            .describe("Extra subscribers the connector forwards events to: name -> the secret config key holding the URL. Webhook URLs are credentials, so they are never in the stack file."),
    })
    .describe("The GitOps Connector and the Flux notifications that feed it.");
