// The program's own credentials from Key Vault: a secret config key holding { keyVault: { vaultName,
// secretName, version? } } instead of a `secure:` value. What the config accepts and refuses, how the
// secret reader reads the vault's data plane (the fetch is stubbed; the token comes from the mocked
// invoke), what its errors say, and what the offline plan shows.
//
// Not proven here: that Key Vault accepts the token (the provider's audience handling is read from
// pulumi-azure-native's getClientToken: the endpoint is used verbatim, the scope is `<endpoint>/.default`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import { fetchKeyVaultSecret, KEY_VAULT_AUDIENCE, type KeyVaultSecretReference } from "../components/keyvault-secret.ts";
import { ConfigError, loadStackConfig, secretReader } from "../infra/config.ts";
import { planStack } from "../scripts/lib/plan-run.ts";
import { renderText } from "../scripts/lib/plan-render.ts";
import { installMocks, minimalStack, parseTestStack, scratchRepo, testStackProblems, valueOf } from "./support.ts";

const VAULT_TOKEN = "CANARY-vault-token-9f9f";
const rec = installMocks({
    config: {
        "gitops-platform:connectorPat": { keyVault: { vaultName: "kv-gitops", secretName: "connector-pat" } },
        "gitops-platform:appRepoPat": { keyVault: { vaultName: "kv-gitops", secretName: "app-repo-pat", version: "4387e9f3d6e14c459867679a90fd0f79" } },
        "gitops-platform:gitHttpsKey": "CANARY-config-secret",
        // Set with `pulumi config set --secret --path …`: the engine decrypts its leaves.
        "gitops-platform:gitopsRepoPat": { keyVault: { vaultName: "kv-gitops", secretName: "gitops-repo-pat" } },
    },
    secretKeys: ["gitops-platform:gitHttpsKey", "gitops-platform:gitopsRepoPat"],
    calls: {
        // A token whose audience is the one asked for, as the provider gives it.
        "azure-native:authorization:getClientToken": (i) => ({ token: i.endpoint === KEY_VAULT_AUDIENCE ? VAULT_TOKEN : "CANARY-arm-token" }),
    },
});

/** Replace the global fetch for one test: every request is recorded and answered by `answer`. */
function stubFetch(t: { after(fn: () => void): void }, answer: (url: string) => Response | Promise<Response>) {
    const requests: { url: string; headers: Headers }[] = [];
    const real = globalThis.fetch;
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
        requests.push({ url: String(input), headers: new Headers(init?.headers) });
        return answer(String(input));
    }) as typeof fetch;
    t.after(() => {
        globalThis.fetch = real;
    });
    return requests;
}

const ENCRYPTED = (k: string) =>
    `gitops-platform:${k}: a Key Vault reference set with --secret; a reference names a secret and isn't one: remove it (pulumi config rm ${k}) and set it again without --secret`;
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

// ---------------------------------------------------------------------------------------------
// The reference in the stack config.
// ---------------------------------------------------------------------------------------------

/** minimalStack with connectorPat set to `value` in plain text (as `pulumi config set --path` stores it). */
const withPat = (value: unknown) => ({ ...minimalStack(), connectorPat: value });
const plain = { connectorPat: "plaintext" } as const;

test("a secret key holding a Key Vault reference is accepted in place of a secret, with or without a version", () => {
    for (const keyVault of [{ vaultName: "kv-gitops", secretName: "connector-pat" }, { vaultName: "KV1", secretName: "pat", version: "4387E9F3D6E14C459867679A90FD0F79" }]) {
        const c = parseTestStack(withPat({ keyVault }), plain);
        assert.equal(c.kind, "owner");
    }
});

