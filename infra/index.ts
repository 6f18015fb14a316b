// Entry point: validate this stack's config (nothing is registered if it is invalid), then compose.
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig, PROJECT } from "./config.ts";
import { createPlatform } from "./platform.ts";

const config = loadStackConfig();
const secrets = new pulumi.Config(PROJECT);

export = createPlatform(config, (key) => secrets.requireSecret(key));
