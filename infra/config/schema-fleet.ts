// The stack file's `fleet` section: Flux on every cluster in a scope through Azure Policy
// (components/fleet.ts). Its configurations are the single-cluster stack's Flux configuration schema,
// with the auth a policy parameter can carry (a key in Key Vault or on the cluster, never in clear);
// what the built-in definitions can't express is refused by the component's rules, by key path.
import { z } from "zod";
import {
    ENFORCEMENT_MODES, FLEET_CLUSTER_TYPES, FLEET_DEFAULTS, LOCAL_SECRET_NAME_RULE, MANAGEMENT_GROUP_ID_RULE,
    RESOURCE_DISCOVERY_MODES, RESOURCE_GROUP_NAME_RULE, SUBSCRIPTION_ID_RULE,
} from "../../components/fleet.ts";
import { KEY_VAULT_ID_RULE, KEY_VAULT_SECRET_NAME_RULE } from "../../components/keyvault-secret.ts";
import { AuthSchema, ExtensionSchema, FluxConfigurationSchema, KustomizationSchema } from "./schema-flux.ts";
import { dnsLabel, ruled } from "./fields.ts";

const KeyVaultSecretSchema = z
    .strictObject({
        id: ruled(KEY_VAULT_ID_RULE).describe("The vault's resource ID. The vault must allow template deployment (`enabledForTemplateDeployment: true`); the assignment's identity gets Contributor on it."),
        secretName: ruled(KEY_VAULT_SECRET_NAME_RULE).describe("The secret holding the key, base64-encoded as ARM takes it."),
    })
    .describe("A Key Vault secret the policy's deployment reads through an ARM Key Vault reference: the key never appears in the assignment.");

/** What a fleet stack refuses where a single-cluster stack names secret config. */
const NO_SECRET_CONFIG =
    "a fleet stack takes no secret config for Git: policy parameters are readable by anyone who can read the assignment; put the key in Key Vault and name it in auth.keyVault, or use auth.type localSecret";

const https = AuthSchema.options[1].shape;
const FleetAuthSchema = z.discriminatedUnion("type", [
    AuthSchema.options[0],
    z
        .strictObject({
            type: https.type,
            username: https.username,
            keyVault: KeyVaultSecretSchema,
            caCertificate: z.string().min(1).optional().describe("PEM CA certificate of the Git server, when it isn't publicly trusted."),
            passwordSecret: z.never({ error: NO_SECRET_CONFIG }).optional(),
        })
        .describe("HTTPS: the Git repository and HTTPS secrets definition (bf1a31be…), the user name in the assignment, the key in Key Vault."),
    z
        .strictObject({
            type: z.literal("ssh"),
            keyVault: KeyVaultSecretSchema,
            knownHosts: AuthSchema.options[2].shape.knownHosts,
            privateKeySecret: z.never({ error: NO_SECRET_CONFIG }).optional(),
        })
        .describe("SSH: the Git repository and SSH secrets definition (9e980dca…), the private key in Key Vault."),
    z
        .strictObject({
            type: z.literal("localSecret"),
            secretName: ruled(LOCAL_SECRET_NAME_RULE).describe("A Secret each cluster already has in the configuration's namespace, holding the Git credentials (Flux's format)."),
        })
        .describe("The Git repository and local secrets definition (b6c7fd52…)."),
]);

const FleetKustomizationSchema = KustomizationSchema.extend({
    dependsOn: z.array(dnsLabel).optional().describe("Refused: the built-in policy can't express it."),
    wait: z.boolean().optional().describe("Refused when false: the built-in policy leaves it at ARM's default, true."),
});

export const FleetConfigurationSchema = FluxConfigurationSchema.extend({
    auth: FleetAuthSchema.default({ type: "none" }),
    suspend: z.boolean().optional().describe("Refused when true: the built-in policies deploy active configurations."),
    waitForReconciliation: z.boolean().optional().describe("Refused: a policy deployment waits for no reconciliation."),
    reconciliationWaitDuration: z.string().optional().describe("Refused: a policy deployment waits for no reconciliation."),
    kustomizations: z.array(FleetKustomizationSchema).min(1, "expected at least one kustomization").describe("Exactly one: the built-in policy deploys one kustomization per configuration."),
});

export const FleetSchema = z
    .strictObject({
        scope: z
            .strictObject({
                managementGroup: ruled(MANAGEMENT_GROUP_ID_RULE).optional().describe("Assign at this management group: every cluster in its subscriptions."),
                subscription: ruled(SUBSCRIPTION_ID_RULE).optional().describe("Assign at this subscription, or name the subscription of resourceGroup. Default for a resource group: the subscription `pulumi up` deploys to."),
                resourceGroup: ruled(RESOURCE_GROUP_NAME_RULE).optional().describe("Assign at this resource group."),
            })
            .describe("Where the assignments go: managementGroup, or subscription, or resourceGroup (with or without its subscription)."),
        location: z.string().min(1).describe("Region of the assignments' managed identities (an identity needs one; which doesn't matter)."),
        clusterTypes: z
            .array(z.enum(FLEET_CLUSTER_TYPES))
            .min(1)
            .default([...FLEET_DEFAULTS.clusterTypes])
            .describe("Which clusters the assignments reach, through a resource selector: Arc (`connectedClusters`), AKS (`managedClusters`), or both, as the definitions do."),
        remediation: z
            .strictObject({
                enabled: z.boolean().default(FLEET_DEFAULTS.remediate).describe("Remediation tasks for the clusters already in scope; clusters created later are handled by the policy itself."),
                resourceDiscoveryMode: z
                    .enum(RESOURCE_DISCOVERY_MODES)
                    .optional()
                    .describe(
                        "Default `ReEvaluateCompliance`, which finds clusters on the first `up`, before Azure Policy's first compliance scan; at a management group `ExistingNonCompliant`, which acts on that scan's results (re-evaluation is reported unavailable there).",
                    ),
                round: z
                    .number()
                    .int()
                    .min(1)
                    .default(FLEET_DEFAULTS.remediationRound)
                    .describe(
                        "Bump to run the remediations again (each round is a new remediation task), e.g. after clusters failed while the extension was still installing. It deploys only to clusters that are non-compliant: see docs/fleets.md for the changes that don't make a cluster so.",
                    ),
            })
            .prefault({}),
        enforcementMode: z
            .enum(ENFORCEMENT_MODES)
            .default(FLEET_DEFAULTS.enforcementMode)
            .describe("`DoNotEnforce` stops deployments to new or changed clusters (what-if); remediation tasks still deploy."),
        extension: ExtensionSchema.prefault({}).describe("The microsoft.flux extension the policy installs: only the controller toggles, a pinned version and the Stable train."),
        configurations: z.array(FleetConfigurationSchema).min(1, "expected at least one Flux configuration").describe("One policy assignment per configuration, the definition chosen by its auth."),
    })
    .describe("Flux on every AKS or Arc cluster in a scope, through Azure Policy. A fleet stack sets only this section.");

export type ParsedFleet = z.infer<typeof FleetSchema>;
export type ParsedFleetConfiguration = z.infer<typeof FleetConfigurationSchema>;
