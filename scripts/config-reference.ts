// npm run config-reference: write docs/configuration.md and docs/stack-file.schema.json from the config
// schema. test/config-reference.test.ts fails when the committed copies are stale.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { REFERENCE_FILE, renderReference, SCHEMA_FILE, stackFileSchema } from "./lib/config-reference.ts";

const root = path.join(__dirname, "..");
writeFileSync(path.join(root, REFERENCE_FILE), renderReference());
writeFileSync(path.join(root, SCHEMA_FILE), JSON.stringify(stackFileSchema(), null, 2) + "\n");
console.log(`${REFERENCE_FILE}, ${SCHEMA_FILE}: written`);
