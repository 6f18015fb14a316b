// The configuration reference and the stack files' JSON Schema are generated from the config schema;
// these tests fail when a committed copy is stale, and check the schema against the shipped stacks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import YAML from "yaml";
import { CONNECTOR_DEFAULTS } from "../components/connector.ts";
import { REFERENCE_FILE, renderReference, SCHEMA_COMMENT, SCHEMA_FILE, stackFileSchema } from "../scripts/lib/config-reference.ts";
import { REPO_ROOT } from "./support.ts";

const read = (f: string) => readFileSync(path.join(REPO_ROOT, f), "utf8");
const stackFiles = readdirSync(path.join(REPO_ROOT, "stacks")).filter((f) => f.endsWith(".yaml"));

function validator() {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    return ajv.compile(JSON.parse(read(SCHEMA_FILE)));
}

test("docs/configuration.md and docs/stack-file.schema.json are what npm run config-reference writes", () => {
    assert.equal(read(REFERENCE_FILE), renderReference(), `${REFERENCE_FILE} is stale: run npm run config-reference`);
    assert.deepEqual(JSON.parse(read(SCHEMA_FILE)), stackFileSchema(), `${SCHEMA_FILE} is stale: run npm run config-reference`);
});

test("the reference carries the schema's keys, defaults and descriptions", () => {
    const reference = renderReference();
    assert.match(reference, /^\| `chartVersion` \| string \| `1\.2\.1` \| Only the published flat 1\.2\.x values layout/m);
    assert.match(reference, /^### `mode: arc`$/m);
    assert.match(reference, /^\| `configurations\[\]\.auth\.username` \| string \| required \| \(type: https\) `--https-user`/m);
    assert.match(reference, /^\| `kubeconfigSecret` \| string \| `arcKubeconfig` \|/m);
    // Defaults come from the components, through the schema, into the docs.
    assert.equal(stackFileSchema().properties.config.properties["gitops-platform:connector"].properties.chartVersion.default, CONNECTOR_DEFAULTS.chartVersion);
});

test("every stack file names the schema on its first line and validates against it", () => {
    assert.ok(stackFiles.length >= 4, `found ${stackFiles.length} stack files`);
    const validate = validator();
    for (const f of stackFiles) {
        const text = read(path.join("stacks", f));
        assert.equal(text.split("\n")[0], SCHEMA_COMMENT, f);
        assert.ok(validate(YAML.parse(text)), `${f}: ${JSON.stringify(validate.errors)}`);
    }
});

test("the JSON Schema refuses what the program refuses: a bad name, a secret in plain text, an unknown key", () => {
    const validate = validator();
    const dev = YAML.parse(read("stacks/Pulumi.dev.yaml"));
    const errorsFor = (edit: (config: Record<string, any>) => void) => {
        const doc = structuredClone(dev);
        edit(doc.config);
        assert.equal(validate(doc), false);
        return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    };
    assert.ok(errorsFor((c) => (c["gitops-platform:registry"].name = "my-registry")).some((e) => e.startsWith("/config/gitops-platform:registry")));
    assert.ok(errorsFor((c) => (c["gitops-platform:connectorPat"] = "plain-text")).some((e) => e.startsWith("/config/gitops-platform:connectorPat must be object")));
    assert.ok(errorsFor((c) => (c["gitops-platform:clusterr"] = { mode: "aks" })).some((e) => e.startsWith("/config/gitops-platform:clusterr")));
    assert.ok(errorsFor((c) => (c["gitops-platform:flux"].configurations[0].kustomizations = [])).some((e) => e.includes("kustomizations must NOT have fewer than 1 items")));
    // A stack on another stack's cluster sets only cluster and github, as the program says.
    const stage = YAML.parse(read("stacks/Pulumi.stage.yaml")) as { config: Record<string, unknown> };
    assert.ok(validate(stage), JSON.stringify(validate.errors));
    stage.config["gitops-platform:registry"] = dev.config["gitops-platform:registry"];
    assert.equal(validate(stage), false);
    assert.ok((validate.errors ?? []).some((e) => e.keyword === "not" && e.instancePath === "/config"), JSON.stringify(validate.errors));
    // Another package's keys and secure values pass.
    const ok = structuredClone(dev);
    ok.config["azure-native:location"] = "westeurope";
    ok.config["gitops-platform:connectorPat"] = { secure: "v1:abc" };
    assert.ok(validate(ok), JSON.stringify(validate.errors));
});
