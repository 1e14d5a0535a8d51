/**
 * Genesys Cloud conversation-detail analytics for Effect: validated queries, jobs, streams, audit.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Region from "./Region.js"

/** @since 0.1.0 */
export * as GenesysConfig from "./GenesysConfig.js"

/** @since 0.1.0 */
export * as GenesysAuth from "./GenesysAuth.js"

/** @since 0.1.0 */
export * as GenesysHttp from "./GenesysHttp.js"

/** @since 0.2.0 */
export * as KnownSecrets from "./KnownSecrets.js"

/** @since 0.1.0 */
export * as GenesysError from "./GenesysError.js"

/** @since 0.1.0 */
export * as ConversationQuery from "./ConversationQuery.js"

/** @since 0.1.0 */
export * as ConversationRecord from "./ConversationRecord.js"

/** @since 0.1.0 */
export * as Interval from "./Interval.js"

/** @since 0.1.0 */
export * as QueryValidator from "./QueryValidator.js"

/** @since 0.1.0 */
export * as QueryBuilder from "./QueryBuilder.js"

/** @since 0.1.0 */
export * as ConversationDetails from "./ConversationDetails.js"

/** @since 0.1.0 */
export * as AnalyticsMetrics from "./AnalyticsMetrics.js"

/** @since 0.1.0 */
export * as Extraction from "./Extraction.js"

/** @since 0.1.0 */
export * as ExtractionSink from "./ExtractionSink.js"

/** @since 0.1.0 */
export * as CheckpointStore from "./CheckpointStore.js"

/** @since 0.1.0 */
export * as AuditLog from "./AuditLog.js"

/** @since 0.1.0 */
export * as Webhook from "./Webhook.js"

/** @since 0.1.0 */
export * as Flatten from "./Flatten.js"

/** @since 0.1.0 */
export * as FileSink from "./FileSink.js"

/** @since 0.3.0 */
export * as ConversationAggregates from "./ConversationAggregates.js"

/** @since 0.3.0 */
export * as ConversationAggregateQuery from "./ConversationAggregateQuery.js"

/** @since 0.3.0 */
export * as AggregateRecord from "./AggregateRecord.js"
