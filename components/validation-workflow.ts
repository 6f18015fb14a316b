// The GitHub Actions workflow a governed GitOps repo runs on every pull request to a synced branch: it
// builds each folder a Flux kustomization syncs from that branch with kustomize, validates every object
// against the Kubernetes and Flux CRD schemas with kubeconform, and refuses objects at an API the
// pinned microsoft.flux release no longer serves. Pure: the text is a function of its arguments, so a
// new kustomization path is validated from the next `pulumi up`.
import { apisRemovedBy, fluxExtensionRelease, NEWEST_FLUX_EXTENSION_VERSION } from "./flux-versions.ts";
import type { PatternRule, Problem } from "./problems.ts";
import { at, patternProblem } from "./problems.ts";

/**
 * The workflow's one job's name, which is the check context GitHub reports for it (a job's `name`, not
 * the workflow's, and without a matrix suffix since the job has no matrix): the ruleset requires
 * exactly this.
 */
export const VALIDATION_CHECK_NAME = "gitops-validate";

/** Where the workflow goes in the GitOps repo. */
export const VALIDATION_WORKFLOW_PATH = ".github/workflows/gitops-validate.yml";

/**
 * GitHub Actions' app ID (GET /apps/github-actions), the same on every github.com repo: a required check
 * with it is satisfied only by a workflow job, never by a commit status anyone with write access posts.
 */
export const GITHUB_ACTIONS_APP_ID = 15368;

/**
 * What the workflow runs, each pinned: release archives by version and SHA-256 (the same digests the
 * projects' published checksum files list), schema sets by commit, the one action by commit SHA.
 */
export const VALIDATION_TOOLS = {
    kustomize: {
        version: "5.7.1",
        sha256: "ea375e7372f9aa029129d4b2d16c66b7750b7f1213c4f66f910d981c895818d8",
    },
    kubeconform: {
        version: "0.7.0",
        sha256: "c31518ddd122663b3f3aa874cfe8178cb0988de944f29c74a0b9260920d115d3",
    },
    /** kubeconform's default schema set (yannh/kubernetes-json-schema), at a commit instead of master. */
    kubernetesSchemas: { repo: "yannh/kubernetes-json-schema", commit: "491f6d0bac338516572de67fbd5ec4c510f7e657" },
    /** The Flux CRDs (Flux 2.7's, ExternalArtifact included), from datreeio/CRDs-catalog at a commit. */
    crdSchemas: { repo: "datreeio/CRDs-catalog", commit: "7b1e26ef9deea49293714d204c1a2270aab1178f" },
    /** The pin this repository's own workflows use. */
    checkout: { action: "actions/checkout", sha: "11d5960a326750d5838078e36cf38b85af677262", release: "v4.4.0" },
} as const;

/**
 * A kustomization path or branch as the workflow can carry it: written into YAML and read by a shell
 * loop, so nothing a shell, a YAML scalar, a GitHub expression or a branch filter's glob would interpret.
 */
export const WORKFLOW_PATH_RULE: PatternRule = {
    pattern: /^(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]*$/,
    message: "expected letters, digits, '.', '_', '-' and '/' only, without '..' segments (the validation workflow writes it into a shell loop)",
};
export const WORKFLOW_BRANCH_RULE: PatternRule = {
    pattern: /^[A-Za-z0-9._/-]+$/,
    message: "expected letters, digits, '.', '_', '-' and '/' only (the validation workflow's branch filter would read anything else as a pattern)",
};
export const WORKFLOW_FILE_RULE: PatternRule = {
    pattern: /^\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml$/,
    message: "expected a .yml or .yaml file directly in .github/workflows/ (GitHub runs no workflow from anywhere else)",
};

export interface ValidationWorkflowArgs {
    /** The branch whose pull requests the workflow checks. */
    readonly branch: string;
    /** Kustomization paths synced from that branch, as Flux takes them (`./a/b`, `a/b/`, `` for the root). */
    readonly paths: readonly string[];
    /** The pinned microsoft.flux version; undefined for minor auto-upgrade (checked against the newest release). */
    readonly extensionVersion?: string;
    /** Who generates the file, for its header: e.g. `Pulumi stack prod (project gitops-platform)`. */
    readonly managedBy: string;
}

