// Who gets cluster admin on an Entra ID cluster, and with which principalType. ARM refuses a role
// assignment whose type doesn't match the directory (UnmatchedPrincipalType), and azure-native defaults
// the type to User; the mocks refuse a mismatch the same way (test/support.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cluster, principalTypeOfToken } from "../components/cluster.ts";
import { CALLER_OBJECT_ID, callerToken, checkPrincipalType, fakeJwt, find, installMocks, one, settle, SUB } from "./support.ts";

const GROUP = "6f1c2d3e-4a5b-4c6d-8e7f-901234567890";
const SP = "0b6a7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";
const USER = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
// CI runs `pulumi up` as a service principal.
const rec = installMocks({ caller: "servicePrincipal", principals: { [GROUP]: "Group", [SP]: "ServicePrincipal", [USER]: "User" } });

const cluster = new Cluster("ci", {
    mode: "aks",
    name: "aks-ci",
    resourceGroupName: "rg",
    location: "westeurope",
    aks: {
        entraId: {
            clusterAdmins: [
                { objectId: USER, type: "User" },
                { objectId: SP, type: "ServicePrincipal" },
                { objectId: GROUP, type: "Group" },
            ],
        },
    },
});
const pinnedOnly = new Cluster("pinned", {
    mode: "aks",
    name: "aks-pinned",
    resourceGroupName: "rg",
    location: "westeurope",
    aks: { entraId: { grantDeployerClusterAdmin: false, clusterAdmins: [{ objectId: GROUP, type: "Group" }] } },
});
const ready = settle(cluster, pinnedOnly);

test("the caller's type comes from its own token: an app-only token is a service principal, a delegated one a user", () => {
    assert.equal(principalTypeOfToken(callerToken("servicePrincipal")), "ServicePrincipal");
    assert.equal(principalTypeOfToken(callerToken("user")), "User");
    // Without idtyp, `scp` alone marks a delegated (user) token; a managed identity's token has neither.
    assert.equal(principalTypeOfToken(fakeJwt({ scp: "user_impersonation" })), "User");
    assert.equal(principalTypeOfToken(fakeJwt({ oid: "x", roles: ["a"] })), "ServicePrincipal");
    assert.equal(principalTypeOfToken(fakeJwt({ idtyp: "app", scp: "odd" })), "ServicePrincipal");
    assert.throws(() => principalTypeOfToken("not-a-token"), /is not a JWT/);
});

test("run by a service principal, the deployer grant is typed ServicePrincipal; pinned users, service principals and groups keep their types", async () => {
    await ready;
    const role = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b`;
    const deployer = one(rec, "azure-native:authorization:RoleAssignment", "ci-deployer-admin").inputs;
    assert.deepEqual([deployer.principalId, deployer.principalType, deployer.roleDefinitionId], [CALLER_OBJECT_ID, "ServicePrincipal", role]);
    const pinned = [USER, SP, GROUP].map((id) => one(rec, "azure-native:authorization:RoleAssignment", `ci-admin-${id}`).inputs);
    assert.deepEqual(
        pinned.map((p) => [p.principalId, p.principalType, p.roleDefinitionId, p.scope]),
        [
            [USER, "User", role, `/subscriptions/${SUB}/mock/ci-aks`],
            [SP, "ServicePrincipal", role, `/subscriptions/${SUB}/mock/ci-aks`],
            [GROUP, "Group", role, `/subscriptions/${SUB}/mock/ci-aks`],
        ],
    );
    // Every grant exists before the Kubernetes provider can be used.
    const provider = one(rec, "pulumi:providers:kubernetes", "ci-k8s");
    for (const name of ["ci-deployer-admin", `ci-admin-${USER}`, `ci-admin-${SP}`, `ci-admin-${GROUP}`]) {
        assert.ok(provider.dependencies.some((d) => d.endsWith(`::${name}`)), `the provider waits for ${name}`);
    }
});

test("with grantDeployerClusterAdmin off, only the pinned principals are granted: a second operator's run changes nothing", async () => {
    await ready;
    assert.deepEqual(find(rec, "azure-native:authorization:RoleAssignment", "pinned-deployer-admin"), []);
    assert.equal(one(rec, "azure-native:authorization:RoleAssignment", `pinned-admin-${GROUP}`).inputs.principalType, "Group");
});

test("the mocks refuse a role assignment whose type doesn't match the directory, as ARM does (UnmatchedPrincipalType)", () => {
    const directory = { [CALLER_OBJECT_ID]: "ServicePrincipal" };
    // What the program sent before: azure-native's default type for the service principal running it.
    assert.throws(
        () => checkPrincipalType(directory, { principalId: CALLER_OBJECT_ID, principalType: "User" }),
        /UnmatchedPrincipalType: The PrincipalId '00000000-0000-0000-0000-0000000de910' has type 'ServicePrincipal' , which is different from specified PrinciaplType 'User'/,
    );
    checkPrincipalType(directory, { principalId: CALLER_OBJECT_ID, principalType: "ServicePrincipal" });
    assert.throws(() => checkPrincipalType({}, { principalId: "kubelet-of-x", principalType: "User" }), /UnmatchedPrincipalType/, "kubelet identities are service principals");
});
