/** @internal */

// Flag values of `aggregate`, apart from its module so that parsing loads no client code.

/** The output formats of `aggregate`. @internal */
export const formats = ["table", "csv", "ndjson", "sqlite", "postgres"] as const
