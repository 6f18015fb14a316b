// The scripts' command lines, parsed by node:util parseArgs with the rules all of them share.
import { parseArgs } from "node:util";

/** Each option's name (without `--`) and whether it takes a value. */
export type OptionSpec = Readonly<Record<string, "string" | "boolean">>;

export interface CommandLine<S extends OptionSpec> {
    /** Options given; a boolean one is true when present. */
    readonly values: { readonly [K in keyof S]?: S[K] extends "string" ? string : true };
    readonly positionals: readonly string[];
}

/**
 * `argv` read against `spec`, or undefined for bad usage: an unknown option, an option given twice, a
 * value that is missing, empty or (unless given as `--name=-x`) looks like another option.
 */
export function parseCommandLine<S extends OptionSpec>(argv: readonly string[], spec: S): CommandLine<S> | undefined {
    // `multiple` only to see repeats: parseArgs would otherwise keep the last one silently.
    const options = Object.fromEntries(Object.entries(spec).map(([name, type]) => [name, { type, multiple: true }]));
    let parsed;
    try {
        parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    } catch (e) {
        if (String((e as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS_")) return undefined;
        throw e;
    }
    const values: Record<string, string | true> = {};
    for (const [name, given] of Object.entries(parsed.values) as [string, (string | boolean)[]][]) {
        if (given.length !== 1 || given[0] === "") return undefined;
        values[name] = given[0] as string | true;
    }
    return { values: values as CommandLine<S>["values"], positionals: parsed.positionals };
}

/** Why `name` can't be a stack name, or undefined if it can: it becomes part of a file path. */
export function stackNameProblem(name: string): string | undefined {
    // A leading '-' would be read as an option by the scripts a name is passed on to.
    if (/^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/.test(name) && name !== "." && !name.includes("..")) return undefined;
    return `invalid stack name ${JSON.stringify(name)}: a stack name is letters, digits, '_', '.' and '-' only, not starting with '-', with no path separators and no '..'`;
}
