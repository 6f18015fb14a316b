// Recognising a credential where a name or a URL belongs. Stack files and component args are typed by
// people: sooner or later a token is pasted into a field that is stored, logged and shown in plan
// output in clear. These checks run before anything is registered, and their messages never repeat the
// value they found.

/**
 * Well-known credential shapes, by what they are. Prefixes are the issuers' own (GitHub's token
 * formats, GitLab's `glpat-`, Slack's `xox?-`), plus PEM private keys, JWTs and Entra ID client secrets
 * (`xxxNQ~…`, 40 characters).
 */
const CREDENTIAL_SHAPES: readonly { readonly kind: string; readonly pattern: RegExp }[] = [
    // Classic tokens: a prefix and 36 characters; fine-grained: github_pat_, 22, '_', 59.
    { kind: "a GitHub token", pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})/ },
    { kind: "a GitLab token", pattern: /\bglpat-[A-Za-z0-9_-]{20,}/ },
    { kind: "a Slack token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
    { kind: "a private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
    { kind: "a JSON Web Token", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./ },
    { kind: "an Entra ID client secret", pattern: /(^|[^A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}($|[^A-Za-z0-9_~.-])/ },
];

/** What kind of credential `value` contains, or undefined. Never returns the value itself. */
export function credentialKind(value: string): string | undefined {
    return CREDENTIAL_SHAPES.find((s) => s.pattern.test(value))?.kind;
}

/** Shannon entropy of a string, in bits per character. */
function entropy(s: string): number {
    const counts = new Map<string, number>();
    for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
    return [...counts.values()].reduce((h, n) => h - (n / s.length) * Math.log2(n / s.length), 0);
}

/**
 * A name that is really a secret: a known token shape, or a long run of base64-ish characters with the
 * randomness of a key rather than of words. Long camel-case names (`arcKubeconfigWestEuropeEdgeCluster01`,
 * about 4.2 bits a character) stay below the threshold; base64 and base32 secrets (Azure DevOps PATs,
 * storage keys) are well above it.
 */
export function looksLikeSecretValue(name: string): boolean {
    if (credentialKind(name) !== undefined) return true;
    return /^[A-Za-z0-9+/_=-]{24,}$/.test(name) && entropy(name) >= 4.4;
}

/**
 * Why a URL's userinfo is refused, or undefined. Only two kinds of userinfo carry no secret: the `git@`
 * of SSH URLs, and the organisation name Azure DevOps puts in its HTTPS clone URLs
 * (`https://<org>@dev.azure.com/<org>/…`). Anything else, `user:password@` or a token used as the user
 * name (`https://ghp_…@github.com/…`), would be stored in clear wherever the URL goes.
 */
export function urlUserinfoProblem(url: string): string | undefined {
    let u: URL;
    try {
        u = new URL(url);
    } catch {
        return undefined; // not a URL: the caller's format check reports it, without this rule
    }
    if (u.username === "" && u.password === "") return undefined;
    if (u.password !== "") return "must not carry a password or token (user:password@); remove it and use the auth settings";
    if (u.protocol === "ssh:" && u.username === "git") return undefined;
    const org = u.pathname.split("/").filter((p) => p !== "")[0];
    if (u.protocol === "https:" && u.hostname === "dev.azure.com" && decodeURIComponent(u.username) === org) return undefined;
    return u.protocol === "ssh:"
        ? "an ssh:// URL may only name the user git (ssh://git@host/…)"
        : "must not carry a user name or token before '@' (only Azure DevOps' https://<org>@dev.azure.com/<org>/… is allowed); remove it and use the auth settings";
}

/**
 * Every place in a config tree where a string (or a map key) contains a credential or a URL with
 * userinfo, as [path, message] pairs. Walks plain JSON values only; the messages never include the value.
 */
export function credentialFindings(value: unknown, path: readonly (string | number)[] = []): { path: (string | number)[]; message: string }[] {
    if (typeof value === "string") {
        const kind = credentialKind(value);
        if (kind !== undefined) return [{ path: [...path], message: `looks like ${kind}; secrets belong in secret config (pulumi config set --secret), never in the stack file (value not shown)` }];
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
            const problem = urlUserinfoProblem(value);
            if (problem !== undefined) return [{ path: [...path], message: `this URL ${problem} (value not shown)` }];
        }
        return [];
    }
    if (Array.isArray(value)) return value.flatMap((v, i) => credentialFindings(v, [...path, i]));
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) =>
            // A key that is a credential is reported at its parent, so the path never repeats it.
            looksLikeSecretValue(k)
                ? [{ path: [...path], message: "a key here looks like a credential, not a name (key not shown)" }]
                : credentialFindings(v, [...path, k]),
        );
    }
    return [];
}
