// Every invoke (data-source lookup) the program makes, and the fields of its result the program reads.
// The one list both runs of the program answer from: the offline plan (scripts/plan-stack.ts) answers
// every field unknown, the tests (test/support.ts) with fixed values; an invoke missing here fails both.
import * as pulumi from "@pulumi/pulumi";

export const INVOKES = {
    "azure-native:authorization:getClientConfig": ["clientId", "objectId", "subscriptionId", "tenantId"],
    "azure-native:authorization:getClientToken": ["token"],
    "azure-native:containerservice:listManagedClusterUserCredentials": ["kubeconfigs"],
    "azure-native:containerservice:listManagedClusterAdminCredentials": ["kubeconfigs"],
    "azure-native:containerservice:getManagedCluster": ["id", "name", "location", "identityProfile", "oidcIssuerProfile"],
    "azure-native:kubernetes:getConnectedCluster": ["id", "name", "location"],
    "azure-native:containerregistry:getRegistry": ["id", "name", "loginServer"],
    "github:index/getRepository:getRepository": ["id", "fullName", "name", "allowMergeCommit", "mergeCommitTitle"],
    "github:index/getUser:getUser": ["id", "login"],
    "github:index/getTeam:getTeam": ["id", "slug"],
} as const satisfies Record<string, readonly string[]>;

export type InvokeToken = keyof typeof INVOKES;

/** The result of an invoke: exactly its listed fields. */
export type InvokeResult<T extends InvokeToken> = Record<(typeof INVOKES)[T][number], any>;

export function isInvokeToken(token: string): token is InvokeToken {
    return Object.hasOwn(INVOKES, token);
}

/** Thrown for an invoke the list doesn't have: whoever answers it can't know what it returns. */
export function unknownInvoke(token: string): Error {
    return new Error(`invoke ${token} is not in scripts/lib/invokes.ts: add it there with the fields the program reads`);
}

/** What an invoke returns before anything exists in the cloud: every field unknown, as in a preview. */
export function unknownResult(token: string): Record<string, unknown> {
    if (!isInvokeToken(token)) throw unknownInvoke(token);
    return Object.fromEntries(INVOKES[token].map((f) => [f, pulumi.runtime.unknownValue]));
}
