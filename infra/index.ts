// Entry point: validate this stack's config (nothing is registered if it is invalid), then compose.
import * as path from "node:path";
import { loadStackConfig, secretReader } from "./config.ts";
import { createPlatform } from "./platform.ts";
import { ownerNamespacesFrom } from "./stack-files.ts";

// Stack files sit beside the program (Pulumi.yaml: stackConfigDir: stacks); a stack sharing another's
// cluster is checked against that stack's file.
export = createPlatform(loadStackConfig(ownerNamespacesFrom(path.join(__dirname, "..", "stacks"))), secretReader());
