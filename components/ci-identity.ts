// The Entra ID identity the app repo's workflows sign in to Azure with, holding only the roles they
// need: build and push on the registry, and fetch the cluster's user credentials for the smoke test.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as azuread from "@pulumi/azuread";
import { BuiltInRoles, roleDefinitionId } from "./azure.ts";
import { forwardedDependsOn } from "./options.ts";
import { at, hoursRule, oneOfProblem, patternProblem, refuseInvalidArgs, type PatternRule, type Problem } from "./problems.ts";

/** GitHub Actions' OIDC issuer and the audience Entra ID expects from it. */
export const GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "api://AzureADTokenExchange";

/** The subject GitHub puts in the OIDC token of a job that declares `environment: <env>`. */
export function environmentSubject(owner: string, repo: string, environment: string): string {
    return `repo:${owner}/${repo}:environment:${environment}`;
}

/** The subject of a job without an environment, running on `ref` (e.g. `refs/heads/master`). */
export function refSubject(owner: string, repo: string, ref: string): string {
    return `repo:${owner}/${repo}:ref:${ref}`;
}

/** The `creds` JSON azure/login@v1 reads from AZURE_CREDENTIALS. */
export function azureCredentialsJson(c: { clientId: string; clientSecret: string; subscriptionId: string; tenantId: string }): string {
    return JSON.stringify({ clientId: c.clientId, clientSecret: c.clientSecret, subscriptionId: c.subscriptionId, tenantId: c.tenantId });
}

export const CI_IDENTITY_MODES = ["clientSecret", "oidc"] as const;
export type CiIdentityMode = (typeof CI_IDENTITY_MODES)[number];

/** Defaults the stack config applies; a caller from code states the mode and lifetime. */
export const CI_IDENTITY_DEFAULTS = {
    /** What the sample workflows' azure/login@v1 `creds` reads. */
    mode: "clientSecret",
    /** The client secret's lifetime: half a year. */
    secretLifetime: "4380h",
    /** Refs whose jobs without an environment may log in with OIDC: the sample's CI build runs on master. */
    refs: ["refs/heads/master"],
} as const satisfies { mode: CiIdentityMode; secretLifetime: string; refs: readonly string[] };

/** The client secret's lifetime, in hours (azuread `endDateRelative`). */
export const SECRET_LIFETIME_RULE = hoursRule(CI_IDENTITY_DEFAULTS.secretLifetime);
/** A Git ref whose jobs may log in with OIDC (see refSubject). */
export const CI_REF_RULE: PatternRule = { pattern: /^refs\/(heads|tags)\/.+$/, message: "expected a ref such as refs/heads/master" };

export function secretLifetimeProblem(lifetime: string): string | undefined {
    return patternProblem(SECRET_LIFETIME_RULE, lifetime);
}

export function ciRefProblem(ref: string): string | undefined {
    return patternProblem(CI_REF_RULE, ref);
}

interface CiIdentityCommonArgs {
    /** Display name of the app registration. */
    readonly displayName: pulumi.Input<string>;
    /** The registry the workflows build and push on. */
    readonly registryId: pulumi.Input<string>;
    /** Clusters whose user credentials the smoke test fetches, by name -> ARM ID. */
    readonly clusters: Readonly<Record<string, pulumi.Input<string>>>;
}

export type CiIdentityArgs =
    | (CiIdentityCommonArgs & {
          /** A client secret, what the sample workflows' azure/login@v1 `creds` needs (AZURE_CREDENTIALS). */
          readonly mode: "clientSecret";
          /** Lifetime of the client secret, e.g. `4380h` (CI_IDENTITY_DEFAULTS.secretLifetime). */
          readonly secretLifetime: string;
      })
    | (CiIdentityCommonArgs & {
          /** Federated credentials only, no long-lived secret; the workflows log in with client-id/tenant-id. */
          readonly mode: "oidc";
          /** OIDC subjects trusted, by a short name -> subject. Default: none. */
          readonly federatedSubjects?: Readonly<Record<string, string>>;
      });

/** What the identity's arguments would get wrong, by argument. */
export function ciIdentityProblems(args: CiIdentityArgs): Problem[] {
    const problems = at(["mode"], oneOfProblem(CI_IDENTITY_MODES, args.mode));
    if (args.mode === "clientSecret") {
        // Only JavaScript callers can leave it out, or pass subjects here: the types require and forbid them.
        if (args.secretLifetime === undefined) problems.push({ path: ["secretLifetime"], message: "secretLifetime is required with mode clientSecret" });
        else problems.push(...at(["secretLifetime"], secretLifetimeProblem(args.secretLifetime)));
        if (Object.keys((args as { federatedSubjects?: object }).federatedSubjects ?? {}).length > 0) {
            problems.push({ path: ["federatedSubjects"], message: "federatedSubjects apply to mode oidc only" });
        }
    }
    return problems;
}

