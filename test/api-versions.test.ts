// The ARM API versions behind the SDK classes the program uses. azure-native v3 pins one API version
// per resource; the field names and enums the components send (and platform research validated) are
// those of these versions. An SDK upgrade that moves one fails here, to be reviewed on purpose.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./support.ts";

function armApiVersion(module: string, file: string): string {
    const d = readFileSync(path.join(REPO_ROOT, "node_modules/@pulumi/azure-native", module, `${file}.d.ts`), "utf8");
    const m = /Uses Azure REST API version ([0-9a-z-]+)\./.exec(d);
    assert.ok(m, `${module}/${file} states no API version`);
    return m[1];
}

test("ARM resources use the API versions the components were written against", () => {
    assert.equal(armApiVersion("kubernetesconfiguration", "extension"), "2023-05-01");
    assert.equal(armApiVersion("kubernetesconfiguration", "fluxConfiguration"), "2023-05-01");
    assert.equal(armApiVersion("containerservice", "managedCluster"), "2025-09-01");
    assert.equal(armApiVersion("containerservice", "listManagedClusterUserCredentials"), "2025-09-01");
    assert.equal(armApiVersion("containerregistry", "registry"), "2023-01-01-preview");
    assert.equal(armApiVersion("authorization", "roleAssignment"), "2022-04-01");
    assert.equal(armApiVersion("kubernetes", "getConnectedCluster"), "2024-02-01-preview");
});
