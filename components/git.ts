// Git repository URLs and SSH host keys as Flux and ARM take them: which hosts' layouts are known, what
// a URL must not carry, and which known_hosts lines would verify the server.
import { urlUserinfoProblem } from "./credentials.ts";

/**
 * GitHub's published SSH host keys (docs.github.com, "GitHub's SSH key fingerprints"), pinned so that
 * Flux never trusts a host key on first use. A test checks them against GitHub's published SHA256
 * fingerprints.
 */
export const GITHUB_KNOWN_HOSTS: readonly string[] = [
    "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    "github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=",
    "github.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk=",
];

export function gitHost(url: string): string {
    return new URL(url).hostname;
}

export type GitRepo =
    | { readonly kind: "github"; readonly owner: string; readonly repo: string }
    | { readonly kind: "azdo"; readonly organization: string; readonly project: string; readonly repo: string };

/**
 * Recognises github.com (https or ssh) and Azure Repos (https://dev.azure.com/<org>/<project>/_git/<repo>
 * or ssh://git@ssh.dev.azure.com/v3/<org>/<project>/<repo>) URLs; undefined for any other host.
 */
export function parseGitRepoUrl(url: string): GitRepo | undefined {
    let u: URL;
    try {
        u = new URL(url);
    } catch {
        return undefined;
    }
    const parts = u.pathname.replace(/\.git$/, "").split("/").filter((p) => p !== "");
    if (u.hostname === "github.com" && parts.length === 2) {
        return { kind: "github", owner: parts[0], repo: parts[1] };
    }
    if (u.hostname === "dev.azure.com" && parts.length === 4 && parts[2] === "_git") {
        return { kind: "azdo", organization: parts[0], project: parts[1], repo: parts[3] };
    }
    if (u.hostname === "ssh.dev.azure.com" && parts.length === 4 && parts[0] === "v3") {
        return { kind: "azdo", organization: parts[1], project: parts[2], repo: parts[3] };
    }
    return undefined;
}

/**
 * What is wrong with a Git URL, or undefined. Besides the scheme and credentials, the two hosts whose
 * layout is known must name a repository: github.com/<owner>/<repo>, and Azure Repos'
 * <org>/<project>/_git/<repo> (https) or v3/<org>/<project>/<repo> (ssh). Any other host needs a path.
 */
export function gitUrlProblem(url: string): string | undefined {
    if (!/^(https|ssh):\/\/[^\s]+$/.test(url)) return "expected an https:// or ssh:// Git URL";
    const userinfo = urlUserinfoProblem(url);
    if (userinfo !== undefined) return `the URL ${userinfo}`;
    let u: URL;
    try {
        u = new URL(url);
    } catch {
        return "expected an https:// or ssh:// Git URL";
    }
    // A query or fragment is where a token (?access_token=) would hide; Git remotes need neither.
    if (u.search !== "" || u.hash !== "") return "expected a Git URL without a query (?…) or fragment (#…); credentials belong in auth";
    if (u.hostname === "www.github.com") return "expected github.com, not www.github.com";
    const path = u.pathname.replace(/\.git$/, "").replace(/\/+$/, "");
    if (u.hostname === "github.com" && parseGitRepoUrl(url) === undefined) {
        return "expected a github.com repository URL with owner and repo, such as https://github.com/<owner>/<repo> or ssh://git@github.com/<owner>/<repo>";
    }
    if (u.hostname === "dev.azure.com" && parseGitRepoUrl(url) === undefined) {
        return "expected an Azure Repos URL such as https://dev.azure.com/<org>/<project>/_git/<repo>";
    }
    if (u.hostname === "ssh.dev.azure.com" && parseGitRepoUrl(url) === undefined) {
        return "expected an Azure Repos SSH URL such as ssh://git@ssh.dev.azure.com/v3/<org>/<project>/<repo>";
    }
    if (path === "") return "expected the repository's path after the host";
    return undefined;
}

/**
 * The host key types Flux's source-controller verifies a Git server with. Its known_hosts parser
 * (fluxcd/pkg ssh/knownhosts, a copy of golang.org/x/crypto's) takes any key x/crypto parses, and since
 * Flux 2.6.2 the client offers exactly the key types the file lists. DSA is left out: x/crypto keeps
 * `ssh-dss` only as an insecure algorithm and OpenSSH servers no longer offer it.
 */
export const KNOWN_HOST_KEY_TYPES: readonly string[] = [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

const looksLikeKeyType = (f: string | undefined) => f !== undefined && (KNOWN_HOST_KEY_TYPES.includes(f) || /^(ssh-dss|ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9]+)(@openssh\.com)?$/.test(f));

/**
 * Why a known_hosts line would not verify the Git server, or undefined. A line is
 * `<hosts> <key type> <base64 key> [comment]`: a bare public key (no host field) makes Flux fail the whole
 * file, and a key whose base64 doesn't decode to the SSH wire format of its own type is a paste error.
 */
export function knownHostsLineProblem(line: string): string | undefined {
    const all = line.trim().split(/\s+/);
    if (all[0] === "@cert-authority") {
        return "@cert-authority lines don't verify: since Flux 2.6.2 the client offers only the key types listed, never certificate algorithms; pin the host's own keys";
    }
    // Flux honours @revoked (a key to refuse); any other marker is a typo. Messages never quote a field:
    // a pasted secret must not be repeated.
    if (all[0]?.startsWith("@") && all[0] !== "@revoked") return "unknown marker; known_hosts lines may start with @revoked only";
    const fields = all[0] === "@revoked" ? all.slice(1) : all;
    if (looksLikeKeyType(fields[0])) {
        return "a bare public key: expected a known_hosts line, '<host> <key type> <base64 key>' (as ssh-keyscan <host> prints it)";
    }
    if (fields.length < 3) return "expected a known_hosts line, '<host> <key type> <base64 key>'";
    const [, type, key] = fields;
    if (type === "ssh-dss") return "ssh-dss (DSA) host keys don't verify with current servers and clients; pin the host's ed25519, ECDSA or RSA key";
    if (!KNOWN_HOST_KEY_TYPES.includes(type)) return `unknown key type; expected one of ${KNOWN_HOST_KEY_TYPES.join(", ")}`;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return "the key is not base64";
    const blob = Buffer.from(key, "base64");
    const length = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
    if (length < 0 || 4 + length > blob.length || blob.subarray(4, 4 + length).toString("latin1") !== type) {
        return `the key doesn't decode to an ${type} public key`;
    }
    if (fields.slice(3).some(looksLikeKeyType)) {
        return "more than one key on a line: Flux reads only the first and takes the rest as a comment; put each key on its own line";
    }
    return undefined;
}

/** Problems of a known_hosts list, by line index: each line's own, and a host's second key of one type. */
export function knownHostsProblems(lines: readonly string[]): { index: number; message: string }[] {
    const problems: { index: number; message: string }[] = [];
    const seen = new Set<string>();
    lines.forEach((line, index) => {
        const problem = knownHostsLineProblem(line);
        if (problem !== undefined) {
            problems.push({ index, message: problem });
            return;
        }
        const [hosts, type] = line.trim().split(/\s+/).filter((f, i) => !(i === 0 && f === "@revoked"));
        if (line.trim().startsWith("@revoked")) return;
        if (seen.has(`${hosts} ${type}`)) {
            problems.push({ index, message: `a second ${type} key for ${hosts}: Flux keeps only the first key of each type per host` });
        }
        seen.add(`${hosts} ${type}`);
    });
    return problems;
}
