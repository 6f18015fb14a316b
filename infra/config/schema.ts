// The whole stack file: its sections, the keys a stack may set, and the types the schema parses into.
// Defaults live here and in the components (not in Pulumi.yaml) because the same defaults must hold
// under the mock runtime, where project-level defaults don't apply.
import { z } from "zod";
import { AzureSchema, ClusterSchema, OwnedClusterSchema, RegistrySchema, SharedClusterSchema } from "./schema-cluster.ts";
import { ConnectorSchema, FluxConfigurationSchema, FluxSchema } from "./schema-flux.ts";
import { FleetSchema } from "./schema-fleet.ts";
import { GitHubSchema } from "./schema-github.ts";

export { ClusterSchema, FleetSchema, GitHubSchema, SharedClusterSchema };

export const OwnerStackSchema = z.strictObject({
    azure: AzureSchema,
    cluster: OwnedClusterSchema,
    registry: RegistrySchema.describe("The Azure Container Registry the app images live in, and the cluster's pull access to it."),
    flux: FluxSchema.describe("The microsoft.flux extension and the Flux configurations that sync the GitOps repo."),
    connector: ConnectorSchema.prefault({}),
    github: GitHubSchema.optional(),
});

/** Keys a stack may set; secret keys named by the config itself are allowed in addition. */
export const TOP_LEVEL_KEYS = ["azure", "cluster", "registry", "flux", "connector", "github", "fleet"] as const;
/** What a stack sharing another stack's cluster may set. */
export const SHARED_KEYS: readonly string[] = ["cluster", "github"];
/** What a fleet stack (Azure Policy at a scope) sets: its section alone. */
export const FLEET_KEYS: readonly string[] = ["fleet"];

/** Each top-level key's schema, for the generated reference and JSON Schema: `cluster` in every mode. */
export const SECTION_SCHEMAS = {
    azure: AzureSchema,
    cluster: ClusterSchema.describe("The Kubernetes cluster: `mode` selects one of four shapes."),
    registry: OwnerStackSchema.shape.registry,
    flux: OwnerStackSchema.shape.flux,
    connector: ConnectorSchema,
    github: GitHubSchema,
    fleet: FleetSchema,
} as const satisfies Record<(typeof TOP_LEVEL_KEYS)[number], z.ZodType>;

export type ParsedOwnerStack = z.infer<typeof OwnerStackSchema>;
export type ParsedFluxConfiguration = z.infer<typeof FluxConfigurationSchema>;
export type ParsedGitHub = z.infer<typeof GitHubSchema>;
export type ParsedConnector = z.infer<typeof ConnectorSchema>;