test("each malformed reference is refused by key path, its values never repeated", () => {
    const at = "gitops-platform:connectorPat.keyVault";
    const token = "ghp_" + "CANARY".padEnd(36, "x");
    const cases: [unknown, string[]][] = [
        [{ keyVault: { secretName: "pat" } }, [`${at}.vaultName: missing (expected the vault's name, as in https://<name>.vault.azure.net)`]],
        [{ keyVault: { vaultName: "kv-gitops" } }, [`${at}.secretName: missing (expected the name of the secret in the vault)`]],
        ...["my_vault", "ab", "kv--gitops", "1kv", "kv-", "k".repeat(25)].map((v): [unknown, string[]] => [
            { keyVault: { vaultName: v, secretName: "pat" } },
            [`${at}.vaultName: expected a vault name: 3-24 letters, digits and '-', starting with a letter, ending with a letter or digit, without '--'`],
        ]),
        [{ keyVault: { vaultName: true, secretName: "pat" } }, [`${at}.vaultName: expected a vault name: 3-24 letters, digits and '-', starting with a letter, ending with a letter or digit, without '--'`]],
        // `pulumi config set --path` stores digits as a number.
        [{ keyVault: { vaultName: "kv-gitops", secretName: 12345 } }, [`${at}.secretName: expected a Key Vault secret name: 1-127 letters, digits and '-'; a value of digits is stored as a number: set it again with pulumi config set --path --type string`]],
        [{ keyVault: { vaultName: "kv", secretName: "my_pat" } }, [`${at}.vaultName: expected a vault name: 3-24 letters, digits and '-', starting with a letter, ending with a letter or digit, without '--'`, `${at}.secretName: expected a Key Vault secret name: 1-127 letters, digits and '-'`]],
        [{ keyVault: { vaultName: "kv-gitops", secretName: "my_pat" } }, [`${at}.secretName: expected a Key Vault secret name: 1-127 letters, digits and '-'`]],
        [{ keyVault: { vaultName: "kv-gitops", secretName: "pat", version: "latest" } }, [`${at}.version: expected a secret version: 32 hexadecimal digits, the last part of the secret's id`]],
        // The likeliest mistake: the token itself where the secret's name belongs.
        [{ keyVault: { vaultName: "kv-gitops", secretName: token } }, [`${at}.secretName: looks like a credential, not a name: the reference names the secret, whose value stays in the vault (value not shown)`]],
        [{ keyVault: { vaultName: "kv-gitops", secretName: "pat", name: "x" } }, [`${at}: unknown field 'name' (expected { vaultName, secretName } and optionally version)`]],
        [{ keyVault: "kv-gitops" }, [`${at}: expected { vaultName, secretName } and optionally version`]],
        // As the stack file holds one set with `pulumi config set --secret --path`.
        [{ keyVault: { vaultName: { secure: "v1:CANARY" }, secretName: "pat" } }, [ENCRYPTED("connectorPat")]],
        [{ keyVault: { vaultName: "kv-gitops", secretName: "pat" }, secure: "v1:x" }, ["gitops-platform:connectorPat: unknown field 'secure'; a Key Vault reference holds only keyVault: { vaultName, secretName, version? }"]],
    ];
    for (const [value, expected] of cases) {
        const found = testStackProblems(withPat(value), plain);
        assert.deepEqual(found, expected, JSON.stringify(value));
        assert.ok(!found.join("\n").includes("CANARY"), `echoed: ${found}`);
    }
});

test("a plain value that isn't a reference is still refused as a secret stored in plain text", () => {
    const refused = [
        "gitops-platform:connectorPat: stored in plain text in the stack file (the GitOps Connector's orchestratorPAT); " +
            "re-set it with: pulumi config set --secret connectorPat --stack t < <file holding the value>",
    ];
    for (const value of ["CANARY-plain-pat", { vaultName: "kv-gitops", secretName: "pat" }, ["keyVault"]]) {
        assert.deepEqual(testStackProblems(withPat(value), plain), refused, JSON.stringify(value));
    }
});

// ---------------------------------------------------------------------------------------------
// Reading the vault.
// ---------------------------------------------------------------------------------------------

