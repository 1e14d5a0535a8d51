/**
 * The benchmark harness: scenarios, contenders, analysis and the report template.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Analysis from "./analysis.js"
/** @since 0.1.0 */
export * as Bench from "./bench.js"
/** @since 0.1.0 */
export * as Checksum from "./checksum.js"
/** @since 0.1.0 */
export * as CpuProfile from "./cpuProfile.js"
/** @since 0.1.0 */
export * as Report from "./report.js"
/** @since 0.1.0 */
export * as Scenarios from "./scenarios.js"
/** @since 0.1.0 */
export * as Settings from "./settings.js"
