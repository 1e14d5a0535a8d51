/**
 * The CLI's two small languages, for the command wiring: `--interval` and `--where`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as IntervalArg from "./IntervalArg.js"

/** @since 0.1.0 */
export * as Where from "./Where.js"