export class CiIdentity extends pulumi.ComponentResource {
    public readonly clientId: pulumi.Output<string>;
    /** Object ID of the service principal, for role assignments made elsewhere. */
    public readonly principalId: pulumi.Output<string>;
    /** The application's resource ID, for federated credentials made elsewhere. */
    public readonly applicationId: pulumi.Output<string>;
    public readonly tenantId: pulumi.Output<string>;
    public readonly subscriptionId: pulumi.Output<string>;
    /** The client secret (mode clientSecret), secret. */
    public readonly clientSecret: pulumi.Output<string> | undefined;

    constructor(name: string, args: CiIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs("CiIdentity", name, ciIdentityProblems(args));
        super("gitops:identity:CiIdentity", name, {}, opts);
        const childOpts = { parent: this, dependsOn: forwardedDependsOn(opts) };

        const app = new azuread.Application(`${name}-app`, { displayName: args.displayName }, childOpts);
        const sp = new azuread.ServicePrincipal(`${name}-sp`, { clientId: app.clientId }, childOpts);
        const client = authorization.getClientConfigOutput({ parent: this });

        if (args.mode === "clientSecret") {
            const password = new azuread.ApplicationPassword(
                `${name}-secret`,
                { applicationId: app.id, displayName: "github-actions", endDateRelative: args.secretLifetime },
                childOpts,
            );
            this.clientSecret = pulumi.secret(password.value);
        } else {
            this.clientSecret = undefined;
            for (const [key, subject] of Object.entries(args.federatedSubjects ?? {})) {
                new azuread.ApplicationFederatedIdentityCredential(
                    `${name}-fic-${key}`,
                    { applicationId: app.id, displayName: key, issuer: GITHUB_OIDC_ISSUER, audiences: [GITHUB_OIDC_AUDIENCE], subject },
                    childOpts,
                );
            }
        }

        const assign = (role: string, roleGuid: string, scope: pulumi.Input<string>) =>
            new authorization.RoleAssignment(
                `${name}-${role}`,
                // principalType skips ARM's directory lookup of a principal created seconds earlier.
                { principalId: sp.objectId, principalType: "ServicePrincipal", roleDefinitionId: roleDefinitionId(client.subscriptionId, roleGuid), scope },
                childOpts,
            );
        // `az acr build` queues an ACR Task (scheduleRun), which AcrPush lacks; AcrPush covers the image
        // pushes and `az acr repository show`. Nothing is granted at subscription scope.
        assign("acrpush", BuiltInRoles.AcrPush, args.registryId);
        assign("acr-tasks", BuiltInRoles.ContainerRegistryTasksContributor, args.registryId);
        for (const [cluster, id] of Object.entries(args.clusters)) {
            // What `az aks get-credentials` in the smoke test calls (listClusterUserCredential).
            assign(`${cluster}-user`, BuiltInRoles.AksClusterUser, id);
        }

        this.clientId = app.clientId;
        this.principalId = sp.objectId;
        this.applicationId = app.id;
        this.tenantId = client.tenantId;
        this.subscriptionId = client.subscriptionId;
        this.registerOutputs({
            clientId: this.clientId,
            principalId: this.principalId,
            applicationId: this.applicationId,
            tenantId: this.tenantId,
            subscriptionId: this.subscriptionId,
        });
    }
}

export interface CiClusterAccessArgs {
    /** The CI identity's service principal (object ID), e.g. from the stack that owns the identity. */
    readonly principalId: pulumi.Input<string>;
    /** The cluster whose user credentials the smoke test fetches. */
    readonly clusterId: pulumi.Input<string>;
}

/**
 * The CI identity's access to a cluster that another stack's identity doesn't cover: the environment
 * stack that owns the cluster owns the assignment.
 */
export class CiClusterAccess extends pulumi.ComponentResource {
    public readonly assignment: authorization.RoleAssignment;

    constructor(name: string, args: CiClusterAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:identity:CiClusterAccess", name, {}, opts);
        const client = authorization.getClientConfigOutput({ parent: this });
        this.assignment = new authorization.RoleAssignment(
            `${name}-user`,
            {
                principalId: args.principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: roleDefinitionId(client.subscriptionId, BuiltInRoles.AksClusterUser),
                scope: args.clusterId,
            },
            { parent: this, dependsOn: forwardedDependsOn(opts) },
        );
        this.registerOutputs({ assignment: this.assignment });
    }
}
