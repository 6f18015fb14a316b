// Reading stacks/Pulumi.<stack>.yaml without the Pulumi CLI, for tools that look at every stack at
// once (check-workflows). `secure:` values stay encrypted in the file; they are noted, never read.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { parseStackConfig, PROJECT, type OwnerNamespaces, type StackConfig } from "./config.ts";

/** Stack names with a Pulumi.<stack>.yaml in `dir`, sorted. */
export function listStacks(dir: string): string[] {
    return readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

export interface StackFile {
    /** `<project>:<key>` -> value, as in the file (objects stay objects). */
    readonly values: Record<string, unknown>;
    /** Keys whose value is `secure:` (encrypted). */
    readonly secureKeys: readonly string[];
}

export function readStackFile(dir: string, stack: string): StackFile {
    const doc = YAML.parse(readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8")) ?? {};
    const values: Record<string, unknown> = {};
    const secureKeys: string[] = [];
    for (const [k, v] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) {
        const full = k.includes(":") ? k : `${PROJECT}:${k}`;
        if (v && typeof v === "object" && "secure" in (v as object)) secureKeys.push(full);
        else values[full] = v;
    }
    return { values, secureKeys };
}

/** A stack file's values as the engine hands config to the program: every value a string. */
export function engineConfig(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/**
 * Every stack in `dir`, validated. Secret values are not needed (names and scopes are), so every
 * secret counts as set; a `secure:` value stays unread.
 */
export function loadStacks(dir: string): StackConfig[] {
    return listStacks(dir).map((s) => {
        const file = readStackFile(dir, s);
        const raw = engineConfig(file.values);
        for (const k of file.secureKeys) raw[k] = "[secure]";
        return parseStackConfig(s, raw, () => "secret", () => "organization", ownerNamespacesFrom(dir));
    });
}

/**
 * The appNamespaces of a cluster-owning stack of this project, read from its stack file in `dir`, so a
 * stack sharing that cluster is checked before it registers anything. Undefined for a stack of another
 * project, or one whose file is missing or unreadable (its own validation reports that).
 */
export function ownerNamespacesFrom(dir: string): OwnerNamespaces {
    return (ownerStack) => {
        const parts = ownerStack.split("/");
        if (parts.length === 3 && parts[1] !== PROJECT) return undefined;
        let file: StackFile;
        try {
            file = readStackFile(dir, parts[parts.length - 1]);
        } catch {
            return undefined;
        }
        // `pulumi new` stores a section as its JSON text, which the program decodes the same way.
        let cluster = file.values[`${PROJECT}:cluster`];
        if (typeof cluster === "string") {
            try {
                cluster = JSON.parse(cluster);
            } catch {
                return undefined;
            }
        }
        const namespaces = (cluster as { appNamespaces?: unknown } | undefined)?.appNamespaces;
        return Array.isArray(namespaces) && namespaces.every((n) => typeof n === "string") ? namespaces : undefined;
    };
}
