// The stack configuration: one stack file in, one validated and resolved object out, or a ConfigError
// naming the stack file, each key path and what was expected. The modules under config/ hold the
// parts: names, the schema by section, the cross-field checks, resolution and loading.
export { ConfigError, key, PROJECT, qualifiedStack, setSecretCommand, shortStack, stackFileName } from "./config/names.ts";
export { FLEET_KEYS, OwnerStackSchema, SECTION_SCHEMAS, SHARED_KEYS, TOP_LEVEL_KEYS } from "./config/schema.ts";
export { fleetPolicyArgs } from "./config/checks-fleet.ts";
export type { OwnerNamespaces } from "./config/checks-github.ts";
export { loadStackConfig, parseStackConfig, requiredSecrets, secretReader } from "./config/load.ts";
export type {
    FleetStackConfig, FluxConfigurationConfig, GitHubConfig, GitHubRepositoryConfig, ManifestsConfig, ManifestsRepo, OwnerStackConfig, SharedStackConfig, StackConfig, StackName,
} from "./config/resolve.ts";
export { APP, type SecretKey } from "./app-profile.ts";