test("the secret reader reads a referenced key from the vault's data plane, with a token for https://vault.azure.net, as a secret", async (t) => {
    // Stored with `az keyvault secret set --file`, which keeps the file's newline: one is dropped.
    const requests = stubFetch(t, (url) => json(200, { value: `CANARY-value-of-${new URL(url).pathname.split("/")[2]}\n`, id: url.split("?")[0] }));
    const read = secretReader();
    for (const [k, name] of [["connectorPat", "connector-pat"], ["appRepoPat", "app-repo-pat"]]) {
        const value = read(k);
        assert.ok(await pulumi.isSecret(value), k);
        assert.equal(await valueOf(value), `CANARY-value-of-${name}`);
    }

    assert.deepEqual(requests.map((r) => r.url).sort(), [
        "https://kv-gitops.vault.azure.net/secrets/app-repo-pat/4387e9f3d6e14c459867679a90fd0f79?api-version=7.6",
        "https://kv-gitops.vault.azure.net/secrets/connector-pat?api-version=7.6",
    ]);
    for (const r of requests) assert.equal(r.headers.get("authorization"), `Bearer ${VAULT_TOKEN}`);
    // One token for every referenced key, asked for Key Vault's audience.
    const tokens = rec.invocations.filter((i) => i.token === "azure-native:authorization:getClientToken");
    assert.deepEqual(tokens.map((i) => i.inputs), [{ endpoint: "https://vault.azure.net" }]);

    // A key set with --secret is read from config as before: no request.
    const before = requests.length;
    const key = read("gitHttpsKey");
    assert.ok(await pulumi.isSecret(key));
    assert.equal(await valueOf(key), "CANARY-config-secret");
    assert.equal(requests.length, before);
});

test("a reference set with --secret is refused at deploy time as offline, before anything else is checked", () => {
    assert.throws(
        () => loadStackConfig(),
        (e: Error) => e instanceof ConfigError && e.problems.length === 1 && e.problems[0] === ENCRYPTED("gitopsRepoPat"),
    );
});

test("a refused read names the config key, the vault, the secret and what to do; never the token or Key Vault's message", async (t) => {
    const ref: KeyVaultSecretReference = { vaultName: "kv-gitops", secretName: "connector-pat" };
    const source = "gitops-platform:connectorPat";
    const what = `${source}: reading secret connector-pat in Key Vault kv-gitops`;
    const answers: Record<string, () => Response> = {};
    stubFetch(t, () => answers.current());
    const failure = async (answer: () => Response, r: KeyVaultSecretReference = ref) => {
        answers.current = answer;
        const e = await fetchKeyVaultSecret(r, VAULT_TOKEN, source).then(
            () => assert.fail("expected the read to fail"),
            (err: Error) => err,
        );
        assert.equal(e.name, "KeyVaultSecretError");
        assert.ok(!e.message.includes("CANARY"), `leaked: ${e.message}`);
        return e.message;
    };
    const keyVaultError = (status: number, code: string, inner?: string) => () =>
        json(status, { error: { code, message: `CANARY caller ${VAULT_TOKEN} is not allowed`, ...(inner ? { innererror: { code: inner } } : {}) } });

    assert.equal(
        await failure(keyVaultError(403, "Forbidden", "ForbiddenByRbac")),
        `${what}: access denied (403 Forbidden/ForbiddenByRbac). The identity running pulumi needs the Key Vault Secrets User role ` +
            "(4633458b-17de-408a-b874-0445c86b69e6) on the vault or on the secret, if the vault uses Azure RBAC; or an access policy granting Get on secrets, if it uses access policies",
    );
    assert.equal(
        await failure(keyVaultError(403, "Forbidden", "ForbiddenByFirewall")),
        `${what}: refused by the vault's network rules (403 Forbidden/ForbiddenByFirewall); allow this machine's address, or deploy from a network that reaches the vault`,
    );
    assert.equal(
        await failure(keyVaultError(404, "SecretNotFound")),
        `${what}: not found (404 SecretNotFound); check the names with: az keyvault secret show --vault-name kv-gitops --name connector-pat --query id`,
    );
    assert.equal(
        await failure(keyVaultError(404, "SecretNotFound"), { ...ref, version: "4387e9f3d6e14c459867679a90fd0f79" }),
        `${source}: reading secret connector-pat (version 4387e9f3d6e14c459867679a90fd0f79) in Key Vault kv-gitops: not found (404 SecretNotFound); ` +
            "check the names with: az keyvault secret show --vault-name kv-gitops --name connector-pat --version 4387e9f3d6e14c459867679a90fd0f79 --query id",
    );
    assert.equal(
        await failure(keyVaultError(401, "Unauthorized")),
        `${what}: the vault refused the sign-in (401 Unauthorized); the vault must be in the tenant the provider signs in to`,
    );
    assert.equal(await failure(() => new Response("<html>CANARY</html>", { status: 500 })), `${what}: Key Vault answered 500`);
    assert.equal(await failure(() => json(200, { id: "x" })), `${what}: Key Vault answered 200 without a value`);
    assert.equal(
        await failure(() => {
            throw new TypeError("fetch failed", { cause: Object.assign(new Error(`getaddrinfo ENOTFOUND kv-gitops.vault.azure.net`), { code: "ENOTFOUND" }) });
        }),
        `${what} failed: can't reach https://kv-gitops.vault.azure.net (ENOTFOUND); check the vault's name, and that this machine may reach it (the vault's firewall, a private endpoint)`,
    );
    // fetch's own message may quote the Authorization header: it is never repeated.
    assert.equal(
        await failure(() => {
            throw new TypeError(`Headers.append: "Bearer ${VAULT_TOKEN}\n" is an invalid header value.`);
        }),
        `${what} failed: can't reach https://kv-gitops.vault.azure.net (TypeError); check the vault's name, and that this machine may reach it (the vault's firewall, a private endpoint)`,
    );
});

