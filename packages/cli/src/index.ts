/**
 * The `genesys-analytics` command line and its two small languages (`--interval`, `--where`).
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Cli from "./Cli.js"

/** @since 0.1.0 */
export * as IntervalArg from "./IntervalArg.js"

/** @since 0.1.0 */
export * as Where from "./Where.js"
