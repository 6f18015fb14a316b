// Entry point: validate this stack's config (nothing is registered if it is invalid), then compose.
import { loadStackConfig, secretReader } from "./config.ts";
import { createPlatform } from "./platform.ts";

export = createPlatform(loadStackConfig(), secretReader());
