/**
 * A faithful local Genesys Cloud for conversation-detail analytics: seeded data, the real API surface, faults.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Catalog from "./Catalog.js"

/** @since 0.1.0 */
export * as Generator from "./Generator.js"

/** @since 0.1.0 */
export * as FilterEngine from "./FilterEngine.js"

/** @since 0.1.0 */
export * as Aggregations from "./Aggregations.js"

/** @since 0.1.0 */
export * as GroundTruth from "./GroundTruth.js"

/** @since 0.1.0 */
export * as EmulatorOptions from "./EmulatorOptions.js"

/** @since 0.1.0 */
export * as Faults from "./Faults.js"

/** @since 0.1.0 */
export * as Emulator from "./Emulator.js"

/** @since 0.1.0 */
export * as Server from "./Server.js"

/** @since 0.1.0 */
export * as AggregateTruth from "./AggregateTruth.js"

/** The notifications API, socket side: in-process sockets and the WebSocket constructor. @since 0.4.0 */
export * as Notifications from "./Notifications.js"