// ---------------------------------------------------------------------------------------------
// The offline plan.
// ---------------------------------------------------------------------------------------------

test("the offline plan shows a referenced key as from Key Vault and its token as a lookup, fetches nothing and prints no value", () => {
    const dir = scratchRepo();
    const doc = YAML.parse(readFileSync(path.join(dir, "stacks", "Pulumi.dev.yaml"), "utf8"));
    // As `pulumi config set --path connectorPat.keyVault.vaultName kv-gitops-dev` etc. write it.
    doc.config["gitops-platform:connectorPat"] = { keyVault: { vaultName: "kv-gitops-dev", secretName: "connector-pat" } };
    doc.config["gitops-platform:appRepoPat"] = { secure: "v1:CANARYciphertext" };
    writeFileSync(path.join(dir, "stacks", "Pulumi.kv.yaml"), YAML.stringify(doc));

    // The vault doesn't exist and the plan has no credentials: a fetch would fail the plan.
    const plan = planStack("kv", { root: dir });
    assert.deepEqual(
        plan.secrets.map((s) => [s.key, s.status, s.keyVault]),
        [
            ["appRepoPat", "secure", undefined],
            ["connectorPat", "keyVault", { vaultName: "kv-gitops-dev", secretName: "connector-pat" }],
        ],
    );
    assert.deepEqual(
        plan.lookups.filter((l) => l.token === "azure-native:authorization:getClientToken"),
        [{ token: "azure-native:authorization:getClientToken", inputs: { endpoint: "https://vault.azure.net" } }],
    );
    const text = renderText(plan);
    assert.match(text, /^ {2}azure-native:authorization:getClientToken\(endpoint: https:\/\/vault\.azure\.net\)$/m);
    assert.match(text, /^ {2}connectorPat: the GitOps Connector's orchestratorPAT; from Key Vault kv-gitops-dev\/connector-pat, read at deploy time$/m);
    // The PAT's value is a lookup's answer, unknown offline: still a secret where it is used, and printed nowhere.
    assert.ok(!JSON.stringify(plan).includes("CANARY"));
    const patSecret = plan.kubernetes.find((m) => m.kind === "Secret" && (m.metadata as { name: string }).name === "gitops-connector-secret");
    assert.equal(patSecret?.stringData, "[secret]");
});