/** A kustomization path as a folder relative to the repository root: `./a/b/` -> `a/b`, `` -> `.`. */
export function kustomizationFolder(path: string): string {
    const trimmed = path.replace(/^(\.\/)+/, "").replace(/^\/+/, "").replace(/\/+$/, "");
    return trimmed === "" || trimmed === "." ? "." : trimmed;
}

/** The folders to validate: each path once, in the order given. */
export function validationFolders(paths: readonly string[]): string[] {
    return [...new Set(paths.map(kustomizationFolder))];
}

/** The extension release the removed-API check reads, and how the workflow names it. */
export function checkedExtension(version: string | undefined): { readonly version: string; readonly label: string; readonly removedApis: readonly string[] } {
    const v = version ?? NEWEST_FLUX_EXTENSION_VERSION;
    const flux = fluxExtensionRelease(v)?.flux;
    const notes = [...(flux ? [`Flux ${flux}`] : []), ...(version === undefined ? ["the newest release, as the extension auto-upgrades"] : [])];
    const label = `microsoft.flux ${v}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
    return { version: v, label, removedApis: apisRemovedBy(v) };
}

/** What the generator can't write, by argument. */
export function validationWorkflowProblems(args: Pick<ValidationWorkflowArgs, "branch" | "paths">): Problem[] {
    return [
        ...at(["branch"], patternProblem(WORKFLOW_BRANCH_RULE, args.branch)),
        ...args.paths.flatMap((p, i) => at(["paths", i], patternProblem(WORKFLOW_PATH_RULE, p))),
        ...(args.paths.length === 0 ? [{ path: ["paths"], message: "expected at least one kustomization path" }] : []),
    ];
}

/** The commit message of the file's create or update: what the workflow now checks. */
export function validationCommitMessage(args: ValidationWorkflowArgs): string {
    const folders = validationFolders(args.paths);
    return `${VALIDATION_CHECK_NAME}: validate ${folders.join(", ")} on pull requests to ${args.branch} against ${checkedExtension(args.extensionVersion).label} (${args.managedBy})`;
}

const INSTALL = `set -euo pipefail
bin="$RUNNER_TEMP/bin"
mkdir -p "$bin"
curl -fsSL -o "$RUNNER_TEMP/kustomize.tar.gz" \\
  "https://github.com/kubernetes-sigs/kustomize/releases/download/kustomize%2Fv\${KUSTOMIZE_VERSION}/kustomize_v\${KUSTOMIZE_VERSION}_linux_amd64.tar.gz"
echo "\${KUSTOMIZE_SHA256}  $RUNNER_TEMP/kustomize.tar.gz" | sha256sum --check --strict
tar -xzf "$RUNNER_TEMP/kustomize.tar.gz" -C "$bin" kustomize
curl -fsSL -o "$RUNNER_TEMP/kubeconform.tar.gz" \\
  "https://github.com/yannh/kubeconform/releases/download/v\${KUBECONFORM_VERSION}/kubeconform-linux-amd64.tar.gz"
echo "\${KUBECONFORM_SHA256}  $RUNNER_TEMP/kubeconform.tar.gz" | sha256sum --check --strict
tar -xzf "$RUNNER_TEMP/kubeconform.tar.gz" -C "$bin" kubeconform
echo "$bin" >> "$GITHUB_PATH"`;

// kustomize writes each object's top-level keys unindented, apiVersion then kind first: a line that
// starts with `apiVersion: ` is an object's own, never one nested in its spec or in a block scalar.
const VALIDATE = `set -euo pipefail
failed=0
rendered="$RUNNER_TEMP/rendered.yaml"
while IFS= read -r path; do
  [ -n "$path" ] || continue
  echo "::group::$path"
  if [ ! -d "$path" ]; then
    echo "::error::$path: no such folder on this branch; Flux would fail to reconcile the kustomization"
    failed=1
    echo "::endgroup::"
    continue
  fi
  if [ ! -e "$path/kustomization.yaml" ] && [ ! -e "$path/kustomization.yml" ] && [ ! -e "$path/Kustomization" ]; then
    # Flux generates a kustomization.yaml for a folder without one, listing every manifest in it and its subfolders.
    (cd "$path" && kustomize create --autodetect --recursive)
  fi
  # As Flux's kustomize-controller builds: files outside the kustomization's folder may be referenced.
  if ! kustomize build --load-restrictor=LoadRestrictionsNone "$path" > "$rendered"; then
    echo "::error::$path: kustomize build failed"
    failed=1
    echo "::endgroup::"
    continue
  fi
  removed="$(awk -v removed="$REMOVED_APIS" 'BEGIN { n = split(removed, r, " "); for (i = 1; i <= n; i++) gone[r[i]] = 1 } /^apiVersion: / { v = $2 } /^kind: / { if (v in gone) print $2 " " v }' "$rendered")"
  if [ -n "$removed" ]; then
    while IFS= read -r object; do
      echo "::error::$path: $object is an API $FLUX_EXTENSION no longer serves; move it to a served version"
    done <<< "$removed"
    failed=1
  fi
  if ! kubeconform -strict -summary -schema-location "$KUBERNETES_SCHEMAS" -schema-location "$CRD_SCHEMAS" "$rendered"; then
    echo "::error::$path: objects fail schema validation (listed above)"
    failed=1
  fi
  echo "::endgroup::"
done <<< "$KUSTOMIZATION_PATHS"
exit "$failed"`;

const indent = (text: string, spaces: number) =>
    text
        .split("\n")
        .map((l) => (l === "" ? l : " ".repeat(spaces) + l))
        .join("\n");

/** JSON strings are YAML double-quoted scalars: every dynamic value goes in as one. */
const q = (s: string) => JSON.stringify(s);

/**
 * The workflow file's text. Throws on arguments validationWorkflowProblems refuses: the stack config
 * reports those by key path before anything runs.
 */
export function validationWorkflow(args: ValidationWorkflowArgs): string {
    const problems = validationWorkflowProblems(args);
    if (problems.length > 0) throw new Error(`validation workflow: ${problems.map((p) => `${p.path.join(".")}: ${p.message}`).join("; ")}`);
    const t = VALIDATION_TOOLS;
    const ext = checkedExtension(args.extensionVersion);
    const folders = validationFolders(args.paths);
    const raw = (repo: string, commit: string, rest: string) => `https://raw.githubusercontent.com/${repo}/${commit}/${rest}`;
    return `# Generated by ${args.managedBy}: its next \`pulumi up\` overwrites any edit made here.
# Every pull request to ${args.branch} must pass the ${VALIDATION_CHECK_NAME} check (the branch's ruleset requires it):
# each folder a Flux kustomization syncs from ${args.branch} builds with kustomize, every object passes
# schema validation (Kubernetes and Flux CRDs), and none uses an API ${ext.label} no longer serves.
name: ${VALIDATION_CHECK_NAME}
on:
  pull_request:
    branches: [${q(args.branch)}]
permissions:
  contents: read
concurrency:
  group: ${VALIDATION_CHECK_NAME}-\${{ github.event.pull_request.number }}
  cancel-in-progress: true
jobs:
  validate:
    name: ${VALIDATION_CHECK_NAME}
    runs-on: ubuntu-24.04
    timeout-minutes: 15
    env:
      KUSTOMIZE_VERSION: ${q(t.kustomize.version)}
      KUSTOMIZE_SHA256: ${q(t.kustomize.sha256)}
      KUBECONFORM_VERSION: ${q(t.kubeconform.version)}
      KUBECONFORM_SHA256: ${q(t.kubeconform.sha256)}
      KUBERNETES_SCHEMAS: ${q(raw(t.kubernetesSchemas.repo, t.kubernetesSchemas.commit, "{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"))}
      CRD_SCHEMAS: ${q(raw(t.crdSchemas.repo, t.crdSchemas.commit, "{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"))}
      FLUX_EXTENSION: ${q(ext.label)}
      REMOVED_APIS: ${q(ext.removedApis.join(" "))}
      KUSTOMIZATION_PATHS: |
${indent(folders.join("\n"), 8)}
    steps:
      - uses: ${t.checkout.action}@${t.checkout.sha} # ${t.checkout.release}
        with:
          persist-credentials: false
      - name: Install kustomize and kubeconform (pinned versions, checksums verified)
        run: |
${indent(INSTALL, 10)}
      - name: Build and validate every kustomization path
        run: |
${indent(VALIDATE, 10)}
`;
}
